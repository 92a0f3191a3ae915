/* Version differences of the CPython C API, in one place. */

/* 3.11's PEP 523 hook receives the private _PyInterpreterFrame: reading
   its code object needs the internal header, which needs Py_BUILD_CORE
   before Python.h.  Only this file sees it. */
#include <patchlevel.h>
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define Py_BUILD_CORE 1
#endif

#include "base/compat.h"
#include "base/stack.h"

#include <opcode.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#include <internal/pycore_frame.h>
#endif

void
cpdb_exc_save(CpdbExcState *st)
{
#if PY_VERSION_HEX >= 0x030C0000
    st->type = NULL;
    st->tb = NULL;
    st->value = PyErr_GetRaisedException();
#else
    PyErr_Fetch(&st->type, &st->value, &st->tb);
#endif
}

void
cpdb_exc_restore(CpdbExcState *st)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(st->value);
#else
    PyErr_Restore(st->type, st->value, st->tb);
#endif
    st->type = st->value = st->tb = NULL;
}

PyObject *
cpdb_exc_take(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

PyObject *
cpdb_frame_globals(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetGlobals(f);
#else
    return Py_NewRef(f->f_globals);
#endif
}

PyObject *
cpdb_frame_builtins(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetBuiltins(f);
#else
    return Py_NewRef(f->f_builtins);
#endif
}

PyObject *
cpdb_frame_locals(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* 3.11, 3.12: a dict refreshed from the fast locals on each call;
       3.13: a write-through proxy for function frames (PEP 667). */
    return PyFrame_GetLocals(f);
#else
    if (PyFrame_FastToLocalsWithError(f) < 0) {
        return NULL;
    }
    return Py_NewRef(f->f_locals);
#endif
}

PyObject *
cpdb_weakref_target(PyObject *ref)
{
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *target = NULL;
    if (PyWeakref_GetRef(ref, &target) < 0) {
        PyErr_Clear();
    }
    return target;
#else
    PyObject *target = PyWeakref_GetObject(ref);    /* borrowed */
    if (target == NULL || target == Py_None) {
        PyErr_Clear();
        return NULL;
    }
    return Py_NewRef(target);
#endif
}

PyObject *
cpdb_type_dict(PyTypeObject *t)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyType_GetDict(t);
#else
    return Py_XNewRef(t->tp_dict);
#endif
}

PyObject *
cpdb_type_subclasses(PyTypeObject *t)
{
#if PY_VERSION_HEX >= 0x030C0000
    /* static built-in types keep an index there, not a dict */
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        return NULL;
    }
#endif
    return (PyObject *)t->tp_subclasses;
}

int
cpdb_type_inline_attrs(PyTypeObject *t)
{
#if PY_VERSION_HEX >= 0x030B0000
    return (t->tp_flags & Py_TPFLAGS_MANAGED_DICT) != 0;
#else
    (void)t;
    return 0;
#endif
}

int
cpdb_code_name_tuples(PyCodeObject *code, PyObject **out)
{
#if PY_VERSION_HEX >= 0x030B0000
    out[0] = code->co_localsplusnames;
    return 1;
#else
    out[0] = code->co_varnames;
    out[1] = code->co_freevars;
    out[2] = code->co_cellvars;
    return 3;
#endif
}

void
cpdb_frame_locals_sync(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030D0000
    (void)f;    /* the proxy wrote through already */
#else
    CpdbExcState st;
    cpdb_exc_save(&st);
    PyFrame_LocalsToFast(f, 0);
    PyErr_Clear();
    cpdb_exc_restore(&st);
#endif
}

void
cpdb_frame_set_trace_lines(PyFrameObject *f, int on)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* The frame struct is private from 3.11: go through the attribute. */
    static PyObject *name;
    CpdbExcState st;
    if (name == NULL) {
        name = PyUnicode_InternFromString("f_trace_lines");
        if (name == NULL) {
            PyErr_Clear();
            return;
        }
    }
    cpdb_exc_save(&st);
    if (PyObject_SetAttr((PyObject *)f, name, on ? Py_True : Py_False) < 0) {
        PyErr_Clear();
    }
    cpdb_exc_restore(&st);
#else
    f->f_trace_lines = (char)(on != 0);
#endif
}

/* Return: new reference to the frame's f_trace, or NULL (none set). */
static PyObject *
frame_get_trace(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* The frame struct is private from 3.11: go through the attribute. */
    static PyObject *name;
    PyObject *v;
    CpdbExcState st;
    if (name == NULL && (name = PyUnicode_InternFromString("f_trace"))
                        == NULL) {
        PyErr_Clear();
        return NULL;
    }
    cpdb_exc_save(&st);
    v = PyObject_GetAttr((PyObject *)f, name);
    PyErr_Clear();
    cpdb_exc_restore(&st);
    if (v == Py_None) {
        Py_CLEAR(v);
    }
    return v;
#else
    return Py_XNewRef(f->f_trace);
#endif
}

int
cpdb_frame_is_marked(PyFrameObject *f, PyObject *marker)
{
    PyObject *v = frame_get_trace(f);
    /* A local trace function of the program's own tracer counts as the
       mark: bdb follows the frames that have a trace function. */
    int marked = v != NULL;
    (void)marker;
    Py_XDECREF(v);
    return marked;
}

void
cpdb_frame_mark(PyFrameObject *f, PyObject *marker)
{
    /* Only a tracer of the program's gives frames local trace functions,
       and then the thread's slot holds its object (cpdb's own functions
       have none): without one, the read is saved on every call. */
    if (PyThreadState_Get()->c_traceobj != NULL) {
        PyObject *v = frame_get_trace(f);
        int foreign = v != NULL && v != marker;
        Py_XDECREF(v);
        if (foreign) {
            return;     /* the program's tracer's: never replace it */
        }
    }
#if PY_VERSION_HEX >= 0x030B0000
    {
        static PyObject *name;
        CpdbExcState st;
        if (name == NULL && (name = PyUnicode_InternFromString("f_trace"))
                            == NULL) {
            PyErr_Clear();
            return;
        }
        cpdb_exc_save(&st);
        if (PyObject_SetAttr((PyObject *)f, name, marker) < 0) {
            PyErr_Clear();
        }
        cpdb_exc_restore(&st);
    }
#else
    Py_XSETREF(f->f_trace, Py_NewRef(marker));
#endif
}

int
cpdb_frame_is_yielding(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *gen = PyFrame_GetGenerator(f), *v;
    int yielding = 0;
    if (gen == NULL) {
        return 0;
    }
    v = PyObject_GetAttrString(gen, "gi_suspended");
    if (v == NULL) {
        PyErr_Clear();
        v = PyObject_GetAttrString(gen, "cr_suspended");
    }
    if (v == NULL) {
        PyErr_Clear();
        v = PyObject_GetAttrString(gen, "ag_suspended");
    }
    if (v != NULL) {
        yielding = PyObject_IsTrue(v) == 1;
        Py_DECREF(v);
    }
    PyErr_Clear();
    Py_DECREF(gen);
    return yielding;
#else
    return f->f_state == FRAME_SUSPENDED;
#endif
}

/* The opcode the frame stands on, or -1. */
static int
current_opcode(PyFrameObject *f)
{
    PyCodeObject *co = PyFrame_GetCode(f);
    PyObject *bytes;
    Py_ssize_t offset;
    int op = -1;
#if PY_VERSION_HEX >= 0x030B0000
    bytes = PyCode_GetCode(co);                         /* new */
    offset = PyFrame_GetLasti(f);                       /* in bytes */
#else
    bytes = Py_NewRef(co->co_code);
    offset = (Py_ssize_t)f->f_lasti * 2;                /* in units */
#endif
    if (bytes != NULL && PyBytes_Check(bytes) && offset >= 0
        && offset < PyBytes_GET_SIZE(bytes)) {
        op = (unsigned char)PyBytes_AS_STRING(bytes)[offset];
    }
    PyErr_Clear();
    Py_XDECREF(bytes);
    Py_DECREF(co);
    return op;
}

int
cpdb_frame_in_call(PyFrameObject *f)
{
    int op = current_opcode(f);
#if PY_VERSION_HEX >= 0x030D0000
    return op == CALL || op == CALL_KW || op == CALL_FUNCTION_EX;
#elif PY_VERSION_HEX >= 0x030C0000
    return op == CALL || op == CALL_FUNCTION_EX;
#elif PY_VERSION_HEX >= 0x030B0000
    return op == PRECALL || op == CALL || op == CALL_FUNCTION_EX;
#else
    return op == CALL_FUNCTION || op == CALL_FUNCTION_KW
           || op == CALL_FUNCTION_EX || op == CALL_METHOD;
#endif
}

#if PY_VERSION_HEX >= 0x030B0000
/* One number of a code object's exception table (3.11+): 6 bits a byte,
   bit 6 saying another byte follows.  Return: 0, or -1 at the end. */
static int
table_varint(const unsigned char **p, const unsigned char *end, long *out)
{
    unsigned char b;
    if (*p >= end) {
        return -1;
    }
    b = *(*p)++;
    *out = b & 63;
    while (b & 64) {
        if (*p >= end) {
            return -1;
        }
        b = *(*p)++;
        *out = (*out << 6) | (b & 63);
    }
    return 0;
}
#endif

int
cpdb_frame_in_handler(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* An entry of co_exceptiontable covers the instruction: start,
       length, target, depth-and-lasti, in code units
       (InternalDocs/exception_handling.md). */
    PyCodeObject *co = PyFrame_GetCode(f);
    PyObject *table = co->co_exceptiontable;
    long at = PyFrame_GetLasti(f) / 2, start, length, target, depth;
    int covered = 0;
    if (at >= 0 && table != NULL && PyBytes_Check(table)) {
        const unsigned char *p =
            (const unsigned char *)PyBytes_AS_STRING(table);
        const unsigned char *end = p + PyBytes_GET_SIZE(table);
        while (!covered && table_varint(&p, end, &start) == 0
               && table_varint(&p, end, &length) == 0
               && table_varint(&p, end, &target) == 0
               && table_varint(&p, end, &depth) == 0) {
            covered = at >= start && at < start + length;
        }
    }
    Py_DECREF(co);
    return covered;
#else
    /* A try, with or finally block is open (SETUP_FINALLY and the like
       push one). */
    return f->f_iblock > 0;
#endif
}

int
cpdb_frame_column(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyCodeObject *co = PyFrame_GetCode(f);
    int line, col = -1, end_line, end_col;
    if (!PyCode_Addr2Location(co, PyFrame_GetLasti(f), &line, &col,
                              &end_line, &end_col)) {
        col = -1;
    }
    Py_DECREF(co);
    return col;
#else
    (void)f;
    return -1;
#endif
}

PyObject *
cpdb_thread_dict(PyThreadState *t)
{
    if (t == PyThreadState_Get()) {
        return PyThreadState_GetDict();
    }
    /* Another thread's: the field of the thread state (public in
       cpython/pystate.h on 3.10-3.13), made as PyThreadState_GetDict
       makes it when the thread has none yet (the GIL is held). */
    if (t->dict == NULL) {
        t->dict = PyDict_New();
        if (t->dict != NULL) {
            /* made by cpdb: out of gc.get_objects(), as its own objects
               are */
            PyObject_GC_UnTrack(t->dict);
        }
    }
    return t->dict;
}

unsigned long
cpdb_thread_native_id(PyThreadState *t)
{
#if PY_VERSION_HEX >= 0x030B0000
    return t->native_thread_id;
#else
    (void)t;
    return 0;
#endif
}

int
cpdb_frame_returns_normally(PyFrameObject *f)
{
#if PY_VERSION_HEX < 0x030C0000
    return current_opcode(f) == RETURN_VALUE;
#else
    (void)f;
    return 1;
#endif
}

int
cpdb_frame_is_delegating(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
    return current_opcode(f) == SEND;
#elif PY_VERSION_HEX < 0x030B0000
    return current_opcode(f) == YIELD_FROM;
#else
    (void)f;
    return 0;
#endif
}

PyObject *
cpdb_code_qualname(PyCodeObject *co)
{
#if PY_VERSION_HEX >= 0x030B0000
    return Py_NewRef(co->co_qualname);
#else
    return Py_NewRef(co->co_name);
#endif
}

Py_ssize_t
cpdb_code_extra_index(freefunc free_fn)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyUnstable_Eval_RequestCodeExtraIndex(free_fn);
#else
    /* 3.10, 3.11: the same service under its older, underscored name. */
    return _PyEval_RequestCodeExtraIndex(free_fn);
#endif
}

int
cpdb_code_get_extra(PyObject *code, Py_ssize_t index, void **extra)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyUnstable_Code_GetExtra(code, index, extra);
#else
    return _PyCode_GetExtra(code, index, extra);
#endif
}

int
cpdb_code_set_extra(PyObject *code, Py_ssize_t index, void *extra)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyUnstable_Code_SetExtra(code, index, extra);
#else
    return _PyCode_SetExtra(code, index, extra);
#endif
}

void
cpdb_set_trace(Py_tracefunc fn, PyObject *obj)
{
    PyEval_SetTrace(fn, obj);
}

int
cpdb_set_thread_trace(PyThreadState *tstate, Py_tracefunc fn, PyObject *obj)
{
    if (tstate == PyThreadState_Get()) {
        PyEval_SetTrace(fn, obj);
        return 0;
    }
#if PY_VERSION_HEX < 0x030D0000
    if (_PyEval_SetTrace(tstate, fn, obj) < 0) {
        PyErr_Clear();      /* an audit hook refused it */
        return -1;
    }
    return 0;
#else
    return -1;
#endif
}

int
cpdb_set_all_threads_trace(Py_tracefunc fn, PyObject *obj)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyEval_SetTraceAllThreads(fn, obj);
    PyErr_Clear();      /* an audit hook refused it */
    return 0;
#else
    (void)fn;
    (void)obj;
    return -1;
#endif
}

void
cpdb_get_trace(PyThreadState *tstate, Py_tracefunc *fn,
               PyObject **obj_borrowed)
{
    /* No function reads the slot (sys.gettrace() gives only the object):
       the thread state's fields, public in cpython/pystate.h, do. */
    *fn = tstate->c_tracefunc;
    *obj_borrowed = tstate->c_traceobj;
}

void
cpdb_exc_report_uncaught(PyObject *value)
{
    PyObject *type = (PyObject *)Py_TYPE(value);
    PyObject *tb = PyException_GetTraceback(value);
    PyObject *hook, *r;
    CpdbExcState st;

    cpdb_exc_save(&st);
    if (PySys_SetObject("last_type", type) < 0
        || PySys_SetObject("last_value", value) < 0
        || PySys_SetObject("last_traceback", tb ? tb : Py_None) < 0) {
        PyErr_Clear();
    }
#if PY_VERSION_HEX >= 0x030C0000
    if (PySys_SetObject("last_exc", value) < 0) {
        PyErr_Clear();
    }
#endif
    hook = PySys_GetObject("excepthook");                /* borrowed */
    r = NULL;
    if (hook != NULL && hook != Py_None) {
        r = PyObject_CallFunctionObjArgs(hook, type, value,
                                         tb ? tb : Py_None, NULL);
    }
    if (r == NULL) {
        PyErr_Clear();
        PyErr_Display(type, value, tb ? tb : Py_None);
    }
    Py_XDECREF(r);
    Py_XDECREF(tb);
    cpdb_exc_restore(&st);
}

/* --- PEP 523: a gate on every frame evaluation (3.10, 3.11) ------------- */

CpdbGateFilter cpdb_gate_filter;

#if CPDB_HAVE_EVAL_HOOK
static CpdbGateEnter gate_enter;
static CpdbGateLeave gate_leave;

/* Whether the hook can run this frame as is: the common case, decided
   from the filter alone. */
static inline int
gate_passes(PyThreadState *tstate, PyCodeObject *code)
{
    CpdbGateFilter *f = &cpdb_gate_filter;
    size_t slot;
    /* A trace function in the slot that the gate did not set is the
       program's (sys.settrace, a C tracer): its owner must see it.  In
       threads other than the followed one the slot alone says whether
       tracing is on (the gate keeps it). */
    if (tstate->c_tracefunc != NULL || f->all
        || (tstate == f->thread && f->tracing) || f->thread == NULL) {
        return 0;
    }
    slot = cpdb_gate_slot(code);
    return f->cache[slot].code == code && f->cache[slot].gen == f->gen
           && !f->cache[slot].need;
}

/* The frame the hook is given: 3.11's private _PyInterpreterFrame, or
   3.10's frame object.  Both hold the code object in f_code. */
#if PY_VERSION_HEX >= 0x030B0000
typedef struct _PyInterpreterFrame EvalFrame;
#else
typedef PyFrameObject EvalFrame;
#endif

static PyObject *run_gated(PyThreadState *tstate, EvalFrame *frame,
                           int throwflag);

/* gated_eval's arguments, to run it on a new stack segment. */
typedef struct DeepEval {
    PyThreadState *tstate;
    EvalFrame *frame;
    int throwflag;
} DeepEval;

static void *
deep_eval(void *arg)
{
    DeepEval *d = arg;
    return run_gated(d->tstate, d->frame, d->throwflag);
}

/* Each frame the hook runs is a C call (python 3.11 makes none for a
   Python-to-Python call): where the thread's stack ends, the frame goes
   on on more stack (stack.h), so that a recursion python runs runs. */
static PyObject *
gated_eval(PyThreadState *tstate, EvalFrame *frame, int throwflag)
{
    if (cpdb_stack_is_low()) {
        DeepEval d = {tstate, frame, throwflag};
        return cpdb_stack_call(deep_eval, &d);
    }
    return run_gated(tstate, frame, throwflag);
}

/* The hook's work, on whatever stack it runs. */
static inline PyObject *
run_gated(PyThreadState *tstate, EvalFrame *frame, int throwflag)
{
    PyObject *result;
    int state;
    if (gate_passes(tstate, frame->f_code)) {
        unsigned gen = cpdb_gate_filter.gen;
        result = _PyEval_EvalFrameDefault(tstate, frame, throwflag);
        if (cpdb_gate_filter.gen != gen) {
            gate_leave(CPDB_GATE_FAST | (int)(gen & CPDB_GATE_GEN_MASK));
        }
        return result;
    }
    state = gate_enter(tstate, frame->f_code);
    result = _PyEval_EvalFrameDefault(tstate, frame, throwflag);
    gate_leave(state);
    return result;
}

int
cpdb_eval_gate_install(CpdbGateEnter enter, CpdbGateLeave leave)
{
    /* The frame-evaluation hook of PEP 523, private API on these
       versions: it is the only way to act when a frame starts without a
       trace function set (which would slow every frame down). */
    gate_enter = enter;
    gate_leave = leave;
    _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(),
                                         gated_eval);
    return 0;
}

void
cpdb_eval_gate_remove(void)
{
    _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(),
                                         _PyEval_EvalFrameDefault);
}
#else
int
cpdb_eval_gate_install(CpdbGateEnter enter, CpdbGateLeave leave)
{
    (void)enter;
    (void)leave;
    return -1;
}

void
cpdb_eval_gate_remove(void)
{
}
#endif

int
cpdb_call_done(PyObject *r)
{
    if (r == NULL) {
        PyErr_Clear();
        return -1;
    }
    Py_DECREF(r);
    return 0;
}
