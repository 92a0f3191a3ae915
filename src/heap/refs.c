/* References into and out of an object, chains and the objects nothing
   refers to, over one snapshot and its reverse edges (heap.c).  Nothing
   here prints: the answers are indices, arrays and malloc'd text. */
#include "heap/refs.h"
#include "heap/meet.h"
#include "heap/names.h"
#include "base/ptrset.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* --- objects around one object ------------------------------------------ */

void
cpdb_refs_array_fini(CpdbObjectArray *a)
{
    size_t i;
    for (i = 0; i < a->n; i++) {
        Py_DECREF(a->items[i]);
    }
    free(a->items);
    a->items = NULL;
    a->n = a->cap = 0;
}

/* Objects being collected, each once: the set answers "there
   already?" in constant time, so a list of two million items takes two
   million steps, not two million squared. */
typedef struct Collect {
    const CpdbHeapContext *ctx; /* cpdb's objects, left out; or NULL */
    CpdbObjectArray *out;
    size_t limit;               /* objects out receives, at most */
    size_t total;               /* objects met, each once */
    int loose;                  /* past limit, count references, not
                                   objects (no set to keep) */
    CpdbPtrSet seen;            /* what out holds, and the others met */
} Collect;

/* Count o and append it to c->out unless it was met already. */
static int
collect_visit(PyObject *o, void *arg)
{
    Collect *c = arg;
    if (c->loose && c->total >= c->limit) {
        c->total++;
        return 0;
    }
    if (cpdb_ptrset_add(&c->seen, o)) {
        if (c->total++ < c->limit) {
            cpdb_array_push(c->out, Py_NewRef(o));
        }
    }
    return 0;
}

static int
referent_visit(PyObject *o, void *arg)
{
    Collect *c = arg;
    if (c->ctx != NULL && cpdb_heap_is_own(c->ctx, o)) {
        return 0;
    }
    return collect_visit(o, c);
}

/* Start collecting into out, which may hold objects already (not
   counted). */
static void
collect_init(Collect *c, const CpdbHeapContext *ctx, CpdbObjectArray *out,
             size_t limit)
{
    size_t i;
    c->ctx = ctx;
    c->out = out;
    c->limit = limit;
    c->total = 0;
    c->loose = 0;
    cpdb_ptrset_init(&c->seen);
    for (i = 0; i < out->n; i++) {
        cpdb_ptrset_add(&c->seen, out->items[i]);
    }
}

/* Collect what o refers to into c. */
static void
collect_referents(Collect *c, PyObject *o)
{
    if (PyList_CheckExact(o) || PyTuple_CheckExact(o)) {
        /* Their items are what tp_traverse reports, but from the last:
           taken from [0], the first limit are the ones people expect. */
        Py_ssize_t i, n = PySequence_Fast_GET_SIZE(o);
        PyObject **items = PySequence_Fast_ITEMS(o);
        size_t room = c->loose && c->limit < (size_t)n ? c->limit
                                                        : (size_t)n;
        cpdb_ptrset_reserve(&c->seen, c->out->n + room);
        for (i = 0; i < n; i++) {
            if (items[i] != NULL) {
                referent_visit(items[i], c);
            }
        }
    }
    else {
        cpdb_heap_referents(o, referent_visit, c);
    }
}

size_t
cpdb_refs_referents_first(const CpdbHeapContext *ctx, PyObject *o,
                          size_t limit, CpdbObjectArray *out)
{
    Collect c;
    collect_init(&c, ctx, out, limit);
    collect_referents(&c, o);
    cpdb_ptrset_fini(&c.seen);
    return c.total;
}

size_t
cpdb_refs_referents_head(const CpdbHeapContext *ctx, PyObject *o,
                         size_t limit, CpdbObjectArray *out)
{
    Collect c;
    collect_init(&c, ctx, out, limit);
    c.loose = 1;
    collect_referents(&c, o);
    cpdb_ptrset_fini(&c.seen);
    return c.total;
}

void
cpdb_refs_referents(const CpdbHeapContext *ctx, PyObject *o,
                    CpdbObjectArray *out)
{
    cpdb_refs_referents_first(ctx, o, (size_t)-1, out);
}

void
cpdb_refs_referrer_objects(CpdbHeap *h, PyObject *o, CpdbObjectArray *out)
{
    long ix = cpdb_heap_find(h, o);
    uint32_t e;
    Collect c;
    if (ix < 0) {
        return;
    }
    collect_init(&c, NULL, out, (size_t)-1);
    for (e = h->back.off[ix]; e < h->back.off[ix + 1]; e++) {
        collect_visit(h->objs[h->back.adj[e]], &c);
    }
    cpdb_ptrset_fini(&c.seen);
}

/* Names asked of one sequence before its items are indexed: a few
   (gc refs shows 20, gc graph 50) cost less than an index of a million
   items. */
#define NAMER_INDEX_AFTER 64

void
cpdb_refs_namer_init(CpdbEdgeNamer *n, PyObject *src)
{
    n->src = src;
    n->indexed = 0;
    n->asked = 0;
    cpdb_ptrset_init(&n->first);
}

char *
cpdb_refs_namer_name(CpdbEdgeNamer *n, PyObject *dst)
{
    size_t i;
    if (!n->indexed && ++n->asked > NAMER_INDEX_AFTER
        && (PyList_CheckExact(n->src) || PyTuple_CheckExact(n->src))) {
        /* Many names asked: index the items once.  The first place of
           each, as cpdb_edge_name finds it. */
        Py_ssize_t k, size = PySequence_Fast_GET_SIZE(n->src);
        PyObject **items = PySequence_Fast_ITEMS(n->src);
        cpdb_ptrset_reserve(&n->first, (size_t)size);
        for (k = 0; k < size; k++) {
            if (items[k] != NULL) {
                cpdb_ptrset_put(&n->first, items[k], (size_t)k);
            }
        }
        n->indexed = 1;
    }
    if (n->indexed && cpdb_ptrset_get(&n->first, dst, &i)) {
        return cpdb_xasprintf("[%zu]", i);
    }
    return cpdb_edge_name(n->src, dst);
}

void
cpdb_refs_namer_fini(CpdbEdgeNamer *n)
{
    cpdb_ptrset_fini(&n->first);
    n->indexed = 0;
}

PyObject *
cpdb_refs_weakrefs(PyObject *o)
{
    PyObject *mod = PyImport_ImportModule("_weakref"), *refs = NULL;
    if (mod == NULL) {
        goto done;
    }
    refs = PyObject_CallMethod(mod, "getweakrefs", "(O)", o);
    if (refs != NULL && !PyList_Check(refs)) {
        Py_CLEAR(refs);
        PyErr_SetString(PyExc_TypeError, "getweakrefs() gave no list");
    }
done:
    Py_XDECREF(mod);
    return refs;
}

/* --- the stopped frames' variables --------------------------------------- */

/* Where a variable's value stands in a search (a snapshot index, a
   distance), or -1 to leave the variable out. */
typedef long (*RootLookup)(void *arg, PyObject *value);

static long
snapshot_lookup(void *arg, PyObject *value)
{
    return cpdb_heap_find(arg, value);
}

/* Append the variables of frame f (at stack position depth) whose values
   lookup places, with its answer as their index; none for a module's
   frame, whose variables are its globals. */
static void
frame_roots(RootLookup lookup, void *arg, const CpdbHeapContext *ctx, int j,
            CpdbLocalRoots *out)
{
    PyFrameObject *f = ctx->frames[j];
    PyObject *locals = cpdb_frame_locals(f), *globals, *items;
    int depth = ctx->depths ? ctx->depths[j] : j;
    const char *thread = ctx->threads ? ctx->threads[j] : NULL;
    Py_ssize_t k;
    globals = locals ? cpdb_frame_globals(f) : NULL;
    items = globals && locals != globals ? PyMapping_Items(locals) : NULL;
    for (k = 0; items != NULL && k < PyList_GET_SIZE(items); k++) {
        PyObject *pair = PyList_GET_ITEM(items, k);
        CpdbLocalRoot r;
        const char *name;
        long idx;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2
            || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0))) {
            continue;
        }
        idx = lookup(arg, PyTuple_GET_ITEM(pair, 1));
        if (idx < 0) {
            continue;
        }
        name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(pair, 0));
        r.index = (uint32_t)idx;
        r.depth = depth;
        r.frame = f;
        r.thread = thread;
        r.name = cpdb_xstrdup(name ? name : "?");
        cpdb_array_push(out, r);
    }
    PyErr_Clear();
    Py_XDECREF(items);
    Py_XDECREF(globals);
    Py_XDECREF(locals);
}

/* The stopped frames' variables and their values, read before a
   search marks objects (reading a frame's variables makes objects). */
typedef struct FrameValues {
    CpdbLocalRoots roots;       /* index: the value's position below */
    CPDB_ARRAY(PyObject *) values;      /* strong */
} FrameValues;

static long
value_lookup(void *arg, PyObject *value)
{
    FrameValues *fv = arg;
    cpdb_array_push(&fv->values, Py_NewRef(value));
    return (long)fv->values.n - 1;
}

static void
frame_values(const CpdbHeapContext *ctx, FrameValues *fv)
{
    int j;
    memset(fv, 0, sizeof *fv);
    for (j = 0; j < ctx->n_frames; j++) {
        frame_roots(value_lookup, fv, ctx, j, &fv->roots);
    }
}

static void
frame_values_fini(FrameValues *fv)
{
    size_t k;
    for (k = 0; k < fv->values.n; k++) {
        Py_DECREF(fv->values.items[k]);
    }
    free(fv->values.items);
    cpdb_refs_local_roots_fini(&fv->roots);
}

/* The snapshot indices of fv's values, found in a scan of the snapshot
   (its pointer index not built: a scan of a few variables' values
   costs a tenth of building it).  Return: value -> its index + 1, 0 for
   one the snapshot does not hold. */
static void
scan_for_values(const CpdbHeap *h, const FrameValues *fv, CpdbPtrSet *where)
{
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    size_t k, *slot;
    uint32_t i;
    for (k = 0; k < fv->values.n; k++) {
        uintptr_t a = (uintptr_t)fv->values.items[k];
        cpdb_ptrset_put(where, fv->values.items[k], 0);
        lo = a < lo ? a : lo;
        hi = a > hi ? a : hi;
    }
    for (i = 0; i < h->n; i++) {
        uintptr_t a = (uintptr_t)h->objs[i];
        if (a >= lo && a <= hi && cpdb_ptrset_get(where, h->objs[i], &k)
            && (slot = cpdb_ptrset_value(where, h->objs[i])) != NULL) {
            *slot = (size_t)i + 1;
        }
    }
}

void
cpdb_refs_local_roots(CpdbHeap *h, const CpdbHeapContext *ctx,
                      CpdbLocalRoots *out)
{
    FrameValues fv;
    CpdbPtrSet where;
    size_t v, at;
    int j;
    if (h->slots != NULL) {
        for (j = 0; j < ctx->n_frames; j++) {
            frame_roots(snapshot_lookup, h, ctx, j, out);
        }
        return;
    }
    frame_values(ctx, &fv);
    cpdb_ptrset_init(&where);
    scan_for_values(h, &fv, &where);
    for (v = 0; v < fv.roots.n; v++) {
        CpdbLocalRoot r = fv.roots.items[v];
        if (cpdb_ptrset_get(&where, fv.values.items[r.index], &at)
            && at > 0) {
            r.index = (uint32_t)(at - 1);
            r.name = cpdb_xstrdup(r.name);
            cpdb_array_push(out, r);
        }
    }
    cpdb_ptrset_fini(&where);
    frame_values_fini(&fv);
}

void
cpdb_refs_local_roots_fini(CpdbLocalRoots *r)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        free(r->items[i].name);
    }
    free(r->items);
    r->items = NULL;
    r->n = r->cap = 0;
}

char *
cpdb_refs_local_root_text(const CpdbLocalRoot *r)
{
    PyCodeObject *code = PyFrame_GetCode(r->frame);
    const char *fn = PyUnicode_AsUTF8(code->co_name);
    char *t = cpdb_xasprintf("%s%sframe #%d %s() variable '%s'",
                             r->thread ? r->thread : "",
                             r->thread ? " " : "", r->depth,
                             fn ? fn : "?", r->name);
    PyErr_Clear();
    Py_DECREF(code);
    return t;
}

/* --- referrers ----------------------------------------------------------- */

int
cpdb_refs_referrers(CpdbHeap *h, const CpdbHeapContext *ctx, uint32_t i,
                    CpdbReferrers *out)
{
    CpdbLocalRoots all = {NULL, 0, 0};
    size_t v;
    memset(out, 0, sizeof *out);
    if (cpdb_heap_build_back(h) < 0) {
        return -1;
    }
    out->objects = h->back.adj + h->back.off[i];
    out->n_objects = h->back.off[i + 1] - h->back.off[i];
    cpdb_refs_local_roots(h, ctx, &all);
    for (v = 0; v < all.n; v++) {
        if (all.items[v].index == i) {
            cpdb_array_push(&out->roots, all.items[v]);     /* moved */
        }
        else {
            free(all.items[v].name);
        }
    }
    free(all.items);
    return 0;
}

void
cpdb_refs_referrers_fini(CpdbReferrers *r)
{
    cpdb_refs_local_roots_fini(&r->roots);
    r->objects = NULL;
    r->n_objects = 0;
}

/* What refers to an untracked object: found in a pass over the heap
   (heap/refs.c's near search walks it the same way, below). */
typedef struct Holders {
    PyObject *o;
    CpdbObjectArray *out;
} Holders;

static int holders_pass(const CpdbHeapContext *ctx, Holders *hs);

static int
holder_edge(const void *from, const void *to, void *arg)
{
    Holders *hs = arg;
    CpdbObjectArray *a = hs->out;
    /* An object's references come together: one entry per holder. */
    if (to == hs->o && (a->n == 0 || a->items[a->n - 1] != from)) {
        cpdb_array_push(a, Py_NewRef((PyObject *)from));
    }
    return 0;
}

static long
is_the_object(void *arg, PyObject *value)
{
    return value == arg ? 0 : -1;
}

int
cpdb_refs_untracked_referrers(const CpdbHeapContext *ctx, PyObject *o,
                              CpdbObjectArray *holders,
                              CpdbLocalRoots *roots)
{
    Holders hs;
    int j;
    hs.o = o;
    hs.out = holders;
    if (holders_pass(ctx, &hs) < 0) {
        cpdb_refs_array_fini(holders);
        return -1;
    }
    for (j = 0; j < ctx->n_frames; j++) {
        frame_roots(is_the_object, o, ctx, j, roots);
    }
    return 0;
}

/* --- chains -------------------------------------------------------------- */

size_t
cpdb_refs_chain_search(const CpdbGraph *back, uint32_t start,
                       const uint8_t *goal, const uint32_t *roots,
                       size_t n_roots, uint32_t **path, long *root)
{
    size_t len, k;
    *root = -1;
    len = cpdb_graph_shortest_path(back, start, goal, path);
    if (len == 0 && n_roots > 0) {
        uint8_t *bits = cpdb_xcalloc((size_t)back->n / 8 + 1, 1);
        for (k = 0; k < n_roots; k++) {
            if (roots[k] < back->n) {
                cpdb_bit_set(bits, roots[k]);
            }
        }
        len = cpdb_graph_shortest_path(back, start, bits, path);
        free(bits);
        for (k = 0; len > 0 && k < n_roots; k++) {
            if (roots[k] == (*path)[len - 1]) {
                *root = (long)k;
                break;
            }
        }
    }
    /* The search ran from start over referrer edges: the chain reads
       the other way. */
    for (k = 0; k < len / 2; k++) {
        uint32_t t = (*path)[k];
        (*path)[k] = (*path)[len - 1 - k];
        (*path)[len - 1 - k] = t;
    }
    return len;
}

int
cpdb_refs_chain(CpdbHeap *h, const CpdbHeapContext *ctx, uint32_t i,
                long target, CpdbChain *out)
{
    uint8_t *goal;
    uint32_t *roots;
    size_t k;
    memset(out, 0, sizeof *out);
    out->root = -1;
    if (cpdb_heap_build_back(h) < 0) {
        return -1;
    }
    goal = cpdb_xcalloc((size_t)h->n / 8 + 1, 1);
    if (target >= 0) {
        cpdb_bit_set(goal, (uint32_t)target);
    }
    else {
        for (k = 0; k < h->modules.n; k++) {
            cpdb_bit_set(goal, h->modules.items[k]);
        }
        cpdb_refs_local_roots(h, ctx, &out->roots);
    }
    roots = cpdb_xmalloc(sizeof(uint32_t) * (out->roots.n + 1));
    for (k = 0; k < out->roots.n; k++) {
        roots[k] = out->roots.items[k].index;
    }
    out->len = cpdb_refs_chain_search(&h->back, i, goal, roots,
                                      out->roots.n, &out->path, &out->root);
    free(roots);
    free(goal);
    if (cpdb_heap_interrupted()) {
        cpdb_refs_chain_fini(out);
        return -1;
    }
    return 0;
}

void
cpdb_refs_chain_fini(CpdbChain *c)
{
    size_t k;
    for (k = 0; c->objects != NULL && k < c->len; k++) {
        Py_DECREF(c->objects[k]);
    }
    free(c->objects);
    c->objects = NULL;
    free(c->path);
    c->path = NULL;
    c->len = 0;
    cpdb_refs_local_roots_fini(&c->roots);
    c->root = -1;
}

PyObject *
cpdb_refs_chain_node(const CpdbHeap *h, const CpdbChain *c, size_t k)
{
    return c->objects != NULL ? c->objects[k] : h->objs[c->path[k]];
}

/* --- chains found near the object ---------------------------------------- */

/* The search of meet.c over the live heap: a pass walks the collector's
   lists (cpdb's own objects left out, as snapshots leave them out);
   the forward side follows tp_traverse from the modules.  Objects the
   collector does not track are nodes only when the object asked about
   is one of them: an untracked tuple or dict holds only untracked
   objects, so nothing tracked is ever behind one. */

/* Untracked containers in untracked containers looked through. */
#define UNTRACKED_DEPTH 8

/* The limits when the forward side cannot be marked (the collector is
   running): two passes over the heap, and nodes kept for a quarter of
   it (about 6 bytes an object); past them the reverse edges of the
   whole snapshot answer (a deep chain, a wide one).  A
   forward level runs instead of a pass when its objects are fewer
   than a quarter of the heap's: following an object met forward costs
   about four times walking past one in a pass (measured at 1M and 5M
   objects: 0.13 s and 0.36 s for bench/heap's shallow chain, one pass
   and four forward levels). */
static const CpdbMeetLimits NEAR_LIMITS = {2, 65536, 4, 4};

/* The limits when the forward side's entries are marks (a tracked
   object's, compat.h): the forward search costs so little an object
   that it may go through the whole heap (the objects it keeps cost 16
   bytes each), and a level is followed instead of a pass when it holds
   fewer objects than the heap (MARKED_FACTOR: measured at 5M objects). */
#define MARKED_FACTOR 1
static const CpdbMeetLimits MARKED_LIMITS = {2, 65536, 1, MARKED_FACTOR};

/* The words the marks replaced, kept to put back (8 bytes a forward
   entry, put back in the order of the entries, read ahead) up to this
   many; past them the collector's lists are walked (a pointer at a
   time: 0.15 s at 5M objects). */
#define MAX_SAVED_WORDS ((size_t)1 << 26)

typedef struct NearWalk {
    CpdbOwnTest own;
    int untracked;              /* the object asked about is untracked */
    int descend, depth;         /* in a pass: look through untracked
                                   containers, how deep now */
    CpdbMeetEdge edge;
    void (*node)(const void *node, int is_root, void *arg);
    void *arg;
    PyObject *from;             /* the object whose references are
                                   being reported */
    size_t seen;                /* objects walked, for Ctrl-C */
    int stopped, collecting;
    int marked;                 /* the forward entries are marks */
    CPDB_ARRAY(uintptr_t) saved;    /* the words they replaced, by entry */
    int relink;                 /* past MAX_SAVED_WORDS: walk the lists */
    PyObject *root;             /* the one root, or NULL: the modules */
} NearWalk;

static int
is_untracked(PyObject *o)
{
    return !PyObject_IS_GC(o) || !PyObject_GC_IsTracked(o);
}

static int
near_edge(PyObject *r, void *arg)
{
    NearWalk *w = arg;
    if (r == NULL) {
        return 0;
    }
    if (w->descend && w->depth < UNTRACKED_DEPTH && PyObject_IS_GC(r)
        && !PyObject_GC_IsTracked(r)) {
        /* Its edges first: the search finds r before what holds r. */
        PyObject *saved = w->from;
        int stop;
        w->from = r;
        w->depth++;
        stop = Py_TYPE(r)->tp_traverse != NULL
               && Py_TYPE(r)->tp_traverse(r, near_edge, w) != 0;
        w->depth--;
        w->from = saved;
        if (stop) {
            return 1;
        }
    }
    return w->edge(w->from, r, w->arg);
}

static int
near_object(PyObject *o, void *arg)
{
    NearWalk *w = arg;
    if (cpdb_heap_own_test(&w->own, o)) {
        return 1;
    }
    if (cpdb_interrupt_poll_due(w->seen++) && cpdb_interrupt_pending()) {
        w->stopped = 1;     /* its exception once the marks are off */
        return 0;
    }
    w->node(o, w->root != NULL ? o == w->root : PyModule_Check(o),
            w->arg);
    w->from = o;
    w->depth = 0;
    /* A nonzero answer: the search has its chain. */
    return Py_TYPE(o)->tp_traverse == NULL
           || Py_TYPE(o)->tp_traverse(o, near_edge, w) == 0;
}

static int
near_pass(void *self, int descend, CpdbMeetEdge edge,
          void (*node)(const void *node, int is_root, void *arg), void *arg)
{
    NearWalk *w = self;
    w->descend = descend;
    w->edge = edge;
    w->node = node;
    w->arg = arg;
    if (cpdb_gc_visit(near_object, w) < 0) {
        w->collecting = 1;
        return -1;
    }
    return w->stopped ? -1 : 0;
}

static void
no_node(const void *node, int is_root, void *arg)
{
    (void)node;
    (void)is_root;
    (void)arg;
}

/* One pass that reports every edge of the heap to edge (through
   untracked containers too, with descend).  Return 0, or -1 with an
   exception set. */
static int
edges_pass(const CpdbHeapContext *ctx, int descend, CpdbMeetEdge edge,
           void *arg)
{
    NearWalk w;
    int rc;
    memset(&w, 0, sizeof w);
    w.untracked = 1;
    cpdb_heap_own_begin(&w.own, ctx);
    rc = near_pass(&w, descend, edge, no_node, arg);
    cpdb_heap_own_end(&w.own);
    if (rc < 0 && w.collecting) {
        PyErr_SetString(PyExc_RuntimeError, "the garbage collector is "
                        "running: try again at the next stop");
    }
    else if (rc < 0) {
        cpdb_heap_interrupted();
    }
    return rc;
}

/* One pass that reports every edge into hs->o, looking through untracked
   containers.  Return 0, or -1 with an exception set. */
static int
holders_pass(const CpdbHeapContext *ctx, Holders *hs)
{
    return edges_pass(ctx, 1, holder_edge, hs);
}

/* What refers to the objects of a set, found in one pass. */
typedef struct SetHolders {
    const CpdbPtrSet *set;
    CpdbObjectArray *out;
} SetHolders;

static int
set_holder_edge(const void *from, const void *to, void *arg)
{
    SetHolders *sh = arg;
    size_t k;
    if (cpdb_ptrset_get(sh->set, to, &k)) {
        CpdbObjectArray *a = &sh->out[k];
        /* An object's references come together (mostly: those of an
           untracked container it holds come between). */
        if (a->n == 0 || a->items[a->n - 1] != from) {
            cpdb_array_push(a, Py_NewRef((PyObject *)from));
        }
    }
    return 0;
}

/* Leave each object of a once, in the order first met. */
static void
drop_repeats(CpdbObjectArray *a)
{
    CpdbPtrSet seen;
    size_t i, kept = 0;
    if (a->n < 2) {
        return;
    }
    cpdb_ptrset_init(&seen);
    for (i = 0; i < a->n; i++) {
        if (cpdb_ptrset_add(&seen, a->items[i])) {
            a->items[kept++] = a->items[i];
        }
        else {
            Py_DECREF(a->items[i]);
        }
    }
    a->n = kept;
    cpdb_ptrset_fini(&seen);
}

int
cpdb_refs_referrers_of_set(const CpdbHeapContext *ctx, const CpdbPtrSet *set,
                           int untracked, CpdbObjectArray *out, size_t n_out)
{
    SetHolders sh;
    size_t k;
    sh.set = set;
    sh.out = out;
    if (edges_pass(ctx, untracked, set_holder_edge, &sh) < 0) {
        return -1;
    }
    for (k = 0; k < n_out; k++) {
        drop_repeats(&out[k]);
    }
    return 0;
}

static long
set_lookup(void *arg, PyObject *value)
{
    size_t k;
    return cpdb_ptrset_get(arg, value, &k) ? (long)k : -1;
}

void
cpdb_refs_local_roots_in(const CpdbHeapContext *ctx, const CpdbPtrSet *set,
                         CpdbLocalRoots *out)
{
    int j;
    for (j = 0; j < ctx->n_frames; j++) {
        frame_roots(set_lookup, (void *)set, ctx, j, out);
    }
}

static int
near_referent(PyObject *r, void *arg)
{
    NearWalk *w = arg;
    return r != NULL ? w->edge(w->from, r, w->arg) : 0;
}

static void
near_referents(void *self, const void *node, CpdbMeetEdge edge, void *arg)
{
    NearWalk *w = self;
    w->edge = edge;
    w->arg = arg;
    w->from = (PyObject *)node;
    cpdb_heap_referents((PyObject *)node, near_referent, w);
}

/* Followed forward: the objects of a snapshot (tracked, not cpdb's),
   and untracked containers when the object asked about is untracked.
   Asked of each object met (a list of a million ints keeps none). */
static int
near_expandable(void *self, const void *node)
{
    NearWalk *w = self;
    PyObject *o = (PyObject *)node;
    return cpdb_heap_is_gc(o) && (w->untracked || cpdb_gc_is_tracked_fast(o))
           && !cpdb_heap_own_test(&w->own, o);
}

static int
near_hidden(void *self, const void *node)
{
    (void)self;
    return is_untracked((PyObject *)node);
}

static long
near_fwd_mark(void *self, const void *node)
{
    (void)self;
    return cpdb_heap_is_gc((PyObject *)node)
           ? (long)cpdb_gc_mark((PyObject *)node) : -1;
}

static void
near_set_fwd_mark(void *self, const void *node, uint32_t entry)
{
    NearWalk *w = self;
    uintptr_t old = cpdb_gc_set_mark((PyObject *)node, entry);
    if (!w->relink && w->saved.n == entry && entry < MAX_SAVED_WORDS) {
        cpdb_array_push(&w->saved, old);
    }
    else {
        w->relink = 1;
    }
}

/* The header and type of node, read by the forward search's tests
   (and the start of what tp_traverse reads). */
static void
near_fetch_ahead(void *self, const void *node)
{
    (void)self;
    __builtin_prefetch((const char *)node - sizeof(uintptr_t));
    __builtin_prefetch((const char *)node + sizeof(uintptr_t));
}

/* Take the forward entries' marks off (m's forward side the objects
   marked, in order). */
static void
near_unmark(NearWalk *w, const CpdbMeet *m)
{
    size_t k;
    for (k = 0; !w->relink && k < w->saved.n; k++) {
        if (k + 16 < w->saved.n) {
            __builtin_prefetch((const uintptr_t *)m->fwd.items[k + 16].node
                               - 1, 1);
        }
        cpdb_gc_unmark((PyObject *)m->fwd.items[k].node, w->saved.items[k]);
    }
    cpdb_gc_marks_end(w->relink);
    free(w->saved.items);
    memset(&w->saved, 0, sizeof w->saved);
}

/* Fill out with the n nodes of path (strong references). */
static void
chain_objects(CpdbChain *out, const void **path, size_t n)
{
    size_t k;
    out->objects = cpdb_xmalloc(sizeof(PyObject *) * (n ? n : 1));
    for (k = 0; k < n; k++) {
        out->objects[k] = Py_NewRef((PyObject *)path[k]);
    }
    out->len = n;
}

/* Make variable v of fv the root of out's chain. */
static void
chain_from_variable(FrameValues *fv, size_t v, CpdbChain *out)
{
    CpdbLocalRoot r = fv->roots.items[v];
    r.index = 0;
    r.name = cpdb_xstrdup(r.name);
    cpdb_array_push(&out->roots, r);
    out->root = 0;
}

/* No module leads to the object, and m's backward side holds every
   object that does: the chain from the nearest stopped frame's
   variable that leads to it (the first of the nearest); none when no
   variable does. */
static void
near_frame_root(FrameValues *fv, const CpdbMeet *m, CpdbChain *out)
{
    size_t v, best = SIZE_MAX, n;
    long d, best_d = -1;
    const void **path;
    for (v = 0; v < fv->roots.n; v++) {
        d = cpdb_meet_back_dist(m, fv->values.items[v]);
        if (d >= 0 && (best_d < 0 || d < best_d)) {
            best = v;
            best_d = d;
        }
    }
    if (best != SIZE_MAX
        && (n = cpdb_meet_path_from(m, fv->values.items[best], &path)) > 0) {
        chain_objects(out, path, n);
        free(path);
        chain_from_variable(fv, best, out);
    }
}

/* The chain m found from a variable's value: its variable the root. */
static void
variable_chain(FrameValues *fv, const CpdbMeet *m, CpdbChain *out)
{
    const void **path;
    size_t n = cpdb_meet_path(m, &path), v;
    if (n == 0) {
        return;
    }
    chain_objects(out, path, n);
    for (v = 0; v < fv->roots.n; v++) {
        if ((const void *)fv->values.items[v] == path[0]) {
            chain_from_variable(fv, v, out);
            break;
        }
    }
    free(path);
}

/* Go on with m from the stopped frames' variables, now that the
   modules lead nowhere near the object (the marks of the first search
   off, and on again for the second).  Return: a CpdbMeetResult. */
static int
from_variables(NearWalk *w, CpdbMeet *m, FrameValues *fv)
{
    if (w->marked) {
        near_unmark(w, m);
        w->relink = 0;
        if (cpdb_gc_marks_begin() < 0) {
            w->marked = 0;
            return CPDB_MEET_GAVE_UP;
        }
    }
    return cpdb_meet_reroot(m, (const void *const *)fv->values.items,
                            fv->values.n);
}

int
cpdb_refs_chain_near(const CpdbHeapContext *ctx, PyObject *o,
                     PyObject *from, CpdbChain *out)
{
    NearWalk w;
    CpdbMeetOps ops = {near_pass, near_referents, near_expandable,
                       near_hidden, NULL};
    CpdbMeetLimits unlimited = {INT32_MAX, SIZE_MAX, 0, 4};
    CpdbMeet m;
    FrameValues fv;
    const void **path;
    int rc, answered = 1, via_variable = 0;

    memset(out, 0, sizeof *out);
    out->root = -1;
    memset(&w, 0, sizeof w);
    memset(&fv, 0, sizeof fv);
    ops.self = &w;
    w.untracked = is_untracked(o);
    w.root = from;
    if (from == NULL) {
        frame_values(ctx, &fv);
    }
    cpdb_heap_own_begin(&w.own, ctx);
    /* The forward side is marked on the objects themselves when it
       holds only tracked objects (the object asked about is one): then
       it may grow to the whole heap, and the chain is found here
       however deep.  An untracked object has no snapshot index: the
       search goes on where a tracked one's would give way to the
       reverse edges (a forward search over the heap, then). */
    w.marked = !w.untracked && cpdb_gc_marks_begin() == 0;
    if (w.marked) {
        ops.fwd_mark = near_fwd_mark;
        ops.set_fwd_mark = near_set_fwd_mark;
        ops.fetch_ahead = near_fetch_ahead;
    }
    rc = cpdb_meet_run(&m, &ops, w.untracked ? &unlimited
                                 : w.marked ? &MARKED_LIMITS : &NEAR_LIMITS,
                       o);
    if (rc == CPDB_MEET_UNREACHED && from == NULL) {
        /* No module leads to o: a stopped frame's variable may. */
        rc = from_variables(&w, &m, &fv);
        via_variable = 1;
    }
    if (w.marked) {
        near_unmark(&w, &m);
    }
    cpdb_heap_own_end(&w.own);
    switch (rc) {
    case CPDB_MEET_FOUND:
        if (via_variable) {
            variable_chain(&fv, &m, out);
        }
        else {
            size_t n = cpdb_meet_path(&m, &path);
            chain_objects(out, path, n);
            free(path);
        }
        break;
    case CPDB_MEET_UNREACHED:
        break;                  /* nothing that may be a root leads to o */
    case CPDB_MEET_NONE:
        if (from == NULL) {
            near_frame_root(&fv, &m, out);
        }
        break;
    case CPDB_MEET_GAVE_UP:
        answered = 0;
        break;
    default:
        if (w.collecting) {
            answered = 0;       /* the snapshot's way works then */
        }
        else {
            answered = -1;
            if (!PyErr_Occurred() && !cpdb_heap_interrupted()) {
                PyErr_NoMemory();
            }
        }
    }
    cpdb_meet_fini(&m);
    frame_values_fini(&fv);
    return answered;
}

/* The node at position k of a path, where a closed path (a cycle)
   continues with its first node after its last.  Return: borrowed, or
   NULL past the end. */
static PyObject *
path_node(PyObject *const *nodes, size_t len, int closed, size_t k)
{
    if (k < len) {
        return nodes[k];
    }
    return closed && k == len ? nodes[0] : NULL;
}

char *
cpdb_refs_path_edge(PyObject *const *nodes, size_t len, int closed,
                    size_t at, size_t *skip)
{
    PyObject *o = nodes[at];
    PyObject *n1 = path_node(nodes, len, closed, at + 1);
    PyObject *n2 = path_node(nodes, len, closed, at + 2);
    char *name;
    *skip = 0;
    if (n2 != NULL && cpdb_is_dict_of(o, n1)) {
        name = cpdb_edge_name(n1, n2);
        if (name != NULL && name[0] == '[' && name[1] == '\'') {
            char *attr = cpdb_xasprintf(".%.*s", (int)strlen(name) - 4,
                                        name + 2);
            free(name);
            *skip = 1;
            return attr;
        }
        free(name);
    }
    if (n2 != NULL && PyFunction_Check(o) && PyCell_Check(n2)
        && PyFunction_GET_CLOSURE(o) == n1 && PyTuple_Check(n1)) {
        PyObject *n3 = path_node(nodes, len, closed, at + 3);
        Py_ssize_t k;
        for (k = 0; k < PyTuple_GET_SIZE(n1); k++) {
            if (PyTuple_GET_ITEM(n1, k) != n2) {
                continue;
            }
            if (n3 != NULL && PyCell_GET(n2) == n3) {
                *skip = 2;
                return cpdb_xasprintf(".__closure__[%zd].cell_contents", k);
            }
            *skip = 1;
            return cpdb_xasprintf(".__closure__[%zd]", k);
        }
    }
    return n1 != NULL ? cpdb_edge_name(o, n1) : NULL;
}

/* --- objects nothing refers to ------------------------------------------- */

/* Whether an object refers to anything, and to anything not cpdb's. */
typedef struct OwnOnly {
    const CpdbHeapContext *ctx;
    int any, foreign;
} OwnOnly;

static int
own_only_visit(PyObject *o, void *arg)
{
    OwnOnly *w = arg;
    w->any = 1;
    w->foreign |= !cpdb_heap_is_own(w->ctx, o);
    return 0;
}

/* Whether o holds nothing but cpdb's objects (the interpreter's list of
   fork handlers holding cpdb's). */
static int
holds_only_own(const CpdbHeapContext *ctx, PyObject *o)
{
    OwnOnly w = {ctx, 0, 0};
    cpdb_heap_referents(o, own_only_visit, &w);
    return w.any && !w.foreign;
}

/* Whether o is a type's dict of subclasses, {id(sub): weakref(sub)}, kept
   by the interpreter for static types since 3.12. */
static int
is_subclasses_dict(PyObject *o)
{
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    if (!PyDict_CheckExact(o) || PyDict_GET_SIZE(o) == 0) {
        return 0;
    }
    while (PyDict_Next(o, &pos, &k, &v)) {
        PyObject *t;
        int ok;
        if (!PyLong_CheckExact(k) || !PyWeakref_Check(v)) {
            return 0;
        }
        t = cpdb_weakref_target(v);
        ok = t == NULL || (PyType_Check(t) && PyLong_AsVoidPtr(k) == t);
        Py_XDECREF(t);
        PyErr_Clear();
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

const uint8_t *
cpdb_refs_leaks(CpdbHeap *h, const CpdbHeapContext *ctx)
{
    CpdbLocalRoots roots = {NULL, 0, 0};
    uint8_t *referred;
    size_t v;
    uint32_t i;
    if (h->leaks != NULL) {
        return h->leaks;
    }
    cpdb_guard_begin(ctx->busy);
    referred = cpdb_heap_referred(h);
    cpdb_guard_end(ctx->busy);
    if (referred == NULL) {
        return NULL;
    }
    /* The stopped frames' variables are held, by the frames. */
    cpdb_refs_local_roots(h, ctx, &roots);
    for (v = 0; v < roots.n; v++) {
        cpdb_bit_set(referred, roots.items[v].index);
    }
    cpdb_refs_local_roots_fini(&roots);
    for (i = 0; i < h->n; i++) {
        if (cpdb_heap_poll(i)) {
            free(referred);
            return NULL;
        }
        if (!cpdb_bit_get(referred, i)
            && (holds_only_own(ctx, h->objs[i])
                || is_subclasses_dict(h->objs[i]))) {
            cpdb_bit_set(referred, i);
        }
    }
    h->leaks = referred;
    return referred;
}

/* Sort counts largest first by selection: each place takes the first
   largest count left, swapped with the one there (so the order of equal
   counts is this sort's, which answers keep from one run to the next). */
static void
sort_largest_first(CpdbTypeCount *types, size_t n)
{
    size_t t, u;
    for (t = 0; t < n; t++) {
        size_t best = t;
        CpdbTypeCount tmp;
        for (u = t + 1; u < n; u++) {
            if (types[u].count > types[best].count) {
                best = u;
            }
        }
        tmp = types[t];
        types[t] = types[best];
        types[best] = tmp;
    }
}

CpdbTypeCount *
cpdb_refs_leak_types(const CpdbHeap *h, const uint8_t *referred,
                     long *n_types, long *n_leaks)
{
    CPDB_ARRAY(CpdbTypeCount) types = {NULL, 0, 0};
    uint32_t i;
    *n_leaks = 0;
    for (i = 0; i < h->n; i++) {
        PyTypeObject *ty;
        size_t t;
        if (cpdb_bit_get(referred, i)) {
            continue;
        }
        ty = Py_TYPE(h->objs[i]);
        ++*n_leaks;
        for (t = 0; t < types.n && types.items[t].type != ty; t++) {
        }
        if (t == types.n) {
            CpdbTypeCount c = {ty, 0};
            cpdb_array_push(&types, c);
        }
        types.items[t].count++;
    }
    sort_largest_first(types.items, types.n);
    *n_types = (long)types.n;
    return types.items;
}
