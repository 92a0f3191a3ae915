/* The heap as the garbage collector sees it: one snapshot of the tracked
   objects, a pointer-to-index table, and the reverse edges (who refers to
   whom) built once per snapshot.  cpdb's own objects are left out.
   Nothing here knows the engine: what it must know comes in a
   CpdbHeapContext. */
#ifndef CPDB_SRC_HEAP_H
#define CPDB_SRC_HEAP_H

#include "base/compat.h"
#include "base/interrupt.h"
#include "base/util.h"
#include "heap/graph.h"

/* Ctrl-C stops a long query: its loops look every CPDB_INTERRUPT_POLL
   objects whether one came since the command began; one that stops
   frees what it built and fails with KeyboardInterrupt set, its message
   CPDB_INTERRUPTED.  Return: 1 with the exception set when Ctrl-C came,
   else 0. */
int cpdb_heap_interrupted(void);

/* cpdb_heap_interrupted(), asked only when step i of a loop is due. */
static inline int
cpdb_heap_poll(size_t i)
{
    return cpdb_interrupt_poll_due(i) && cpdb_heap_interrupted();
}

/* What the heap analysis must know of the debugger that asks: its own
   objects (never shown, never counted), the stopped frames (their
   variables hold objects without the collector seeing it, from 3.11),
   and its re-entrancy guard (held while the collector's own Python may
   run).  Filled by the engine; everything borrowed. */
#define CPDB_HEAP_MAX_OWN 10
typedef struct CpdbHeapContext {
    PyObject *own[CPDB_HEAP_MAX_OWN];
    int n_own;
    PyFrameObject **frames;     /* innermost first (malloc'd array):
                                   the selected thread's, then each
                                   other thread's */
    int n_frames;
    int *depths;                /* each frame's position in its own
                                   thread's stack (malloc'd), or NULL:
                                   its index in frames */
    const char **threads;       /* each frame's thread as answers name
                                   it ("thread 2 \"worker-1\""), NULL
                                   for the selected thread's (malloc'd
                                   array of borrowed strings: alive while
                                   the frames are), or NULL */
    CpdbGuard *busy;
    PyObject *history;          /* the value history, a list ($1 first),
                                   or NULL: untracked, so what only it
                                   holds has no referrer the collector
                                   knows of */
} CpdbHeapContext;

void cpdb_heap_context_fini(CpdbHeapContext *ctx);

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
    CPDB_ARRAY(uint32_t) modules;   /* indices of the module objects */
    long stop_serial;       /* the stop the snapshot belongs to, and */
    long eval_serial;       /* the Python run at it before (the owner's
                               stamps: -1 when not taken) */
} CpdbHeap;

/* Take a snapshot (the collector's lists, or gc.get_objects() while it
   collects) without collecting; ctx's own objects are left out.
   Return 0, or -1 with an exception set. */
int cpdb_heap_take(CpdbHeap *h, const CpdbHeapContext *ctx);
void cpdb_heap_clear(CpdbHeap *h);
/* Index the objects of a list (which must not change while indexed).
   Return 0, or -1 with an exception set. */
int cpdb_heap_of_list(CpdbHeap *h, PyObject *list);

/* Return: the index of a tracked object, or -1. */
long cpdb_heap_find(CpdbHeap *h, const void *address);

/* Build the reverse edges.  Return 0, or -1 with MemoryError set. */
int cpdb_heap_build_back(CpdbHeap *h);

/* PyObject_IS_GC without the call: asked of every reference. */
static inline int
cpdb_heap_is_gc(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    return PyType_IS_GC(t) && (t->tp_is_gc == NULL || t->tp_is_gc(o));
}

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

/* Whether a census counts a tracked object: not a tuple or dict that
   holds nothing the collector tracks, which the collector stops
   tracking when it next looks at it (any collection for a tuple, a
   full one for a dict).  Counting those would make a count drop when
   the collector runs although nothing was freed.  Runs no Python
   code. */
int cpdb_heap_is_counted(PyObject *o);

/* The objects cpdb_heap_is_counted counts.  Return: malloc'd array of
   *n_types counts, or NULL when out of memory. */
CpdbTypeCount *cpdb_heap_census(const CpdbHeap *h, long *n_types);

/* A census of the objects the collector tracks now (those
   cpdb_heap_is_counted counts), ctx's own left out, walking the
   collector's lists without making a list.  Return: malloc'd; NULL when
   out of memory, or when the collector is running (*running set). */
CpdbTypeCount *cpdb_heap_census_live(const CpdbHeapContext *ctx,
                                     long *n_types, int *running);
/* A census of the frozen objects (gc.freeze()'s permanent generation,
   which the censuses above count with the others), ctx's own left out;
   *total receives how many they are.  Return: malloc'd, or NULL when
   out of memory. */
CpdbTypeCount *cpdb_heap_census_frozen(const CpdbHeapContext *ctx,
                                       long *n_types, long *total);
/* Call visit on each object the collector tracks but ctx's own, until
   it returns 0.  visit must not run Python code.  Return 0, or -1 when
   the collector is running. */
int cpdb_heap_walk(const CpdbHeapContext *ctx,
                   int (*visit)(PyObject *o, void *arg), void *arg);

/* The question "is this one of cpdb's own objects?" asked of many
   objects in a row, as snapshots ask it (cheap: most types cannot
   be).  Between begin and end nothing may run Python code. */
typedef struct CpdbOwnTest {
    const CpdbHeapContext *ctx;
    void **dicts;               /* the stopped frames' variables
                                   dictionaries, sorted (malloc'd) */
    size_t n_dicts;
} CpdbOwnTest;

void cpdb_heap_own_begin(CpdbOwnTest *t, const CpdbHeapContext *ctx);
int cpdb_heap_own_test(const CpdbOwnTest *t, PyObject *o);
void cpdb_heap_own_end(CpdbOwnTest *t);

/* The name of a type as censuses print it: "dict", "mypkg.Foo".
   Return: malloc'd. */
char *cpdb_type_name(PyTypeObject *t);

/* Whether an object is one of cpdb's own (never shown): one of ctx's,
   a function cpdb made (named cpdb_*), or of a type of cpdb's. */
int cpdb_heap_is_own(const CpdbHeapContext *ctx, PyObject *o);

#endif /* CPDB_SRC_HEAP_H */
