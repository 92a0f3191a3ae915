/* Why an object is alive when no chain of references leads to it from
   a module or a stopped frame's variable, or when the only chain runs
   through gc.garbage: the reason, worked out from the reverse edges
   and the reference counts, so the command can say it and say what
   frees the object. */
#ifndef CPDB_SRC_HEAP_WHY_H
#define CPDB_SRC_HEAP_WHY_H

#include "heap/heap.h"
#include "heap/refs.h"

typedef enum CpdbWhyKind {
    CPDB_WHY_UNKNOWN,   /* held from C, a running frame's value stack,
                           or an object the collector does not track */
    CPDB_WHY_CYCLE,     /* in (or held by) a reference cycle nothing
                           else refers to: garbage the collector has
                           not freed yet */
    CPDB_WHY_HISTORY,   /* only cpdb's value history keeps it */
    CPDB_WHY_GARBAGE,   /* in gc.garbage, or held by an object there */
    CPDB_WHY_NOTHING    /* nothing but the caller's own references:
                           a value made for the question */
} CpdbWhyKind;

#define CPDB_WHY_MAX_HISTORY 4

typedef struct CpdbWhy {
    CpdbWhyKind kind;
    size_t n_holders;       /* the objects that hold it, directly or
                               not (not itself) */
    int in_cycle;           /* those objects make a cycle: garbage once
                               nothing else holds them */
    long history[CPDB_WHY_MAX_HISTORY];  /* $N of history entries that
                                            hold it or a holder */
    int n_history;
    long garbage_index;     /* CPDB_WHY_GARBAGE: the gc.garbage item
                               that is it or holds it */
    int holder_in_garbage;  /* that item is a holder, not the object */
} CpdbWhy;

/* Why snapshot object i is alive when no chain leads to it from a
   module or a variable: the holders found on the reverse edges (built
   when not yet), weighed against their reference counts; extra is how
   many references to it the caller holds (the expression's value).
   ctx->history, when set, is the value history.  Return 0, or -1 with
   an exception set. */
int cpdb_why_no_chain(CpdbHeap *h, const CpdbHeapContext *ctx, uint32_t i,
                      Py_ssize_t extra, CpdbWhy *out);

/* Whether a chain runs through gc.garbage: when it does, out says
   which item and returns 1 (kind CPDB_WHY_GARBAGE); else 0.  nodes are
   the chain's objects, where it starts first. */
int cpdb_why_chain_garbage(PyObject *const *nodes, size_t len,
                           CpdbWhy *out);

#endif /* CPDB_SRC_HEAP_WHY_H */
