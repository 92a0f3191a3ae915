/* Heap snapshots.  One gc.get_objects() list, a pointer-to-index table
   (open addressing over 32-bit indices: about 6 bytes per object, built
   when a lookup needs it), and, when a question needs referrers, the
   reverse edges in CSR form (4 bytes per object and per edge between
   tracked objects), built in two passes of tp_traverse over the heap.
   The passes read each referent's index in its collector header, where
   the snapshot's marks put it for their time (compat.h), and use the
   table only when the collector is running.  Nothing here runs Python
   code except gc.get_objects(); cpdb's own objects are dropped from the
   snapshot. */
#include "heap/heap.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

int
cpdb_heap_interrupted(void)
{
    if (!cpdb_interrupt_pending()) {
        return 0;
    }
    /* Answered here: Python's handler, which runs at the next Python
       code (the error's text, say), must not interrupt that too. */
    cpdb_interrupt_answer();
    PyErr_SetString(PyExc_KeyboardInterrupt, CPDB_INTERRUPTED);
    return 1;
}

/* --- cpdb's own objects -------------------------------------------------- */

void
cpdb_heap_context_fini(CpdbHeapContext *ctx)
{
    free(ctx->frames);
    free(ctx->depths);
    free((void *)ctx->threads);
    ctx->frames = NULL;
    ctx->depths = NULL;
    ctx->threads = NULL;
    ctx->n_frames = 0;
}

static inline int
is_listed_own(const CpdbHeapContext *ctx, PyObject *o)
{
    int i;
    for (i = 0; i < ctx->n_own; i++) {
        if (ctx->own[i] == o) {
            return 1;
        }
    }
    return 0;
}

int
cpdb_heap_is_own(const CpdbHeapContext *ctx, PyObject *o)
{
    if (is_listed_own(ctx, o)) {
        return 1;
    }
    if (PyCFunction_Check(o)) {
        /* Every callable cpdb makes is named cpdb_*. */
        PyMethodDef *ml = ((PyCFunctionObject *)o)->m_ml;
        return ml != NULL && ml->ml_name != NULL
               && strncmp(ml->ml_name, "cpdb_", 5) == 0;
    }
    if (strncmp(Py_TYPE(o)->tp_name, "cpdb.", 5) == 0) {
        return 1;       /* the pdb finder and loader, the kill exception */
    }
    return PyType_Check(o)
           && strncmp(((PyTypeObject *)o)->tp_name, "cpdb.", 5) == 0;
}

/* --- the index ----------------------------------------------------------- */

static inline size_t
hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static int build_index(CpdbHeap *h, int may_stop);

long
cpdb_heap_find(CpdbHeap *h, const void *address)
{
    size_t i;
    if (h->slots == NULL) {
        /* built when first needed: a census does without */
        if (h->n == 0 || build_index(h, 0) < 0) {
            PyErr_Clear();
            return -1;
        }
    }
    for (i = hash_ptr(address) & h->mask;; i = (i + 1) & h->mask) {
        uint32_t v = h->slots[i];
        if (v == 0) {
            return -1;
        }
        if ((const void *)h->objs[v - 1] == address) {
            return (long)(v - 1);
        }
    }
}

/* The pointer-to-index table.  may_stop: Ctrl-C may cut it short
   (not for a lookup, whose "not found" would be a wrong answer).
   Return 0, or -1 with an exception set. */
static int
build_index(CpdbHeap *h, int may_stop)
{
    size_t cap = 16, i;
    while (cap < (size_t)h->n + (size_t)h->n / 2 + 1) {
        cap *= 2;
    }
    h->slots = calloc(cap, sizeof(uint32_t));
    if (h->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    h->mask = cap - 1;
    for (i = 0; i < h->n; i++) {
        size_t j = hash_ptr(h->objs[i]) & h->mask;
        if (may_stop && cpdb_heap_poll(i)) {
            free(h->slots);
            h->slots = NULL;
            return -1;
        }
        while (h->slots[j] != 0) {
            j = (j + 1) & h->mask;
        }
        h->slots[j] = (uint32_t)i + 1;
    }
    return 0;
}

/* --- snapshots ----------------------------------------------------------- */

void
cpdb_heap_clear(CpdbHeap *h)
{
    Py_CLEAR(h->list);
    h->objs = NULL;
    h->n = 0;
    free(h->slots);
    h->slots = NULL;
    h->mask = 0;
    cpdb_graph_fini(&h->back);
    h->have_back = 0;
    free(h->modules.items);
    memset(&h->modules, 0, sizeof h->modules);
    free(h->leaks);
    h->leaks = NULL;
    h->stop_serial = -1;
}

/* Types whose instances may be cpdb's own, decided once per type:
   entries are the type pointer with the answer in the low bit. */
static uintptr_t type_cache[512];

static int
type_may_own(PyTypeObject *t)
{
    size_t k = (size_t)(((uintptr_t)t >> 4) & 511);
    uintptr_t e = type_cache[k];
    int may;
    if ((e & ~(uintptr_t)1) == (uintptr_t)t) {
        return (int)(e & 1);
    }
    may = PyType_IsSubtype(t, &PyCFunction_Type)
          || PyType_IsSubtype(t, &PyType_Type)
          || strncmp(t->tp_name, "cpdb.", 5) == 0;
    type_cache[k] = (uintptr_t)t | (uintptr_t)may;
    return may;
}

static int
ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a;
    uintptr_t y = (uintptr_t)*(void *const *)b;
    return (x > y) - (x < y);
}

/* The variables dictionaries of the stopped frames (3.10-3.12 keep one
   on the frame once asked, as cpdb does at a stop): answers name a
   frame's variables themselves instead.  Return: malloc'd sorted array
   of *n borrowed pointers (alive while the stack is). */
static void **
frame_dicts(const CpdbHeapContext *ctx, size_t *n)
{
    void **v = cpdb_xmalloc(sizeof(void *) * (size_t)(ctx->n_frames + 1));
    int j;
    *n = 0;
    for (j = 0; j < ctx->n_frames; j++) {
        PyFrameObject *f = ctx->frames[j];
        PyObject *locals = cpdb_frame_locals(f);
        PyObject *globals = locals ? cpdb_frame_globals(f) : NULL;
        if (locals != NULL && PyDict_CheckExact(locals) && locals != globals) {
            v[(*n)++] = locals;     /* the frame keeps it alive */
        }
        PyErr_Clear();
        Py_XDECREF(globals);
        Py_XDECREF(locals);
    }
    qsort(v, *n, sizeof(void *), ptr_cmp);
    return v;
}

/* Whether o is left out of answers: cpdb's own, or a stopped frame's
   variables dictionary (dicts: from frame_dicts). */
static int
is_own_fast(const CpdbHeapContext *ctx, PyObject *o, void **dicts,
            size_t n_dicts)
{
    return is_listed_own(ctx, o)
           || (type_may_own(Py_TYPE(o)) && cpdb_heap_is_own(ctx, o))
           || (n_dicts > 0 && PyDict_CheckExact(o)
               && bsearch(&o, dicts, n_dicts, sizeof(void *), ptr_cmp));
}

void
cpdb_heap_own_begin(CpdbOwnTest *t, const CpdbHeapContext *ctx)
{
    t->ctx = ctx;
    t->dicts = frame_dicts(ctx, &t->n_dicts);
    memset(type_cache, 0, sizeof type_cache);
}

int
cpdb_heap_own_test(const CpdbOwnTest *t, PyObject *o)
{
    return is_own_fast(t->ctx, o, t->dicts, t->n_dicts);
}

void
cpdb_heap_own_end(CpdbOwnTest *t)
{
    free(t->dicts);
    t->dicts = NULL;
    t->n_dicts = 0;
}

/* Filling the snapshot's items in a walk of the collector's lists: a
   buffer grown by doubling (realloc moves no bytes once it is big: the
   pages are remapped), which becomes the list's own. */
typedef struct Fill {
    const CpdbHeapContext *ctx;
    CpdbHeap *h;
    PyObject **items;       /* PyMem_Malloc'd, strong references */
    Py_ssize_t n, cap;
    int failed;             /* out of memory */
    void **dicts;
    size_t n_dicts;
} Fill;

static void
note_module(CpdbHeap *h, PyObject *o, uint32_t index)
{
    if (PyModule_Check(o)) {
        cpdb_array_push(&h->modules, index);
    }
}

static int
fill_visit(PyObject *o, void *arg)
{
    Fill *f = arg;
    if (is_own_fast(f->ctx, o, f->dicts, f->n_dicts)) {
        return 1;
    }
    if (cpdb_interrupt_poll_due((size_t)f->n) && cpdb_interrupt_pending()) {
        return 0;
    }
    if (f->n == f->cap) {
        Py_ssize_t cap = f->cap ? f->cap * 2 : 65536;
        PyObject **grown = cap < (Py_ssize_t)UINT32_MAX
                           ? PyMem_Realloc(f->items, sizeof(PyObject *)
                                                     * (size_t)cap)
                           : NULL;
        if (grown == NULL) {
            f->failed = 1;
            return 0;
        }
        f->items = grown;
        f->cap = cap;
    }
    note_module(f->h, o, (uint32_t)f->n);
    f->items[f->n++] = Py_NewRef(o);
    return 1;
}

/* Return: new reference to a list of the items filled (which it takes),
   or NULL with an exception set (the items released). */
static PyObject *
fill_list(Fill *f)
{
    PyObject *list = f->failed ? NULL : PyList_New(0);
    Py_ssize_t i;
    if (list == NULL) {
        for (i = 0; i < f->n; i++) {
            Py_DECREF(f->items[i]);
        }
        PyMem_Free(f->items);
        if (!PyErr_Occurred()) {
            PyErr_NoMemory();
        }
        return NULL;
    }
    /* A list's items are PyMem_Malloc'd: the buffer can be its own. */
    PyMem_Free(((PyListObject *)list)->ob_item);
    ((PyListObject *)list)->ob_item = f->items;
    ((PyListObject *)list)->allocated = f->cap;
    Py_SET_SIZE(list, f->n);
    return list;
}

/* The snapshot from gc.get_objects(), when the collector's lists cannot
   be walked (it is collecting). */
static PyObject *
objects_listed(const CpdbHeapContext *ctx, CpdbHeap *h, void **dicts,
               size_t n_dicts)
{
    PyObject *gc = PyImport_ImportModule("gc"), *list;
    Py_ssize_t i, j, n;
    if (gc == NULL) {
        return NULL;
    }
    cpdb_guard_begin(ctx->busy);
    list = PyObject_CallMethod(gc, "get_objects", NULL);
    cpdb_guard_end(ctx->busy);
    Py_DECREF(gc);
    if (list == NULL || !PyList_Check(list)) {
        Py_XDECREF(list);
        return NULL;
    }
    n = PyList_GET_SIZE(list);
    for (i = j = 0; i < n; i++) {
        PyObject *o = PyList_GET_ITEM(list, i);
        if (is_own_fast(ctx, o, dicts, n_dicts)) {
            Py_DECREF(o);
        }
        else {
            note_module(h, o, (uint32_t)j);
            PyList_SET_ITEM(list, j++, o);
        }
    }
    Py_SET_SIZE(list, j);
    return list;
}

int
cpdb_heap_take(CpdbHeap *h, const CpdbHeapContext *ctx)
{
    Fill f;
    PyObject *list;

    cpdb_heap_clear(h);
    /* cpdb's own objects are left out as they are met; only a few types
       can have them (functions made in C, types, cpdb's own): the
       question is asked of an object only when its type, looked up in a
       small cache, can. */
    memset(&f, 0, sizeof f);
    f.ctx = ctx;
    f.h = h;
    f.dicts = frame_dicts(ctx, &f.n_dicts);
    memset(type_cache, 0, sizeof type_cache);
    /* One walk, nothing made while walking: the list is made around
       the items after it. */
    if (cpdb_gc_visit(fill_visit, &f) == 0) {
        list = fill_list(&f);
    }
    else {
        list = objects_listed(ctx, h, f.dicts, f.n_dicts);
    }
    free(f.dicts);
    if (list == NULL) {
        cpdb_heap_clear(h);     /* the modules noted */
        return -1;
    }
    if (cpdb_heap_interrupted()) {
        Py_DECREF(list);
        cpdb_heap_clear(h);
        return -1;
    }
    if (PyList_GET_SIZE(list) >= (Py_ssize_t)UINT32_MAX) {
        Py_DECREF(list);
        cpdb_heap_clear(h);
        PyErr_SetString(PyExc_RuntimeError, "too many objects to analyse");
        return -1;
    }
    h->list = list;
    h->objs = ((PyListObject *)list)->ob_item;
    h->n = (uint32_t)PyList_GET_SIZE(list);
    return 0;
}

int
cpdb_heap_of_list(CpdbHeap *h, PyObject *list)
{
    cpdb_heap_clear(h);
    if (PyList_GET_SIZE(list) >= (Py_ssize_t)UINT32_MAX) {
        PyErr_SetString(PyExc_RuntimeError, "too many objects to analyse");
        return -1;
    }
    h->list = Py_NewRef(list);
    h->objs = ((PyListObject *)list)->ob_item;
    h->n = (uint32_t)PyList_GET_SIZE(list);
    if (build_index(h, 1) < 0) {
        cpdb_heap_clear(h);
        return -1;
    }
    return 0;
}

/* --- edges --------------------------------------------------------------- */

void
cpdb_heap_referents(PyObject *o, CpdbReferentVisit visit, void *arg)
{
    traverseproc traverse;
    if (!cpdb_heap_is_gc(o)) {
        return;
    }
    traverse = Py_TYPE(o)->tp_traverse;
    if (traverse != NULL) {
        traverse(o, (visitproc)visit, arg);
    }
}

/* The snapshot's marks (compat.h): each of its objects' header holds
   its index.  Set and taken off in the order of the snapshot, which is
   the order of the collector's lists (cpdb's own left out): the back
   link each mark replaces is to the object before in the snapshot, so
   it need not be kept, except where the order differs (cpdb's own
   objects between, a list's start, objects made or moved since).
   Both loops read the headers ahead, in the snapshot's order; a walk
   of the lists would go a pointer at a time. */
typedef struct SavedLink {
    uint32_t index;
    uintptr_t word;
} SavedLink;

typedef struct SnapshotMarks {
    CPDB_ARRAY(SavedLink) saved;    /* the links not to the one before */
    int relink;                     /* too many of them: the marks' end
                                       walks the lists instead */
} SnapshotMarks;

/* How far ahead the loops over the snapshot read headers. */
#define AHEAD 16

/* Whether object i of the snapshot has a mark: a tracked object (an
   item of cpdb_heap_of_list's list may be anything). */
static inline int
is_markable(const CpdbHeap *h, uint32_t i)
{
    if (i + AHEAD < h->n) {
        __builtin_prefetch((uintptr_t *)h->objs[i + AHEAD] - 2, 1);
    }
    return cpdb_heap_is_gc(h->objs[i]) && cpdb_gc_is_tracked_fast(h->objs[i]);
}

/* Put the snapshot's marks on.  Return 0, or -1 (no marks: use the
   index) when the collector is running. */
static int
snapshot_marks_begin(const CpdbHeap *h, SnapshotMarks *sm)
{
    size_t max_saved = 65536 + (size_t)h->n / 16;
    PyObject *before = NULL;
    uint32_t i;
    memset(sm, 0, sizeof *sm);
    if (cpdb_gc_marks_begin() < 0) {
        return -1;
    }
    for (i = 0; i < h->n; i++) {
        PyObject *o = h->objs[i];
        uintptr_t old;
        if (!is_markable(h, i)) {
            continue;
        }
        old = cpdb_gc_set_mark(o, i);
        if (before == NULL || old != cpdb_gc_link_word(o, before)) {
            if (sm->saved.n < max_saved) {
                SavedLink l = {i, old};
                cpdb_array_push(&sm->saved, l);
            }
            else {
                sm->relink = 1;
            }
        }
        before = o;
    }
    return 0;
}

/* Take the snapshot's marks off: the back links are as before. */
static void
snapshot_marks_end(const CpdbHeap *h, SnapshotMarks *sm)
{
    PyObject *before = NULL;
    size_t e = 0;
    uint32_t i;
    for (i = 0; !sm->relink && i < h->n; i++) {
        PyObject *o = h->objs[i];
        if (!is_markable(h, i)) {
            continue;
        }
        if (e < sm->saved.n && sm->saved.items[e].index == i) {
            cpdb_gc_unmark(o, sm->saved.items[e++].word);
        }
        else {
            cpdb_gc_unmark(o, cpdb_gc_link_word(o, before));
        }
        before = o;
    }
    cpdb_gc_marks_end(sm->relink);
    free(sm->saved.items);
    memset(sm, 0, sizeof *sm);
}

/* The reverse edges are found by looking every referent up in the
   index: two cache misses each (the slot, then the object pointer it
   names) on a big heap.  Lookups are queued and done in batches, their
   memory fetched ahead, so the misses overlap. */
#define BATCH 64
#define HITS 256

typedef struct BackPass {
    CpdbHeap *h;
    uint32_t from;
    int marked;             /* the snapshot's marks are on: an index is
                               read in the referent's header */
    SnapshotMarks marks;
    int fill;               /* second pass: write sources */
    uint8_t *bits;          /* or only mark what is referred to */
    int inside;             /* looking through a dict made after the
                               snapshot */
    int n;                  /* queued lookups */
    uint32_t q_from[BATCH];
    PyObject *q_ref[BATCH];
    /* The last answers, by the referent's address: a type, a module's
       dictionary, a shared constant is referred to by thousands of
       objects in a row, and looked up once. */
    PyObject *hit_ref[HITS];
    long hit_index[HITS];   /* its snapshot index, or -1: no container */
    /* Called with each object of the pass after its references. */
    void (*each)(PyObject *o, void *arg);
    void *each_arg;
} BackPass;

static int back_visit(PyObject *referent, void *arg);

/* Referent j (a snapshot index) of object from, found. */
static inline void
back_found(BackPass *p, uint32_t from, uint32_t j)
{
    CpdbHeap *h = p->h;
    if (p->bits != NULL) {
        cpdb_bit_set(p->bits, j);
    }
    else if (p->fill) {
        h->back.adj[--h->back.off[j + 1]] = from;
    }
    else {
        h->back.off[j + 1]++;
    }
}

static inline size_t
hit_slot(const void *ref)
{
    return ((uintptr_t)ref >> 4) & (HITS - 1);
}

/* Look through o, a dict made after the snapshot (3.11+ keeps an
   instance's attributes inline until something asks for __dict__, as
   naming an edge does): its references are those of the instance,
   object from. */
static void
look_through(BackPass *p, uint32_t from, PyObject *o)
{
    uint32_t saved = p->from;
    p->from = from;
    p->inside = 1;
    cpdb_heap_referents(o, back_visit, p);
    p->inside = 0;
    p->from = saved;
}

/* back_flush with marks on: the index is in each referent's header,
   next to its type (fetched ahead, for the misses to overlap). */
static void
marked_flush(BackPass *p, const uint32_t *from, PyObject *const *ref, int n)
{
    int k;
    for (k = 0; k < n; k++) {
        __builtin_prefetch((const char *)ref[k] - sizeof(uintptr_t));
    }
    for (k = 0; k < n; k++) {
        intptr_t v;
        if (!cpdb_heap_is_gc(ref[k])) {
            continue;
        }
        v = cpdb_gc_mark(ref[k]);
        if (v >= 0) {
            back_found(p, from[k], (uint32_t)v);
        }
        else if (!p->inside && PyDict_CheckExact(ref[k])
                 && cpdb_gc_is_tracked_fast(ref[k])) {
            look_through(p, from[k], ref[k]);
        }
    }
}

static void
back_flush(BackPass *p)
{
    CpdbHeap *h = p->h;
    uint32_t from[BATCH];
    PyObject *ref[BATCH];
    size_t pos[BATCH];
    int k, n = p->n;

    memcpy(from, p->q_from, sizeof(uint32_t) * (size_t)n);
    memcpy(ref, p->q_ref, sizeof(PyObject *) * (size_t)n);
    p->n = 0;
    if (p->marked) {
        marked_flush(p, from, ref, n);
        return;
    }
    /* The referents themselves are fetched ahead too: whether one is a
       container at all is asked only once its header has come. */
    for (k = 0; k < n; k++) {
        __builtin_prefetch(ref[k]);
        pos[k] = hash_ptr(ref[k]) & h->mask;
        __builtin_prefetch(&h->slots[pos[k]]);
    }
    for (k = 0; k < n; k++) {
        uint32_t v = h->slots[pos[k]];
        if (v != 0) {
            __builtin_prefetch(&h->objs[v - 1]);
        }
    }
    for (k = 0; k < n; k++) {
        size_t i;
        long j = -1;
        if (!cpdb_heap_is_gc(ref[k])) {
            p->hit_ref[hit_slot(ref[k])] = ref[k];
            p->hit_index[hit_slot(ref[k])] = -1;
            continue;
        }
        for (i = pos[k];; i = (i + 1) & h->mask) {
            uint32_t v = h->slots[i];
            if (v == 0) {
                break;
            }
            if (h->objs[v - 1] == ref[k]) {
                j = (long)(v - 1);
                break;
            }
        }
        if (j >= 0) {
            p->hit_ref[hit_slot(ref[k])] = ref[k];
            p->hit_index[hit_slot(ref[k])] = j;
            back_found(p, from[k], (uint32_t)j);
        }
        else if (!p->inside && PyDict_CheckExact(ref[k])
                 && PyObject_GC_IsTracked(ref[k])) {
            look_through(p, from[k], ref[k]);
        }
    }
}

static int
back_visit(PyObject *referent, void *arg)
{
    BackPass *p = arg;
    size_t slot;
    if (referent == NULL) {
        return 0;
    }
    slot = hit_slot(referent);
    if (p->hit_ref[slot] == referent && !p->inside && !p->marked) {
        if (p->hit_index[slot] >= 0) {
            back_found(p, p->from, (uint32_t)p->hit_index[slot]);
        }
        return 0;
    }
    p->q_from[p->n] = p->from;
    p->q_ref[p->n++] = referent;
    if (p->n == BATCH) {
        back_flush(p);
    }
    return 0;
}

/* One pass of tp_traverse over the snapshot.  Return 0, or -1 when
   Ctrl-C stopped it (no exception set: marks may be on). */
static int
back_pass(BackPass *p)
{
    uint32_t i;
    for (i = 0; i < p->h->n; i++) {
        if (cpdb_interrupt_poll_due(i) && cpdb_interrupt_pending()) {
            p->n = 0;
            return -1;
        }
        p->from = i;
        cpdb_heap_referents(p->h->objs[i], back_visit, p);
        if (p->each != NULL) {
            p->each(p->h->objs[i], p->each_arg);
        }
    }
    while (p->n > 0) {
        back_flush(p);
    }
    return 0;
}

/* Get ready for passes over the snapshot: its marks on when they can
   be, else its index.  Return 0, or -1 with an exception set. */
static int
passes_begin(BackPass *p)
{
    CpdbHeap *h = p->h;
    p->marked = snapshot_marks_begin(h, &p->marks) == 0;
    if (!p->marked && h->slots == NULL && h->n > 0
        && build_index(h, 1) < 0) {
        return -1;
    }
    return 0;
}

/* Marks off.  rc: the passes' (-1: Ctrl-C stopped one, whose exception
   is set now that Python may run).  Return: rc. */
static int
passes_end(BackPass *p, int rc)
{
    if (p->marked) {
        snapshot_marks_end(p->h, &p->marks);
        p->marked = 0;
    }
    if (rc < 0 && !PyErr_Occurred() && !cpdb_heap_interrupted()) {
        PyErr_NoMemory();
    }
    return rc;
}

/* Both passes of cpdb_heap_build_back: count each object's referrers,
   then write them.  Return 0, or -1 (Ctrl-C, out of memory). */
static int
back_passes(BackPass *p, uint64_t *total)
{
    CpdbHeap *h = p->h;
    uint32_t i;
    if (back_pass(p) < 0) {
        return -1;
    }
    /* off[j + 1] = end of j's range */
    for (i = 0; i < h->n; i++) {
        *total += h->back.off[i + 1];
        h->back.off[i + 1] = (uint32_t)*total;
    }
    if (*total >= UINT32_MAX) {
        return -1;
    }
    h->back.adj = malloc((*total ? *total : 1) * sizeof(uint32_t));
    if (h->back.adj == NULL) {
        return -1;
    }
    /* Second pass writes from the end of each range backwards; after it
       off[j + 1] is the start of j's range: shift by one. */
    p->fill = 1;
    return back_pass(p);
}

int
cpdb_heap_build_back(CpdbHeap *h)
{
    BackPass p;
    uint64_t total = 0;

    if (h->have_back) {
        return 0;
    }
    memset(&p, 0, sizeof p);
    p.h = h;
    h->back.n = h->n;
    h->back.off = calloc((size_t)h->n + 2, sizeof(uint32_t));
    if (h->back.off == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (passes_begin(&p) < 0) {
        cpdb_graph_fini(&h->back);
        return -1;
    }
    if (passes_end(&p, back_passes(&p, &total)) < 0) {
        if (total >= UINT32_MAX) {
            PyErr_Clear();
            PyErr_SetString(PyExc_RuntimeError, "too many references");
        }
        cpdb_graph_fini(&h->back);
        return -1;
    }
    memmove(h->back.off, h->back.off + 1, sizeof(uint32_t) * h->n);
    h->back.off[h->n] = (uint32_t)total;
    h->have_back = 1;
    return 0;
}

/* --- what is referred to ------------------------------------------------- */

typedef CPDB_ARRAY(PyObject *) ObjectList;

typedef struct Referred {
    CpdbHeap *h;
    uint8_t *bits;
    int inside;
    int marked;             /* the snapshot's marks are on */
    void **seen;            /* open addressing set of untracked objects */
    size_t seen_mask, seen_n;
    PyObject *code_attr[3]; /* strong: "gi_code", "cr_code", "ag_code" */
} Referred;

/* Return: the snapshot index of o, or -1. */
static long
referred_index(Referred *r, PyObject *o)
{
    if (r->marked) {
        return cpdb_heap_is_gc(o) ? (long)cpdb_gc_mark(o) : -1;
    }
    return cpdb_heap_find(r->h, o);
}

static int
referred_visit(PyObject *o, void *arg)
{
    Referred *r = arg;
    long j;
    if (o == NULL) {
        return 0;
    }
    j = referred_index(r, o);
    if (j >= 0) {
        cpdb_bit_set(r->bits, (uint32_t)j);
    }
    else if (!r->inside && PyDict_CheckExact(o) && PyObject_GC_IsTracked(o)) {
        /* as in back_visit: a dict made after the snapshot */
        r->inside = 1;
        cpdb_heap_referents(o, referred_visit, r);
        r->inside = 0;
    }
    return 0;
}

/* Add p to the set of untracked objects seen.  Return: 1 if it is new. */
static int
seen_add(Referred *r, void *p)
{
    size_t i;
    if ((r->seen_n + 1) * 2 > r->seen_mask + 1) {
        size_t old = r->seen_mask + 1, cap = old * 2, k;
        void **grown = calloc(cap, sizeof(void *));
        if (grown == NULL) {
            return 0;
        }
        for (k = 0; k < old; k++) {
            if (r->seen[k] != NULL) {
                for (i = hash_ptr(r->seen[k]) & (cap - 1); grown[i] != NULL;
                     i = (i + 1) & (cap - 1)) {
                }
                grown[i] = r->seen[k];
            }
        }
        free(r->seen);
        r->seen = grown;
        r->seen_mask = cap - 1;
    }
    for (i = hash_ptr(p) & r->seen_mask; r->seen[i] != NULL;
         i = (i + 1) & r->seen_mask) {
        if (r->seen[i] == p) {
            return 0;
        }
    }
    r->seen[i] = p;
    r->seen_n++;
    return 1;
}

/* Code objects are not tracked: what their constants and names hold
   (tuples, frozensets, nested code) counts as referred. */
static void
mark_code(Referred *r, PyObject *code)
{
    PyObject *consts;
    Py_ssize_t i;
    PyObject *names[3];
    int k, n_names;
    if (!PyCode_Check(code) || !seen_add(r, code)) {
        return;
    }
    consts = ((PyCodeObject *)code)->co_consts;
    referred_visit(consts, r);
    referred_visit(((PyCodeObject *)code)->co_names, r);
    n_names = cpdb_code_name_tuples((PyCodeObject *)code, names);
    for (k = 0; k < n_names; k++) {
        referred_visit(names[k], r);
    }
    for (i = 0; consts != NULL && PyTuple_Check(consts)
                && i < PyTuple_GET_SIZE(consts); i++) {
        mark_code(r, PyTuple_GET_ITEM(consts, i));
    }
}

/* Every type from t down, each once, appended to out (strong): their
   subclasses are asked in Python, before the marks go on. */
static void
collect_types(Referred *r, PyTypeObject *t, ObjectList *out)
{
    PyObject *subs;
    Py_ssize_t i;
    if (!seen_add(r, t)) {
        return;
    }
    cpdb_array_push(out, Py_NewRef((PyObject *)t));
    subs = PyObject_CallMethod((PyObject *)t, "__subclasses__", NULL);
    for (i = 0; subs != NULL && PyList_Check(subs)
                && i < PyList_GET_SIZE(subs); i++) {
        PyObject *sub = PyList_GET_ITEM(subs, i);
        if (PyType_Check(sub)) {
            collect_types(r, (PyTypeObject *)sub, out);
        }
    }
    PyErr_Clear();
    Py_XDECREF(subs);
}

/* Static types are not tracked: their dictionaries, MROs and bases
   count as referred.  Runs no Python code. */
static void
mark_type(Referred *r, PyTypeObject *t)
{
    PyObject *d;
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE)
        || referred_index(r, (PyObject *)t) < 0) {
        /* static, or left out of the snapshot (cpdb's own); the type
           holds d, which the decref leaves alive */
        d = cpdb_type_dict(t);
        referred_visit(d, r);
        Py_XDECREF(d);
        referred_visit(t->tp_mro, r);
        referred_visit(t->tp_bases, r);
    }
    /* type_traverse does not visit the subclasses' dict */
    referred_visit(cpdb_type_subclasses(t), r);
}

/* What o's code holds counts as referred (o a function, a generator, a
   coroutine).  The code of a generator is asked for by attribute: a
   getter that only takes a reference (no Python code runs, nothing is
   freed), so it may be asked with the marks on. */
static void
mark_code_of(PyObject *o, void *arg)
{
    Referred *r = arg;
    if (PyFunction_Check(o)) {
        mark_code(r, PyFunction_GET_CODE(o));
    }
    else if (PyGen_Check(o) || PyCoro_CheckExact(o)
             || PyAsyncGen_CheckExact(o)) {
        PyObject *name = r->code_attr[PyGen_Check(o) ? 0
                                      : PyCoro_CheckExact(o) ? 1 : 2];
        PyObject *code = name != NULL ? PyObject_GetAttr(o, name) : NULL;
        if (code != NULL) {
            mark_code(r, code);
            Py_DECREF(code);    /* o holds it */
        }
        else {
            PyErr_Clear();      /* frees an object made since: unmarked */
        }
    }
}

/* The running frames' code (a module's body has no function), appended
   to out (strong). */
static void
collect_frame_code(ObjectList *out)
{
    PyFrameObject *f = PyEval_GetFrame();
    Py_XINCREF(f);
    while (f != NULL) {
        PyFrameObject *back = PyFrame_GetBack(f);
        cpdb_array_push(out, (PyObject *)PyFrame_GetCode(f));
        Py_DECREF(f);
        f = back;
    }
}

static void
object_list_fini(ObjectList *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        Py_DECREF(l->items[i]);
    }
    free(l->items);
}

/* Mark in r what the snapshot's objects (a pass over them, or the
   reverse edges when built), the running frames' code and the types
   hold.  Between passes_begin and passes_end: no Python code.  Return
   0, or -1 when Ctrl-C stopped it. */
static int
referred_marks(Referred *r, BackPass *p, const ObjectList *codes,
               const ObjectList *types)
{
    CpdbHeap *h = r->h;
    uint32_t i;
    size_t k;
    r->marked = p->marked;
    if (!h->have_back && back_pass(p) < 0) {
        return -1;
    }
    for (i = 0; h->have_back && i < h->n; i++) {
        if (cpdb_interrupt_poll_due(i) && cpdb_interrupt_pending()) {
            return -1;
        }
        if (h->back.off[i] != h->back.off[i + 1]) {
            cpdb_bit_set(r->bits, i);   /* the reverse edges know already */
        }
        mark_code_of(h->objs[i], r);
    }
    for (k = 0; k < codes->n; k++) {
        mark_code(r, codes->items[k]);
    }
    for (k = 0; k < types->n; k++) {
        mark_type(r, (PyTypeObject *)types->items[k]);
    }
    return 0;
}

uint8_t *
cpdb_heap_referred(CpdbHeap *h)
{
    static const char *const attrs[3] = {"gi_code", "cr_code", "ag_code"};
    Referred r;
    BackPass p;
    ObjectList codes = {NULL, 0, 0}, types = {NULL, 0, 0};
    int k, rc = -1;
    memset(&r, 0, sizeof r);
    r.h = h;
    r.bits = calloc((size_t)h->n / 8 + 1, 1);
    r.seen = calloc(1024, sizeof(void *));
    r.seen_mask = 1023;
    for (k = 0; k < 3; k++) {
        r.code_attr[k] = PyUnicode_InternFromString(attrs[k]);
    }
    if (r.bits == NULL || r.seen == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* What needs Python first: no Python code may run while the marks
       are on. */
    collect_frame_code(&codes);
    collect_types(&r, &PyBaseObject_Type, &types);
    PyErr_Clear();
    memset(&p, 0, sizeof p);
    p.h = h;
    p.bits = r.bits;
    p.each = mark_code_of;      /* in the same pass */
    p.each_arg = &r;
    if (passes_begin(&p) == 0) {
        rc = passes_end(&p, referred_marks(&r, &p, &codes, &types));
    }
done:
    object_list_fini(&codes);
    object_list_fini(&types);
    for (k = 0; k < 3; k++) {
        Py_XDECREF(r.code_attr[k]);
    }
    free(r.seen);
    if (rc < 0) {
        free(r.bits);
        return NULL;
    }
    return r.bits;
}

/* --- census -------------------------------------------------------------- */

/* How deep stays_tracked follows tuples in tuples before it stops and
   counts the outer one. */
#define UNTRACK_DEPTH 16

static int stays_tracked(PyObject *o, int depth);

/* Whether o, an item of a tuple or dict, keeps it tracked: the test
   CPython's collector makes (_PyObject_GC_MAY_BE_TRACKED), with a
   tracked tuple judged by its own items, as the collector's later
   passes judge it. */
static int
keeps_tracked(PyObject *o, int depth)
{
    if (!PyObject_IS_GC(o)) {
        return 0;
    }
    if (!PyTuple_CheckExact(o)) {
        return 1;
    }
    if (!PyObject_GC_IsTracked(o)) {
        return 0;
    }
    return depth >= UNTRACK_DEPTH || stays_tracked(o, depth + 1);
}

/* Whether the collector keeps tracking o.  On every collection it stops
   tracking the tuples of the generation collected that hold nothing it
   tracks (so a tuple of tuples may take more than one pass), and on a
   full collection the dicts that hold nothing it tracks (3.10 to 3.13
   alike).  Runs no Python code. */
static int
stays_tracked(PyObject *o, int depth)
{
    if (PyTuple_CheckExact(o)) {
        Py_ssize_t i, n = PyTuple_GET_SIZE(o);
        for (i = 0; i < n; i++) {
            PyObject *item = PyTuple_GET_ITEM(o, i);
            /* a tuple being filled in stays tracked */
            if (item == NULL || keeps_tracked(item, depth)) {
                return 1;
            }
        }
        return 0;
    }
    if (PyDict_CheckExact(o)) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(o, &pos, &key, &value)) {
            if (keeps_tracked(key, depth) || keeps_tracked(value, depth)) {
                return 1;
            }
        }
        return 0;
    }
    return 1;
}

int
cpdb_heap_is_counted(PyObject *o)
{
    return stays_tracked(o, 0);
}

static int
count_desc(const void *a, const void *b)
{
    const CpdbTypeCount *x = a, *y = b;
    return (x->count < y->count) - (x->count > y->count);
}

/* Counts per type in an open-addressing table keyed by the type. */
typedef struct TypeTable {
    CpdbTypeCount *slots;
    size_t cap;
    long n;
    int failed;
} TypeTable;

static void
type_table_add(TypeTable *tt, PyTypeObject *t)
{
    size_t j, mask = tt->cap - 1;
    for (j = hash_ptr(t) & mask;; j = (j + 1) & mask) {
        if (tt->slots[j].type == t) {
            tt->slots[j].count++;
            return;
        }
        if (tt->slots[j].type == NULL) {
            tt->slots[j].type = t;
            tt->slots[j].count = 1;
            tt->n++;
            break;
        }
    }
    if ((size_t)tt->n * 2 > tt->cap) {
        /* Grow: rehash into a table twice the size. */
        size_t ncap = tt->cap * 2, k;
        CpdbTypeCount *bigger = calloc(ncap, sizeof(CpdbTypeCount));
        if (bigger == NULL) {
            tt->failed = 1;
            return;
        }
        for (k = 0; k < tt->cap; k++) {
            if (tt->slots[k].type != NULL) {
                for (j = hash_ptr(tt->slots[k].type) & (ncap - 1);
                     bigger[j].type != NULL; j = (j + 1) & (ncap - 1)) {
                }
                bigger[j] = tt->slots[k];
            }
        }
        free(tt->slots);
        tt->slots = bigger;
        tt->cap = ncap;
    }
}

/* Return: the counts, largest first (malloc'd), or NULL. */
static CpdbTypeCount *
type_table_result(TypeTable *tt, long *n_types)
{
    CpdbTypeCount *out = NULL;
    size_t i, j;
    if (!tt->failed) {
        out = malloc(sizeof(CpdbTypeCount) * (size_t)(tt->n ? tt->n : 1));
    }
    if (out != NULL) {
        for (i = 0, j = 0; i < tt->cap; i++) {
            if (tt->slots[i].type != NULL) {
                out[j++] = tt->slots[i];
            }
        }
        qsort(out, (size_t)tt->n, sizeof(CpdbTypeCount), count_desc);
        *n_types = tt->n;
    }
    free(tt->slots);
    return out;
}

CpdbTypeCount *
cpdb_heap_census(const CpdbHeap *h, long *n_types)
{
    TypeTable tt = {calloc(1024, sizeof(CpdbTypeCount)), 1024, 0, 0};
    uint32_t i;
    if (tt.slots == NULL) {
        return NULL;
    }
    for (i = 0; i < h->n && !tt.failed; i++) {
        if (cpdb_heap_is_counted(h->objs[i])) {
            type_table_add(&tt, Py_TYPE(h->objs[i]));
        }
    }
    return type_table_result(&tt, n_types);
}

typedef struct LiveCensus {
    const CpdbHeapContext *ctx;
    TypeTable tt;
    void **dicts;
    size_t n_dicts;
} LiveCensus;

static int
live_census_visit(PyObject *o, void *arg)
{
    LiveCensus *c = arg;
    if (!is_own_fast(c->ctx, o, c->dicts, c->n_dicts)
        && cpdb_heap_is_counted(o)) {
        type_table_add(&c->tt, Py_TYPE(o));
    }
    return !c->tt.failed;
}

typedef struct OwnFilter {
    const CpdbHeapContext *ctx;
    int (*visit)(PyObject *o, void *arg);
    void *arg;
    void **dicts;
    size_t n_dicts;
} OwnFilter;

static int
filter_visit(PyObject *o, void *arg)
{
    OwnFilter *f = arg;
    return is_own_fast(f->ctx, o, f->dicts, f->n_dicts)
           ? 1 : f->visit(o, f->arg);
}

int
cpdb_heap_walk(const CpdbHeapContext *ctx,
               int (*visit)(PyObject *o, void *arg), void *arg)
{
    OwnFilter f = {ctx, visit, arg, NULL, 0};
    int rc;
    f.dicts = frame_dicts(ctx, &f.n_dicts);
    memset(type_cache, 0, sizeof type_cache);
    rc = cpdb_gc_visit(filter_visit, &f);
    free(f.dicts);
    return rc;
}

CpdbTypeCount *
cpdb_heap_census_live(const CpdbHeapContext *ctx, long *n_types,
                      int *running)
{
    LiveCensus c;
    CpdbTypeCount *out = NULL;
    *running = 0;
    c.ctx = ctx;
    c.tt.slots = calloc(1024, sizeof(CpdbTypeCount));
    c.tt.cap = 1024;
    c.tt.n = 0;
    c.tt.failed = c.tt.slots == NULL;
    if (c.tt.failed) {
        return NULL;
    }
    c.dicts = frame_dicts(ctx, &c.n_dicts);
    memset(type_cache, 0, sizeof type_cache);
    if (cpdb_gc_visit(live_census_visit, &c) < 0) {
        *running = 1;
        free(c.tt.slots);
    }
    else {
        out = type_table_result(&c.tt, n_types);
    }
    free(c.dicts);
    return out;
}

CpdbTypeCount *
cpdb_heap_census_frozen(const CpdbHeapContext *ctx, long *n_types,
                        long *total)
{
    LiveCensus c;
    CpdbTypeCount *out;
    long t;
    c.ctx = ctx;
    c.tt.slots = calloc(64, sizeof(CpdbTypeCount));
    c.tt.cap = 64;
    c.tt.n = 0;
    c.tt.failed = c.tt.slots == NULL;
    *total = 0;
    if (c.tt.failed) {
        return NULL;
    }
    c.dicts = frame_dicts(ctx, &c.n_dicts);
    memset(type_cache, 0, sizeof type_cache);
    cpdb_gc_visit_frozen(live_census_visit, &c);
    out = type_table_result(&c.tt, n_types);
    for (t = 0; out != NULL && t < *n_types; t++) {
        *total += out[t].count;
    }
    free(c.dicts);
    return out;
}

char *
cpdb_type_name(PyTypeObject *t)
{
    PyObject *module = NULL, *qual = NULL;
    char *out;
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        return cpdb_xstrdup(t->tp_name);
    }
    module = PyObject_GetAttrString((PyObject *)t, "__module__");
    qual = PyObject_GetAttrString((PyObject *)t, "__qualname__");
    PyErr_Clear();
    if (qual != NULL && PyUnicode_Check(qual) && module != NULL
        && PyUnicode_Check(module)
        && PyUnicode_CompareWithASCIIString(module, "builtins") != 0) {
        out = cpdb_xasprintf("%s.%s", PyUnicode_AsUTF8(module),
                             PyUnicode_AsUTF8(qual));
    }
    else if (qual != NULL && PyUnicode_Check(qual)) {
        out = cpdb_xstrdup(PyUnicode_AsUTF8(qual));
    }
    else {
        out = cpdb_xstrdup(t->tp_name);
    }
    PyErr_Clear();
    Py_XDECREF(module);
    Py_XDECREF(qual);
    return out;
}
