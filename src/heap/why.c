/* Why an object is alive.  The holders of an object are the objects
   from which a path of references leads to it: found backwards over
   the snapshot's reverse edges.  When no module is among them, they
   either hold one another only (a cycle the collector has not freed)
   or something outside the heap holds one of them.  Which it is, the
   reference counts tell: a holder whose count is more than the
   references from the other holders, the snapshot's list and cpdb's
   value history is held from outside (C, a running frame's value
   stack, an untracked object). */
#include "heap/why.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The holders of i and i itself: the nodes from which the reverse
   edges lead to i, sorted.  Return: malloc'd array of *n indices, or
   NULL with KeyboardInterrupt set. */
static uint32_t *
holders(const CpdbHeap *h, uint32_t i, size_t *n)
{
    uint8_t *seen = cpdb_xcalloc((size_t)h->n / 8 + 1, 1);
    CPDB_ARRAY(uint32_t) q = {NULL, 0, 0};
    size_t head = 0;
    cpdb_array_push(&q, i);
    cpdb_bit_set(seen, i);
    while (head < q.n) {
        uint32_t v = q.items[head++], e;
        if (cpdb_heap_poll(head)) {
            free(q.items);
            free(seen);
            return NULL;
        }
        for (e = h->back.off[v]; e < h->back.off[v + 1]; e++) {
            uint32_t u = h->back.adj[e];
            if (!cpdb_bit_get(seen, u)) {
                cpdb_bit_set(seen, u);
                cpdb_array_push(&q, u);
            }
        }
    }
    free(seen);
    qsort(q.items, q.n, sizeof(uint32_t), cmp_u32);
    *n = q.n;
    return q.items;
}

/* References counted per holder. */
typedef struct Tally {
    CpdbHeap *h;
    const uint32_t *set;        /* sorted snapshot indices */
    size_t n;
    Py_ssize_t *count;          /* per item of set */
    int inside;
} Tally;

/* Return: the position of object o in t's set, or -1. */
static long
set_pos(const Tally *t, PyObject *o)
{
    long j = cpdb_heap_find(t->h, o);
    const uint32_t *at;
    uint32_t key;
    if (j < 0) {
        return -1;
    }
    key = (uint32_t)j;
    at = bsearch(&key, t->set, t->n, sizeof(uint32_t), cmp_u32);
    return at ? (long)(at - t->set) : -1;
}

static int
tally_visit(PyObject *o, void *arg)
{
    Tally *t = arg;
    long p;
    if (o == NULL) {
        return 0;
    }
    p = set_pos(t, o);
    if (p >= 0) {
        t->count[p]++;
    }
    else if (!t->inside && PyDict_CheckExact(o) && PyObject_GC_IsTracked(o)
             && cpdb_heap_find(t->h, o) < 0) {
        /* an instance's attribute dictionary made after the snapshot
           (heap.c's back_visit): its references are the instance's */
        t->inside = 1;
        cpdb_heap_referents(o, tally_visit, t);
        t->inside = 0;
    }
    return 0;
}

/* Peeling: take the holders nothing in the set refers to, and what
   only they referred to, until none is left to take; what stays is in
   a cycle or held by one (Kahn's algorithm).  Return: whether i
   stays. */
typedef struct Peel {
    Tally *t;
    CPDB_ARRAY(size_t) q;
    int inside;
} Peel;

static int
peel_visit(PyObject *o, void *arg)
{
    Peel *p = arg;
    long pos = o != NULL ? set_pos(p->t, o) : -1;
    if (pos >= 0 && p->t->count[pos] > 0 && --p->t->count[pos] == 0) {
        cpdb_array_push(&p->q, (size_t)pos);
    }
    else if (pos < 0 && o != NULL && !p->inside && PyDict_CheckExact(o)
             && PyObject_GC_IsTracked(o) && cpdb_heap_find(p->t->h, o) < 0) {
        /* as tally_visit counted it */
        p->inside = 1;
        cpdb_heap_referents(o, peel_visit, p);
        p->inside = 0;
    }
    return 0;
}

static int
stays_in_cycle(Tally *t, uint32_t i)
{
    Peel p;
    size_t k, head = 0;
    long at;
    memset(&p, 0, sizeof p);
    p.t = t;
    for (k = 0; k < t->n; k++) {
        if (t->count[k] == 0) {
            cpdb_array_push(&p.q, k);
        }
    }
    while (head < p.q.n) {
        cpdb_heap_referents(t->h->objs[t->set[p.q.items[head++]]],
                            peel_visit, &p);
    }
    free(p.q.items);
    at = set_pos(t, t->h->objs[i]);
    return at >= 0 && t->count[at] > 0;
}

int
cpdb_why_no_chain(CpdbHeap *h, const CpdbHeapContext *ctx, uint32_t i,
                  Py_ssize_t extra, CpdbWhy *out)
{
    Tally t;
    Py_ssize_t *hist;
    size_t k, edges = 0;
    int outside = 0;
    memset(out, 0, sizeof *out);
    out->kind = CPDB_WHY_UNKNOWN;
    out->garbage_index = -1;
    if (cpdb_heap_build_back(h) < 0) {
        return -1;
    }
    memset(&t, 0, sizeof t);
    t.h = h;
    t.set = holders(h, i, &t.n);
    if (t.set == NULL) {
        return -1;
    }
    t.count = cpdb_xcalloc(t.n, sizeof(Py_ssize_t));
    hist = cpdb_xcalloc(t.n, sizeof(Py_ssize_t));
    for (k = 0; k < t.n; k++) {
        cpdb_heap_referents(h->objs[t.set[k]], tally_visit, &t);
    }
    for (k = 0; k < t.n; k++) {
        edges += (size_t)t.count[k];
    }
    if (ctx->history != NULL && PyList_Check(ctx->history)) {
        Py_ssize_t e, n = PyList_GET_SIZE(ctx->history);
        /* newest first: the $N the user saw last */
        for (e = n - 1; e >= 0; e--) {
            long p = set_pos(&t, PyList_GET_ITEM(ctx->history, e));
            if (p < 0) {
                continue;
            }
            hist[p]++;
            if (out->n_history < CPDB_WHY_MAX_HISTORY) {
                out->history[out->n_history++] = (long)e + 1;
            }
        }
    }
    for (k = 0; k < t.n; k++) {
        /* the snapshot's list holds one reference to each */
        Py_ssize_t left = Py_REFCNT(h->objs[t.set[k]]) - 1 - t.count[k]
                          - hist[k] - (t.set[k] == i ? extra : 0);
        outside |= left != 0;
    }
    out->n_holders = t.n - 1;
    out->in_cycle = edges > 0 && stays_in_cycle(&t, i);
    if (!outside && out->n_history > 0) {
        out->kind = CPDB_WHY_HISTORY;
    }
    else if (!outside && out->in_cycle) {
        out->kind = CPDB_WHY_CYCLE;
    }
    else if (!outside && t.n == 1) {
        out->kind = CPDB_WHY_NOTHING;
    }
    free(hist);
    free(t.count);
    free((void *)t.set);
    return 0;
}

int
cpdb_why_chain_garbage(PyObject *const *nodes, size_t len, CpdbWhy *out)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *garbage = gc ? PyObject_GetAttrString(gc, "garbage") : NULL;
    size_t k;
    int found = 0;
    memset(out, 0, sizeof *out);
    out->garbage_index = -1;
    PyErr_Clear();
    for (k = 0; garbage != NULL && k + 1 < len; k++) {
        Py_ssize_t e;
        if (nodes[k] != garbage || !PyList_Check(garbage)) {
            continue;
        }
        for (e = 0; e < PyList_GET_SIZE(garbage); e++) {
            if (PyList_GET_ITEM(garbage, e) == nodes[k + 1]) {
                out->kind = CPDB_WHY_GARBAGE;
                out->garbage_index = (long)e;
                out->holder_in_garbage = k + 2 < len;
                out->n_holders = len - k - 2;
                found = 1;
                break;
            }
        }
        break;
    }
    Py_XDECREF(garbage);
    Py_XDECREF(gc);
    return found;
}
