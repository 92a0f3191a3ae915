/* gc.garbage and its cycles: the references among the objects of a copy
   of the list, found by tp_traverse and an index of the copy (heap.c),
   and one shortest cycle per strongly connected component (graph.c). */
#include "heap/garbage.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

void
cpdb_garbage_fini(CpdbGarbage *g)
{
    Py_CLEAR(g->items);
    cpdb_graph_fini(&g->refs);
}

/* The references out of one object among the objects of an index. */
typedef struct RefsAmong {
    CpdbHeap items;             /* the index of the copy */
    uint32_t from;
    int inside;                 /* looking through the source's __dict__ */
    CPDB_ARRAY(uint32_t) from_v;
    CPDB_ARRAY(uint32_t) to_v;
} RefsAmong;

static int
among_visit(PyObject *referent, void *arg)
{
    RefsAmong *r = arg;
    long j = cpdb_heap_find(&r->items, referent);
    if (j >= 0) {
        cpdb_array_push(&r->from_v, r->from);
        cpdb_array_push(&r->to_v, (uint32_t)j);
    }
    /* An attribute dictionary that is not itself among the items (made
       after the collection, when something asked for __dict__): its
       references are the instance's. */
    else if (!r->inside && PyDict_CheckExact(referent)
             && cpdb_is_dict_of(r->items.objs[r->from], referent)) {
        r->inside = 1;
        cpdb_heap_referents(referent, among_visit, r);
        r->inside = 0;
    }
    return 0;
}

/* Return: new reference to gc.garbage, a list; NULL with *status set
   (and an exception set for CPDB_GARBAGE_NO_GC). */
static PyObject *
garbage_list(CpdbGarbageStatus *status)
{
    PyObject *gc = PyImport_ImportModule("gc"), *list;
    if (gc == NULL) {
        *status = CPDB_GARBAGE_NO_GC;
        return NULL;
    }
    list = PyObject_GetAttrString(gc, "garbage");
    Py_DECREF(gc);
    if (list == NULL || !PyList_Check(list)) {
        Py_XDECREF(list);
        PyErr_Clear();
        *status = CPDB_GARBAGE_NOT_A_LIST;
        return NULL;
    }
    return list;
}

CpdbGarbageStatus
cpdb_garbage_take(CpdbGarbage *g)
{
    CpdbGarbageStatus status = CPDB_GARBAGE_OK;
    PyObject *list, *copy;
    RefsAmong r;
    uint32_t i;
    memset(g, 0, sizeof *g);
    memset(&r, 0, sizeof r);
    list = garbage_list(&status);
    if (list == NULL) {
        return status;
    }
    copy = PyList_GetSlice(list, 0, PyList_GET_SIZE(list));
    Py_DECREF(list);
    if (copy == NULL || cpdb_heap_of_list(&r.items, copy) < 0) {
        Py_XDECREF(copy);
        return CPDB_GARBAGE_FAILED;
    }
    for (i = 0; i < r.items.n; i++) {
        r.from = i;
        cpdb_heap_referents(r.items.objs[i], among_visit, &r);
    }
    if (cpdb_graph_from_edges(&g->refs, r.items.n, r.from_v.items,
                              r.to_v.items, r.from_v.n) < 0) {
        status = CPDB_GARBAGE_NO_MEMORY;
        Py_DECREF(copy);
    }
    else {
        g->items = copy;
    }
    free(r.from_v.items);
    free(r.to_v.items);
    cpdb_heap_clear(&r.items);
    return status;
}

void
cpdb_garbage_cycles(const CpdbGraph *g, CpdbCycles *out)
{
    uint32_t n = g->n, i, k;
    uint32_t *comp = cpdb_xmalloc(sizeof(uint32_t) * (n ? n : 1));
    uint8_t *done = cpdb_xcalloc((size_t)(n ? n : 1), 1);
    long n_comp = cpdb_graph_components(g, comp);
    uint32_t *size = NULL;
    if (n_comp > 0) {
        /* The members of each component, counted once for all (counted
           per cycle, 50,000 cycles took 50,000 passes). */
        size = cpdb_xcalloc((size_t)n_comp, sizeof *size);
        for (k = 0; k < n; k++) {
            size[comp[k]]++;
        }
    }
    for (i = 0; n_comp > 0 && i < n; i++) {
        CpdbCycle c;
        if (done[comp[i]]) {
            continue;
        }
        c.len = cpdb_graph_cycle(g, comp, i, &c.nodes);
        if (c.len == 0) {
            continue;
        }
        done[comp[i]] = 1;
        c.members = size[comp[i]];
        cpdb_array_push(out, c);
    }
    free(size);
    free(done);
    free(comp);
}

void
cpdb_garbage_cycles_fini(CpdbCycles *c)
{
    size_t i;
    for (i = 0; i < c->n; i++) {
        free(c->items[i].nodes);
    }
    free(c->items);
    c->items = NULL;
    c->n = c->cap = 0;
}

/* --- cycles of one shape ------------------------------------------------- */

/* Longer cycles are compared from where they start only: trying every
   rotation costs the square of their length. */
#define SHAPE_ROTATE_MAX 16

/* The shape of a cycle from its step at (steps: "type edge" of each
   node): "members|type edge|type edge|...".  Return: malloc'd. */
static char *
shape_from(const CpdbCycle *c, char *const *steps, size_t at)
{
    CpdbBuf b;
    size_t k;
    cpdb_buf_init(&b);
    cpdb_buf_printf(&b, "%u", c->members);
    for (k = 0; k < c->len; k++) {
        cpdb_buf_printf(&b, "|%s", steps[(at + k) % c->len]);
    }
    return cpdb_buf_take(&b);
}

/* The shape of a cycle, the same from whichever of its objects it
   starts (the smallest text of its rotations).  Return: malloc'd. */
static char *
cycle_shape(const CpdbGarbage *g, const CpdbCycle *c)
{
    char **steps = cpdb_xmalloc(sizeof(char *) * c->len);
    char *best = NULL;
    size_t k;
    for (k = 0; k < c->len; k++) {
        PyObject *o = PyList_GET_ITEM(g->items, c->nodes[k]);
        PyObject *next = PyList_GET_ITEM(g->items,
                                         c->nodes[(k + 1) % c->len]);
        char *name = cpdb_edge_name(o, next);
        /* The type by address: two types of one name are two shapes. */
        steps[k] = cpdb_xasprintf("%p %s", (void *)Py_TYPE(o),
                                  name ? name : "?");
        free(name);
    }
    for (k = 0; k < c->len && (k == 0 || c->len <= SHAPE_ROTATE_MAX); k++) {
        char *text = shape_from(c, steps, k);
        if (best == NULL || strcmp(text, best) < 0) {
            free(best);
            best = text;
        }
        else {
            free(text);
        }
    }
    for (k = 0; k < c->len; k++) {
        free(steps[k]);
    }
    free(steps);
    return best;
}

/* A cycle's shape and its position, sorted by shape then position. */
typedef struct Shaped {
    char *shape;
    size_t at;
} Shaped;

static int
by_shape(const void *a, const void *b)
{
    const Shaped *x = a, *y = b;
    int d = strcmp(x->shape, y->shape);
    if (d != 0) {
        return d;
    }
    return x->at < y->at ? -1 : x->at > y->at;
}

static int
by_first(const void *a, const void *b)
{
    const CpdbCycleGroup *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

void
cpdb_garbage_group_cycles(const CpdbGarbage *g, const CpdbCycles *c,
                          CpdbCycleGroups *out)
{
    Shaped *all;
    size_t k, start = out->n;
    if (c->n == 0) {
        return;
    }
    all = cpdb_xmalloc(sizeof *all * c->n);
    for (k = 0; k < c->n; k++) {
        all[k].shape = cycle_shape(g, &c->items[k]);
        all[k].at = k;
    }
    qsort(all, c->n, sizeof *all, by_shape);
    for (k = 0; k < c->n; k++) {
        if (k == 0 || strcmp(all[k].shape, all[k - 1].shape) != 0) {
            CpdbCycleGroup group;
            group.first = all[k].at;
            group.count = 0;
            cpdb_array_push(out, group);
        }
        out->items[out->n - 1].count++;
    }
    qsort(out->items + start, out->n - start, sizeof *out->items, by_first);
    for (k = 0; k < c->n; k++) {
        free(all[k].shape);
    }
    free(all);
}
