/* Bidirectional breadth-first search for the shortest chain from a root
   to one node, where going backward costs a pass over the whole graph
   and going forward costs what the frontier refers to (meet.h).

   Why it stops where it does: after k forward levels and p backward
   passes, the forward side holds every node within k references of a
   root and the backward side every node within p references of the
   target, each with its exact distance, and every node on both has
   been seen as a meeting.  A shortest chain of length L <= k + p has a
   node on both sides (its node k', k' = min(k, L), is k' from a root
   and L - k' <= p from the target).  So while no meeting is found,
   L > k + p; and the next step (a forward level k + 1, or a pass
   p + 1) can only find meetings of length at most k + p + 1: the first
   it finds is a shortest chain, and the search stops there, in the
   middle of a pass if need be. */
#include "heap/meet.h"
#include "base/interrupt.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

static inline size_t
hash_node(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

/* The filter's bit of a hash: other bits than the table's slot. */
static inline size_t
filter_bit(size_t hash)
{
    return (hash >> 40) & (CPDB_MEET_FILTER_BITS - 1);
}

/* Return: the entry of node in side s's table, or -1. */
static long
side_find(const CpdbMeetSide *s, const void *node)
{
    size_t i, h;
    if (s->slots == NULL) {
        return -1;
    }
    h = hash_node(node);
    if (!((s->filter[filter_bit(h) >> 6] >> (filter_bit(h) & 63)) & 1)) {
        return -1;
    }
    for (i = h & s->mask;; i = (i + 1) & s->mask) {
        uint32_t v = s->slots[i];
        if (v == 0) {
            return -1;
        }
        if (s->items[v - 1].node == node) {
            return (long)(v - 1);
        }
    }
}

/* Put entry k in the table (which has room). */
static void
side_slot(CpdbMeetSide *s, size_t k)
{
    size_t h = hash_node(s->items[k].node), i = h & s->mask;
    s->filter[filter_bit(h) >> 6] |= (uint64_t)1 << (filter_bit(h) & 63);
    while (s->slots[i] != 0) {
        i = (i + 1) & s->mask;
    }
    s->slots[i] = (uint32_t)k + 1;
}

/* Enter entry k in the table, which stays at most half full.  Return 0,
   or -1 when out of memory. */
static int
side_enter(CpdbMeetSide *s, size_t k)
{
    if (s->slots == NULL || (s->n_slotted + 1) * 2 > s->mask + 1) {
        size_t cap = s->slots ? (s->mask + 1) * 2 : 512, j;
        uint32_t *slots = calloc(cap, sizeof(uint32_t));
        uint32_t *old = s->slots;
        size_t old_cap = old ? s->mask + 1 : 0;
        if (s->filter == NULL) {
            s->filter = calloc(CPDB_MEET_FILTER_BITS / 64, sizeof(uint64_t));
        }
        if (slots == NULL || s->filter == NULL) {
            free(slots);
            return -1;
        }
        s->slots = slots;
        s->mask = cap - 1;
        for (j = 0; j < old_cap; j++) {
            if (old[j] != 0) {
                side_slot(s, old[j] - 1);
            }
        }
        free(old);
    }
    side_slot(s, k);
    s->n_slotted++;
    return 0;
}

/* Append node.  Return: its entry, or -1 when out of memory. */
static long
side_append(CpdbMeetSide *s, const void *node, uint32_t link, uint32_t dist)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        CpdbMeetNode *grown = cap < NONE
                              ? realloc(s->items, cap * sizeof *grown) : NULL;
        if (grown == NULL) {
            return -1;
        }
        s->items = grown;
        s->cap = cap;
    }
    s->items[s->n].node = node;
    s->items[s->n].link = link;
    s->items[s->n].dist = dist;
    return (long)s->n++;
}

/* Return: the forward entry of node, or -1. */
static long
fwd_find(const CpdbMeet *m, const void *node)
{
    if (m->ops->fwd_mark != NULL) {
        return m->ops->fwd_mark(m->ops->self, node);
    }
    return side_find(&m->fwd, node);
}

/* Append node to the forward side (marked there at once when the graph
   keeps the entries).  Return: its entry, or -1 when out of memory. */
static long
fwd_append(CpdbMeet *m, const void *node, uint32_t link, uint32_t dist)
{
    long k = side_append(&m->fwd, node, link, dist);
    if (k >= 0 && m->ops->set_fwd_mark != NULL) {
        m->ops->set_fwd_mark(m->ops->self, node, (uint32_t)k);
    }
    return k;
}

static void
side_fini(CpdbMeetSide *s)
{
    free(s->items);
    free(s->slots);
    free(s->filter);
    memset(s, 0, sizeof *s);
}

/* A chain through forward entry f and backward entry b (the same node
   when same, else f's node refers to b's): keep the shorter.  Return:
   1 (a meeting stops the step that finds it, see above). */
static int
meeting(CpdbMeet *m, long f, long b, int same)
{
    uint64_t len = (uint64_t)m->fwd.items[f].dist + m->back.items[b].dist
                   + (same ? 0 : 1);
    if (len < m->best) {
        m->best = len;
        m->best_fwd = f;
        m->best_back = b;
        m->best_same = same;
    }
    return 1;
}

/* Whether the nodes kept have reached the limits (noted in m). */
static int
too_many(CpdbMeet *m)
{
    if (m->fwd.n + m->back.n >= m->max_nodes) {
        m->failed = 2;
        return 1;
    }
    return 0;
}

/* --- backward: one pass over the graph per level ------------------------- */

static int
back_edge(const void *from, const void *to, void *arg)
{
    CpdbMeet *m = arg;
    long t = side_find(&m->back, to), b, f;
    if (t < 0 || m->back.items[t].dist != (uint32_t)m->passes
        || side_find(&m->back, from) >= 0 || m->failed || too_many(m)) {
        return m->failed != 0;
    }
    b = side_append(&m->back, from, (uint32_t)t, (uint32_t)m->passes + 1);
    if (b < 0 || side_enter(&m->back, (size_t)b) < 0) {
        m->failed = 1;
        return 1;
    }
    /* In the first pass the roots are still being found: the forward
       side is looked at after it (frontier_meets), when a nearer root
       (the target itself, say) cannot come later. */
    f = m->passes > 0 ? fwd_find(m, from) : -1;
    return f >= 0 ? meeting(m, f, b, 1) : 0;
}

static void
back_node(const void *node, int is_root, void *arg)
{
    CpdbMeet *m = arg;
    if (m->passes > 0) {
        return;         /* counted and noted in the first pass */
    }
    m->n_nodes++;
    if (is_root && fwd_append(m, node, NONE, 0) < 0) {
        m->failed = 1;
    }
}

/* Why a step stopped: m->failed is 1 out of memory, 2 past the
   limits. */
static int
step_failed(const CpdbMeet *m)
{
    return m->failed == 2 ? -2 : -1;
}

/* Meetings of the forward side's last level (not in its table) with
   the backward side.  Return: 1 when there is one. */
static int
frontier_meets(CpdbMeet *m)
{
    size_t k;
    int met = 0;
    for (k = m->fwd.level_start; k < m->fwd.n; k++) {
        long b = side_find(&m->back, m->fwd.items[k].node);
        if (b >= 0) {
            met = meeting(m, (long)k, b, 1);
        }
    }
    return met;
}

/* One backward level.  Return: 1 when it found nodes, 0 when the
   backward side is complete, 2 when it met the forward side, -1 when
   stopped, -2 past the limits. */
static int
back_level(CpdbMeet *m)
{
    size_t added = m->back.n;
    if (m->ops->pass(m->ops->self, m->hidden_level, back_edge, back_node,
                     m) < 0) {
        return -1;
    }
    if (m->failed) {
        return step_failed(m);
    }
    if (m->best != UINT64_MAX) {
        return 2;
    }
    if (m->passes == 0) {
        /* The roots are known now. */
        m->max_nodes = m->lim.max_nodes
                       + (m->lim.node_share ? m->n_nodes / m->lim.node_share
                                            : 0);
        m->fwd_levels = 0;
        m->fwd.level_start = 0;
    }
    m->passes++;
    if (frontier_meets(m)) {
        return 2;
    }
    m->hidden_level = 0;
    for (m->back.level_start = added; added < m->back.n; added++) {
        m->hidden_level |= m->ops->is_hidden(m->ops->self,
                                             m->back.items[added].node);
    }
    return m->back.n > m->back.level_start;
}

/* --- forward: what the frontier refers to -------------------------------- */

/* Edges out of the frontier are queued this many at a time when the
   graph fetches nodes ahead (ops->fetch_ahead): the nodes they lead to
   are fetched while the queue fills, then looked at in order. */
#define EDGE_BATCH 64
/* How far ahead of the node followed the frontier's nodes are fetched. */
#define NODES_AHEAD 8

typedef struct Forward {
    CpdbMeet *m;
    uint32_t from;              /* the entry being followed */
    int n;                      /* edges queued */
    uint32_t q_from[EDGE_BATCH];
    const void *q_to[EDGE_BATCH];
} Forward;

/* The edge from forward entry from to node to.  Return: nonzero when
   the step ends (a meeting, out of memory, past the limits). */
static int
fwd_step(CpdbMeet *m, uint32_t from, const void *to)
{
    long b = side_find(&m->back, to);
    if (b >= 0) {
        return meeting(m, (long)from, b, 0);
    }
    if (fwd_find(m, to) >= 0
        || !m->ops->expandable(m->ops->self, to) || too_many(m)) {
        return m->failed != 0;
    }
    if (fwd_append(m, to, from, m->fwd.items[from].dist + 1) < 0) {
        m->failed = 1;
        return 1;
    }
    return 0;
}

static int
fwd_edge(const void *from, const void *to, void *arg)
{
    Forward *w = arg;
    (void)from;
    return fwd_step(w->m, w->from, to);
}

/* Look at the queued edges in order.  Return: as fwd_step. */
static int
fwd_flush(Forward *w)
{
    int k, n = w->n;
    w->n = 0;
    for (k = 0; k < n; k++) {
        if (fwd_step(w->m, w->q_from[k], w->q_to[k])) {
            return 1;
        }
    }
    return 0;
}

static int
fwd_queue(const void *from, const void *to, void *arg)
{
    Forward *w = arg;
    (void)from;
    w->m->ops->fetch_ahead(w->m->ops->self, to);
    w->q_from[w->n] = w->from;
    w->q_to[w->n++] = to;
    return w->n == EDGE_BATCH ? fwd_flush(w) : 0;
}

/* One forward level: the last level's nodes go in the table, each
   once, and what they refer to makes the next.  Return: 1 when it
   found nodes, 0 when the forward side is complete, 2 when it met the
   backward side, -1 when stopped, -2 past the limits. */
static int
fwd_level(CpdbMeet *m)
{
    size_t end = m->fwd.n, k;
    CpdbMeetEdge edge = m->ops->fetch_ahead != NULL ? fwd_queue : fwd_edge;
    Forward w;
    w.m = m;
    w.n = 0;
    for (k = m->fwd.level_start; k < end; k++) {
        const void *node = m->fwd.items[k].node;
        if (cpdb_interrupt_poll_due(k) && cpdb_interrupt_pending()) {
            return -1;
        }
        if (m->ops->fwd_mark == NULL) {
            if (side_find(&m->fwd, node) >= 0) {
                continue;       /* met before */
            }
            if (side_enter(&m->fwd, k) < 0) {
                return -1;
            }
        }
        if (m->ops->fetch_ahead != NULL && k + NODES_AHEAD < end) {
            m->ops->fetch_ahead(m->ops->self,
                                m->fwd.items[k + NODES_AHEAD].node);
        }
        w.from = (uint32_t)k;
        m->ops->referents(m->ops->self, node, edge, &w);
        if (k + 1 == end && w.n > 0) {
            fwd_flush(&w);
        }
        if (m->failed) {
            return step_failed(m);
        }
        if (m->best != UINT64_MAX) {
            return 2;
        }
    }
    m->fwd.level_start = end;
    m->fwd_levels++;
    return m->fwd.n > end;
}

/* --- the search ---------------------------------------------------------- */

/* Step the side that costs less until a chain is found or a side is
   complete; rc is the last step's answer.  Return: a CpdbMeetResult. */
static int
meet_steps(CpdbMeet *m, int rc)
{
    while (rc >= 0 && rc != 2) {
        size_t frontier = m->fwd.n - m->fwd.level_start;
        if (!m->back_more) {
            /* Every node that leads to the target is known, and no
               root is among them. */
            return CPDB_MEET_NONE;
        }
        if (!m->fwd_more) {
            /* Every node the roots lead to is known, and the target is
               not among them. */
            return CPDB_MEET_UNREACHED;
        }
        if (frontier * (size_t)m->lim.forward_factor < m->n_nodes
            || m->passes >= m->lim.max_passes) {
            rc = fwd_level(m);
            m->fwd_more = rc;
        }
        else {
            rc = back_level(m);
            m->back_more = rc;
        }
    }
    if (rc == 2) {
        return CPDB_MEET_FOUND;
    }
    return rc == -2 ? CPDB_MEET_GAVE_UP : CPDB_MEET_STOPPED;
}

int
cpdb_meet_run(CpdbMeet *m, const CpdbMeetOps *ops, const CpdbMeetLimits *lim,
              const void *target)
{
    long t;
    int rc;
    memset(m, 0, sizeof *m);
    m->ops = ops;
    m->lim = *lim;
    m->best = UINT64_MAX;
    m->max_nodes = lim->max_nodes;
    t = side_append(&m->back, target, NONE, 0);
    if (t < 0 || side_enter(&m->back, (size_t)t) < 0) {
        return CPDB_MEET_STOPPED;
    }
    m->hidden_level = ops->is_hidden(ops->self, target);
    /* The first pass also finds the roots and counts the nodes. */
    rc = back_level(m);
    m->back_more = rc;
    m->fwd_more = 1;
    return meet_steps(m, rc);
}

int
cpdb_meet_reroot(CpdbMeet *m, const void *const *roots, size_t n)
{
    size_t k;
    side_fini(&m->fwd);
    m->fwd_levels = 0;
    m->fwd_more = 1;
    for (k = 0; k < n; k++) {
        /* The target, or a node that can lead to it; each once when
           the graph marks the entries (a mark replaces the word it
           keeps). */
        if ((side_find(&m->back, roots[k]) < 0
             && !m->ops->expandable(m->ops->self, roots[k]))
            || (m->ops->fwd_mark != NULL && fwd_find(m, roots[k]) >= 0)) {
            continue;
        }
        if (fwd_append(m, roots[k], NONE, 0) < 0) {
            return CPDB_MEET_STOPPED;
        }
    }
    if (frontier_meets(m)) {
        return CPDB_MEET_FOUND;
    }
    return meet_steps(m, 1);
}

/* Return: nodes from entry k of s along the links, written to out
   starting at out[at] (when out is not NULL); how many. */
static size_t
follow(const CpdbMeetSide *s, long k, const void **out, size_t at)
{
    size_t n = 0;
    while (k >= 0) {
        if (out != NULL) {
            out[at + n] = s->items[k].node;
        }
        n++;
        k = s->items[k].link == NONE ? -1 : (long)s->items[k].link;
    }
    return n;
}

size_t
cpdb_meet_path(const CpdbMeet *m, const void ***path)
{
    long f = m->best_fwd, b = m->best_back;
    size_t nf, nb, i;
    const void **p;
    *path = NULL;
    if (m->best == UINT64_MAX) {
        return 0;
    }
    if (m->best_same) {
        /* the meeting node once: from the forward side */
        b = m->back.items[b].link == NONE ? -1 : (long)m->back.items[b].link;
    }
    nf = follow(&m->fwd, f, NULL, 0);
    nb = follow(&m->back, b, NULL, 0);
    p = malloc(sizeof(void *) * (nf + nb));
    if (p == NULL) {
        return 0;
    }
    follow(&m->fwd, f, p, 0);
    for (i = 0; i < nf / 2; i++) {      /* root first */
        const void *tmp = p[i];
        p[i] = p[nf - 1 - i];
        p[nf - 1 - i] = tmp;
    }
    follow(&m->back, b, p, nf);
    *path = p;
    return nf + nb;
}

long
cpdb_meet_back_dist(const CpdbMeet *m, const void *node)
{
    long b = side_find(&m->back, node);
    return b < 0 ? -1 : (long)m->back.items[b].dist;
}

size_t
cpdb_meet_path_from(const CpdbMeet *m, const void *node, const void ***path)
{
    long b = side_find(&m->back, node);
    size_t n;
    *path = NULL;
    if (b < 0) {
        return 0;
    }
    n = follow(&m->back, b, NULL, 0);
    *path = malloc(sizeof(void *) * n);
    if (*path == NULL) {
        return 0;
    }
    follow(&m->back, b, *path, 0);
    return n;
}

void
cpdb_meet_fini(CpdbMeet *m)
{
    side_fini(&m->fwd);
    side_fini(&m->back);
}
