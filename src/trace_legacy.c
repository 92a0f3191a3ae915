/* The legacy trace backend: a C trace function (PyEval_SetTrace).
   Every event of every frame reaches trace_event(); line events are
   switched off per frame (f_trace_lines) at the frame's call event when
   the frame cannot stop, so such frames cost one call event each. */
#include "trace.h"
#include "session.h"
#include "stepper.h"

/* The session being traced.  PyEval_SetTrace has one slot per thread
   and cpdb traces one program at a time, so one pointer suffices. */
static CpdbSession *traced;

/* The one trampoline for every event. */
static int
trace_event(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    CpdbSession *s = traced;
    CpdbEvent ev;
    (void)obj;

    if (s == NULL || s->busy) {
        return 0;
    }
    switch (what) {
    case PyTrace_CALL: {
        PyCodeObject *code = PyFrame_GetCode(frame);
        if (!cpdb_step_wants_lines(s, frame, code)) {
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
    s->n_events[ev]++;
    return cpdb_step_on_event(s, frame, ev, arg);
}

static int
legacy_start(CpdbSession *s)
{
    traced = s;
    cpdb_set_trace(trace_event, NULL);
    return 0;
}

static void
legacy_stop(CpdbSession *s)
{
    if (traced == s) {
        cpdb_set_trace(NULL, NULL);
        traced = NULL;
    }
}

static void
legacy_refresh(CpdbSession *s, PyFrameObject *top)
{
    PyFrameObject *f = (PyFrameObject *)Py_XNewRef(top);
    while (f != NULL) {
        PyCodeObject *code = PyFrame_GetCode(f);
        PyFrameObject *back;
        cpdb_frame_set_trace_lines(f, cpdb_step_wants_lines(s, f, code));
        Py_DECREF(code);
        back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
}

const CpdbTraceBackend cpdb_trace_legacy = {
    "legacy",
    legacy_start,
    legacy_stop,
    legacy_refresh,
};
