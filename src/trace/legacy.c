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
   monitoring backend is the fast one there. */
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

static int trace_event(PyObject *obj, PyFrameObject *frame, int what,
                       PyObject *arg);

static void
set_tracing(int on)
{
    CpdbExcState st;
    if (on == trace_on) {
        return;
    }
    cpdb_exc_save(&st);
    cpdb_set_trace(on ? trace_event : NULL, NULL);
    PyErr_Clear();
    cpdb_exc_restore(&st);
    trace_on = on;
}

static inline int
code_needs_tracing(CpdbTraceClient *c, PyCodeObject *code)
{
    size_t slot = cpdb_gate_slot(code);
    int need;
    if (gate_all) {
        return 1;
    }
    if (gate.cache[slot].code == code && gate.cache[slot].gen == gate_gen) {
        return gate.cache[slot].need;
    }
    need = c->wants_code(c->ctx, code);
    gate.cache[slot].code = code;
    gate.cache[slot].gen = gate_gen;
    gate.cache[slot].need = need;
    return need;
}

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
    if (c == NULL || tstate != traced_thread || c->busy->depth) {
        return -1;
    }
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
        return c->wants_all(c->ctx);
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

    if (c == NULL || c->busy->depth) {
        return 0;
    }
    switch (what) {
    case PyTrace_CALL: {
        PyCodeObject *code = PyFrame_GetCode(frame);
        if (!c->wants_lines(c->ctx, frame, code)) {
            cpdb_frame_set_trace_lines(frame, 0);
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
    if (ev == CPDB_EV_RETURN && CPDB_HAVE_EVAL_HOOK) {
        PyCodeObject *code = PyFrame_GetCode(frame);
        int rc = sender_missed_stopiteration(c, frame, code, arg);
        Py_DECREF(code);
        return rc;
    }
    return 0;
}

static int
legacy_start(CpdbTraceClient *c)
{
    traced = c;
    traced_thread = PyThreadState_Get();
    trace_on = 0;
    gate_stack.n = 0;
    gate_gen++;
    gate_all = c->wants_all(c->ctx);
    if (cpdb_eval_gate_install(gate_enter, gate_leave) == 0) {
        set_tracing(gate_all);
    }
    else {
        set_tracing(1);     /* 3.12+: no gate; always on */
    }
    return 0;
}

static void
legacy_stop(CpdbTraceClient *c)
{
    if (traced == c) {
        cpdb_eval_gate_remove();
        trace_on = 1;       /* make set_tracing(0) act */
        set_tracing(0);
        traced = NULL;
        traced_thread = NULL;
        gate_stack.n = 0;
    }
}

static void
legacy_refresh(CpdbTraceClient *c, PyFrameObject *top)
{
    PyFrameObject *f = (PyFrameObject *)Py_XNewRef(top);
    int first = 1;
    gate_gen++;
    gate_all = c->wants_all(c->ctx);
    while (f != NULL) {
        PyCodeObject *code = PyFrame_GetCode(f);
        PyFrameObject *back;
        cpdb_frame_set_trace_lines(f, c->wants_lines(c->ctx, f, code));
        if (first && CPDB_HAVE_EVAL_HOOK) {
            /* The frame that goes on running decides whether the trace
               function stays set; callers are decided as they resume. */
            set_tracing(code_needs_tracing(c, code));
            first = 0;
        }
        Py_DECREF(code);
        back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
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
