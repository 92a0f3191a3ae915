/* The stepper decides, event by event, whether the program stops.  Its
   rules are pdb's (bdb's) so that step / next / finish / until stop at
   the same places as pdb does:
     - "stopframe": step stops anywhere; next and until stop only in their
       frame (until also needs a line number at or past its floor);
       continue stops nowhere but at breakpoints;
     - "returnframe": finish stops at the return event of its frame;
     - call and return events of generators and coroutines are passed
       over unless stepping, and the StopIteration a "yield from" raises
       inside is not an exception stop;
     - after a --Return-- stop, "next" or "until" continue as "step", so
       the caller's next line stops.
   Like bdb, the stepper only follows frames that have a trace function:
   those called while it may stop in them or whose file holds a
   breakpoint, marked at their call event (the mark is pdb's own slot,
   f_trace); "step" at a --Return-- marks the caller.  Other frames give
   no --Call--, --Return--, exception or step stops, exactly as under
   pdb.  Breakpoints are checked at every line event that reaches here,
   in any frame; the trace backend keeps line events away from frames
   that cannot stop. */
#include "core/stepper.h"
#include "core/breakpoints.h"
#include "core/eval.h"
#include "core/frames.h"
#include "core/session.h"
#include "core/tasks.h"
#include "core/watch.h"

#include <stdlib.h>
#include <string.h>

void
cpdb_step_init(CpdbStepper *st)
{
    memset(st, 0, sizeof *st);
    st->kind = STOP_NOWHERE;
    st->stoplineno = -1;
}

void
cpdb_step_fini(CpdbStepper *st)
{
    Py_CLEAR(st->stopframe);
    Py_CLEAR(st->returnframe);
    Py_CLEAR(st->stop_code);
    Py_CLEAR(st->return_code);
}

static PyObject *
code_of(PyFrameObject *frame)
{
    return frame ? (PyObject *)PyFrame_GetCode(frame) : NULL;
}

static void
set_stopinfo(CpdbSession *s, CpdbStopKind kind, PyFrameObject *stopframe,
             PyFrameObject *returnframe, int stoplineno)
{
    CpdbStepper *st = &s->step;
    Py_XSETREF(st->stopframe, Py_XNewRef((PyObject *)stopframe));
    Py_XSETREF(st->returnframe, Py_XNewRef((PyObject *)returnframe));
    Py_XSETREF(st->stop_code, code_of(stopframe));
    Py_XSETREF(st->return_code, code_of(returnframe));
    st->stopframe_is_gen = st->stop_code != NULL
        && (((PyCodeObject *)st->stop_code)->co_flags & CPDB_GEN_FLAGS);
    st->gen_done = 0;
    st->kind = kind;
    st->stoplineno = stoplineno;
    st->finishing = 0;
    /* Stepping stays in the thread it starts in (the stopped one). */
    st->thread = kind != STOP_NOWHERE || returnframe != NULL
                 ? PyThread_get_thread_ident() : 0;
    cpdb_session_refresh_trace(s);
}

/* Whether the code frame runs has any of the flags. */
static int
frame_code_has(PyObject *frame, int flags)
{
    PyCodeObject *co = PyFrame_GetCode((PyFrameObject *)frame);
    int has = (co->co_flags & flags) != 0;
    Py_DECREF(co);
    return has;
}

static int
is_generator_frame(PyObject *frame)
{
    return frame_code_has(frame, CPDB_GEN_FLAGS);
}

/* Whether frame runs a coroutine (async def), not a plain generator. */
static int
is_coroutine_frame(PyObject *frame)
{
    return frame_code_has(frame, CO_COROUTINE | CO_ASYNC_GENERATOR);
}

/* Whether frame runs called, or awaited, from outer: outer is one of
   its callers. */
static int
runs_inside(PyFrameObject *frame, PyObject *outer)
{
    PyFrameObject *f = PyFrame_GetBack(frame);          /* new or NULL */
    int found = 0;
    while (f != NULL && !found) {
        found = (PyObject *)f == outer;
        Py_SETREF(f, PyFrame_GetBack(f));
    }
    Py_XDECREF(f);
    return found;
}

/* pdb's trace function in a frame: the marker object of the session, or
   a file holding breakpoints (pdb gives such frames one at their call;
   a backend that does not see every call relies on this). */
static int
is_traced(CpdbSession *s, PyFrameObject *frame)
{
    PyCodeObject *code;
    int in_file;
    if (cpdb_frame_is_marked(frame, s->trace_marker)) {
        return 1;
    }
    code = PyFrame_GetCode(frame);
    in_file = cpdb_bp_file_has_breaks(&s->bps, code);
    Py_DECREF(code);
    return in_file;
}

static void
mark_traced(CpdbSession *s, PyFrameObject *frame)
{
    cpdb_frame_mark(frame, s->trace_marker);
}

static void
mark_caller(CpdbSession *s, PyFrameObject *frame)
{
    PyFrameObject *back = PyFrame_GetBack(frame);       /* new or NULL */
    if (back != NULL && !is_traced(s, back)) {
        mark_traced(s, back);
    }
    Py_XDECREF(back);
}

void
cpdb_step_mark_stack(CpdbSession *s)
{
    size_t i;
    for (i = 0; i < s->stack.n; i++) {
        PyFrameObject *f = s->stack.items[i].frame;
        if (!cpdb_frame_is_marked(f, s->trace_marker) && is_traced(s, f)) {
            mark_traced(s, f);
        }
    }
}

/* The marker does nothing when called: a program that installs a Python
   trace function later (sys.settrace) finds it in f_trace. */
static PyObject *
marker_call(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    Py_RETURN_NONE;
}

static PyMethodDef marker_def = {
    "cpdb_trace", marker_call, METH_VARARGS,
    "cpdb follows this frame (a no-op trace function)."
};

PyObject *
cpdb_step_new_marker(void)
{
    return PyCFunction_New(&marker_def, NULL);
}

void
cpdb_step_set_step(CpdbSession *s)
{
    /* bdb before 3.13: "step" at a --Return-- gives the caller a trace
       function, so its next line stops. */
    if (!CPDB_BDB_MARKS_CALLER_AT_RETURN && s->at_stop
        && s->stop_reason == CPDB_STOP_RETURN && s->stack.n > 0) {
        mark_caller(s, s->stack.items[0].frame);
    }
    set_stopinfo(s, STOP_ANYWHERE, NULL, NULL, 0);
}

void
cpdb_step_set_trace(CpdbSession *s, PyFrameObject *frame)
{
    PyFrameObject *f = (PyFrameObject *)Py_XNewRef(frame);
    while (f != NULL) {
        PyFrameObject *back = PyFrame_GetBack(f);
        mark_traced(s, f);
        Py_DECREF(f);
        f = back;
    }
    set_stopinfo(s, STOP_ANYWHERE, NULL, NULL, 0);
}

void
cpdb_step_set_first_line(CpdbSession *s)
{
    set_stopinfo(s, STOP_NOWHERE, NULL, NULL, -1);
    s->step.wait_for_main = 1;
    s->step.wait_any_file = 1;
    cpdb_session_refresh_trace(s);
}

void
cpdb_step_end_first_line(CpdbSession *s)
{
    if (s->step.wait_any_file) {
        s->step.wait_for_main = 0;
        s->step.wait_any_file = 0;
        cpdb_session_refresh_trace(s);
    }
}

void
cpdb_step_set_next(CpdbSession *s, PyFrameObject *frame)
{
    set_stopinfo(s, STOP_IN_FRAME, frame, NULL, 0);
}

void
cpdb_step_set_return(CpdbSession *s, PyFrameObject *frame)
{
    if (is_generator_frame((PyObject *)frame)) {
        set_stopinfo(s, STOP_IN_FRAME, frame, NULL, -1);
    }
    else {
        PyFrameObject *back = PyFrame_GetBack(frame);   /* new or NULL */
        if (back != NULL) {
            set_stopinfo(s, STOP_IN_FRAME, back, frame, 0);
        }
        else {
            /* The program's outermost frame: pdb's has a caller (its own
               exec), so only the return of this frame stops. */
            set_stopinfo(s, STOP_NOWHERE, NULL, frame, -1);
        }
        Py_XDECREF(back);
    }
    s->step.finishing = 1;
}

void
cpdb_step_set_until(CpdbSession *s, PyFrameObject *frame, int lineno)
{
    set_stopinfo(s, STOP_IN_FRAME, frame, frame, lineno);
}

void
cpdb_step_set_continue(CpdbSession *s)
{
    set_stopinfo(s, STOP_NOWHERE, NULL, NULL, -1);
}

/* bdb's stop_here(): may the stepper stop at an event of frame? */
static int
stop_here(CpdbStepper *st, PyFrameObject *frame)
{
    switch (st->kind) {
    case STOP_ANYWHERE:
        return 1;
    case STOP_IN_FRAME:
        if ((PyObject *)frame == st->stopframe) {
            return st->stoplineno != -1
                   && PyFrame_GetLineNumber(frame) >= st->stoplineno;
        }
        return 0;
    case STOP_NOWHERE:
    default:
        return 0;
    }
}

int
cpdb_step_wants_all(CpdbSession *s)
{
    CpdbStepper *st = &s->step;
    return st->kind == STOP_ANYWHERE || st->wait_for_main || st->interrupt
           || (st->kind == STOP_IN_FRAME && st->stopframe_is_gen);
}

int
cpdb_step_wants_code(CpdbSession *s, PyCodeObject *code)
{
    CpdbStepper *st = &s->step;
    return (PyObject *)code == st->stop_code
           || (PyObject *)code == st->return_code
           || cpdb_bp_code_has_breaks(&s->bps, code)
           || (s->bps.n_watches && cpdb_watch_wants_code(&s->bps, code));
}

int
cpdb_step_wants_lines(CpdbSession *s, PyFrameObject *frame,
                      PyCodeObject *code)
{
    CpdbStepper *st = &s->step;
    if (st->kind == STOP_ANYWHERE || st->wait_for_main || st->interrupt) {
        return 1;
    }
    if (st->kind == STOP_IN_FRAME && (PyObject *)frame == st->stopframe
        && st->stoplineno != -1) {
        return 1;
    }
    if (s->bps.n_watches && cpdb_watch_wants_frame(&s->bps, frame)) {
        return 1;
    }
    return cpdb_bp_code_has_breaks(&s->bps, code);
}

/* The line that starts the program: the first line event in the main
   file's code. */
static int
is_main_file(CpdbSession *s, PyCodeObject *code)
{
    char *path;
    int same;
    if (s->step.main_path == NULL || s->step.wait_any_file) {
        return 1;
    }
    path = cpdb_code_path(code);
    same = strcmp(path, s->step.main_path) == 0;
    free(path);
    return same;
}

static int
stop(CpdbSession *s, PyFrameObject *frame, CpdbStopReason reason, int bp,
     PyObject *value, const char *cond_error)
{
    int gone = s->step.watch_gone;
    if (gone) {
        /* The first stop after a watched frame returned says so: as its
           reason when it is the stop that return asked for. */
        s->step.watch_gone = 0;
        if (reason == CPDB_STOP_STEP) {
            reason = CPDB_STOP_WATCH_SCOPE;
            bp = gone;
        }
        else {
            cpdb_session_message(s, CPDB_WATCH_GONE_TEXT, gone);
        }
    }
    return cpdb_session_stop(s, frame, reason, bp, value, cond_error);
}

/* A line event of a watched frame: stop when a watchpoint's value
   changed.  Return: 1 after a stop (*rc its outcome), else 0. */
static int
check_watches(CpdbSession *s, PyFrameObject *frame, int *rc)
{
    PyObject *old, *now;
    int number = cpdb_watch_check(s, frame, &old, &now);
    if (number == 0) {
        return 0;
    }
    Py_XSETREF(s->stop_old_value, old);
    *rc = stop(s, frame, CPDB_STOP_WATCH, number, now, NULL);
    Py_CLEAR(s->stop_old_value);    /* the stop is over (or never came) */
    Py_XDECREF(now);
    return 1;
}

/* A watched frame returns for good: a change its last line made stops
   here first; then its watchpoints are deleted, and (as gdb does) the
   program stops in the caller, at its next line, when nothing else was
   going to stop it.  Return 0, or -1 to unwind (kill at the stop). */
static int
leave_watched_frame(CpdbSession *s, PyFrameObject *frame)
{
    PyFrameObject *back;
    int gone, rc = 0;
    if (cpdb_frame_is_yielding(frame)) {
        return 0;
    }
    if (check_watches(s, frame, &rc) && rc < 0) {
        return rc;
    }
    if ((gone = cpdb_watch_leave(s, frame)) == 0) {
        return 0;
    }
    back = PyFrame_GetBack(frame);                      /* new or NULL */
    if (back == NULL) {
        cpdb_session_message(s, CPDB_WATCH_GONE_TEXT, gone);
        return 0;
    }
    s->step.watch_gone = gone;
    if (s->step.kind == STOP_NOWHERE) {
        mark_traced(s, back);
        set_stopinfo(s, STOP_IN_FRAME, back, NULL, 0);
    }
    Py_DECREF(back);
    return 0;
}

/* A breakpoint's condition runs in the frame, as Python typed at the
   prompt does. */
static PyObject *
eval_condition(void *ctx, PyFrameObject *frame, PyObject *code)
{
    return cpdb_eval_code(ctx, frame, code);
}

/* A line event: stop when a breakpoint there wants it.  Return: 1 after
   a stop (*rc its outcome), else 0. */
static int
check_breaks(CpdbSession *s, PyFrameObject *frame, PyCodeObject *code,
             int at_entry, int *rc)
{
    CpdbBpEval eval = {eval_condition, s};
    char *cond_error = NULL;
    int bp, temporary = 0;
    if (!cpdb_bp_code_has_breaks(&s->bps, code)) {
        return 0;
    }
    bp = cpdb_bp_check(&s->bps, frame, code, PyFrame_GetLineNumber(frame),
                       at_entry, &eval, &cond_error, &temporary);
    if (bp > 0) {
        *rc = stop(s, frame, temporary ? CPDB_STOP_BREAK_TEMP
                                       : CPDB_STOP_BREAK, bp, NULL,
                   cond_error);
    }
    free(cond_error);
    return bp > 0;
}

static int
on_line(CpdbSession *s, PyFrameObject *frame, PyCodeObject *code)
{
    CpdbStepper *st = &s->step;
    int at_entry, rc = 0;
    int lineno = PyFrame_GetLineNumber(frame);

    if (st->wait_for_main) {
        if (lineno <= 0 || !is_main_file(s, code)) {
            return 0;
        }
        st->wait_for_main = 0;
        if (st->wait_any_file) {
            st->wait_any_file = 0;
            return stop(s, frame, CPDB_STOP_HERE, 0, NULL, NULL);
        }
        return stop(s, frame, CPDB_STOP_START, 0, NULL, NULL);
    }
    if (st->interrupt) {
        st->interrupt = 0;
        return stop(s, frame, CPDB_STOP_INTERRUPT, 0, NULL, NULL);
    }
    at_entry = (PyObject *)frame == st->entry_frame;
    st->entry_frame = NULL;
    if (s->bps.n_watches && check_watches(s, frame, &rc)) {
        return rc;
    }
    if (check_breaks(s, frame, code, at_entry, &rc)) {
        return rc;
    }
    if (stop_here(st, frame) && is_traced(s, frame)) {
        rc = stop(s, frame, CPDB_STOP_STEP, 0, NULL, NULL);
    }
    return rc;
}

/* bdb's dispatch_call: a frame gets a trace function when the stepper
   may stop in it or its file holds a breakpoint; only then can it give a
   --Call-- stop (never for a generator unless stepping). */
static int
on_call(CpdbSession *s, PyFrameObject *frame, PyCodeObject *code)
{
    CpdbStepper *st = &s->step;
    int is_gen = (code->co_flags & CPDB_GEN_FLAGS) != 0;
    int here;

    if (st->wait_for_main) {
        mark_traced(s, frame);
        return 0;
    }
    here = stop_here(st, frame);
    if (!here && !cpdb_bp_file_has_breaks(&s->bps, code)) {
        return 0;
    }
    if (!is_gen || !is_traced(s, frame)) {
        mark_traced(s, frame);
    }
    if (st->kind != STOP_ANYWHERE && is_gen) {
        return 0;
    }
    return here ? stop(s, frame, CPDB_STOP_CALL, 0, NULL, NULL) : 0;
}

/* frame, a coroutine's, returns for good while a stepping command
   waits for it to be left (next, until or finish in it, step at its
   --Return--).  When it is the coroutine of an asyncio task, nothing of
   the program's awaits it on the stack: the task's awaiter resumes
   later, from the event loop.  Go on there, as pdb 3.12+ stops in a
   suspended frame when it resumes, instead of stepping into the event
   loop or running away.  Return: 1 when the stepper now waits for that
   frame's next line. */
static int
follow_task_awaiter(CpdbSession *s, PyFrameObject *frame)
{
    PyFrameObject *target = cpdb_task_resume_frame(s, frame);
    if (target == NULL) {
        return 0;
    }
    mark_traced(s, target);
    set_stopinfo(s, STOP_IN_FRAME, target, NULL, 0);
    Py_DECREF(target);
    return 1;
}

/* Whether frame runs a generator or coroutine that returns for good at
   this return event. */
static int
generator_ends(PyFrameObject *frame)
{
    return is_generator_frame((PyObject *)frame)
           && !cpdb_frame_is_yielding(frame);
}

static int
on_return(CpdbSession *s, PyFrameObject *frame, PyObject *value)
{
    CpdbStepper *st = &s->step;
    if (st->wait_for_main) {
        return 0;
    }
    if (s->bps.n_watches && leave_watched_frame(s, frame) < 0) {
        return -1;
    }
    if (st->kind == STOP_IN_FRAME && (PyObject *)frame == st->stopframe
        && st->stopframe_is_gen && !cpdb_frame_is_yielding(frame)) {
        st->gen_done = 1;
        if (follow_task_awaiter(s, frame)) {
            return 0;
        }
    }
    if ((stop_here(st, frame) || (PyObject *)frame == st->returnframe)
        && is_traced(s, frame)) {
        if (st->kind != STOP_ANYWHERE
            && is_generator_frame((PyObject *)frame)) {
            return 0;
        }
        if (stop(s, frame, CPDB_STOP_RETURN, 0, value, NULL) < 0) {
            return -1;
        }
        /* "next" or "until" typed at a --Return-- continue as "step". */
        if (st->kind == STOP_IN_FRAME && st->stopframe == (PyObject *)frame
            && st->stoplineno != -1) {
            set_stopinfo(s, STOP_ANYWHERE, NULL, NULL, 0);
        }
        if (CPDB_BDB_MARKS_CALLER_AT_RETURN && st->stoplineno != -1) {
            mark_caller(s, frame);
        }
        if ((st->kind == STOP_ANYWHERE
             || (st->kind == STOP_IN_FRAME
                 && st->stopframe == (PyObject *)frame))
            && generator_ends(frame)) {
            follow_task_awaiter(s, frame);
        }
    }
    return 0;
}

/* An exception event: stop when a catchpoint wants it.  Return: the
   catchpoint's number after a stop (*rc its outcome), else 0. */
static int
check_catches(CpdbSession *s, PyFrameObject *frame, PyObject *exc,
              PyObject *tb, int *rc)
{
    CpdbBpEval eval = {eval_condition, s};
    char *cond_error = NULL;
    int n;
    /* A catchpoint's condition may read $_exception. */
    cpdb_session_stop_values_set(s, CPDB_STOP_CATCH, exc);
    n = cpdb_bp_check_catch(&s->bps, frame, exc, tb, &eval, &cond_error);
    cpdb_session_stop_values_clear(s);
    if (n > 0) {
        *rc = stop(s, frame, CPDB_STOP_CATCH, n, exc, cond_error);
    }
    free(cond_error);
    return n;
}

static int
on_exception(CpdbSession *s, PyFrameObject *frame, PyObject *arg)
{
    CpdbStepper *st = &s->step;
    PyObject *type = NULL, *value = NULL, *tb = NULL;

    if (st->wait_for_main) {
        return 0;
    }
    if (arg != NULL && PyTuple_Check(arg) && PyTuple_GET_SIZE(arg) == 3) {
        type = PyTuple_GET_ITEM(arg, 0);
        value = PyTuple_GET_ITEM(arg, 1);
        tb = PyTuple_GET_ITEM(arg, 2);
    }
    if (s->bps.n_catches && value != NULL) {
        int rc, n = check_catches(s, frame, value, tb, &rc);
        if (n > 0) {
            return rc;
        }
    }
    if (stop_here(st, frame)) {
        /* The StopIteration that "yield from" raises inside a generator
           carries no traceback: it is not the user's exception. */
        if (is_generator_frame((PyObject *)frame)
            && type == PyExc_StopIteration && tb == Py_None) {
            return 0;
        }
        if (!is_traced(s, frame)) {
            return 0;
        }
        return stop(s, frame, CPDB_STOP_EXCEPTION, 0, value, NULL);
    }
    /* The end of the generator next/until/finish were in: stop where
       its StopIteration arrives (and, as pdb, at one inside what it
       awaits).  For a coroutine, only those: another coroutine's end
       (another task's, while this one is suspended in an await) is
       none of the command's business.  A plain generator keeps pdb's
       rule, which stops at any. */
    if (st->kind == STOP_IN_FRAME && (PyObject *)frame != st->stopframe
        && st->stopframe != NULL && is_generator_frame(st->stopframe)
        && ((type == PyExc_StopIteration
             && (st->gen_done || !is_coroutine_frame(st->stopframe)
                 || runs_inside(frame, st->stopframe)))
            || type == PyExc_GeneratorExit)
        && is_traced(s, frame)) {
        return stop(s, frame, CPDB_STOP_EXCEPTION, 0, value, NULL);
    }
    return 0;
}

/* An event of a thread that the stepping does not follow: only
   breakpoints and catchpoints stop there (gdb's default: the stop is
   reported, and the step is over). */
static int
on_other_thread(CpdbSession *s, PyFrameObject *frame, PyCodeObject *code,
                CpdbEvent ev, PyObject *arg)
{
    int rc = 0;
    if (ev == CPDB_EV_LINE) {
        check_breaks(s, frame, code, 0, &rc);
    }
    else if (ev == CPDB_EV_EXCEPTION && s->bps.n_catches && arg != NULL
             && PyTuple_Check(arg) && PyTuple_GET_SIZE(arg) == 3) {
        check_catches(s, frame, PyTuple_GET_ITEM(arg, 1),
                      PyTuple_GET_ITEM(arg, 2), &rc);
    }
    return rc;
}

int
cpdb_step_in_thread(CpdbSession *s)
{
    CpdbStepper *st = &s->step;
    return st->thread == 0 || st->interrupt || st->wait_for_main
           || st->thread == PyThread_get_thread_ident();
}

static int
step_event(CpdbSession *s, PyFrameObject *frame, CpdbEvent ev,
           PyObject *arg)
{
    PyCodeObject *code;
    int rc = 0;

    if (s->request != CPDB_REQ_NONE) {
        /* The program is being unwound: keep raising until it is gone,
           so that no "except BaseException" can swallow the kill. */
        return cpdb_session_raise_kill(s);
    }
    code = PyFrame_GetCode(frame);
    if (!cpdb_step_in_thread(s)) {
        rc = on_other_thread(s, frame, code, ev, arg);
        Py_DECREF(code);
        return rc;
    }
    if (ev == CPDB_EV_CALL) {
        s->step.entry_frame = (PyObject *)frame;
    }
    else if (ev != CPDB_EV_LINE && (PyObject *)frame == s->step.entry_frame) {
        s->step.entry_frame = NULL;
    }
    switch (ev) {
    case CPDB_EV_CALL:
        rc = on_call(s, frame, code);
        break;
    case CPDB_EV_LINE:
        rc = on_line(s, frame, code);
        break;
    case CPDB_EV_RETURN:
        rc = on_return(s, frame, arg);
        break;
    case CPDB_EV_EXCEPTION:
        rc = on_exception(s, frame, arg);
        break;
    default:
        break;
    }
    Py_DECREF(code);
    return rc;
}

int
cpdb_step_on_event(CpdbSession *s, PyFrameObject *frame, CpdbEvent ev,
                   PyObject *arg)
{
    unsigned long before;
    int rc;
    cpdb_threads_hold(s);       /* another thread is in the engine */
    before = cpdb_threads_enter(s);
    rc = step_event(s, frame, ev, arg);
    cpdb_threads_leave(s, before);
    return rc;
}

/* --- what the trace backend asks ----------------------------------------- */

static int
client_on_event(void *ctx, PyFrameObject *frame, CpdbEvent ev, PyObject *arg)
{
    return cpdb_step_on_event(ctx, frame, ev, arg);
}

static int
client_wants_all(void *ctx)
{
    return cpdb_step_wants_all(ctx);
}

static int
client_wants_code(void *ctx, PyCodeObject *code)
{
    return cpdb_step_wants_code(ctx, code);
}

static int
client_wants_lines(void *ctx, PyFrameObject *frame, PyCodeObject *code)
{
    return cpdb_step_wants_lines(ctx, frame, code);
}

static int
client_is_stepping(void *ctx)
{
    CpdbSession *s = ctx;
    CpdbStepper *st = &s->step;
    /* A watchpoint needs the return of its frame too: the stepping
       regime, where events of code nobody follows are disabled. */
    return st->kind != STOP_NOWHERE || st->wait_for_main || st->interrupt
           || st->returnframe != NULL
           || (s->bps.n_watches && cpdb_watch_active(&s->bps));
}

static int
client_busy_here(void *ctx)
{
    return cpdb_threads_busy_here(ctx);
}

static int
client_in_step_thread(void *ctx)
{
    return cpdb_step_in_thread(ctx);
}

static int
client_code_matters(void *ctx, PyCodeObject *code)
{
    CpdbStepper *st = &((CpdbSession *)ctx)->step;
    return st->kind == STOP_ANYWHERE || st->wait_for_main || st->interrupt
           || cpdb_step_wants_code(ctx, code);
}

static int
client_watches_generator(void *ctx)
{
    CpdbStepper *st = &((CpdbSession *)ctx)->step;
    return st->kind == STOP_IN_FRAME && st->stopframe_is_gen;
}

static int
client_wants_exceptions(void *ctx)
{
    return cpdb_bp_catching(&((CpdbSession *)ctx)->bps);
}

static int
client_may_stop(void *ctx)
{
    return ((CpdbSession *)ctx)->bps.n > 0 || client_is_stepping(ctx);
}

static int
client_code_has_breaks(void *ctx, PyCodeObject *code)
{
    return cpdb_bp_code_has_breaks(&((CpdbSession *)ctx)->bps, code);
}

static int
client_code_has_function_break(void *ctx, PyCodeObject *code)
{
    return cpdb_bp_code_has_function_break(&((CpdbSession *)ctx)->bps,
                                           code);
}

static int
client_file_has_breaks(void *ctx, PyCodeObject *code)
{
    return cpdb_bp_file_has_breaks(&((CpdbSession *)ctx)->bps, code);
}

static int
client_line_has_break(void *ctx, PyCodeObject *code, int line)
{
    return cpdb_bp_line_has_break(&((CpdbSession *)ctx)->bps, code, line);
}

void
cpdb_step_client_init(CpdbSession *s, CpdbTraceClient *c)
{
    memset(c, 0, sizeof *c);
    c->ctx = s;
    c->busy = &s->busy;
    c->bp_generation = &s->bps.generation;
    c->on_event = client_on_event;
    c->wants_all = client_wants_all;
    c->wants_code = client_wants_code;
    c->wants_lines = client_wants_lines;
    c->is_stepping = client_is_stepping;
    c->in_step_thread = client_in_step_thread;
    c->busy_here = client_busy_here;
    c->code_matters = client_code_matters;
    c->watches_generator = client_watches_generator;
    c->wants_exceptions = client_wants_exceptions;
    c->may_stop = client_may_stop;
    c->code_has_breaks = client_code_has_breaks;
    c->code_has_function_break = client_code_has_function_break;
    c->file_has_breaks = client_file_has_breaks;
    c->line_has_break = client_line_has_break;
}
