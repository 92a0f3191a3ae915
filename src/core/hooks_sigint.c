/* Ctrl-C while the program runs stops it at its next line, as in gdb,
   instead of raising KeyboardInterrupt.  The handler is a Python-level
   signal handler written in C: Python runs it in the main thread between
   bytecodes, or when a blocking call returns EINTR (PEP 475), where
   asking the stepper for a stop is safe.  A program that installs its
   own SIGINT handler keeps it.

   Who sent the signal decides (base/interrupt.c counts by sender): a
   SIGINT the program sends itself raises KeyboardInterrupt, as under
   python; Ctrl-C or another process's SIGINT is the debugger's.  While
   the debugger runs Python of its own (an expression at the prompt, a
   display, a breakpoint's condition, a repr), Ctrl-C interrupts that
   Python with KeyboardInterrupt and the program stays where it is. */
#include "core/hooks.h"
#include "core/session.h"
#include "core/stepper.h"
#include "base/interrupt.h"

#include <signal.h>

/* Whether Python that runs now is the debugger's: at a stop or between
   runs (the prompt's), or a breakpoint's condition. */
static int
debugger_runs_python(const CpdbSession *s)
{
    return s->at_stop || s->busy.depth > 0 || !s->tracing;
}

/* Stop the running program at its next line, and say so now: a
   program blocked in C (sleep, input(), a socket) reaches no line
   until the call returns. */
static void
request_stop(CpdbSession *s)
{
    s->step.interrupt = 1;
    cpdb_session_refresh_trace(s);
    cpdb_session_flush_program(s);
    cpdb_session_message(s, "Program received signal SIGINT, Interrupt. "
                         "It stops at its next Python line; Ctrl-C again "
                         "raises KeyboardInterrupt in it.");
}

static PyObject *
interrupt_handler(PyObject *self, PyObject *args)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    int external, own;
    (void)args;
    if (s == NULL) {
        return NULL;
    }
    own = cpdb_interrupt_take_self();
    if (debugger_runs_python(s)) {
        /* Left counted till the command ends, for the heap queries'
           loops to see; only answered here. */
        external = cpdb_interrupt_unanswered();
        cpdb_interrupt_answer();
    }
    else {
        external = cpdb_interrupt_take_external();
    }
    if (!cpdb_interrupt_is_wrapped()) {
        /* The program put Python's C handler back (signal.signal with
           cpdb's handler, say): the sender of this one is unknown, so
           it counts as Ctrl-C, as before the wrapper. */
        if (external == 0 && own == 0) {
            external = 1;
        }
        cpdb_interrupt_wrap();
    }
    if (debugger_runs_python(s)) {
        if (external == 0 && own == 0) {
            Py_RETURN_NONE;     /* answered already (a cancelled line) */
        }
        if (PyThread_get_thread_ident() != s->py_thread) {
            /* Python runs handlers in the main thread only; this one
               got the GIL while the debugger's Python runs in another
               (the program stopped there): interrupt that one, and
               leave this thread's program code alone. */
            if (PyThreadState_SetAsyncExc(s->py_thread,
                                          PyExc_KeyboardInterrupt) > 0) {
                s->async_interrupt = 1;
            }
            Py_RETURN_NONE;
        }
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        return NULL;
    }
    if (own > 0) {
        PyErr_SetNone(PyExc_KeyboardInterrupt);     /* the program's */
        return NULL;
    }
    if (external > 0 && s->tracing) {
        if (s->step.interrupt) {
            /* A second Ctrl-C before the program reached a line (it is
               blocked in C, say): interrupt it as python3 would. */
            s->step.interrupt = 0;
            PyErr_SetNone(PyExc_KeyboardInterrupt);
            return NULL;
        }
        request_stop(s);
    }
    Py_RETURN_NONE;
}

/* The session whose hooks are installed (borrowed; set and read with
   the GIL), for a Ctrl-C that comes without a signal. */
static CpdbSession *fallback_session;

/* A Ctrl-C from a console elsewhere while SIGINT is not Python's (the
   program was started with SIGINT ignored, in the background): a
   pending call in the main thread (base/interrupt.h).  Only a running
   program is stopped; the debugger's own Python is left alone. */
static int
interrupt_without_signal(void *unused)
{
    CpdbSession *s = fallback_session;
    (void)unused;
    if (s != NULL && !debugger_runs_python(s) && s->tracing
        && !s->step.interrupt) {
        request_stop(s);
    }
    return 0;
}

void
cpdb_hooks_sigint_fallback(CpdbSession *s, int on)
{
    if (on) {
        fallback_session = s;
        cpdb_interrupt_set_fallback(interrupt_without_signal);
    }
    else if (fallback_session == s) {
        fallback_session = NULL;
        cpdb_interrupt_set_fallback(NULL);
    }
}

void
cpdb_hooks_sigint_settle(CpdbSession *s)
{
    if (s->async_interrupt) {
        PyThreadState_SetAsyncExc(s->py_thread, NULL);
        s->async_interrupt = 0;
    }
}

/* The signal functions come from _signal, the C module under signal.py:
   importing signal.py makes its enum classes (Signals, Handlers,
   Sigmasks) and, on 3.11+, enum's own, which leave reference cycles
   that the program's first gc.collect() would find as garbage (24 to
   75 objects) although a plain python run has none.  _signal takes
   and returns the same handlers, as plain ints for SIG_DFL/SIG_IGN.
   Return: new reference, or NULL with an exception set. */
static PyObject *
import_signal(void)
{
    return PyImport_ImportModule("_signal");
}

static PyMethodDef interrupt_handler_def = {
    "cpdb_sigint_handler", interrupt_handler, METH_VARARGS,
    "Stop in cpdb at the next line (installed by cpdb)."
};

/* Install the handler if SIGINT has Python's default one.  Return: new
   reference to the handler replaced (to restore), or NULL. */
PyObject *
cpdb_hooks_install_sigint(CpdbSession *s)
{
    PyObject *signal = import_signal();
    PyObject *old = NULL, *dflt = NULL, *fn = NULL, *r;
    if (signal == NULL) {
        goto done;
    }
    old = PyObject_CallMethod(signal, "getsignal", "i", SIGINT);
    dflt = PyObject_GetAttrString(signal, "default_int_handler");
    if (old == NULL || dflt == NULL || old != dflt) {
        Py_CLEAR(old);
        goto done;
    }
    fn = cpdb_hooks_function(s, &interrupt_handler_def);
    r = fn ? PyObject_CallMethod(signal, "signal", "iO", SIGINT, fn) : NULL;
    if (r == NULL) {
        Py_CLEAR(old);
    }
    Py_XDECREF(r);
done:
    PyErr_Clear();
    Py_XDECREF(fn);
    Py_XDECREF(dflt);
    Py_XDECREF(signal);
    return old;
}

/* --- while the debugger has the prompt ----------------------------------- */

static int
is_cpdb_handler(PyObject *h)
{
    return PyCFunction_Check(h)
           && PyCFunction_GET_FUNCTION(h) == (PyCFunction)interrupt_handler;
}

void
cpdb_hooks_sigint_take(CpdbSession *s)
{
    PyObject *signal = NULL, *cur = NULL, *ign = NULL, *fn = NULL;
    if (s->opts.attached) {
        return;     /* the process's SIGINT stays its own */
    }
    if (s->sigint_saved != NULL) {
        goto done;
    }
    signal = import_signal();
    cur = signal ? PyObject_CallMethod(signal, "getsignal", "i", SIGINT)
                 : NULL;
    ign = signal ? PyObject_GetAttrString(signal, "SIG_IGN") : NULL;
    /* An ignored SIGINT stays ignored: cpdb may run in the background,
       where Ctrl-C is not meant for it. */
    if (cur == NULL || ign == NULL || cur == Py_None || is_cpdb_handler(cur)
        || PyObject_RichCompareBool(cur, ign, Py_EQ) != 0) {
        goto done;
    }
    /* signal.signal() fails outside the main thread: a stop there
       leaves the program's handler. */
    fn = cpdb_hooks_function(s, &interrupt_handler_def);
    if (fn != NULL) {
        s->sigint_saved = PyObject_CallMethod(signal, "signal", "iO",
                                              SIGINT, fn);
    }
done:
    PyErr_Clear();
    Py_XDECREF(fn);
    Py_XDECREF(ign);
    Py_XDECREF(cur);
    Py_XDECREF(signal);
    cpdb_interrupt_wrap();      /* signal.signal() put Python's C handler
                                   in front */
}

void
cpdb_hooks_sigint_give_back(CpdbSession *s)
{
    PyObject *saved = s->sigint_saved;
    if (s->opts.attached) {
        return;
    }
    if (saved != NULL) {
        s->sigint_saved = NULL;
        cpdb_hooks_restore_sigint(saved);
        Py_DECREF(saved);
    }
    cpdb_interrupt_wrap();      /* the same, and Python run at the prompt
                                   may have replaced it */
}

/* --- install / restore ---------------------------------------------------- */

/* Give SIGINT the handler old (NULL: Python's default one), unless the
   program changed it from cpdb's since. */
void
cpdb_hooks_restore_sigint(PyObject *old)
{
    PyObject *signal = import_signal(), *cur, *r;
    PyObject *handler = old ? Py_NewRef(old)
        : signal ? PyObject_GetAttrString(signal, "default_int_handler")
                 : NULL;
    cur = signal ? PyObject_CallMethod(signal, "getsignal", "i", SIGINT)
                 : NULL;
    if (cur != NULL && handler != NULL && is_cpdb_handler(cur)) {
        r = PyObject_CallMethod(signal, "signal", "iO", SIGINT, handler);
        Py_XDECREF(r);
    }
    PyErr_Clear();
    Py_XDECREF(cur);
    Py_XDECREF(handler);
    Py_XDECREF(signal);
}
