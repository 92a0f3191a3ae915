/* Every difference between the supported CPython versions (3.10 to 3.13)
   lives here and in compat.c, nowhere else. */
#ifndef CPDB_SRC_COMPAT_H
#define CPDB_SRC_COMPAT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#if PY_VERSION_HEX < 0x030A0000
#error "cpdb needs Python 3.10 or newer"
#endif

#define CPDB_GEN_FLAGS (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)

/* A saved pending exception (one object from 3.12, a triple before). */
typedef struct CpdbExcState {
    PyObject *type, *value, *tb;    /* strong, any may be NULL */
} CpdbExcState;

void cpdb_exc_save(CpdbExcState *st);
void cpdb_exc_restore(CpdbExcState *st);
/* Take the pending exception as one instance, its traceback attached.
   Return: new reference, or NULL when none is pending. */
PyObject *cpdb_exc_take(void);

/* Return: new references. */
PyObject *cpdb_frame_globals(PyFrameObject *f);
PyObject *cpdb_frame_builtins(PyFrameObject *f);

/* Return: new reference to a mapping of the frame's local variables that
   may be written (for function frames, write back with
   cpdb_frame_locals_sync()); NULL with an exception set on error. */
PyObject *cpdb_frame_locals(PyFrameObject *f);
/* What a weak reference points to.  Return: new reference, or NULL
   (without an exception) when it is dead. */
PyObject *cpdb_weakref_target(PyObject *ref);
/* A type's attribute dictionary (for static built-in types 3.12+ keeps
   it per interpreter).  Return: new reference, or NULL. */
PyObject *cpdb_type_dict(PyTypeObject *t);
/* The dict of weak references to a type's subclasses, when the type
   keeps one itself.  Return: borrowed, or NULL. */
PyObject *cpdb_type_subclasses(PyTypeObject *t);
/* The tuples of names a code object holds besides co_consts and
   co_names (variable names: one tuple from 3.11, three before).
   Return: how many were stored in out[0..3), borrowed. */
int cpdb_code_name_tuples(PyCodeObject *code, PyObject **out);
/* Whether instances of t may keep their attributes inline, without a
   __dict__ until one is asked for (3.11+). */
int cpdb_type_inline_attrs(PyTypeObject *t);
/* Call visit on every object in the collector's generations (what
   gc.get_objects() lists), then on the frozen ones (gc.freeze()'s
   permanent generation, which gc.get_objects() leaves out), until it
   returns 0.  visit must not run
   Python code or make tracked objects.  Return 0, or -1 when the
   collector is running and the walk was not made (compat_gc.c). */
int cpdb_gc_visit(int (*visit)(PyObject *o, void *arg), void *arg);
/* Call visit on each object of the permanent generation (the objects
   gc.freeze() moved there; cpdb_gc_visit visits them last) until it
   returns 0.  Return: 0 when visit stopped it, 1 when it went through. */
int cpdb_gc_visit_frozen(int (*visit)(PyObject *o, void *arg), void *arg);
/* Whether o is in the permanent generation (gc.freeze()): a walk of
   it. */
int cpdb_gc_is_frozen(PyObject *o);
/* The collections the collector has made, all generations.  Return:
   their count. */
long cpdb_gc_collections(void);
/* The object the collector tracked last, at the end of its youngest
   generation's list.  Return: new reference, or NULL when that list is
   empty. */
PyObject *cpdb_gc_youngest(void);
/* Call visit on each object tracked since since (from cpdb_gc_youngest;
   NULL: the whole youngest generation) until it returns 0: the objects
   after it in the youngest generation's list, valid while no collection
   ran in between (cpdb_gc_collections unchanged).  Return 0, or -1 when
   since is no longer tracked. */
int cpdb_gc_visit_young_after(PyObject *since,
                              int (*visit)(PyObject *o, void *arg),
                              void *arg);
/* Marks: a number kept in a tracked object's collector header while a
   walk of the heap needs one per object (its snapshot index, where a
   search met it), where the collector keeps its own counts while it
   collects: the header's back link (_gc_prev, the second of its two
   words, right before the object), above the two flag bits it shares
   with them.  Reading one costs no lookup: the header is next to the
   type that a walk reads anyway.  A mark sets bit 2 of the word, which
   a link never has (it is the address of a header, 8-byte aligned) nor
   an untracked object's word (0 but the flags): objects not marked
   read as such.  While marks are on, the marked objects' back links
   are gone: nothing may run Python code, free, track or untrack an
   object, or collect, until each is put back (cpdb_gc_unmark with the
   word cpdb_gc_set_mark returned, or cpdb_gc_relink) or
   cpdb_gc_marks_end puts them all back (compat_gc.c). */

/* Return 0, or -1 (marks may not be set) when the collector is running
   or marks are on already. */
int cpdb_gc_marks_begin(void);
/* Marks off.  relink: put back every tracked object's back link, for
   marks not undone one by one. */
void cpdb_gc_marks_end(int relink);

#define CPDB_GC_MARK_BIT ((uintptr_t)4)

/* The mark of o, an object of a type the collector handles.  Return:
   it, or -1 when o has none. */
static inline intptr_t
cpdb_gc_mark(PyObject *o)
{
    uintptr_t w = ((const uintptr_t *)o)[-1];
    return (w & CPDB_GC_MARK_BIT) ? (intptr_t)(w >> 3) : -1;
}

/* Mark o, a tracked object, with v (below 2^60).  Return: the word it
   replaced, for cpdb_gc_unmark. */
static inline uintptr_t
cpdb_gc_set_mark(PyObject *o, uintptr_t v)
{
    uintptr_t *w = (uintptr_t *)o - 1, old = *w;
    *w = (v << 3) | CPDB_GC_MARK_BIT | (old & 3);
    return old;
}

/* Put back the word of o that cpdb_gc_set_mark replaced. */
static inline void
cpdb_gc_unmark(PyObject *o, uintptr_t old)
{
    ((uintptr_t *)o)[-1] = old;
}

/* The word before a mark on o, when the object before o in the
   collector's list is before (tracked): o's back link to it. */
static inline uintptr_t
cpdb_gc_link_word(PyObject *o, PyObject *before)
{
    return (uintptr_t)((uintptr_t *)before - 2)
           | (((const uintptr_t *)o)[-1] & 3);
}

/* Whether o is tracked: as PyObject_GC_IsTracked, without the call, for
   an object of a type the collector handles. */
static inline int
cpdb_gc_is_tracked_fast(PyObject *o)
{
    return ((const uintptr_t *)o)[-2] != 0;
}

/* The attribute names a class's instances share (3.11+ keep the values
   inline and the names in the class), for naming an instance's
   attributes without making it a __dict__.  Return: new reference to a
   tuple (items may be None), or NULL without an exception (3.10, or
   none known). */
PyObject *cpdb_type_attr_names(PyTypeObject *t);

/* Where the memory block of an object starts, as tracemalloc keys its
   traces: before the object's header come the collector's link (types
   with Py_TPFLAGS_HAVE_GC) and, from 3.11, the pointers of a managed
   __dict__ (and from 3.12 of a managed __weakref__) (compat_gc.c). */
const void *cpdb_object_block(PyObject *o);
/* tracemalloc's traceback of the block that starts at block (the
   default domain).  Return: new reference to a tuple of (filename,
   lineno) pairs, newest first, or to None when tracemalloc is not
   tracing or has no trace of that block; NULL with an exception set. */
PyObject *cpdb_tracemalloc_traceback(const void *block);
/* Whether CPython keeps freed objects of exactly type t in a free list
   and makes new ones from it without allocating (list, dict, tuple,
   float: every supported version). */
int cpdb_type_has_free_list(PyTypeObject *t);

/* Make writes into the mapping from cpdb_frame_locals() visible to the
   running frame (a no-op where the mapping writes through, PEP 667). */
void cpdb_frame_locals_sync(PyFrameObject *f);

/* Turn line events for one frame on or off (frame.f_trace_lines). */
void cpdb_frame_set_trace_lines(PyFrameObject *f, int on);

/* bdb's per-frame mark: the frame has a trace function (f_trace).  cpdb
   stores its own marker object there, as pdb stores its dispatcher, so
   that the stepper knows which frames pdb would see events of.  A local
   trace function that the program's own tracer gave the frame is never
   replaced and counts as the mark (the frame has a trace function). */
int cpdb_frame_is_marked(PyFrameObject *f, PyObject *marker);
void cpdb_frame_mark(PyFrameObject *f, PyObject *marker);

/* From 3.13, bdb gives the caller of a frame that returns at a stop a
   trace function whenever the next command may stop (dispatch_return);
   before, only "step" did (set_step). */
#if PY_VERSION_HEX >= 0x030D0000
#define CPDB_BDB_MARKS_CALLER_AT_RETURN 1
#else
#define CPDB_BDB_MARKS_CALLER_AT_RETURN 0
#endif

/* sys.monitoring (PEP 669) exists from 3.12. */
#if PY_VERSION_HEX >= 0x030C0000
#define CPDB_HAVE_MONITORING 1
#else
#define CPDB_HAVE_MONITORING 0
#endif

/* PEP 523's frame-evaluation hook, used on 3.10 and 3.11 to switch the
   trace function on only for frames that can stop.  enter() is called
   before a frame runs and returns a state that leave() gets after it. */
#if PY_VERSION_HEX < 0x030C0000
#define CPDB_HAVE_EVAL_HOOK 1
#else
#define CPDB_HAVE_EVAL_HOOK 0
#endif
typedef int (*CpdbGateEnter)(PyThreadState *tstate, PyCodeObject *code);
typedef void (*CpdbGateLeave)(int state);

/* What the hook may decide alone, without calling enter/leave, for the
   frames that need no tracing while tracing is off in their thread
   (nearly every call while the program runs to a breakpoint): the
   owner of the gate keeps it current. */
#define CPDB_GATE_CACHE 256
typedef struct CpdbGateFilter {
    PyThreadState *thread;      /* the thread whose frames are gated */
    int tracing;                /* the trace function is set */
    int all;                    /* every frame needs tracing */
    unsigned gen;               /* bumped when needs may have changed */
    struct {
        PyCodeObject *code;     /* identity only */
        unsigned gen;
        int need;
    } cache[CPDB_GATE_CACHE];
} CpdbGateFilter;

extern CpdbGateFilter cpdb_gate_filter;

static inline size_t
cpdb_gate_slot(PyCodeObject *code)
{
    return ((size_t)code >> 6) % CPDB_GATE_CACHE;
}

/* The state gate_leave() gets for a frame the hook let run untouched:
   the fast mark and the generation it ran under. */
#define CPDB_GATE_FAST 0x40000000
#define CPDB_GATE_GEN_MASK 0x3fffffff
/* Return 0, or -1 when this Python has no such hook (3.12+). */
int cpdb_eval_gate_install(CpdbGateEnter enter, CpdbGateLeave leave);
void cpdb_eval_gate_remove(void);

/* At a return event of a generator's frame: whether it is a yield (the
   frame is being suspended) rather than the end. */
int cpdb_frame_is_yielding(PyFrameObject *f);

/* At a return event on 3.10/3.11: whether the frame returns normally
   (it stands on RETURN_VALUE) rather than being left by an exception. */
int cpdb_frame_returns_normally(PyFrameObject *f);

/* On 3.10/3.11: whether the frame is delegating to a sub-generator or an
   awaited object ("yield from", "await": YIELD_FROM / SEND). */
int cpdb_frame_is_delegating(PyFrameObject *f);

/* Whether the frame stands on a call: a thread whose top Python frame
   does, and does not run, is in a C function. */
int cpdb_frame_in_call(PyFrameObject *f);
/* Whether the instruction the frame stands on is inside a handler's
   range (a try, except, finally or with block): an exception raised or
   passing there may be caught in this frame.  Return: 1 or 0. */
int cpdb_frame_in_handler(PyFrameObject *f);
/* Return: the column (from 0) where the expression the frame stands on
   starts, or -1 where Python does not keep columns (3.10). */
int cpdb_frame_column(PyFrameObject *f);
/* A thread's own dict (PyThreadState_GetDict of that thread), made if
   it has none: it lives as long as the thread.  Needs the GIL.  Return:
   borrowed, or NULL. */
PyObject *cpdb_thread_dict(PyThreadState *t);
/* Return: the thread's id in the system (as threading.get_native_id()),
   or 0 where the thread state does not keep it (3.10). */
unsigned long cpdb_thread_native_id(PyThreadState *t);

/* Return: new reference to co_qualname (co_name on 3.10). */
PyObject *cpdb_code_qualname(PyCodeObject *co);

/* Per-code-object extra slots for caches. */
Py_ssize_t cpdb_code_extra_index(freefunc free_fn);
int cpdb_code_get_extra(PyObject *code, Py_ssize_t index, void **extra);
int cpdb_code_set_extra(PyObject *code, Py_ssize_t index, void *extra);

/* Drop r, the result of a call whose failure only needs noticing.
   Return: 0, or -1 when it failed (r NULL; the exception cleared). */
int cpdb_call_done(PyObject *r);

/* Install or remove a C trace function for the calling thread. */
void cpdb_set_trace(Py_tracefunc fn, PyObject *obj);
/* The same for another thread's slot (needs the GIL).  Return 0, or -1
   where this Python has no way to (3.13+: only the calling thread's). */
int cpdb_set_thread_trace(PyThreadState *tstate, Py_tracefunc fn,
                          PyObject *obj);
/* The same for every thread's slot (PyEval_SetTraceAllThreads, 3.12+).
   Return 0, or -1 where this Python has no way to. */
int cpdb_set_all_threads_trace(Py_tracefunc fn, PyObject *obj);
/* What a thread's trace slot holds now (sys.settrace's, a C tracer's, or
   cpdb's): the function, or NULL, and its object (borrowed, or NULL). */
void cpdb_get_trace(PyThreadState *tstate, Py_tracefunc *fn,
                    PyObject **obj_borrowed);



/* Show an exception as an uncaught one: sys.excepthook, and
   sys.last_exc / last_type / last_value / last_traceback set as the
   interpreter does.  Consumes nothing; leaves no exception set. */
void cpdb_exc_report_uncaught(PyObject *value);

#endif /* CPDB_SRC_COMPAT_H */
