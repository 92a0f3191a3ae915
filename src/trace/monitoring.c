/* The monitoring backend: sys.monitoring (PEP 669, Python 3.12+), with
   C functions as callbacks, under the debugger's tool id.

   Two regimes, chosen again whenever the stepper or the breakpoints
   change:
   - breakpoints only ("continue"): the start and resume events of every
     code object are watched once, to find code that holds breakpoints;
     each returns DISABLE afterwards.  Code with breakpoints gets local
     LINE (and JUMP, for one-line loops) events, and the lines of it that
     hold none return DISABLE.  After the first pass through each code
     object the program runs without callbacks.
   - stepping (step, next, finish, until, start, Ctrl-C): the events of
     legacy tracing (start, resume, throw, return, yield, unwind, raise,
     stop-iteration, line, backward jump) go to the stepper exactly as
     Python's own sys.settrace emulation delivers them, so pdb's rules
     apply unchanged.  For next/until/finish, events of code objects that
     cannot stop return DISABLE.
   Locations disabled under one regime come back with restart_events()
   when the next begins.

   The tool id is the debugger's (DEBUGGER_ID) unless the program holds
   it.  A program may want that id too (a tool of its own): cpdb hides its
   id from the program (get_tool says it is free, the other functions
   say it is not in use, as python does) and, when the program asks for
   it with use_tool_id, moves itself to a free id first, breakpoints and
   all, so the program gets the id as under python. */
#include "trace/trace.h"
#include "base/util.h"

enum {
    EV_PY_START = 1, EV_PY_RESUME = 2, EV_PY_RETURN = 4, EV_PY_YIELD = 8,
    EV_LINE = 32, EV_JUMP = 128, EV_STOP_ITERATION = 512, EV_RAISE = 1024,
    EV_PY_UNWIND = 4096, EV_PY_THROW = 8192
};

#define DEBUGGER_ID 0       /* sys.monitoring.DEBUGGER_ID */
#define N_TOOLS 6           /* ids 0..5 are the tools' */

/* The functions of sys.monitoring that take a tool id.  cpdb calls
   python's own (the program sees wrappers, see above). */
enum {
    F_USE, F_FREE, F_GET_TOOL, F_REGISTER, F_SET_EVENTS, F_GET_EVENTS,
    F_SET_LOCAL, F_GET_LOCAL, N_FUNCS
};
static const char *const func_names[N_FUNCS] = {
    "use_tool_id", "free_tool_id", "get_tool", "register_callback",
    "set_events", "get_events", "set_local_events", "get_local_events",
};

static const unsigned long all_events =
    EV_PY_START | EV_PY_RESUME | EV_PY_THROW | EV_PY_RETURN | EV_PY_YIELD
    | EV_PY_UNWIND | EV_RAISE | EV_STOP_ITERATION | EV_LINE | EV_JUMP;

typedef struct MonState {
    CpdbTraceClient *client;    /* borrowed: the client served */
    PyObject *monitoring;   /* strong: sys.monitoring */
    PyObject *disable;      /* strong: sys.monitoring.DISABLE */
    PyObject *local_codes;  /* strong list: code objects given local
                               events, to clear them later */
    int stepping;           /* the regime: 1 stepping, 0 breakpoints */
    int catching;           /* a catchpoint is set: RAISE is on in
                               both regimes (off otherwise, so that a
                               plain run pays nothing for it) */
    unsigned bp_gen;        /* the breakpoints' generation when events
                               were last restarted */
    int tool;               /* the tool id held */
    unsigned long events;   /* the global events set for it */
    PyObject *orig[N_FUNCS];    /* strong: python's functions, kept for
                                   good (the program may keep a wrapper
                                   and call it after cpdb stops) */
} MonState;

static MonState mon;

static PyObject *
disable(void)
{
    return Py_NewRef(mon.disable);
}

/* The client, if this event is one to look at: not while the debugger
   itself runs Python.  Events come from every thread (they are global to
   the interpreter): the engine tells the threads apart. */
static CpdbTraceClient *
client_for_event(void)
{
    CpdbTraceClient *c = mon.client;
    if (c == NULL || cpdb_trace_ignored(c)) {
        return NULL;
    }
    return c;
}

/* The stepper may stop in frames of this code (next/until/finish). */
static int
code_matters(CpdbTraceClient *c, PyObject *code)
{
    return c->code_matters(c->ctx, (PyCodeObject *)code);
}

/* Deliver one event for the frame running now. */
static PyObject *
deliver(CpdbTraceClient *c, CpdbEvent ev, PyObject *arg)
{
    PyFrameObject *frame = PyEval_GetFrame();           /* borrowed */
    if (frame == NULL) {
        Py_RETURN_NONE;
    }
    c->n_events[ev]++;
    if (c->on_event(c->ctx, frame, ev, arg) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static int
set_local(PyObject *code, unsigned long events)
{
    return cpdb_call_done(PyObject_CallFunction(mon.orig[F_SET_LOCAL], "iOk",
                                               mon.tool, code, events));
}

/* Give a code object with breakpoints its LINE and JUMP events. */
static void
watch_code(PyObject *code)
{
    if (PySequence_Contains(mon.local_codes, code) == 1) {
        return;
    }
    PyErr_Clear();
    if (set_local(code, EV_LINE | EV_JUMP) == 0
        && PyList_Append(mon.local_codes, code) < 0) {
        PyErr_Clear();
    }
}

/* --- callbacks ----------------------------------------------------------- */

static PyObject *
cb_start(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    PyObject *code = nargs > 0 ? args[0] : NULL;
    (void)self;
    if (c == NULL || code == NULL || !PyCode_Check(code)) {
        Py_RETURN_NONE;
    }
    if (!mon.stepping) {
        if (c->code_has_breaks(c->ctx, (PyCodeObject *)code)) {
            watch_code(code);
            if (c->code_has_function_break(c->ctx, (PyCodeObject *)code)) {
                return deliver(c, CPDB_EV_CALL, Py_None);
            }
            /* Start events stay on in code with breakpoints: 3.13 gives
               the local line event of a one-line function (a lambda)
               only while its start event is on, and events are not
               restarted at every resume (monitoring_refresh). */
            Py_RETURN_NONE;
        }
        return disable();
    }
    if (!code_matters(c, code)
        && !c->code_has_function_break(c->ctx, (PyCodeObject *)code)
        && !c->file_has_breaks(c->ctx, (PyCodeObject *)code)) {
        return disable();
    }
    return deliver(c, CPDB_EV_CALL, Py_None);
}

/* PY_THROW cannot be disabled; it is a call for the stepper. */
static PyObject *
cb_throw(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    (void)self;
    (void)args;
    (void)nargs;
    if (c == NULL || !mon.stepping) {
        Py_RETURN_NONE;
    }
    return deliver(c, CPDB_EV_CALL, Py_None);
}

static PyObject *
line_event(CpdbTraceClient *c, PyObject *code, int line)
{
    if (!mon.stepping) {
        if (!c->line_has_break(c->ctx, (PyCodeObject *)code, line)) {
            return disable();
        }
    }
    else if (!code_matters(c, code)) {
        return disable();
    }
    return deliver(c, CPDB_EV_LINE, Py_None);
}

static PyObject *
cb_line(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    long line;
    (void)self;
    if (c == NULL || nargs < 2 || !PyCode_Check(args[0])) {
        Py_RETURN_NONE;
    }
    line = PyLong_AsLong(args[1]);
    if (line < 0) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return line_event(c, args[0], (int)line);
}

/* A backward jump within one line (a one-line loop) is a line event for
   sys.settrace; other jumps are not. */
static PyObject *
cb_jump(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    long from, to;
    int from_line, to_line;
    (void)self;
    if (c == NULL || nargs < 3 || !PyCode_Check(args[0])) {
        Py_RETURN_NONE;
    }
    from = PyLong_AsLong(args[1]);
    to = PyLong_AsLong(args[2]);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (to > from) {
        return disable();
    }
    from_line = PyCode_Addr2Line((PyCodeObject *)args[0], (int)from);
    to_line = PyCode_Addr2Line((PyCodeObject *)args[0], (int)to);
    if (to_line != from_line || to_line < 0) {
        return disable();
    }
    return line_event(c, args[0], to_line);
}

static PyObject *
cb_return(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    (void)self;
    if (c == NULL || nargs < 3 || !mon.stepping) {
        Py_RETURN_NONE;
    }
    if (!code_matters(c, args[0])) {
        return disable();
    }
    return deliver(c, CPDB_EV_RETURN, args[2]);
}

/* PY_UNWIND cannot be disabled: a frame left by an exception returns
   None for the stepper. */
static PyObject *
cb_unwind(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    (void)self;
    if (c == NULL || nargs < 3 || !mon.stepping
        || !code_matters(c, args[0])) {
        Py_RETURN_NONE;
    }
    return deliver(c, CPDB_EV_RETURN, Py_None);
}

static PyObject *
exception_event(CpdbTraceClient *c, PyObject *exc)
{
    PyObject *tb, *tuple, *r;
    if (!PyExceptionInstance_Check(exc)) {
        Py_RETURN_NONE;
    }
    tb = PyException_GetTraceback(exc);
    tuple = PyTuple_Pack(3, (PyObject *)Py_TYPE(exc), exc,
                         tb ? tb : Py_None);
    Py_XDECREF(tb);
    if (tuple == NULL) {
        return NULL;
    }
    r = deliver(c, CPDB_EV_EXCEPTION, tuple);
    Py_DECREF(tuple);
    return r;
}

/* RAISE cannot be disabled: it is on only while stepping or while a
   catchpoint is set. */
static PyObject *
cb_raise(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    (void)self;
    if (c == NULL || nargs < 3 || !(mon.stepping || mon.catching)) {
        Py_RETURN_NONE;
    }
    return exception_event(c, args[2]);
}

static PyObject *
cb_stop_iteration(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CpdbTraceClient *c = client_for_event();
    (void)self;
    if (c == NULL || nargs < 3 || !mon.stepping) {
        Py_RETURN_NONE;
    }
    return exception_event(c, args[2]);
}

static PyMethodDef callbacks[] = {
    {"cpdb_start", (PyCFunction)(void (*)(void))cb_start, METH_FASTCALL,
     NULL},
    {"cpdb_throw", (PyCFunction)(void (*)(void))cb_throw, METH_FASTCALL,
     NULL},
    {"cpdb_line", (PyCFunction)(void (*)(void))cb_line, METH_FASTCALL, NULL},
    {"cpdb_jump", (PyCFunction)(void (*)(void))cb_jump, METH_FASTCALL, NULL},
    {"cpdb_return", (PyCFunction)(void (*)(void))cb_return, METH_FASTCALL,
     NULL},
    {"cpdb_unwind", (PyCFunction)(void (*)(void))cb_unwind, METH_FASTCALL,
     NULL},
    {"cpdb_raise", (PyCFunction)(void (*)(void))cb_raise, METH_FASTCALL,
     NULL},
    {"cpdb_stop_iteration",
     (PyCFunction)(void (*)(void))cb_stop_iteration, METH_FASTCALL, NULL},
};

/* Which callback each event goes to. */
static const struct {
    unsigned long event;
    int callback;           /* index in callbacks[] */
} routes[] = {
    {EV_PY_START, 0}, {EV_PY_RESUME, 0}, {EV_PY_THROW, 1}, {EV_LINE, 2},
    {EV_JUMP, 3}, {EV_PY_RETURN, 4}, {EV_PY_YIELD, 4}, {EV_PY_UNWIND, 5},
    {EV_RAISE, 6}, {EV_STOP_ITERATION, 7},
};

/* --- the backend --------------------------------------------------------- */

static void monitoring_refresh(CpdbTraceClient *c, PyFrameObject *top);

static int
set_events(unsigned long events)
{
    PyObject *r = PyObject_CallFunction(mon.orig[F_SET_EVENTS], "ik",
                                        mon.tool, events);
    Py_XDECREF(r);
    mon.events = events;
    return r ? 0 : -1;
}

/* Take tool id and point its events at cpdb's callbacks.
   Return 0, or -1 with an exception set. */
static int
take_tool(int tool)
{
    PyObject *r = PyObject_CallFunction(mon.orig[F_USE], "is", tool,
                                        "cpdb");
    size_t i;
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    for (i = 0; i < CPDB_ARRAY_LEN(routes); i++) {
        PyObject *fn = PyCFunction_New(&callbacks[routes[i].callback], NULL);
        r = fn ? PyObject_CallFunction(mon.orig[F_REGISTER], "ikO", tool,
                                       routes[i].event, fn)
               : NULL;
        Py_XDECREF(fn);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    return 0;
}

/* Give tool id back: no events, no callbacks, free.  Leaves no
   exception. */
static void
drop_tool(int tool)
{
    PyObject *r;
    size_t i;
    r = PyObject_CallFunction(mon.orig[F_SET_EVENTS], "ik", tool, 0UL);
    Py_XDECREF(r);
    for (i = 0; i < CPDB_ARRAY_LEN(routes); i++) {
        r = PyObject_CallFunction(mon.orig[F_REGISTER], "ikO", tool,
                                  routes[i].event, Py_None);
        Py_XDECREF(r);
    }
    r = PyObject_CallFunction(mon.orig[F_FREE], "i", tool);
    Py_XDECREF(r);
    PyErr_Clear();
}

/* Return: a tool id nobody holds, or -1.  The debugger's first, then
   those python names for no kind of tool, then the others (coverage's
   last: coverage tools ask for it most). */
static int
free_tool(void)
{
    static const int order[N_TOOLS] = {DEBUGGER_ID, 3, 4, 5, 2, 1};
    int k;
    for (k = 0; k < N_TOOLS; k++) {
        int i = order[k];
        PyObject *name = PyObject_CallFunction(mon.orig[F_GET_TOOL], "i",
                                               i);
        int is_free = name == Py_None;
        Py_XDECREF(name);
        PyErr_Clear();
        if (is_free) {
            return i;
        }
    }
    return -1;
}

/* The program asks for the id cpdb holds: move to a free one with the
   same events, local events included.  Return 0, or -1 (no id free: the
   program gets python's "already in use"). */
static int
move_tool(void)
{
    int old = mon.tool, to = free_tool();
    Py_ssize_t i;
    if (to < 0 || take_tool(to) < 0) {
        PyErr_Clear();
        return -1;
    }
    /* Local events outlive set_events(0) and free_tool_id: the program
       would get the line events of cpdb's code objects. */
    for (i = 0; i < PyList_GET_SIZE(mon.local_codes); i++) {
        set_local(PyList_GET_ITEM(mon.local_codes, i), 0);
    }
    drop_tool(old);
    mon.tool = to;
    set_events(mon.events);
    for (i = 0; i < PyList_GET_SIZE(mon.local_codes); i++) {
        set_local(PyList_GET_ITEM(mon.local_codes, i), EV_LINE | EV_JUMP);
    }
    PyErr_Clear();
    return 0;
}

/* --- what the program sees of sys.monitoring ----------------------------- */

/* Whether a call's first argument is the tool id cpdb holds. */
static int
is_cpdb_tool(PyObject *const *args, Py_ssize_t nargs)
{
    long tool;
    if (nargs < 1 || mon.monitoring == NULL || !PyLong_Check(args[0])) {
        return 0;
    }
    tool = PyLong_AsLong(args[0]);
    if (tool == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return tool == mon.tool;
}

/* Return: what python's function f returns (new reference), or NULL
   with an exception set. */
static PyObject *
call_orig(int f, PyObject *const *args, Py_ssize_t nargs)
{
    return PyObject_Vectorcall(mon.orig[f], args, (size_t)nargs, NULL);
}

static PyObject *
wrap_use(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (is_cpdb_tool(args, nargs)) {
        move_tool();
    }
    return call_orig(F_USE, args, nargs);
}

/* cpdb's id is free as far as the program knows. */
static PyObject *
wrap_free(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (is_cpdb_tool(args, nargs)) {
        Py_RETURN_NONE;
    }
    return call_orig(F_FREE, args, nargs);
}

static PyObject *
wrap_get_tool(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (is_cpdb_tool(args, nargs)) {
        Py_RETURN_NONE;
    }
    return call_orig(F_GET_TOOL, args, nargs);
}

/* The other functions say of cpdb's id what python says of a free one. */
static PyObject *
checked(int f, PyObject *const *args, Py_ssize_t nargs)
{
    if (is_cpdb_tool(args, nargs)) {
        PyErr_Format(PyExc_ValueError, "tool %d is not in use", mon.tool);
        return NULL;
    }
    return call_orig(f, args, nargs);
}

#define CHECKED_WRAPPER(name, f)                                           \
    static PyObject *                                                      \
    name(PyObject *self, PyObject *const *args, Py_ssize_t nargs)          \
    {                                                                      \
        (void)self;                                                        \
        return checked(f, args, nargs);                                    \
    }
CHECKED_WRAPPER(wrap_register, F_REGISTER)
CHECKED_WRAPPER(wrap_set_events, F_SET_EVENTS)
CHECKED_WRAPPER(wrap_get_events, F_GET_EVENTS)
CHECKED_WRAPPER(wrap_set_local, F_SET_LOCAL)
CHECKED_WRAPPER(wrap_get_local, F_GET_LOCAL)

#define WRAPPER_DEF(fn)                                                    \
    {NULL, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, NULL}
/* In the order of F_*; names and docs are filled from python's
   functions. */
static PyMethodDef wrapper_defs[N_FUNCS] = {
    WRAPPER_DEF(wrap_use),
    WRAPPER_DEF(wrap_free),
    WRAPPER_DEF(wrap_get_tool),
    WRAPPER_DEF(wrap_register),
    WRAPPER_DEF(wrap_set_events),
    WRAPPER_DEF(wrap_get_events),
    WRAPPER_DEF(wrap_set_local),
    WRAPPER_DEF(wrap_get_local),
};

/* Keep python's functions and show the program wrappers that look like
   them (same name, module, __self__, doc).  Return 0, or -1 with an
   exception set. */
static int
wrap_functions(void)
{
    PyObject *modname = PyObject_GetAttrString(mon.monitoring, "__name__");
    int f, rc = -1;
    if (modname == NULL) {
        return -1;
    }
    for (f = 0; f < N_FUNCS; f++) {
        PyObject *fn;
        PyObject *cur = PyObject_GetAttrString(mon.monitoring, func_names[f]);
        int is_wrapper = cur != NULL && PyCFunction_Check(cur)
            && PyCFunction_GET_FUNCTION(cur) == wrapper_defs[f].ml_meth;
        if (mon.orig[f] == NULL) {
            if (cur == NULL || !PyCFunction_Check(cur) || is_wrapper) {
                Py_XDECREF(cur);
                PyErr_Clear();
                PyErr_Format(PyExc_RuntimeError, "sys.monitoring.%s is "
                             "not python's", func_names[f]);
                goto done;
            }
            mon.orig[f] = cur;
            cur = NULL;
            wrapper_defs[f].ml_name = func_names[f];
            wrapper_defs[f].ml_doc =
                ((PyCFunctionObject *)mon.orig[f])->m_ml->ml_doc;
        }
        Py_XDECREF(cur);
        PyErr_Clear();
        if (is_wrapper) {
            continue;
        }
        fn = PyCFunction_NewEx(&wrapper_defs[f], mon.monitoring, modname);
        if (fn == NULL || PyObject_SetAttrString(mon.monitoring,
                                                 func_names[f], fn) < 0) {
            Py_XDECREF(fn);
            goto done;
        }
        Py_DECREF(fn);
    }
    rc = 0;
done:
    Py_DECREF(modname);
    return rc;
}

/* Put python's functions back where the wrappers still are.  Leaves no
   exception. */
static void
unwrap_functions(void)
{
    int f;
    for (f = 0; f < N_FUNCS; f++) {
        PyObject *cur;
        if (mon.orig[f] == NULL) {
            continue;
        }
        cur = PyObject_GetAttrString(mon.monitoring, func_names[f]);
        if (cur != NULL && PyCFunction_Check(cur)
            && PyCFunction_GET_FUNCTION(cur) == wrapper_defs[f].ml_meth) {
            PyObject_SetAttrString(mon.monitoring, func_names[f],
                                   mon.orig[f]);
        }
        Py_XDECREF(cur);
    }
    PyErr_Clear();
}

static void
clear_local_events(void)
{
    Py_ssize_t i;
    if (mon.local_codes == NULL) {
        return;
    }
    for (i = 0; i < PyList_GET_SIZE(mon.local_codes); i++) {
        set_local(PyList_GET_ITEM(mon.local_codes, i), 0);
    }
    PyList_SetSlice(mon.local_codes, 0, PyList_GET_SIZE(mon.local_codes),
                    NULL);
}

static int
monitoring_start(CpdbTraceClient *c)
{
    PyObject *sys = PyImport_ImportModule("sys");

    if (sys == NULL) {
        return -1;
    }
    mon.monitoring = PyObject_GetAttrString(sys, "monitoring");
    Py_DECREF(sys);
    if (mon.monitoring == NULL) {
        PyErr_Clear();
        PyErr_SetString(PyExc_RuntimeError,
                        "the monitoring backend needs Python 3.12 or newer");
        return -1;
    }
    mon.disable = PyObject_GetAttrString(mon.monitoring, "DISABLE");
    mon.local_codes = PyList_New(0);
    if (mon.disable == NULL || mon.local_codes == NULL) {
        goto error;
    }
    if (wrap_functions() < 0) {
        goto error;
    }
    /* The debugger's id, or another if a tool of the host holds it. */
    mon.tool = free_tool();
    if (mon.tool < 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "every sys.monitoring tool id is in use");
        goto error;
    }
    if (take_tool(mon.tool) < 0) {
        goto error;
    }
    mon.client = c;
    mon.stepping = -1;
    monitoring_refresh(c, PyEval_GetFrame());
    return 0;
error:
    if (mon.monitoring != NULL) {
        CpdbExcState st;
        cpdb_exc_save(&st);
        unwrap_functions();
        cpdb_exc_restore(&st);
    }
    Py_CLEAR(mon.local_codes);
    Py_CLEAR(mon.disable);
    Py_CLEAR(mon.monitoring);
    return -1;
}

static void
monitoring_stop(CpdbTraceClient *c)
{
    CpdbExcState st;
    if (mon.client != c || mon.monitoring == NULL) {
        return;
    }
    cpdb_exc_save(&st);
    clear_local_events();
    drop_tool(mon.tool);
    unwrap_functions();
    cpdb_exc_restore(&st);
    mon.client = NULL;
    Py_CLEAR(mon.local_codes);
    Py_CLEAR(mon.disable);
    Py_CLEAR(mon.monitoring);
}

static void
monitoring_refresh(CpdbTraceClient *c, PyFrameObject *top)
{
    CpdbExcState exc;
    PyObject *r;
    PyFrameObject *f;
    PyThreadState *ts;
    int stepping = c->is_stepping(c->ctx);
    int catching = c->wants_exceptions(c->ctx);

    if (mon.client != c || mon.monitoring == NULL) {
        return;
    }
    cpdb_exc_save(&exc);
    /* Bring back what the previous regime disabled, unless the program
       goes on running to the same breakpoints (continue after a
       breakpoint stop): what was disabled then still cannot stop.
       restart_events() is global, so it also gives back the events the
       program's own tools disabled, and makes every code object start
       once more: it is not done when nothing needs it. */
    if (stepping || mon.stepping != 0 || *c->bp_generation != mon.bp_gen) {
        clear_local_events();
        set_events(stepping ? all_events
                   : (unsigned long)(EV_PY_START | EV_PY_RESUME
                                     | (catching ? EV_RAISE : 0)));
        r = PyObject_CallMethod(mon.monitoring, "restart_events", NULL);
        Py_XDECREF(r);
        mon.bp_gen = *c->bp_generation;
    }
    mon.stepping = stepping;
    mon.catching = catching;
    /* Frames already running do not start again: give those whose code
       holds breakpoints their line events now, in every thread (local
       events belong to the code object, whichever thread runs it). */
    f = (PyFrameObject *)Py_XNewRef(top);
    ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
    while (!stepping && (f != NULL || ts != NULL)) {
        PyCodeObject *code;
        PyFrameObject *back;
        if (f == NULL) {
            f = ts != PyThreadState_Get() ? PyThreadState_GetFrame(ts)
                                          : NULL;
            ts = PyThreadState_Next(ts);
            continue;
        }
        code = PyFrame_GetCode(f);
        back = PyFrame_GetBack(f);
        if (c->code_has_breaks(c->ctx, code)) {
            watch_code((PyObject *)code);
        }
        Py_DECREF(code);
        Py_DECREF(f);
        f = back;
    }
    Py_XDECREF(f);
    PyErr_Clear();
    cpdb_exc_restore(&exc);
}

/* The list of code objects given local events. */
static PyObject *
monitoring_own_object(void)
{
    return mon.local_codes;
}

const CpdbTraceBackend cpdb_trace_monitoring = {
    "monitoring",
    monitoring_start,
    monitoring_stop,
    monitoring_refresh,
    monitoring_own_object,
};
