/* Bidirectional breadth-first search for the shortest chain from a root
   to one node, where going backward costs a pass over the whole graph
   and going forward costs what the frontier refers to (meet.h).

   Why it stops where it does: after k forward levels and p backward
   passes, the forward side holds every node within k references of a
   root and the backward side every node within p references of the
   target, each with its exact distance.  A shortest chain of length
   L <= k + p has a node in both (its node k', k' = min(k, L), is k'
   from the root and L - k' <= p from the target), and every meeting
   found is a chain.  So once the best meeting is no longer than k + p,
   it is a shortest chain. */
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

/* Return: the entry of node on side s, or -1. */
static long
side_find(const CpdbMeetSide *s, const void *node)
{
    size_t i;
    if (s->slots == NULL) {
        return -1;
    }
    for (i = hash_node(node) & s->mask;; i = (i + 1) & s->mask) {
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
    size_t i = hash_node(s->items[k].node) & s->mask;
    while (s->slots[i] != 0) {
        i = (i + 1) & s->mask;
    }
    s->slots[i] = (uint32_t)k + 1;
}

/* Add node (not on side s yet).  Return: its entry, or -1 when out of
   memory. */
static long
side_add(CpdbMeetSide *s, const void *node, uint32_t link, uint32_t dist)
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
    if (s->slots == NULL || (s->n + 1) * 2 > s->mask + 1) {
        /* Keep the table at most half full: rebuild it twice as big. */
        size_t cap = s->slots ? (s->mask + 1) * 2 : 512, k;
        uint32_t *slots = calloc(cap, sizeof(uint32_t));
        if (slots == NULL) {
            return -1;
        }
        free(s->slots);
        s->slots = slots;
        s->mask = cap - 1;
        for (k = 0; k < s->n; k++) {
            side_slot(s, k);
        }
    }
    s->items[s->n].node = node;
    s->items[s->n].link = link;
    s->items[s->n].dist = dist;
    side_slot(s, s->n);
    return (long)s->n++;
}

static void
side_fini(CpdbMeetSide *s)
{
    free(s->items);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

/* A chain through from (forward) and to (backward): keep the shorter. */
static void
meeting(CpdbMeet *m, const void *from, const void *to, uint64_t len)
{
    if (len < m->best) {
        m->best = len;
        m->best_from = from;
        m->best_to = to;
    }
}

/* --- backward: one pass over the graph per level ------------------------- */

static void
back_edge(const void *from, const void *to, void *arg)
{
    CpdbMeet *m = arg;
    long t = side_find(&m->back, to);
    if (t < 0 || m->back.items[t].dist != (uint32_t)m->passes
        || side_find(&m->back, from) >= 0) {
        return;
    }
    if (m->fwd.n + m->back.n >= m->max_nodes) {
        m->failed = 2;
    }
    else if (side_add(&m->back, from, (uint32_t)t,
                      (uint32_t)m->passes + 1) < 0) {
        m->failed = 1;
    }
}

static void
back_node(const void *node, int is_root, void *arg)
{
    CpdbMeet *m = arg;
    if (m->passes > 0) {
        return;         /* counted and noted in the first pass */
    }
    m->n_nodes++;
    if (is_root && side_find(&m->fwd, node) < 0
        && side_add(&m->fwd, node, NONE, 0) < 0) {
        m->failed = 1;
    }
}

/* Why a level stopped: m->failed is 1 out of memory, 2 past the
   limits. */
static int
level_failed(const CpdbMeet *m)
{
    return m->failed == 2 ? -2 : -1;
}

/* One backward level.  Return: 1 when it found nodes, 0 when the
   backward side is complete, -1 when stopped, -2 past the limits. */
static int
back_level(CpdbMeet *m)
{
    size_t added = m->back.n, first = added, k;
    if (m->ops->pass(m->ops->self, m->hidden_level, back_edge, back_node,
                     m) < 0) {
        return -1;
    }
    if (m->failed) {
        return level_failed(m);
    }
    if (m->passes == 0) {
        first = 0;      /* the roots are known now: the target may be one */
        m->max_nodes = m->lim.max_nodes
                       + (m->lim.node_share ? m->n_nodes / m->lim.node_share
                                            : 0);
        m->fwd_levels = 0;
        m->fwd.level_start = 0;
    }
    m->passes++;
    m->hidden_level = 0;
    for (k = first; k < m->back.n; k++) {
        const void *node = m->back.items[k].node;
        long f = side_find(&m->fwd, node);
        if (f >= 0) {
            meeting(m, node, node, (uint64_t)m->fwd.items[f].dist
                                   + m->back.items[k].dist);
        }
        if (k >= added) {
            m->hidden_level |= m->ops->is_hidden(m->ops->self, node);
        }
    }
    m->back.level_start = added;
    return m->back.n > added;
}

/* --- forward: what the frontier refers to -------------------------------- */

typedef struct Forward {
    CpdbMeet *m;
    uint32_t from;              /* the entry being expanded */
} Forward;

static void
fwd_edge(const void *from, const void *to, void *arg)
{
    Forward *w = arg;
    CpdbMeet *m = w->m;
    uint32_t dist = m->fwd.items[w->from].dist + 1;
    long b = side_find(&m->back, to);
    (void)from;
    if (b >= 0) {
        meeting(m, m->fwd.items[w->from].node, to,
                (uint64_t)dist + m->back.items[b].dist);
    }
    if (m->failed || side_find(&m->fwd, to) >= 0
        || !m->ops->expandable(m->ops->self, to)) {
        return;
    }
    if (m->fwd.n + m->back.n >= m->max_nodes) {
        m->failed = 2;
    }
    else if (side_add(&m->fwd, to, w->from, dist) < 0) {
        m->failed = 1;
    }
}

/* One forward level.  Return: 1 when it found nodes, 0 when the forward
   side is complete, -1 when stopped, -2 past the limits. */
static int
fwd_level(CpdbMeet *m)
{
    size_t end = m->fwd.n, k;
    Forward w;
    w.m = m;
    for (k = m->fwd.level_start; k < end; k++) {
        if (cpdb_interrupt_poll_due(k) && cpdb_interrupt_pending()) {
            return -1;
        }
        w.from = (uint32_t)k;
        m->ops->referents(m->ops->self, m->fwd.items[k].node, fwd_edge, &w);
        if (m->failed) {
            return level_failed(m);
        }
    }
    m->fwd.level_start = end;
    m->fwd_levels++;
    return m->fwd.n > end;
}

/* --- the search ---------------------------------------------------------- */

int
cpdb_meet_run(CpdbMeet *m, const CpdbMeetOps *ops, const CpdbMeetLimits *lim,
              const void *target)
{
    int back_more = 1, fwd_more = 1, rc;
    memset(m, 0, sizeof *m);
    m->ops = ops;
    m->lim = *lim;
    m->best = UINT64_MAX;
    m->max_nodes = lim->max_nodes;
    if (side_add(&m->back, target, NONE, 0) < 0) {
        return CPDB_MEET_STOPPED;
    }
    m->hidden_level = ops->is_hidden(ops->self, target);
    /* The first pass also finds the roots and counts the nodes. */
    rc = back_level(m);
    if (rc < 0) {
        return rc == -2 ? CPDB_MEET_GAVE_UP : CPDB_MEET_STOPPED;
    }
    back_more = rc;
    for (;;) {
        size_t frontier = m->fwd.n - m->fwd.level_start;
        if (m->best <= (uint64_t)m->fwd_levels + (uint64_t)m->passes
            || (m->best != UINT64_MAX && (!back_more || !fwd_more))) {
            /* Either side complete: the best meeting is exact. */
            return CPDB_MEET_FOUND;
        }
        if (!back_more) {
            return CPDB_MEET_NONE;
        }
        if (fwd_more && (frontier * (size_t)m->lim.forward_factor
                         < m->n_nodes || m->passes >= m->lim.max_passes)) {
            rc = fwd_level(m);
            fwd_more = rc;
        }
        else if (m->passes < m->lim.max_passes) {
            rc = back_level(m);
            back_more = rc;
        }
        else {
            return CPDB_MEET_GAVE_UP;
        }
        if (rc < 0) {
            return rc == -2 ? CPDB_MEET_GAVE_UP : CPDB_MEET_STOPPED;
        }
    }
}

/* Return: nodes from entry k of s along the links, appended to out
   starting at out[at]; how many. */
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
    long f = side_find(&m->fwd, m->best_from);
    long b = side_find(&m->back, m->best_to);
    size_t nf, nb, i;
    const void **p;
    *path = NULL;
    if (m->best == UINT64_MAX || f < 0 || b < 0) {
        return 0;
    }
    nf = follow(&m->fwd, f, NULL, 0);
    nb = follow(&m->back, b, NULL, 0);
    if (m->best_from == m->best_to) {
        nb--;           /* the meeting node once */
    }
    p = malloc(sizeof(void *) * (nf + nb));
    if (p == NULL) {
        return 0;
    }
    follow(&m->fwd, f, p, 0);
    for (i = 0; i < nf / 2; i++) {      /* root first */
        const void *t = p[i];
        p[i] = p[nf - 1 - i];
        p[nf - 1 - i] = t;
    }
    if (m->best_from == m->best_to) {
        b = m->back.items[b].link == NONE ? -1 : (long)m->back.items[b].link;
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
