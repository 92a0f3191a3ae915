/* Paths of references as people read them: each reference of a path
   named once ("A .x -> B [0] -> C"), and long runs of the same
   reference (a linked list's .next, 200,000 times) folded into one
   step that says how many times it repeats. */
#ifndef CPDB_SRC_HEAP_PATH_H
#define CPDB_SRC_HEAP_PATH_H

#include "base/compat.h"
#include "base/util.h"

/* One reference of a path. */
typedef struct CpdbPathStep {
    char *name;             /* malloc'd (shared with the step before when
                               the same: see owns); NULL when it has no
                               name */
    const void *kind;       /* borrowed: the type of the node it leaves
                               (only compared) */
    uint32_t at;            /* the node it leaves */
    uint32_t skip;          /* how many nodes after it the name stands
                               for (cpdb_refs_path_edge) */
    uint32_t fold;          /* > 0: this step stands for fold steps of
                               the same reference, the ones after it
                               hidden */
    uint8_t hidden;         /* inside a folded run: not printed */
    uint8_t owns;           /* name is this step's to free (a run of one
                               reference keeps one copy of its name) */
} CpdbPathStep;

typedef CPDB_ARRAY(CpdbPathStep) CpdbPathSteps;

/* The references of the path nodes[0..len) (closed: a cycle, whose last
   node refers to the first), named, appended to out. */
void cpdb_path_steps(PyObject *const *nodes, size_t len, int closed,
                     CpdbPathSteps *out);
void cpdb_path_steps_fini(CpdbPathSteps *s);

/* How much of a run is kept on each side of a fold, and the shortest
   part worth folding. */
#define CPDB_PATH_KEEP 3
#define CPDB_PATH_MIN_FOLD 4

/* Fold the runs of steps[0..n) that repeat one reference (same name,
   nodes of the same kind) more than 2 * keep + min_fold - 1 times: the
   first keep and the last keep stay, the part between becomes one step
   (its fold says how many it stands for).  Pure C.  Return: the number
   of steps left visible. */
size_t cpdb_path_fold(CpdbPathStep *steps, size_t n, size_t keep,
                      size_t min_fold);

#endif /* CPDB_SRC_HEAP_PATH_H */
