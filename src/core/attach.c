/* The engine in a process that was running without it (cpdb -p PID).
   See attach.h; docs/attach.md tells the whole story. */
#include "core/attach.h"
#include "core/hooks.h"
#include "core/session.h"
#include "core/stepper.h"

#include <string.h>

/* --- post-mortem of an uncaught exception ---------------------------------- */

/* The exception hooks that were there before the attach: put back at
   detach (strong, or NULL). */
static PyObject *saved_excepthook, *saved_thread_hook;

/* After a post-mortem stop in an attached process the rest of it goes on:
   its other threads run, and quit or kill there detach. */
static void
post_mortem(CpdbSession *s, PyObject *exc)
{
    CpdbProgState state = s->state;
    if (exc == NULL || !PyExceptionInstance_Check(exc) || s->detach
        || s->at_stop || !s->catch_uncaught) {
        return;
    }
    cpdb_threads_hold(s);
    cpdb_session_post_mortem(s, exc);
    s->state = state;
    if (s->request == CPDB_REQ_QUIT || s->request == CPDB_REQ_KILL) {
        cpdb_attach_request(s, s->request == CPDB_REQ_KILL
                               ? CPDB_DETACH_KILL : CPDB_DETACH);
    }
    s->request = CPDB_REQ_NONE;
}

/* Call the hook that was there before, with args. */
static PyObject *
call_saved(PyObject *saved, PyObject *const *args, Py_ssize_t n)
{
    if (saved == NULL || saved == Py_None) {
        Py_RETURN_NONE;
    }
    return PyObject_Vectorcall(saved, args, (size_t)n, NULL);
}

/* sys.excepthook(type, value, tb) while attached: the post-mortem stop,
   then the program's hook (which prints the traceback). */
static PyObject *
attached_excepthook(PyObject *self, PyObject *const *args, Py_ssize_t n)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    if (s == NULL) {
        return NULL;
    }
    if (n == 3) {
        post_mortem(s, args[1]);
    }
    return call_saved(saved_excepthook, args, n);
}

/* threading.excepthook(args) while attached. */
static PyObject *
attached_thread_hook(PyObject *self, PyObject *const *args, Py_ssize_t n)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    if (s == NULL) {
        return NULL;
    }
    if (n == 1) {
        PyObject *exc = PyObject_GetAttrString(args[0], "exc_value");
        if (exc != NULL) {
            post_mortem(s, exc);
            Py_DECREF(exc);
        }
        PyErr_Clear();
    }
    return call_saved(saved_thread_hook, args, n);
}

static PyMethodDef excepthook_def = {
    "excepthook", (PyCFunction)(void (*)(void))attached_excepthook,
    METH_FASTCALL, NULL};
static PyMethodDef thread_hook_def = {
    "excepthook", (PyCFunction)(void (*)(void))attached_thread_hook,
    METH_FASTCALL, NULL};

/* Return: the threading module if the program imported it (new
   reference), else NULL. */
static PyObject *
threading_module(void)
{
    PyObject *name = PyUnicode_FromString("threading");
    PyObject *m = name ? PyImport_GetModule(name) : NULL;
    Py_XDECREF(name);
    PyErr_Clear();
    return m;
}

static void
hook_exceptions(CpdbSession *s)
{
    PyObject *threading = threading_module();
    PyObject *fn = cpdb_hooks_function(s, &excepthook_def);
    Py_XSETREF(saved_excepthook, Py_XNewRef(PySys_GetObject("excepthook")));
    if (fn == NULL || PySys_SetObject("excepthook", fn) < 0) {
        Py_CLEAR(saved_excepthook);
    }
    Py_XDECREF(fn);
    if (threading != NULL) {
        fn = cpdb_hooks_function(s, &thread_hook_def);
        Py_XSETREF(saved_thread_hook,
                   PyObject_GetAttrString(threading, "excepthook"));
        if (fn == NULL || saved_thread_hook == NULL
            || PyObject_SetAttrString(threading, "excepthook", fn) < 0) {
            Py_CLEAR(saved_thread_hook);
        }
        Py_XDECREF(fn);
        Py_DECREF(threading);
    }
    PyErr_Clear();
}

/* Whether hook is one of cpdb's (def's function). */
static int
is_ours(PyObject *hook, PyMethodDef *def)
{
    return hook != NULL && PyCFunction_Check(hook)
           && PyCFunction_GET_FUNCTION(hook) == def->ml_meth;
}

/* Put the program's hooks back, unless it replaced cpdb's since. */
static void
unhook_exceptions(void)
{
    PyObject *threading = threading_module();
    if (saved_excepthook != NULL
        && is_ours(PySys_GetObject("excepthook"), &excepthook_def)
        && PySys_SetObject("excepthook", saved_excepthook) < 0) {
        PyErr_Clear();
    }
    if (threading != NULL && saved_thread_hook != NULL) {
        PyObject *cur = PyObject_GetAttrString(threading, "excepthook");
        if (is_ours(cur, &thread_hook_def)
            && PyObject_SetAttrString(threading, "excepthook",
                                      saved_thread_hook) < 0) {
            PyErr_Clear();
        }
        Py_XDECREF(cur);
    }
    Py_XDECREF(threading);
    Py_CLEAR(saved_excepthook);
    Py_CLEAR(saved_thread_hook);
    PyErr_Clear();
}

/* --- the session ---------------------------------------------------------- */

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
    hook_exceptions(s);
    return 0;
}

void
cpdb_attach_interrupt(CpdbSession *s)
{
    if (!s->tracing || s->detach) {
        return;
    }
    s->step.interrupt = 1;
    /* The agent's thread runs no frame: the backend hears of it with no
       top frame (cpdb_session_refresh_trace would skip it). */
    s->backend->refresh(&s->trace, NULL);
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
    unhook_exceptions();
    unmark_frames(s);
    cpdb_threads_forget(s);
    s->state = CPDB_PROG_IDLE;
    PyErr_Clear();
}
