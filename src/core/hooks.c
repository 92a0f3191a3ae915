/* Hooks through which the running program asks for the debugger.

   breakpoint() calls sys.breakpointhook, and pdb.set_trace() is replaced
   in the pdb module: both stop at the caller's next line, as pdb's
   set_trace() does.  The pdb module is not imported for this (it drags in
   inspect, ast, typing...): a finder at the front of sys.meta_path waits
   for the program to import it and patches it once it has executed.

   Ctrl-C while the program runs stops it at its next line, as in gdb,
   instead of raising KeyboardInterrupt.  The handler is a Python-level
   signal handler written in C: Python runs it in the main thread between
   bytecodes, where asking the stepper for a stop is safe.  A program that
   installs its own SIGINT handler keeps it. */
#include "core/hooks.h"
#include "core/session.h"
#include "core/stepper.h"

#include <signal.h>
#include <string.h>

/* --- breakpoint() and pdb.set_trace() ------------------------------------ */

static PyObject *
stop_hook(PyObject *self, PyObject *args, PyObject *kwargs)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    (void)args;
    (void)kwargs;
    if (s == NULL) {
        return NULL;
    }
    if (s->tracing && !s->at_stop && !s->detached) {
        /* As pdb.set_trace(): stop at the next line of the caller. */
        cpdb_step_set_trace(s, PyEval_GetFrame());
    }
    Py_RETURN_NONE;
}

static PyMethodDef stop_hook_def = {
    "cpdb_set_trace", (PyCFunction)(void (*)(void))stop_hook,
    METH_VARARGS | METH_KEYWORDS,
    "Stop in cpdb at the next line (installed by cpdb)."
};

/* Return: new reference to a function object bound to the session. */
static PyObject *
session_function(CpdbSession *s, PyMethodDef *def)
{
    PyObject *cap = PyCapsule_New(s, "cpdb.session", NULL);
    PyObject *fn = cap ? PyCFunction_New(def, cap) : NULL;
    Py_XDECREF(cap);
    return fn;
}

static int
patch_pdb_module(CpdbSession *s, PyObject *module)
{
    PyObject *fn = session_function(s, &stop_hook_def);
    int rc = fn ? PyObject_SetAttrString(module, "set_trace", fn) : -1;
    Py_XDECREF(fn);
    return rc;
}

/* A loader that runs pdb's own loader, then patches the module.  Other
   attributes (get_source, ...) are the wrapped loader's. */
typedef struct {
    PyObject_HEAD
    PyObject *loader;           /* strong: the real loader */
    CpdbSession *session;
} PdbLoader;

static void
pdbloader_dealloc(PdbLoader *self)
{
    Py_XDECREF(self->loader);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
pdbloader_create_module(PdbLoader *self, PyObject *spec)
{
    return PyObject_CallMethod(self->loader, "create_module", "O", spec);
}

static PyObject *
pdbloader_exec_module(PdbLoader *self, PyObject *module)
{
    PyObject *r = PyObject_CallMethod(self->loader, "exec_module", "O",
                                      module);
    if (r != NULL && patch_pdb_module(self->session, module) < 0) {
        PyErr_Clear();
    }
    return r;
}

static PyObject *
pdbloader_getattro(PdbLoader *self, PyObject *name)
{
    PyObject *v = PyObject_GenericGetAttr((PyObject *)self, name);
    if (v == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        v = PyObject_GetAttr(self->loader, name);
    }
    return v;
}

static PyMethodDef pdbloader_methods[] = {
    {"create_module", (PyCFunction)pdbloader_create_module, METH_O, NULL},
    {"exec_module", (PyCFunction)pdbloader_exec_module, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject PdbLoaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cpdb.PdbLoader",
    .tp_basicsize = sizeof(PdbLoader),
    .tp_dealloc = (destructor)pdbloader_dealloc,
    .tp_getattro = (getattrofunc)pdbloader_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = pdbloader_methods,
};

/* The finder: answers only for "pdb", once, by asking the rest of
   sys.meta_path and wrapping the loader found. */
typedef struct {
    PyObject_HEAD
    CpdbSession *session;
} PdbFinder;

static PyObject *
pdbfinder_find_spec(PdbFinder *self, PyObject *args)
{
    PyObject *name, *path = Py_None, *target = Py_None;
    PyObject *meta, *util = NULL, *spec = NULL, *loader = NULL;
    PdbLoader *wrapper;

    if (!PyArg_ParseTuple(args, "U|OO", &name, &path, &target)) {
        return NULL;
    }
    if (PyUnicode_CompareWithASCIIString(name, "pdb") != 0) {
        Py_RETURN_NONE;
    }
    meta = PySys_GetObject("meta_path");                /* borrowed */
    if (meta != NULL && PyList_Check(meta)) {
        Py_ssize_t i = PySequence_Index(meta, (PyObject *)self);
        if (i >= 0) {
            PySequence_DelItem(meta, i);
        }
        PyErr_Clear();
    }
    util = PyImport_ImportModule("importlib.util");
    spec = util ? PyObject_CallMethod(util, "find_spec", "O", name) : NULL;
    loader = spec && spec != Py_None
             ? PyObject_GetAttrString(spec, "loader") : NULL;
    if (loader == NULL || loader == Py_None) {
        PyErr_Clear();
        Py_XDECREF(loader);
        Py_XDECREF(util);
        return spec ? spec : Py_NewRef(Py_None);
    }
    wrapper = PyObject_New(PdbLoader, &PdbLoaderType);
    if (wrapper != NULL) {
        wrapper->loader = loader;       /* the reference moves in */
        wrapper->session = self->session;
        if (PyObject_SetAttrString(spec, "loader", (PyObject *)wrapper) < 0) {
            PyErr_Clear();
        }
        Py_DECREF(wrapper);
    }
    else {
        PyErr_Clear();
        Py_DECREF(loader);
    }
    Py_XDECREF(util);
    return spec;
}

static PyMethodDef pdbfinder_methods[] = {
    {"find_spec", (PyCFunction)pdbfinder_find_spec, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject PdbFinderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cpdb.PdbFinder",
    .tp_basicsize = sizeof(PdbFinder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = pdbfinder_methods,
};

static void
redirect_pdb(CpdbSession *s)
{
    PyObject *modules = PySys_GetObject("modules");     /* borrowed */
    PyObject *pdb = modules ? PyDict_GetItemString(modules, "pdb") : NULL;
    PyObject *meta = PySys_GetObject("meta_path");      /* borrowed */
    PdbFinder *finder;

    if (pdb != NULL) {
        if (patch_pdb_module(s, pdb) < 0) {
            PyErr_Clear();
        }
        return;
    }
    if (meta == NULL || !PyList_Check(meta)
        || PyType_Ready(&PdbLoaderType) < 0
        || PyType_Ready(&PdbFinderType) < 0) {
        PyErr_Clear();
        return;
    }
    finder = PyObject_New(PdbFinder, &PdbFinderType);
    if (finder == NULL) {
        PyErr_Clear();
        return;
    }
    finder->session = s;
    if (PyList_Insert(meta, 0, (PyObject *)finder) < 0) {
        PyErr_Clear();
    }
    Py_DECREF(finder);
}

/* Take the finder out of sys.meta_path if pdb was never imported. */
static void
remove_pdb_finder(void)
{
    PyObject *meta = PySys_GetObject("meta_path");      /* borrowed */
    Py_ssize_t i;
    if (meta == NULL || !PyList_Check(meta)) {
        return;
    }
    for (i = PyList_GET_SIZE(meta) - 1; i >= 0; i--) {
        if (Py_TYPE(PyList_GET_ITEM(meta, i)) == &PdbFinderType) {
            PySequence_DelItem(meta, i);
        }
    }
    PyErr_Clear();
}

/* --- Ctrl-C -------------------------------------------------------------- */

static PyObject *
interrupt_handler(PyObject *self, PyObject *args)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    (void)args;
    if (s == NULL) {
        return NULL;
    }
    if (s->tracing && !s->at_stop) {
        if (s->step.interrupt) {
            /* A second Ctrl-C before the program reached a line (it is
               blocked in C, say): interrupt it as python3 would. */
            s->step.interrupt = 0;
            PyErr_SetNone(PyExc_KeyboardInterrupt);
            return NULL;
        }
        s->step.interrupt = 1;
        cpdb_session_refresh_trace(s);
    }
    Py_RETURN_NONE;
}

static PyMethodDef interrupt_handler_def = {
    "cpdb_sigint_handler", interrupt_handler, METH_VARARGS,
    "Stop in cpdb at the next line (installed by cpdb)."
};

/* Install the handler if SIGINT has Python's default one.  Return: new
   reference to the handler replaced (to restore), or NULL. */
static PyObject *
install_interrupt_handler(CpdbSession *s)
{
    PyObject *signal = PyImport_ImportModule("signal");
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
    fn = session_function(s, &interrupt_handler_def);
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

/* Give SIGINT the handler old (NULL: Python's default one), unless the
   program changed it from cpdb's since. */
static void
restore_interrupt_handler(PyObject *old)
{
    PyObject *signal = PyImport_ImportModule("signal"), *cur, *r;
    PyObject *handler = old ? Py_NewRef(old)
        : signal ? PyObject_GetAttrString(signal, "default_int_handler")
                 : NULL;
    cur = signal ? PyObject_CallMethod(signal, "getsignal", "i", SIGINT)
                 : NULL;
    if (cur != NULL && handler != NULL && PyCFunction_Check(cur)
        && PyCFunction_GET_FUNCTION(cur) == (PyCFunction)interrupt_handler) {
        r = PyObject_CallMethod(signal, "signal", "iO", SIGINT, handler);
        Py_XDECREF(r);
    }
    PyErr_Clear();
    Py_XDECREF(cur);
    Py_XDECREF(handler);
    Py_XDECREF(signal);
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
    restore_interrupt_handler(NULL);
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
    fn = session_function(s, &after_fork_def);
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
    PyObject *fn = session_function(s, &stop_hook_def);
    h->old_breakpointhook = Py_XNewRef(PySys_GetObject("breakpointhook"));
    if (fn == NULL || PySys_SetObject("breakpointhook", fn) < 0) {
        PyErr_Clear();
    }
    Py_XDECREF(fn);
    redirect_pdb(s);
    h->old_sigint = install_interrupt_handler(s);
    register_fork_handler(s);
}

void
cpdb_hooks_remove(CpdbSession *s, CpdbHooks *h)
{
    PyObject *cur = PySys_GetObject("breakpointhook");  /* borrowed */
    (void)s;
    if (h->old_breakpointhook != NULL && cur != NULL
        && PyCFunction_Check(cur)
        && PyCFunction_GET_FUNCTION(cur) == (PyCFunction)(void (*)(void))
                                              stop_hook) {
        if (PySys_SetObject("breakpointhook", h->old_breakpointhook) < 0) {
            PyErr_Clear();
        }
    }
    Py_CLEAR(h->old_breakpointhook);
    remove_pdb_finder();
    if (h->old_sigint != NULL) {
        restore_interrupt_handler(h->old_sigint);
    }
    Py_CLEAR(h->old_sigint);
}
