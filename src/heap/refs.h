/* Queries on the references among the objects of one snapshot: what an
   object refers to, the stopped frames' variables that hold objects
   (local roots), who refers to an object, the shortest chain of
   references that keeps it alive, and the objects nothing refers to.
   They return data; the commands print it. */
#ifndef CPDB_SRC_HEAP_REFS_H
#define CPDB_SRC_HEAP_REFS_H

#include "base/compat.h"
#include "base/ptrset.h"
#include "base/util.h"
#include "heap/graph.h"
#include "heap/heap.h"

/* --- objects around one object ------------------------------------------ */

/* Objects, each once: the items are strong references. */
typedef CPDB_ARRAY(PyObject *) CpdbObjectArray;

/* Release the items and the storage; the array is empty again. */
void cpdb_refs_array_fini(CpdbObjectArray *a);

/* What o refers to (what tp_traverse reports), each object once, in the
   order met (a list's or tuple's items from [0]), appended to out;
   cpdb's own objects (ctx, may be NULL) left out: a frame's f_trace is
   cpdb's marker, not the program's. */
void cpdb_refs_referents(const CpdbHeapContext *ctx, PyObject *o,
                         CpdbObjectArray *out);
/* The same, only the first limit of them appended to out.  Return: how
   many objects o refers to (cpdb's own left out). */
size_t cpdb_refs_referents_first(const CpdbHeapContext *ctx, PyObject *o,
                                 size_t limit, CpdbObjectArray *out);
/* The same, cheaper when o refers to many more than limit: past the
   first limit objects, references are counted, not objects (one object
   referred to twice counts twice), and nothing is kept to tell them
   apart.  Return: that count. */
size_t cpdb_refs_referents_head(const CpdbHeapContext *ctx, PyObject *o,
                                size_t limit, CpdbObjectArray *out);

/* Names of many references out of one object.  An item of a big list
   or tuple is named by its index, found once for all the items
   (cpdb_edge_name looks through the whole sequence for each). */
typedef struct CpdbEdgeNamer {
    PyObject *src;              /* borrowed: the referring object */
    CpdbPtrSet first;           /* item -> index of its first place,
                                   made when many names are asked */
    int indexed;
    size_t asked;
} CpdbEdgeNamer;

void cpdb_refs_namer_init(CpdbEdgeNamer *n, PyObject *src);
/* The name of the reference from n->src to dst, as cpdb_edge_name.
   Return: malloc'd, or NULL when it has none. */
char *cpdb_refs_namer_name(CpdbEdgeNamer *n, PyObject *dst);
void cpdb_refs_namer_fini(CpdbEdgeNamer *n);

/* The tracked objects that refer to o, each once, in the order of h's
   reverse edges (which must be built), appended to out; none when h
   does not track o. */
void cpdb_refs_referrer_objects(CpdbHeap *h, PyObject *o,
                                CpdbObjectArray *out);

/* The weak references to o, which never count as keeping it alive.
   Return: new reference to a list, or NULL with an exception set. */
PyObject *cpdb_refs_weakrefs(PyObject *o);

/* --- the stopped frames' variables --------------------------------------- */

/* A variable of a stopped frame whose value the snapshot tracks: from
   3.11 on the frames' own references are not visible to the collector,
   so referrers and chains name them from the stack. */
typedef struct CpdbLocalRoot {
    uint32_t index;             /* the value's snapshot index */
    int depth;                  /* the frame's stack position, 0 innermost */
    PyFrameObject *frame;       /* borrowed: alive while the stop is */
    const char *thread;         /* borrowed (as frame): the frame's thread
                                   when it is not the selected one, or
                                   NULL */
    char *name;                 /* the variable (malloc'd) */
} CpdbLocalRoot;

typedef CPDB_ARRAY(CpdbLocalRoot) CpdbLocalRoots;

/* The variables of ctx's stopped frames whose values h tracks, innermost
   frame first (module frames left out: their variables are their
   module's), appended to out. */
void cpdb_refs_local_roots(CpdbHeap *h, const CpdbHeapContext *ctx,
                           CpdbLocalRoots *out);
void cpdb_refs_local_roots_fini(CpdbLocalRoots *r);
/* "frame #1 main() variable 'x'", after "thread 2 "worker-1" " for
   another thread's frame.  Return: malloc'd. */
char *cpdb_refs_local_root_text(const CpdbLocalRoot *r);

/* The variables of ctx's stopped frames whose values are in set,
   innermost frame first (module frames left out), appended to out: the
   index of each is the value's number in set. */
void cpdb_refs_local_roots_in(const CpdbHeapContext *ctx,
                              const CpdbPtrSet *set, CpdbLocalRoots *out);

/* --- referrers ----------------------------------------------------------- */

/* Who refers to one object of a snapshot. */
typedef struct CpdbReferrers {
    const uint32_t *objects;    /* borrowed from the snapshot's reverse
                                   edges: the indices of the tracked
                                   objects that refer to it */
    size_t n_objects;
    CpdbLocalRoots roots;       /* the stopped frames' variables that hold
                                   it */
} CpdbReferrers;

/* Who refers to snapshot object i: the tracked objects (the reverse
   edges, built when not yet) and the stopped frames' variables.
   Return 0, or -1 with an exception set. */
int cpdb_refs_referrers(CpdbHeap *h, const CpdbHeapContext *ctx, uint32_t i,
                        CpdbReferrers *out);
void cpdb_refs_referrers_fini(CpdbReferrers *r);

/* Who refers to o, an object the collector does not track (a str, a
   bytes, an untracked tuple or dict), found in one pass over the heap
   without a snapshot: the tracked objects, and the untracked containers
   they hold, that refer to it (appended to holders, strong, in the
   collector's order), and the stopped frames' variables that hold it
   (appended to roots; their index 0).  Return 0, or -1 with an
   exception set (Ctrl-C). */
int cpdb_refs_untracked_referrers(const CpdbHeapContext *ctx, PyObject *o,
                                  CpdbObjectArray *holders,
                                  CpdbLocalRoots *roots);

/* What refers to each object of set (numbered below n_out by its
   values), found in one pass over the heap without a snapshot: out[k]
   (n_out arrays, empty) receives the holders of object k, each once,
   in the heap's order (strong references).  With untracked, untracked
   containers between are looked through (they are holders too), as an
   object the collector does not track needs.  Return 0, or -1 with an
   exception set (Ctrl-C, the collector running); the arrays are the
   caller's to release either way. */
int cpdb_refs_referrers_of_set(const CpdbHeapContext *ctx,
                               const CpdbPtrSet *set, int untracked,
                               CpdbObjectArray *out, size_t n_out);

/* --- chains -------------------------------------------------------------- */

/* The shortest chain of references to node start over back (a graph of
   referrers: back.adj of i are the nodes that refer to i), from a node
   of goal (a bitmap of back->n bits) or, when no goal leads to start,
   from the nearest of roots[0..n_roots).  *path receives the chain's
   nodes, where it starts first and start last (malloc'd, NULL when
   none); *root the position in roots of the root it starts from (the
   first that names that node), or -1 when it starts from a goal or
   there is none.  Return: the number of nodes, 0 when no chain leads to
   start.  Pure C: no interpreter needed. */
size_t cpdb_refs_chain_search(const CpdbGraph *back, uint32_t start,
                              const uint8_t *goal, const uint32_t *roots,
                              size_t n_roots, uint32_t **path, long *root);

/* The chain of references that keeps an object alive. */
typedef struct CpdbChain {
    uint32_t *path;             /* snapshot indices, where the chain
                                   starts first and the object last
                                   (malloc'd), or NULL when ... */
    PyObject **objects;         /* ... these are its objects (strong,
                                   malloc'd: found without a snapshot) */
    size_t len;                 /* 0 when no chain leads to the object */
    CpdbLocalRoots roots;       /* the stopped frames' variables (none
                                   with a target) */
    long root;                  /* the item of roots the chain starts
                                   from, or -1 (a module, the target) */
} CpdbChain;

/* The shortest chain of references that keeps snapshot object i alive:
   from target (a snapshot index) when target >= 0; else from a module
   or, when no module holds it, from a stopped frame's variable (what a
   module holds outlives the call).  Weak references do not count.
   Return 0, or -1 with an exception set (the reverse edges could not be
   built). */
int cpdb_refs_chain(CpdbHeap *h, const CpdbHeapContext *ctx, uint32_t i,
                    long target, CpdbChain *out);
void cpdb_refs_chain_fini(CpdbChain *c);

/* The same chain as cpdb_refs_chain, looked for without a snapshot:
   backward from o a level per pass over the heap, forward from the
   modules (from from, when not NULL: a tracked object), until they
   meet (heap/meet.h); when no module leads to o, forward from the
   stopped frames' variables.  Cheap when the chain is short (the
   usual question: who keeps this cached object alive); o may be an
   object the collector does not track (a str, an untracked tuple): the
   untracked containers between it and the first tracked holder are on
   the chain.  Return: 1 with the chain in out (out->objects; none when
   nothing leads to o), 0 when a tracked object's chain is too far for
   this way (ask cpdb_refs_chain), -1 with an exception set (Ctrl-C, out
   of memory). */
int cpdb_refs_chain_near(const CpdbHeapContext *ctx, PyObject *o,
                         PyObject *from, CpdbChain *out);

/* Return: borrowed, object k of a chain (h, the snapshot it was found
   in, unused when it holds its objects). */
PyObject *cpdb_refs_chain_node(const CpdbHeap *h, const CpdbChain *c,
                               size_t k);

/* The name of the reference out of nodes[at] on a path (closed: a cycle,
   whose last node refers to the first), and in *skip how many nodes
   after it the name stands for: "A .x" for A .__dict__ ['x'] (instances,
   classes, modules), "f .__closure__[0].cell_contents" for
   f .__closure__ -> tuple [0] -> cell .cell_contents.
   Return: malloc'd, or NULL when the reference has no name. */
char *cpdb_refs_path_edge(PyObject *const *nodes, size_t len, int closed,
                          size_t at, size_t *skip);

/* --- objects nothing refers to ------------------------------------------- */

/* Which objects of h something refers to, worked out once per snapshot
   (kept in h->leaks): a bitmap of h->n bits, set for each object that a
   tracked object, code objects' constants or static types hold
   (cpdb_heap_referred) or a stopped frame's variable holds, and for what
   the collector cannot see the holder of: objects that hold only cpdb's
   own, types' dictionaries of subclasses.  The clear bits are the
   leaks.  Return: borrowed (owned by h), or NULL with an exception set. */
const uint8_t *cpdb_refs_leaks(CpdbHeap *h, const CpdbHeapContext *ctx);

/* The objects clear in referred (from cpdb_refs_leaks) counted by type,
   largest first; *n_leaks receives how many they are.  Return: malloc'd
   array of *n_types counts (NULL when there is none). */
CpdbTypeCount *cpdb_refs_leak_types(const CpdbHeap *h,
                                    const uint8_t *referred, long *n_types,
                                    long *n_leaks);

#endif /* CPDB_SRC_HEAP_REFS_H */
