/* The heap as the garbage collector sees it: one snapshot of the tracked
   objects, a pointer-to-index table, and the reverse edges (who refers to
   whom) built once per snapshot.  cpdb's own objects are left out. */
#ifndef CPDB_SRC_HEAP_H
#define CPDB_SRC_HEAP_H

#include "base/compat.h"
#include "heap/graph.h"

typedef struct CpdbSession CpdbSession;

typedef struct CpdbHeap {
    PyObject *list;         /* strong: the tracked objects, or NULL */
    PyObject **objs;        /* borrowed: the list's items */
    uint32_t n;
    uint32_t *slots;        /* open addressing: index + 1, 0 empty */
    size_t mask;
    CpdbGraph back;         /* referrers: back.adj of i are the objects
                               that refer to i; built on demand */
    int have_back;
    uint8_t *leaks;         /* "gc leaks" answer: bit set = referred */
    uint32_t *modules;      /* indices of the module objects */
    size_t n_modules;
    long stop_serial;       /* the stop the snapshot belongs to */
    long eval_serial;       /* and the Python run at it before */
} CpdbHeap;

/* Take a snapshot (gc.get_objects()) without collecting.  Return 0, or
   -1 with an exception set. */
int cpdb_heap_take(CpdbSession *s, CpdbHeap *h);
void cpdb_heap_clear(CpdbHeap *h);
/* Index the objects of a list (which must not change while indexed).
   Return 0, or -1 with an exception set. */
int cpdb_heap_of_list(CpdbHeap *h, PyObject *list);

/* The session's snapshot for the current stop, taken when first needed.
   Return: borrowed heap, or NULL with an exception set. */
CpdbHeap *cpdb_heap_current(CpdbSession *s);
/* Forget the session's snapshot (the program ran, or collected). */
void cpdb_heap_forget(CpdbSession *s);

/* Return: the index of a tracked object, or -1. */
long cpdb_heap_find(CpdbHeap *h, const void *address);

/* Build the reverse edges.  Return 0, or -1 with MemoryError set. */
int cpdb_heap_build_back(CpdbHeap *h);

/* Call visit for each object o refers to (what tp_traverse reports). */
typedef int (*CpdbReferentVisit)(PyObject *referent, void *arg);
void cpdb_heap_referents(PyObject *o, CpdbReferentVisit visit, void *arg);

/* Which objects something refers to: a bitmap of n bits, set for each
   object another tracked object refers to, or that code objects'
   constants and static types (which the collector does not track) hold.
   Return: malloc'd bitmap, or NULL with MemoryError set. */
uint8_t *cpdb_heap_referred(CpdbHeap *h);

/* Objects per type, largest first. */
typedef struct CpdbTypeCount {
    PyTypeObject *type;     /* borrowed: alive while the snapshot is */
    long count;
} CpdbTypeCount;

/* Return: malloc'd array of *n_types counts, or NULL when out of
   memory. */
CpdbTypeCount *cpdb_heap_census(const CpdbHeap *h, long *n_types);

/* A census of the objects the collector tracks now, cpdb's own left
   out: from the stop's snapshot when there is one, else by walking the
   collector's lists without making one.  Return: malloc'd, or NULL when
   out of memory. */
CpdbTypeCount *cpdb_heap_census_now(CpdbSession *s, long *n_types);
/* Call visit on each tracked object but cpdb's own (the snapshot's, or
   the collector's lists walked), until it returns 0.  visit must not run
   Python code.  Return 0, or -1 when the collector is running. */
int cpdb_heap_walk(CpdbSession *s, int (*visit)(PyObject *o, void *arg),
                   void *arg);
/* How many objects cpdb_heap_walk would visit.  Return as it does. */
int cpdb_heap_count(CpdbSession *s, Py_ssize_t *n);

/* The name of a type as censuses print it: "dict", "mypkg.Foo".
   Return: malloc'd. */
char *cpdb_type_name(PyTypeObject *t);

/* Whether an object is one of cpdb's own (never shown). */
int cpdb_heap_is_own(CpdbSession *s, PyObject *o);

#endif /* CPDB_SRC_HEAP_H */
