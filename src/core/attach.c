/* The engine in a process that was running without it (cpdb -p PID).
   See attach.h; docs/attach.md tells the whole story. */
#include "core/attach.h"
#include "core/session.h"
#include "core/stepper.h"

#include <string.h>

int
cpdb_attach_begin(CpdbSession *s)
{
    s->opts.attached = 1;
    cpdb_threads_adopt(s);
    cpdb_hooks_install(s, &s->hooks);
    s->hooks_on = 1;
    if (s->backend->start(&s->trace) < 0) {
        cpdb_hooks_remove(s, &s->hooks);
        s->hooks_on = 0;
        return -1;
    }
    s->tracing = 1;
    s->state = CPDB_PROG_RUNNING;
    return 0;
}

void
cpdb_attach_interrupt(CpdbSession *s)
{
    if (!s->tracing || s->detach) {
        return;
    }
    s->step.interrupt = 1;
    cpdb_session_refresh_trace(s);
    if (s->backend == &cpdb_trace_legacy) {
        cpdb_trace_legacy_arm_threads(&s->trace);
    }
}

/* Return: the thread the agent stops for: the main thread when it runs
   Python code, else the oldest that does; or NULL (borrowed). */
static PyThreadState *
stand_in(CpdbSession *s)
{
    PyThreadState *ts, *best = NULL;
    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        PyFrameObject *f;
        if (ts->thread_id == s->threads.agent) {
            continue;
        }
        f = PyThreadState_GetFrame(ts);
        if (f == NULL) {
            continue;
        }
        Py_DECREF(f);
        best = ts;      /* the list has the newest first */
        if (ts->thread_id == s->threads.main_ident) {
            break;
        }
    }
    return best;
}

void
cpdb_attach_stop_here(CpdbSession *s)
{
    PyThreadState *ts = stand_in(s);
    PyFrameObject *f = ts != NULL ? PyThreadState_GetFrame(ts) : NULL;
    unsigned long before;
    if (s->detach) {
        Py_XDECREF(f);
        return;
    }
    s->threads.stop_as = ts != NULL ? ts->thread_id : 0;
    before = cpdb_threads_enter(s);
    s->step.interrupt = 0;
    cpdb_session_stop(s, f, CPDB_STOP_ATTACHED, 0, NULL, NULL);
    cpdb_threads_leave(s, before);
    s->threads.stop_as = 0;
    Py_XDECREF(f);
    PyErr_Clear();
}

void
cpdb_attach_request(CpdbSession *s, int how)
{
    s->request = CPDB_REQ_NONE;
    if (s->detach == CPDB_DETACH_NONE || how == CPDB_DETACH_KILL) {
        s->detach = how;
    }
    s->step.interrupt = 0;
    cpdb_step_set_continue(s);
    if (s->on_detach != NULL) {
        s->on_detach(s, s->detach_ctx);
    }
}

/* Take cpdb's marker out of the f_trace of every frame of every thread,
   and give each frame its line events back (their default). */
static void
unmark_frames(CpdbSession *s)
{
    PyThreadState *ts;
    CpdbExcState st;
    cpdb_exc_save(&st);
    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        PyFrameObject *f = PyThreadState_GetFrame(ts);
        while (f != NULL) {
            PyFrameObject *back = PyFrame_GetBack(f);
            PyObject *tr = PyObject_GetAttrString((PyObject *)f, "f_trace");
            if (tr == s->trace_marker
                && PyObject_SetAttrString((PyObject *)f, "f_trace",
                                          Py_None) < 0) {
                PyErr_Clear();
            }
            Py_XDECREF(tr);
            PyErr_Clear();
            cpdb_frame_set_trace_lines(f, 1);
            Py_DECREF(f);
            f = back;
        }
    }
    cpdb_exc_restore(&st);
}

void
cpdb_attach_end(CpdbSession *s)
{
    int n;
    /* Breakpoints first: their code objects' events go with them. */
    while (s->bps.n > 0) {
        n = s->bps.items[0]->number;
        if (cpdb_bp_delete(&s->bps, n) < 0) {
            break;
        }
    }
    s->step.interrupt = 0;
    cpdb_step_set_continue(s);
    if (s->tracing) {
        s->backend->stop(&s->trace);
        s->tracing = 0;
    }
    if (s->hooks_on) {
        cpdb_hooks_remove(s, &s->hooks);
        s->hooks_on = 0;
    }
    unmark_frames(s);
    cpdb_threads_forget(s);
    s->state = CPDB_PROG_IDLE;
    PyErr_Clear();
}
