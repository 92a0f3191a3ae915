/* The ways a running program hands control to the debugger by itself,
   installed for each run and removed after it: breakpoint() and pdb's
   entry points (hooks_pdb.c), Ctrl-C (hooks_sigint.c), and what a child
   the program forks does (here). */
#include "core/hooks.h"
#include "core/session.h"
#include "base/interrupt.h"

/* Return: new reference to a function object bound to the session. */
PyObject *
cpdb_hooks_function(CpdbSession *s, PyMethodDef *def)
{
    if (s->capsule == NULL) {
        s->capsule = PyCapsule_New(s, "cpdb.session", NULL);
        if (s->capsule == NULL) {
            return NULL;
        }
    }
    return PyCFunction_New(def, s->capsule);
}

/* --- fork ---------------------------------------------------------------- */

/* A child forked by the program (multiprocessing, os.fork) runs free: the
   debugger stays with the parent, as gdb's follow-fork-mode parent.  The
   child drops the trace function and gets Python's SIGINT handler back,
   so that Ctrl-C interrupts it as it would without cpdb. */
static PyObject *
after_fork_in_child(PyObject *self, PyObject *args)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    (void)args;
    if (s == NULL) {
        return NULL;
    }
    if (s->tracing) {
        s->backend->stop(&s->trace);
        s->tracing = 0;
    }
    s->detached = 1;
    cpdb_hooks_restore_sigint(NULL);
    Py_RETURN_NONE;
}

static PyMethodDef after_fork_def = {
    "cpdb_after_fork_in_child", after_fork_in_child, METH_NOARGS,
    "Detach cpdb from a forked child (installed by cpdb)."
};

static void
register_fork_handler(CpdbSession *s)
{
    PyObject *os, *fn, *kw = NULL, *reg = NULL, *r = NULL;
    if (s->fork_handler_registered) {
        return;
    }
    os = PyImport_ImportModule("os");
    fn = cpdb_hooks_function(s, &after_fork_def);
    if (os != NULL && fn != NULL) {
        reg = PyObject_GetAttrString(os, "register_at_fork");
        kw = Py_BuildValue("{sO}", "after_in_child", fn);
    }
    if (reg != NULL && kw != NULL) {
        PyObject *noargs = PyTuple_New(0);
        r = noargs ? PyObject_Call(reg, noargs, kw) : NULL;
        Py_XDECREF(noargs);
    }
    s->fork_handler_registered = (r != NULL);
    PyErr_Clear();
    Py_XDECREF(r);
    Py_XDECREF(reg);
    Py_XDECREF(kw);
    Py_XDECREF(fn);
    Py_XDECREF(os);
}

/* --- install / remove ---------------------------------------------------- */

void
cpdb_hooks_install(CpdbSession *s, CpdbHooks *h)
{
    PyObject *fn = cpdb_hooks_function(s, &cpdb_hooks_breakpointhook_def);
    h->old_breakpointhook = Py_XNewRef(PySys_GetObject("breakpointhook"));
    if (fn == NULL || PySys_SetObject("breakpointhook", fn) < 0) {
        PyErr_Clear();
    }
    Py_XDECREF(fn);
    if (s->opts.attached) {
        /* A process cpdb was loaded into keeps its SIGINT (Ctrl-C comes
           as a message), and nothing is left that detach could not take
           back: pdb's patched functions and a fork handler would call
           into a session that is gone. */
        h->old_sigint = NULL;
        return;
    }
    cpdb_hooks_redirect_pdb(s);
    h->old_sigint = cpdb_hooks_install_sigint(s);
    cpdb_interrupt_wrap();      /* signal.signal() put Python's back */
    cpdb_hooks_sigint_fallback(s, 1);
    register_fork_handler(s);
}

void
cpdb_hooks_remove(CpdbSession *s, CpdbHooks *h)
{
    PyObject *cur = PySys_GetObject("breakpointhook");  /* borrowed */
    if (h->old_breakpointhook != NULL && cur != NULL
        && PyCFunction_Check(cur)
        && PyCFunction_GET_FUNCTION(cur)
           == cpdb_hooks_breakpointhook_def.ml_meth) {
        if (PySys_SetObject("breakpointhook", h->old_breakpointhook) < 0) {
            PyErr_Clear();
        }
    }
    Py_CLEAR(h->old_breakpointhook);
    if (s->opts.attached) {
        return;
    }
    cpdb_hooks_remove_pdb_finder();
    if (h->old_sigint != NULL) {
        cpdb_hooks_restore_sigint(h->old_sigint);
    }
    Py_CLEAR(h->old_sigint);
    cpdb_interrupt_wrap();
    cpdb_hooks_sigint_fallback(s, 0);
}
