/* gc.garbage as the commands show it: a copy of the list with the
   references among its objects, and the reference cycles they make. */
#ifndef CPDB_SRC_HEAP_GARBAGE_H
#define CPDB_SRC_HEAP_GARBAGE_H

#include "base/compat.h"
#include "base/util.h"
#include "heap/graph.h"

#include <stddef.h>
#include <stdint.h>

/* A copy of gc.garbage and the references among its objects. */
typedef struct CpdbGarbage {
    PyObject *items;            /* strong: the copy (a list), or NULL */
    CpdbGraph refs;             /* on indices into items: i -> j when
                                   items[i] refers to items[j] */
} CpdbGarbage;

/* How taking gc.garbage went. */
typedef enum CpdbGarbageStatus {
    CPDB_GARBAGE_OK = 0,
    CPDB_GARBAGE_NO_GC,         /* the gc module cannot be imported (an
                                   exception is set) */
    CPDB_GARBAGE_NOT_A_LIST,    /* gc.garbage is not a list */
    CPDB_GARBAGE_FAILED,        /* an exception is set */
    CPDB_GARBAGE_NO_MEMORY      /* the graph could not be built */
} CpdbGarbageStatus;

/* Copy gc.garbage into g with the references among its objects.  An
   attribute dictionary made after the collection (when something asked
   for __dict__), and so not itself in gc.garbage, counts as its
   instance.  Return: CPDB_GARBAGE_OK, or what went wrong (g then holds
   nothing). */
CpdbGarbageStatus cpdb_garbage_take(CpdbGarbage *g);
void cpdb_garbage_fini(CpdbGarbage *g);

/* A reference cycle: the shortest through the first node of its
   strongly connected component that has one. */
typedef struct CpdbCycle {
    uint32_t *nodes;            /* in order, the first not repeated at
                                   the end (malloc'd) */
    size_t len;
    uint32_t members;           /* the nodes of its component */
} CpdbCycle;

typedef CPDB_ARRAY(CpdbCycle) CpdbCycles;

/* One cycle per strongly connected component of g that holds one, in
   the order of the components' first nodes, appended to out (none when
   out of memory).  Pure C: no interpreter needed. */
void cpdb_garbage_cycles(const CpdbGraph *g, CpdbCycles *out);
void cpdb_garbage_cycles_fini(CpdbCycles *c);

/* Cycles of one shape: the same number of objects in their components,
   and round the cycle the same types and the same references, from
   whichever object of it.  A program that leaks cycles makes thousands
   of one shape. */
typedef struct CpdbCycleGroup {
    size_t first;               /* the first cycle of the shape (an index
                                   into the cycles), its example */
    size_t count;               /* cycles of the shape */
} CpdbCycleGroup;

typedef CPDB_ARRAY(CpdbCycleGroup) CpdbCycleGroups;

/* Group the cycles of g (from cpdb_garbage_cycles) by shape, in the
   order of their first cycles, appended to out.  Needs the GIL (the
   references are named). */
void cpdb_garbage_group_cycles(const CpdbGarbage *g, const CpdbCycles *c,
                               CpdbCycleGroups *out);

#endif /* CPDB_SRC_HEAP_GARBAGE_H */
