/* Walking the objects the collector tracks without making a list of
   them (gc.get_objects() builds one: 8 bytes an object, and writes to
   every object's reference count).  3.12 has an API for it; 3.10 and
   3.11 keep the generations in the interpreter's state, read here
   through the internal headers, which is why this file is apart from
   compat.c (it needs Py_BUILD_CORE).  No version has an API for the
   permanent generation, where gc.freeze() moves every tracked object:
   gc.get_objects(), gc.get_referrers() and PyUnstable_GC_VisitObjects()
   all leave it out, so it is read from the interpreter's state on
   every version (3.10-3.13 keep it as permanent_generation, a list of
   the same PyGC_Head links as the other generations).  The attribute
   names a class shares among its instances (3.11+) are read here too:
   no API gives them without making the instance a __dict__. */
#define Py_BUILD_CORE 1
#include <Python.h>
#if defined(__GNUC__)
#pragma GCC diagnostic push
/* 3.13's pycore_object.h has an unused parameter */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"
#if PY_VERSION_HEX >= 0x030B0000
#include "internal/pycore_dict.h"
#endif
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "base/compat.h"

#include <stddef.h>

/* Call visit on each object of one generation's list until it returns
   0.  Return: 0 when it did, 1 when the list ended. */
static int
visit_list(PyGC_Head *head, int (*visit)(PyObject *o, void *arg), void *arg)
{
    PyGC_Head *g, *next;
    for (g = _PyGCHead_NEXT(head); g != head; g = next) {
        /* The next object's header (and its type) is fetched while
           this one is visited: a walk is mostly waiting for memory. */
        next = _PyGCHead_NEXT(g);
        __builtin_prefetch(next);
        if (!visit((PyObject *)(g + 1), arg)) {
            return 0;
        }
    }
    return 1;
}

/* What the program froze: 3.12 starts with immortal tuples of its own
   in the permanent generation (375 of them in 3.12.1), which no
   gc.freeze() put there and gc.get_freeze_count() counts; they are left
   out, as they are of gc.get_objects() before a freeze. */
static int
is_program_frozen(PyObject *o)
{
#if PY_VERSION_HEX >= 0x030C0000
    return !_Py_IsImmortal(o);
#else
    (void)o;
    return 1;
#endif
}

/* A visit of the permanent generation: the program's objects only. */
typedef struct Frozen {
    int (*visit)(PyObject *o, void *arg);
    void *arg;
} Frozen;

static int
frozen_visit(PyObject *o, void *arg)
{
    Frozen *f = arg;
    return !is_program_frozen(o) || f->visit(o, f->arg);
}

int
cpdb_gc_visit_frozen(int (*visit)(PyObject *o, void *arg), void *arg)
{
    struct _gc_runtime_state *gc = &PyInterpreterState_Get()->gc;
    Frozen f = {visit, arg};
    return visit_list(&gc->permanent_generation.head, frozen_visit, &f);
}

/* Whether the object visited is the one looked for (arg): stop there. */
static int
is_not(PyObject *o, void *arg)
{
    return o != (PyObject *)arg;
}

int
cpdb_gc_is_frozen(PyObject *o)
{
    return PyObject_IS_GC(o) && PyObject_GC_IsTracked(o)
           && !cpdb_gc_visit_frozen(is_not, o);
}

/* A visit that remembers whether it asked to stop. */
typedef struct Watch {
    int (*visit)(PyObject *o, void *arg);
    void *arg;
    int stopped;
} Watch;

static int
watch_visit(PyObject *o, void *arg)
{
    Watch *w = arg;
    if (!w->visit(o, w->arg)) {
        w->stopped = 1;
        return 0;
    }
    return 1;
}

int
cpdb_gc_visit(int (*visit)(PyObject *o, void *arg), void *arg)
{
    Watch w = {visit, arg, 0};
#if PY_VERSION_HEX >= 0x030C0000
    PyUnstable_GC_VisitObjects(watch_visit, &w);
#else
    struct _gc_runtime_state *gc = &PyInterpreterState_Get()->gc;
    int i;
    if (gc->collecting) {
        return -1;
    }
    for (i = 0; i < NUM_GENERATIONS && !w.stopped; i++) {
        visit_list(&gc->generations[i].head, watch_visit, &w);
    }
#endif
    /* then what gc.freeze() moved out of the collector's sight */
    if (!w.stopped) {
        cpdb_gc_visit_frozen(visit, arg);
    }
    return 0;
}

/* --- the youngest objects ------------------------------------------------ */

long
cpdb_gc_collections(void)
{
    struct _gc_runtime_state *gc = &PyInterpreterState_Get()->gc;
    long n = 0;
    int i;
    for (i = 0; i < NUM_GENERATIONS; i++) {
        n += (long)gc->generation_stats[i].collections;
    }
    return n;
}

PyObject *
cpdb_gc_youngest(void)
{
    PyGC_Head *head = &PyInterpreterState_Get()->gc.generations[0].head;
    PyGC_Head *last = _PyGCHead_PREV(head);
    return last == head ? NULL : Py_NewRef((PyObject *)(last + 1));
}

int
cpdb_gc_visit_young_after(PyObject *since,
                          int (*visit)(PyObject *o, void *arg), void *arg)
{
    PyGC_Head *head = &PyInterpreterState_Get()->gc.generations[0].head;
    PyGC_Head *g = head;
    if (since != NULL) {
        if (!PyObject_IS_GC(since) || !PyObject_GC_IsTracked(since)) {
            return -1;
        }
        g = (PyGC_Head *)since - 1;
    }
    for (g = _PyGCHead_NEXT(g); g != head; g = _PyGCHead_NEXT(g)) {
        if (!visit((PyObject *)(g + 1), arg)) {
            break;
        }
    }
    return 0;
}

/* --- marks ---------------------------------------------------------- */

/* The layout compat.h's mark functions rely on: the header is two words,
   the back link second, its low two bits flags (3.10 to 3.13, builds
   with the GIL). */
_Static_assert(sizeof(PyGC_Head) == 2 * sizeof(uintptr_t),
               "the collector's header is two words");
_Static_assert(offsetof(PyGC_Head, _gc_prev) == sizeof(uintptr_t),
               "the back link is the header's second word");
_Static_assert(_PyGC_PREV_SHIFT == 2, "two flag bits under the back link");

_Static_assert(_Alignof(PyGC_Head) >= 8,
               "a back link never has bit 2 (CPDB_GC_MARK_BIT)");

static int marks_on;

int
cpdb_gc_marks_begin(void)
{
    if (marks_on || PyInterpreterState_Get()->gc.collecting) {
        return -1;
    }
    marks_on = 1;
    return 0;
}

void
cpdb_gc_marks_end(int relink)
{
    struct _gc_runtime_state *gc = &PyInterpreterState_Get()->gc;
    PyGC_Head *heads[NUM_GENERATIONS + 1], *g, *prev;
    int k;
    if (!marks_on) {
        return;
    }
    marks_on = 0;
    if (!relink) {
        return;
    }
    for (k = 0; k < NUM_GENERATIONS; k++) {
        heads[k] = &gc->generations[k].head;
    }
    heads[k] = &gc->permanent_generation.head;
    /* As the collector puts them back after its counts
       (move_unreachable): each object's back link is the one before. */
    for (k = 0; k <= NUM_GENERATIONS; k++) {
        prev = heads[k];
        for (g = _PyGCHead_NEXT(heads[k]); g != heads[k];
             g = _PyGCHead_NEXT(g)) {
            g->_gc_prev = (uintptr_t)prev | (g->_gc_prev & ~_PyGC_PREV_MASK);
            prev = g;
        }
    }
}

PyObject *
cpdb_type_attr_names(PyTypeObject *t)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* 3.11-3.13: the instances of a class keep their attributes' values
       inline, their names in the class's shared keys (a split dict's
       keys, ht_cached_keys), which only ever grow. */
    PyDictKeysObject *keys;
    PyObject *out;
    Py_ssize_t i, n;
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        return NULL;
    }
    keys = ((PyHeapTypeObject *)t)->ht_cached_keys;
    if (keys == NULL || keys->dk_kind != DICT_KEYS_SPLIT) {
        return NULL;
    }
    n = keys->dk_nentries;
    out = PyTuple_New(n);
    if (out == NULL) {
        PyErr_Clear();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *k = DK_UNICODE_ENTRIES(keys)[i].me_key;
        PyTuple_SET_ITEM(out, i, Py_NewRef(k != NULL ? k : Py_None));
    }
    return out;
#else
    (void)t;
    return NULL;
#endif
}

/* --- memory blocks, for tracemalloc ------------------------------------ */

/* The collector's link before a tracked object's header: PyGC_Head,
   two words on every supported (GIL) build; 3.12+ declares it only in
   the internal headers this file does not include there. */
#if PY_VERSION_HEX < 0x030C0000
#define GC_HEAD_SIZE sizeof(PyGC_Head)
#else
#define GC_HEAD_SIZE (2 * sizeof(uintptr_t))
#endif

/* The flags of the types whose instances keep pointers before the GC
   link: a managed __dict__ from 3.11 (the "pre-header"), a managed
   __weakref__ too from 3.12 (Py_TPFLAGS_PREHEADER). */
#if PY_VERSION_HEX >= 0x030C0000
#define PREHEADER_FLAGS Py_TPFLAGS_PREHEADER
#elif PY_VERSION_HEX >= 0x030B0000
#define PREHEADER_FLAGS Py_TPFLAGS_MANAGED_DICT
#else
#define PREHEADER_FLAGS 0UL
#endif

const void *
cpdb_object_block(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    size_t before = 0;
    if (PyType_IS_GC(t)) {
        before += GC_HEAD_SIZE;
    }
    if ((PyType_GetFlags(t) & PREHEADER_FLAGS) != 0) {
        before += 2 * sizeof(PyObject *);
    }
    return (const char *)o - before;
}

/* 3.13 declares it in an internal header only (pycore_tracemalloc.h),
   still exported: the one way to ask tracemalloc about an address
   rather than an object, which tracemalloc's own get_object_traceback
   computes wrongly on 3.11 (it leaves out the pre-header). */
#if PY_VERSION_HEX >= 0x030D0000
PyAPI_FUNC(PyObject *) _PyTraceMalloc_GetTraceback(unsigned int domain,
                                                   uintptr_t ptr);
#endif

PyObject *
cpdb_tracemalloc_traceback(const void *block)
{
    return _PyTraceMalloc_GetTraceback(0, (uintptr_t)block);
}

int
cpdb_type_has_free_list(PyTypeObject *t)
{
    return t == &PyList_Type || t == &PyDict_Type || t == &PyTuple_Type
           || t == &PyFloat_Type;
}
