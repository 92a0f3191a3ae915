/* The shortest chain of references from a root to one object, found
   without the reverse edges of the whole heap: a backward search from
   the object, one pass over the heap per level (each pass looks at
   every object's references for the current level's objects), meets a
   forward search from the roots (modules), which costs only what the
   few objects near the roots refer to.  Each step extends the cheaper
   side; the search stops as soon as no shorter chain can be left.

   Pure C over opaque nodes: the heap layer (refs.c) walks the objects;
   the unit test walks a made-up graph.  Memory grows with the objects
   the two searches meet, not with the heap. */
#ifndef CPDB_SRC_HEAP_MEET_H
#define CPDB_SRC_HEAP_MEET_H

#include <stddef.h>
#include <stdint.h>

/* An edge from -> to, reported by the graph.  Return: nonzero to stop
   reporting (the search has its answer). */
typedef int (*CpdbMeetEdge)(const void *from, const void *to, void *arg);

/* The graph, as the search asks for it. */
typedef struct CpdbMeetOps {
    /* Report each node through node() (is_root set for the roots)
       and every edge of the graph, those out of one node together;
       with descend, also the edges out of hidden nodes (see
       is_hidden) that the nodes refer to, before the edge to the
       hidden node.  Stop when edge() returns nonzero.  Return 0, or
       -1 when stopped (Ctrl-C). */
    int (*pass)(void *self, int descend, CpdbMeetEdge edge,
                void (*node)(const void *node, int is_root, void *arg),
                void *arg);
    /* Report the edges out of node, until edge() returns nonzero. */
    void (*referents)(void *self, const void *node, CpdbMeetEdge edge,
                      void *arg);
    /* Whether node, met forward, is one of the graph's that can refer
       to anything (worth keeping and following).  Asked of every node
       met forward, except the target (met by then). */
    int (*expandable)(void *self, const void *node);
    /* Whether node is one pass() reports edges out of only when asked
       to descend (an object the collector does not track). */
    int (*is_hidden)(void *self, const void *node);
    void *self;
    /* Optional (both NULL: the search keeps a table of its own): the
       forward side's entry of each node kept in the node itself, which
       costs no lookup.  fwd_mark returns what set_fwd_mark gave the node,
       or -1; set_fwd_mark is called once for each node the forward side
       takes, with its entry (0, 1, 2, ... in order). */
    long (*fwd_mark)(void *self, const void *node);
    void (*set_fwd_mark)(void *self, const void *node, uint32_t entry);
    /* Optional: start fetching what the graph will read of node (its
       memory), which the forward search asks a while before it looks
       at the node. */
    void (*fetch_ahead)(void *self, const void *node);
} CpdbMeetOps;

/* How far a search may go before giving up. */
typedef struct CpdbMeetLimits {
    int max_passes;             /* backward passes over the heap */
    size_t max_nodes;           /* nodes kept by both searches, plus */
    size_t node_share;          /* ... the heap's nodes over this (0:
                                   none) */
    int forward_factor;         /* a forward level runs instead of a pass
                                   when its nodes times this are fewer
                                   than the heap's */
} CpdbMeetLimits;

typedef struct CpdbMeetNode {
    const void *node;
    uint32_t link;              /* the entry one step nearer the root
                                   (forward) or the target (backward);
                                   UINT32_MAX for none */
    uint32_t dist;
} CpdbMeetNode;

/* One side's nodes, in the order found (so by distance), with an open
   addressing table of entry index + 1.  The forward side's last level
   is not in the table (it may hold a node twice): a node goes in when
   its level is followed.  When the graph keeps the forward side's
   entries (ops->fwd_mark), that side has no table and a node joins it
   once. */
/* Bits of a side's filter (CPDB_MEET_FILTER_BITS / 8 bytes). */
#define CPDB_MEET_FILTER_BITS 65536

typedef struct CpdbMeetSide {
    CpdbMeetNode *items;
    size_t n, cap;
    uint32_t *slots;
    size_t mask, n_slotted;
    size_t level_start;         /* first entry of the last level */
    uint64_t *filter;           /* a bit per hash of the nodes in the
                                   table: a node whose bit is clear is
                                   not there (most nodes a pass asks
                                   about), found without probing */
} CpdbMeetSide;

typedef enum {
    CPDB_MEET_FOUND = 0,        /* a shortest chain from a root */
    CPDB_MEET_NONE = 1,         /* no root leads to the target: the
                                   backward side holds every node that
                                   does, with its distance */
    CPDB_MEET_GAVE_UP = 2,      /* the limits came first */
    CPDB_MEET_UNREACHED = 3,    /* the roots lead to no more nodes, and
                                   not to the target: the forward side
                                   is complete, the backward side may
                                   not be */
    CPDB_MEET_STOPPED = -1      /* Ctrl-C or out of memory */
} CpdbMeetResult;

typedef struct CpdbMeet {
    const CpdbMeetOps *ops;
    CpdbMeetLimits lim;
    CpdbMeetSide fwd, back;
    size_t n_nodes;             /* the heap's nodes, counted by pass 1 */
    size_t max_nodes;           /* from the limits and n_nodes */
    int passes, fwd_levels;
    int back_more, fwd_more;    /* the last step of each side found
                                   nodes (or none was taken) */
    int hidden_level;           /* the last backward level holds a
                                   hidden node */
    uint64_t best;              /* length of the best meeting found */
    long best_fwd;              /* its forward entry */
    long best_back;             /* ... and backward entry: the same
                                   node, or one it refers to */
    int best_same;
    int failed;                 /* 1 out of memory, 2 past the limits */
} CpdbMeet;

/* Search the shortest chain from a root to target.  Return: a
   CpdbMeetResult; m holds what was found until cpdb_meet_fini. */
int cpdb_meet_run(CpdbMeet *m, const CpdbMeetOps *ops,
                  const CpdbMeetLimits *lim, const void *target);

/* After CPDB_MEET_UNREACHED: go on from other roots (the forward
   side's marks taken off by the graph first, when it keeps them),
   keeping what the backward side found.  A root that is neither the
   target nor expandable is left out.  Return: a CpdbMeetResult, as
   cpdb_meet_run's. */
int cpdb_meet_reroot(CpdbMeet *m, const void *const *roots, size_t n);
/* The chain found (CPDB_MEET_FOUND): root first, target last.
   Return: its number of nodes; *path malloc'd. */
size_t cpdb_meet_path(const CpdbMeet *m, const void ***path);

/* For CPDB_MEET_NONE: the distance from node to the target over the
   backward side, or -1 when node does not lead to it. */
long cpdb_meet_back_dist(const CpdbMeet *m, const void *node);

/* The chain from node (which must lead to the target, as
   cpdb_meet_back_dist says) to the target.  Return: its number of
   nodes; *path malloc'd. */
size_t cpdb_meet_path_from(const CpdbMeet *m, const void *node,
                           const void ***path);

void cpdb_meet_fini(CpdbMeet *m);

#endif /* CPDB_SRC_HEAP_MEET_H */
