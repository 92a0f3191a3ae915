/* The legacy trace backend: a C trace function (PyEval_SetTrace).

   Every event of a traced frame reaches trace_event(); line events are
   switched off per frame (f_trace_lines) at the frame's call event when
   the frame cannot stop.

   On 3.10 and 3.11 a trace function, once set, makes the interpreter run
   every instruction of every frame through its slow tracing path.  So
   there the trace function is set only while a frame that may stop runs:
   a gate on frame evaluation (PEP 523) sees each frame start and end,
   switches tracing on for frames whose code holds a breakpoint, or that
   next/until/finish watch, or for every frame while stepping, and puts
   back what the caller needs when the frame ends.  On 3.12+ tracing is
   emulated over sys.monitoring and this gate does not exist; the
   monitoring backend is the fast one there.

   The thread has one trace slot, and the program may want it too
   (sys.settrace, threading.settrace, a C tracer such as coverage's).
   The program's trace function is never replaced: cpdb notices it in
   the slot (through the gate, and at once through sys.settrace, which
   it wraps while it runs) and chains, calling the program's function
   first and its own after.  The slot then holds chain_event with the
   program's object, so sys.gettrace() returns the program's tracer as
   it does under python, and frames keep their line events. */
#include "trace/trace.h"
#include "base/util.h"

/* The client being served.  PyEval_SetTrace has one slot per thread
   and cpdb traces one program at a time, so one pointer suffices. */
static CpdbTraceClient *traced;

/* The thread followed, whether the trace function is set, whether every
   frame needs it, the generation of decisions and their cache: shared
   with the frame-evaluation hook, which decides most frames alone. */
#define gate cpdb_gate_filter
#define traced_thread (gate.thread)
#define trace_on (gate.tracing)
#define gate_gen (gate.gen)
#define gate_all (gate.all)

/* The frames the gate let in with work to do (not the fast ones),
   innermost last: the frame's code (borrowed: held by the running frame)
   and the generation when it began. */
typedef struct GateEntry {
    PyCodeObject *code;
    unsigned gen;
    int caller_traced;          /* tracing was on when this frame began:
                                   its caller ran with it */
} GateEntry;

static CPDB_ARRAY(GateEntry) gate_stack;

/* The program's own trace function in the followed thread, found in
   the slot where cpdb expected its own: NULL, or the function and its
   object (strong). */
static Py_tracefunc prog_func;
static PyObject *prog_obj;

static int trace_event(PyObject *obj, PyFrameObject *frame, int what,
                       PyObject *arg);
static int chain_event(PyObject *obj, PyFrameObject *frame, int what,
                       PyObject *arg);

static void
put_in_slot(Py_tracefunc fn, PyObject *obj)
{
    CpdbExcState st;
    cpdb_exc_save(&st);
    cpdb_set_trace(fn, obj);
    PyErr_Clear();
    cpdb_exc_restore(&st);
}

/* Adopt what the program put in the slot behind cpdb's back (a trace
   function, or none), then make the slot hold what it must: the chain
   while the program has a tracer, else cpdb's function while it wants
   events, else nothing.  Acts in the followed thread only: the slot is
   per thread. */
static void
sync_slot(void)
{
    Py_tracefunc fn, want_fn;
    PyObject *obj, *want_obj;
    if (traced == NULL || PyThreadState_Get() != traced_thread) {
        return;
    }
    cpdb_get_trace(traced_thread, &fn, &obj);
    if (fn != chain_event && fn != trace_event
        && (fn != NULL || prog_func != NULL || trace_on)) {
        /* The program set a tracer (fn), or removed its own or ours. */
        PyObject *old = prog_obj;
        prog_func = fn;
        prog_obj = Py_XNewRef(obj);
        Py_XDECREF(old);
    }
    want_fn = prog_func ? chain_event : trace_on ? trace_event : NULL;
    want_obj = prog_func ? prog_obj : NULL;
    if (fn != want_fn || obj != want_obj) {
        put_in_slot(want_fn, want_obj);
    }
}

static inline void
set_tracing(int on)
{
    trace_on = on;
    sync_slot();
}

/* The cache knows a code object by its address, which a new code
   object may take once the old one is gone (code compiled and dropped
   at run time: exec, cProfile's main, templates).  So that a decision
   never outlives its code object, each code object in the cache carries
   an extra slot whose free function, run when the code object is
   deallocated, takes it out of the cache.  The extra is the code's own
   address (identity only). */
static Py_ssize_t gate_extra = -1;

static void
gate_code_freed(void *extra)
{
    size_t slot = cpdb_gate_slot((PyCodeObject *)extra);
    if (gate.cache[slot].code == (PyCodeObject *)extra) {
        gate.cache[slot].code = NULL;
    }
}

/* Return: 1 when the code object will leave the cache when it goes. */
static int
watch_code(PyCodeObject *code)
{
    void *extra = NULL;
    if (gate_extra < 0) {
        gate_extra = cpdb_code_extra_index(gate_code_freed);
    }
    if (gate_extra < 0
        || cpdb_code_get_extra((PyObject *)code, gate_extra, &extra) < 0
        || (extra == NULL
            && cpdb_code_set_extra((PyObject *)code, gate_extra, code) < 0)) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

/* Every frame runs with the trace function: while stepping, and while
   a catchpoint is set, since only a trace function hears of an
   exception being raised (the frames that cannot stop still get no
   line events: f_trace_lines is off in them). */
static int
wants_every_frame(CpdbTraceClient *c)
{
    return c->wants_all(c->ctx) || c->wants_exceptions(c->ctx);
}

/* Whether frames of code need tracing for what they are (breakpoints,
   the frames next/until/finish watch), whatever the thread; cached. */
static int
code_wanted(CpdbTraceClient *c, PyCodeObject *code)
{
    size_t slot = cpdb_gate_slot(code);
    int need;
    if (gate.cache[slot].code == code && gate.cache[slot].gen == gate_gen) {
        return gate.cache[slot].need;
    }
    need = c->wants_code(c->ctx, code);
    if (!watch_code(code)) {
        return need;        /* not cached: it could outlive the code */
    }
    gate.cache[slot].code = code;
    gate.cache[slot].gen = gate_gen;
    gate.cache[slot].need = need;
    return need;
}

static inline int
code_needs_tracing(CpdbTraceClient *c, PyCodeObject *code)
{
    return gate_all || code_wanted(c, code);
}

/* --- the other threads --------------------------------------------------

   The state above (trace_on, the gate's stack, the program's tracer) is
   the followed thread's: the main one, where the program starts.  Every
   other thread gets cpdb's trace function only while one of its frames
   may stop: the gate decides per frame, from the same cache, and keeps
   the answer in the thread's own slot, so a thread that runs no code
   with breakpoints pays what the main thread pays.  Stepping follows
   one thread: only that one gets every frame traced.  A thread whose
   slot holds the program's tracer (threading.settrace) is left to it. */

/* Return: 1 when the calling thread's slot holds cpdb's function, 0
   when it is empty, -1 when it holds the program's tracer. */
static int
other_slot(void)
{
    Py_tracefunc fn;
    PyObject *obj;
    cpdb_get_trace(PyThreadState_Get(), &fn, &obj);
    return fn == trace_event ? 1 : fn == NULL ? 0 : -1;
}

static int
other_needs_tracing(CpdbTraceClient *c, PyCodeObject *code)
{
    if (gate_all && (c->wants_exceptions(c->ctx)
                     || c->in_step_thread(c->ctx))) {
        return 1;
    }
    return code_wanted(c, code);
}

/* Put cpdb's function in the calling thread's slot or take it out,
   unless the program's tracer is there. */
static void
other_set_tracing(int on)
{
    int now = other_slot();
    if (now >= 0 && now != on) {
        put_in_slot(on ? trace_event : NULL, NULL);
    }
}

/* gate_enter() for a thread other than the followed one.  Return:
   whether tracing was on (for gate_leave), or -1 to leave it alone. */
static int
other_enter(CpdbTraceClient *c, PyCodeObject *code)
{
    int was = other_slot();
    if (was < 0) {
        return -1;
    }
    other_set_tracing(other_needs_tracing(c, code));
    return was;
}

/* gate_leave() for another thread: the caller resumes with tracing as
   it had it; or, when it had none (a fast frame whose callee saw the
   needs change, say), as its code needs now. */
static void
other_leave(CpdbTraceClient *c, int was)
{
    PyFrameObject *f;
    PyCodeObject *code;
    if (was == 1) {
        other_set_tracing(1);
        return;
    }
    f = PyEval_GetFrame();                              /* borrowed */
    if (f == NULL) {
        other_set_tracing(0);
        return;
    }
    code = PyFrame_GetCode(f);
    other_set_tracing(other_needs_tracing(c, code));
    Py_DECREF(code);
}

/* 3.12+ has no gate, and python's emulation of tracing serves a thread
   only once its slot holds a function: nothing of the trace machinery
   hears a new thread start.  A monitoring tool of cpdb's own does: its
   one callback, on every frame's start, puts cpdb's function in the
   slot of a thread other than the followed one that has none (a
   thread's code is traced from its next call on).  The tool is held
   only while something may stop a thread (a program that sets no
   breakpoint sees every id free, as under python).  THREAD_TOOL is an
   id no named tool has; when the program holds it, other threads are
   not followed. */
#if !CPDB_HAVE_EVAL_HOOK
#define THREAD_TOOL 4
#define EV_PY_START 1
#define EV_PY_RESUME 2

static int thread_tool_held;

static PyObject *
thread_start(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    (void)args;
    (void)nargs;
    if (traced != NULL && PyThreadState_Get() != traced_thread
        && other_slot() == 0) {
        put_in_slot(trace_event, NULL);
    }
    Py_RETURN_NONE;
}

/* Named cpdb_*: the heap commands leave it out. */
static PyMethodDef thread_start_def = {
    "cpdb_thread_start", (PyCFunction)(void (*)(void))thread_start,
    METH_FASTCALL, NULL
};

/* Call sys.monitoring.name(THREAD_TOOL, ...) with format's other
   arguments.  Return: 0, or -1 (no exception left set). */
static int
thread_tool_call(const char *name, const char *format, long a,
                 PyObject *b)
{
    PyObject *mon = PySys_GetObject("monitoring");      /* borrowed */
    PyObject *r = NULL;
    if (mon != NULL) {
        r = b != NULL ? PyObject_CallMethod(mon, name, format, THREAD_TOOL,
                                            a, b)
            : format != NULL ? PyObject_CallMethod(mon, name, format,
                                                   THREAD_TOOL, a)
                             : PyObject_CallMethod(mon, name, "i",
                                                   THREAD_TOOL);
    }
    return cpdb_call_done(r);
}

static void
thread_tool_start(void)
{
    PyObject *mon = PySys_GetObject("monitoring");      /* borrowed */
    PyObject *fn;
    CpdbExcState st;
    if (thread_tool_held || mon == NULL) {
        return;
    }
    cpdb_exc_save(&st);
    fn = PyCFunction_New(&thread_start_def, NULL);
    if (fn != NULL) {
        PyObject *r = PyObject_CallMethod(mon, "use_tool_id", "is",
                                          THREAD_TOOL, "cpdb");
        thread_tool_held = r != NULL;
        Py_XDECREF(r);
    }
    if (thread_tool_held
        && (thread_tool_call("register_callback", "ilO", EV_PY_START, fn) < 0
            || thread_tool_call("register_callback", "ilO", EV_PY_RESUME,
                                fn) < 0
            || thread_tool_call("set_events", "il",
                                EV_PY_START | EV_PY_RESUME, NULL) < 0)) {
        thread_tool_call("free_tool_id", NULL, 0, NULL);
        thread_tool_held = 0;
    }
    Py_XDECREF(fn);
    PyErr_Clear();
    cpdb_exc_restore(&st);
}

static void
thread_tool_stop(void)
{
    CpdbExcState st;
    if (!thread_tool_held) {
        return;
    }
    cpdb_exc_save(&st);
    thread_tool_call("set_events", "il", 0, NULL);
    thread_tool_call("register_callback", "ilO", EV_PY_START, Py_None);
    thread_tool_call("register_callback", "ilO", EV_PY_RESUME, Py_None);
    thread_tool_call("free_tool_id", NULL, 0, NULL);
    thread_tool_held = 0;
    cpdb_exc_restore(&st);
}
/* Hold the tool while something may stop a thread; and give the
   calling thread, when it is not the followed one, cpdb's function (a
   stop there goes on stepping in it). */
static void
thread_tool_update(CpdbTraceClient *c)
{
    if (c->may_stop(c->ctx)) {
        thread_tool_start();
        if (PyThreadState_Get() != traced_thread && other_slot() == 0) {
            put_in_slot(trace_event, NULL);
        }
    }
    else {
        thread_tool_stop();
    }
}
#else
static void
thread_tool_update(CpdbTraceClient *c)
{
    (void)c;
}

static void
thread_tool_stop(void)
{
}
#endif

/* What gate_enter() returns for gate_leave(): -1 for a frame the gate
   ignores; 0 or 1, whether tracing was on, for a frame it pushed; or the
   fast mark with the generation, for the common frame that needs no
   tracing and starts with tracing off (it is not pushed: when it ends,
   tracing is still off, unless a stop in between changed the needs). */
#define GATE_FAST CPDB_GATE_FAST
#define GATE_GEN_MASK CPDB_GATE_GEN_MASK

static int
gate_enter(PyThreadState *tstate, PyCodeObject *code)
{
    CpdbTraceClient *c = traced;
    int was = trace_on, need;
    GateEntry e;
    if (c == NULL || cpdb_trace_ignored(c)) {
        return -1;
    }
    if (tstate != traced_thread) {
        return other_enter(c, code);
    }
    sync_slot();            /* a C tracer may have set itself */
    need = code_needs_tracing(c, code);
    if (!need && !was) {
        return GATE_FAST | (int)(gate_gen & GATE_GEN_MASK);
    }
    e.code = code;
    e.gen = gate_gen;
    e.caller_traced = was;
    cpdb_array_push(&gate_stack, e);
    set_tracing(need);
    return was;
}

/* The frame running now, after a callee returned: does it need tracing?
   For callers the gate did not push (fast frames). */
static int
current_frame_needs_tracing(CpdbTraceClient *c)
{
    PyFrameObject *f = PyEval_GetFrame();               /* borrowed */
    PyCodeObject *code;
    int need;
    if (f == NULL) {
        return wants_every_frame(c);
    }
    code = PyFrame_GetCode(f);
    need = code_needs_tracing(c, code);
    Py_DECREF(code);
    return need;
}

static void
gate_leave(int was)
{
    CpdbTraceClient *c = traced;
    unsigned entry_gen;
    if (was < 0 || c == NULL) {
        return;
    }
    if (PyThreadState_Get() != traced_thread) {
        other_leave(c, was);
        return;
    }
    if (was & GATE_FAST) {
        entry_gen = (unsigned)(was & GATE_GEN_MASK);
        if (entry_gen == (gate_gen & GATE_GEN_MASK)) {
            return;             /* tracing is off, as the caller needs */
        }
    }
    else {
        entry_gen = gate_stack.n > 0
                    ? gate_stack.items[gate_stack.n - 1].gen : 0;
        if (gate_stack.n > 0) {
            gate_stack.n--;
        }
        if (entry_gen == gate_gen) {
            set_tracing(was);   /* nothing changed: as before the call */
            return;
        }
    }
    /* A stop, or new breakpoints, came while the callee ran: decide again
       for the frame that resumes. */
    set_tracing(current_frame_needs_tracing(c));
}

/* A generator or coroutine that "await" or "yield from" drives returns
   (3.10, 3.11).
   With a trace function set when the sender ran its SEND, the sender
   gets an exception event for the StopIteration that carries the value
   ("Internal StopIteration" in pdb); without one, the interpreter takes
   a path that raises nothing.  When the gate had tracing off in the
   sender, deliver that event here, so next/finish in a generator stop
   where pdb's do. */
static int
sender_missed_stopiteration(CpdbTraceClient *c, PyFrameObject *frame,
                            PyCodeObject *code, PyObject *value)
{
    GateEntry *e = gate_stack.n > 0 ? &gate_stack.items[gate_stack.n - 1]
                                    : NULL;
    PyFrameObject *sender;
    PyObject *exc, *arg;
    int rc;

    if (e == NULL || e->code != code || e->caller_traced
        || !(code->co_flags & CPDB_GEN_FLAGS) || !c->watches_generator(c->ctx)
        || cpdb_frame_is_yielding(frame)
        || !cpdb_frame_returns_normally(frame)) {
        return 0;
    }
    sender = PyFrame_GetBack(frame);
    if (sender == NULL || !cpdb_frame_is_delegating(sender)) {
        Py_XDECREF(sender);
        return 0;
    }
    exc = PyObject_CallOneArg(PyExc_StopIteration, value ? value : Py_None);
    arg = exc ? PyTuple_Pack(3, PyExc_StopIteration, exc, Py_None) : NULL;
    rc = arg ? c->on_event(c->ctx, sender, CPDB_EV_EXCEPTION, arg) : 0;
    if (arg == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(arg);
    Py_XDECREF(exc);
    Py_DECREF(sender);
    return rc;
}

/* The one trampoline for every event. */
static int
trace_event(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    CpdbTraceClient *c = traced;
    CpdbEvent ev;
    (void)obj;

    if (c == NULL || cpdb_trace_ignored(c)) {
        return 0;
    }
    switch (what) {
    case PyTrace_CALL: {
        PyCodeObject *code = PyFrame_GetCode(frame);
        /* The program's tracer may want lines here: leave them on.  A
           generator's frame resuming keeps what its last call decided:
           turn lines back on when it may stop now (next waiting for
           the coroutine that awaits a finished task). */
        if (prog_func == NULL) {
            int lines = c->wants_lines(c->ctx, frame, code);
            if (!lines || (code->co_flags & CPDB_GEN_FLAGS)) {
                cpdb_frame_set_trace_lines(frame, lines);
            }
        }
        Py_DECREF(code);
        ev = CPDB_EV_CALL;
        break;
    }
    case PyTrace_LINE:
        ev = CPDB_EV_LINE;
        break;
    case PyTrace_RETURN:
        ev = CPDB_EV_RETURN;
        break;
    case PyTrace_EXCEPTION:
        ev = CPDB_EV_EXCEPTION;
        break;
    default:
        return 0;
    }
    c->n_events[ev]++;
    if (c->on_event(c->ctx, frame, ev, arg) < 0) {
        return -1;
    }
    if (ev == CPDB_EV_RETURN && CPDB_HAVE_EVAL_HOOK
        && PyThreadState_Get() == traced_thread) {
        PyCodeObject *code = PyFrame_GetCode(frame);
        int rc = sender_missed_stopiteration(c, frame, code, arg);
        Py_DECREF(code);
        return rc;
    }
    return 0;
}

/* The slot's function while the program has a tracer: the program's
   function sees every event first, as under python (never the events of
   the debugger's own Python), then cpdb's when it wants them. */
static int
chain_event(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    CpdbTraceClient *c = traced;
    Py_tracefunc fn = prog_func;
    int rc = 0;

    if (c != NULL && cpdb_trace_ignored(c)) {
        return 0;
    }
    if (fn != NULL) {
        Py_XINCREF(obj);
        rc = fn(obj, frame, what, arg);
        Py_XDECREF(obj);
        /* It may have changed the slot: sys.settrace inside the tracer,
           or python removing a tracer that raised. */
        sync_slot();
    }
    if (rc < 0) {
        return -1;
    }
    return trace_on ? trace_event(NULL, frame, what, arg) : 0;
}

/* --- sys.settrace -------------------------------------------------------- */

/* sys.settrace and (3.12+) sys._settraceallthreads as python made them
   (strong, kept for good: a program may hold the wrappers). */
static PyObject *orig_settrace, *orig_settrace_all;

/* Call the function python made, then adopt the tracer at once: the
   gate would notice it only at the next call, and on 3.12+ nothing
   else would. */
static PyObject *
call_and_sync(PyObject *orig, PyObject *fn)
{
    PyObject *r;
    if (orig == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "lost sys.settrace");
        return NULL;
    }
    r = PyObject_CallOneArg(orig, fn);
    if (r != NULL) {
        sync_slot();
    }
    return r;
}

static PyObject *
wrap_settrace(PyObject *self, PyObject *fn)
{
    (void)self;
    return call_and_sync(orig_settrace, fn);
}

static PyObject *
wrap_settrace_all(PyObject *self, PyObject *fn)
{
    (void)self;
    return call_and_sync(orig_settrace_all, fn);
}

static PyMethodDef settrace_def = {"settrace", wrap_settrace, METH_O, NULL};
static PyMethodDef settrace_all_def = {"_settraceallthreads",
                                       wrap_settrace_all, METH_O, NULL};

/* Put the wrapper of def in sys (where python's function is found),
   looking as python's does: same name, module, __self__ and doc. */
static void
wrap_sys_function(PyMethodDef *def, PyObject **orig)
{
    CpdbExcState st;
    PyObject *sys, *cur, *mod = NULL, *fn = NULL;

    cpdb_exc_save(&st);
    sys = PyImport_AddModule("sys");                    /* borrowed */
    cur = sys ? PyObject_GetAttrString(sys, def->ml_name) : NULL;
    if (cur == NULL || !PyCFunction_Check(cur)
        || PyCFunction_GET_FUNCTION(cur) == def->ml_meth) {
        goto done;          /* absent (3.10, 3.11), or already wrapped */
    }
    if (*orig == NULL) {
        *orig = Py_NewRef(cur);
        def->ml_doc = ((PyCFunctionObject *)cur)->m_ml->ml_doc;
    }
    mod = PyUnicode_FromString("sys");
    fn = mod ? PyCFunction_NewEx(def, sys, mod) : NULL;
    if (fn == NULL || PyObject_SetAttrString(sys, def->ml_name, fn) < 0) {
        goto done;
    }
done:
    PyErr_Clear();
    Py_XDECREF(fn);
    Py_XDECREF(mod);
    Py_XDECREF(cur);
    cpdb_exc_restore(&st);
}

/* Give sys back python's function if the wrapper is still there.  The
   program may be ending with an exception: it stays pending. */
static void
unwrap_sys_function(PyMethodDef *def, PyObject *orig)
{
    CpdbExcState st;
    PyObject *sys, *cur;
    cpdb_exc_save(&st);
    sys = PyImport_AddModule("sys");                    /* borrowed */
    cur = sys ? PyObject_GetAttrString(sys, def->ml_name) : NULL;
    if (orig != NULL && cur != NULL && PyCFunction_Check(cur)
        && PyCFunction_GET_FUNCTION(cur) == def->ml_meth) {
        PyObject_SetAttrString(sys, def->ml_name, orig);
    }
    PyErr_Clear();
    Py_XDECREF(cur);
    cpdb_exc_restore(&st);
}

/* --- the backend --------------------------------------------------------- */

static int
legacy_start(CpdbTraceClient *c)
{
    traced = c;
    traced_thread = PyThreadState_Get();
    trace_on = 0;
    gate_stack.n = 0;
    gate_gen++;
    gate_all = wants_every_frame(c);
    Py_CLEAR(prog_obj);
    prog_func = NULL;
    wrap_sys_function(&settrace_def, &orig_settrace);
    wrap_sys_function(&settrace_all_def, &orig_settrace_all);
    if (cpdb_eval_gate_install(gate_enter, gate_leave) == 0) {
        set_tracing(gate_all);
    }
    else {
        set_tracing(1);     /* 3.12+: no gate; always on */
        thread_tool_update(c);
    }
    return 0;
}

static void lines_in_other_threads(CpdbTraceClient *c);

/* Whether a thread's slot holds a tracer of the program's, alone or
   chained (anything but cpdb's own function, or nothing). */
static int
any_program_tracer(void)
{
    PyThreadState *ts = PyInterpreterState_ThreadHead(
        PyInterpreterState_Get());
    for (; ts != NULL; ts = PyThreadState_Next(ts)) {
        Py_tracefunc fn;
        PyObject *obj;
        cpdb_get_trace(ts, &fn, &obj);
        if (fn != NULL && fn != trace_event) {
            return 1;
        }
    }
    return 0;
}

/* Put fn in every thread's slot where this Python cannot set one other
   thread's (3.13+), unless a slot holds the program's tracer. */
static void
all_slots(Py_tracefunc fn)
{
    if (!any_program_tracer()) {
        cpdb_set_all_threads_trace(fn, NULL);
    }
}

/* In every other thread whose slot holds from, put to; where this
   Python cannot set one other thread's slot (3.13+), every slot at once
   (all_slots). */
static void
swap_other_slots(Py_tracefunc from, Py_tracefunc to)
{
    PyThreadState *ts = PyInterpreterState_ThreadHead(
        PyInterpreterState_Get());
    for (; ts != NULL; ts = PyThreadState_Next(ts)) {
        Py_tracefunc fn;
        PyObject *obj;
        if (ts == PyThreadState_Get()) {
            continue;
        }
        cpdb_get_trace(ts, &fn, &obj);
        if (fn == from && cpdb_set_thread_trace(ts, to, NULL) < 0) {
            all_slots(to);
            return;
        }
    }
}

void
cpdb_trace_legacy_arm_threads(CpdbTraceClient *c)
{
    if (traced != c) {
        return;
    }
    swap_other_slots(NULL, trace_event);
    lines_in_other_threads(c);
}

static void
legacy_stop(CpdbTraceClient *c)
{
    if (traced == c) {
        PyObject *obj;
        Py_tracefunc fn;
        /* Threads of an attached process run on untraced after detach. */
        swap_other_slots(trace_event, NULL);
        cpdb_eval_gate_remove();
        thread_tool_stop();
        unwrap_sys_function(&settrace_def, orig_settrace);
        unwrap_sys_function(&settrace_all_def, orig_settrace_all);
        /* The program's tracer keeps the slot; cpdb's leaves it. */
        set_tracing(0);
        cpdb_get_trace(PyThreadState_Get(), &fn, &obj);
        if (fn == chain_event || fn == trace_event) {
            put_in_slot(prog_func, prog_obj);
        }
        Py_CLEAR(prog_obj);
        prog_func = NULL;
        traced = NULL;
        traced_thread = NULL;
        gate_stack.n = 0;
    }
}

/* 3.12+: the frames other threads are running got their call events
   before the stop: those that may stop now get their line events back
   (a thread in a loop when a breakpoint is set in it). */
static void
lines_in_other_threads(CpdbTraceClient *c)
{
    PyThreadState *ts = PyInterpreterState_ThreadHead(
        PyInterpreterState_Get());
    for (; ts != NULL; ts = PyThreadState_Next(ts)) {
        PyFrameObject *f = ts != PyThreadState_Get()
                           ? PyThreadState_GetFrame(ts) : NULL;
        while (f != NULL) {
            PyCodeObject *code = PyFrame_GetCode(f);
            PyFrameObject *back;
            if (c->wants_lines(c->ctx, f, code)) {
                cpdb_frame_set_trace_lines(f, 1);
            }
            Py_DECREF(code);
            back = PyFrame_GetBack(f);
            Py_DECREF(f);
            f = back;
        }
    }
}

/* 3.10/3.11: a frame another thread is running that may stop now (a
   breakpoint set at a stop in this thread, on a line that thread has
   yet to run) gets its line events, and its thread cpdb's function when
   its slot is empty: the gate only decides as frames start and end. */
/* The breakpoints' generation the last refresh saw. */
static unsigned refreshed_gen;

static void
arm_threads_that_may_stop(CpdbTraceClient *c)
{
    PyThreadState *ts = PyInterpreterState_ThreadHead(
        PyInterpreterState_Get());
    for (; ts != NULL; ts = PyThreadState_Next(ts)) {
        PyFrameObject *f = ts != PyThreadState_Get()
                           ? PyThreadState_GetFrame(ts) : NULL;
        int wanted = 0;
        while (f != NULL) {
            PyCodeObject *code = PyFrame_GetCode(f);
            PyFrameObject *back;
            if (c->wants_lines(c->ctx, f, code)) {
                cpdb_frame_set_trace_lines(f, 1);
                wanted = 1;
            }
            Py_DECREF(code);
            back = PyFrame_GetBack(f);
            Py_DECREF(f);
            f = back;
        }
        if (wanted) {
            Py_tracefunc fn;
            PyObject *obj;
            cpdb_get_trace(ts, &fn, &obj);
            if (fn == NULL) {
                cpdb_set_thread_trace(ts, trace_event, NULL);
            }
        }
    }
    PyErr_Clear();
}

static void
legacy_refresh(CpdbTraceClient *c, PyFrameObject *top)
{
    PyFrameObject *f = (PyFrameObject *)Py_XNewRef(top);
    int first = 1;
    gate_gen++;
    gate_all = wants_every_frame(c);
    while (f != NULL) {
        PyCodeObject *code = PyFrame_GetCode(f);
        PyFrameObject *back;
        if (c->wants_lines(c->ctx, f, code)) {
            cpdb_frame_set_trace_lines(f, 1);
        }
        else if (prog_func == NULL) {
            /* Not while the program's tracer may want them. */
            cpdb_frame_set_trace_lines(f, 0);
        }
        if (first && CPDB_HAVE_EVAL_HOOK) {
            /* The frame that goes on running decides whether the trace
               function stays set; callers are decided as they resume. */
            if (PyThreadState_Get() == traced_thread) {
                set_tracing(code_needs_tracing(c, code));
            }
            else {
                other_set_tracing(other_needs_tracing(c, code));
            }
            first = 0;
        }
        Py_DECREF(code);
        back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
    if (!CPDB_HAVE_EVAL_HOOK) {
        thread_tool_update(c);
        lines_in_other_threads(c);
    }
    else if (*c->bp_generation != refreshed_gen) {
        refreshed_gen = *c->bp_generation;
        arm_threads_that_may_stop(c);
    }
}

/* The legacy backend makes no object of its own. */
static PyObject *
legacy_own_object(void)
{
    return NULL;
}

const CpdbTraceBackend cpdb_trace_legacy = {
    "legacy",
    legacy_start,
    legacy_stop,
    legacy_refresh,
    legacy_own_object,
};
