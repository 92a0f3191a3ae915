/* breakpoint(), pdb.set_trace() and the rest of pdb's entry points reach
   cpdb.  breakpoint() calls sys.breakpointhook, and pdb.set_trace() is
   replaced in the pdb module: both stop at the caller's next line, as
   pdb's set_trace() does.  The other entry points (post_mortem, pm,
   run*, and the methods of pdb.Pdb) are in hooks_pdb_entry.c.  The pdb
   module is not imported for this (it drags in inspect, ast, typing...):
   a finder at the front of sys.meta_path waits for the program to import
   it and patches it once it has executed. */
#include "core/hooks.h"
#include "core/session.h"
#include "core/stepper.h"

#include <stdlib.h>
#include <string.h>

/* pdb.set_trace(*, header=None) prints header first, as pdb does. */
static int
print_header(PyObject *kwargs)
{
    PyObject *header = kwargs ? PyDict_GetItemString(kwargs, "header")
                              : NULL;                   /* borrowed */
    PyObject *out = PySys_GetObject("stdout");          /* borrowed */
    if (header == NULL || header == Py_None || out == NULL
        || out == Py_None) {
        return 0;
    }
    if (PyFile_WriteObject(header, out, Py_PRINT_RAW) < 0
        || PyFile_WriteString("\n", out) < 0) {
        return -1;
    }
    return 0;
}

PyObject *
cpdb_hooks_stop_hook(PyObject *self, PyObject *args, PyObject *kwargs)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    (void)args;
    if (s == NULL) {
        return NULL;
    }
    cpdb_threads_hold(s);       /* another thread is stopped: wait */
    if (s->request != CPDB_REQ_NONE && !s->detached) {
        /* the program is being unwound: it goes on unwinding */
        cpdb_session_raise_kill(s);
        return NULL;
    }
    if (print_header(kwargs) < 0) {
        return NULL;
    }
    if (s->tracing && !s->at_stop && !s->detached) {
        /* As pdb.set_trace(): stop at the next line of the caller. */
        cpdb_step_set_trace(s, PyEval_GetFrame());
    }
    Py_RETURN_NONE;
}


PyMethodDef cpdb_hooks_stop_hook_def = {
    "cpdb_set_trace", (PyCFunction)(void (*)(void))cpdb_hooks_stop_hook,
    METH_VARARGS | METH_KEYWORDS,
    "Stop in cpdb at the next line (installed by cpdb)."
};

/* PYTHONBREAKPOINT names a function that is not there: CPython warns and
   breakpoint() does nothing.  Return: None, or NULL if the warning was
   turned into an error. */
static PyObject *
unimportable_hook(const char *name)
{
    PyErr_Clear();
    if (PyErr_WarnFormat(PyExc_RuntimeWarning, 0, "Ignoring unimportable "
                         "$PYTHONBREAKPOINT: \"%s\"", name) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* The hook PYTHONBREAKPOINT names ("pkg.mod.func", or a builtin's name
   without a dot), as CPython's sys.breakpointhook finds it.  Return: new
   reference, NULL with an exception set, or NULL with none set when it
   cannot be imported. */
static PyObject *
named_hook(const char *name)
{
    const char *dot = strrchr(name, '.');
    PyObject *modname, *module, *hook;
    if (dot == name) {
        return NULL;
    }
    modname = dot ? PyUnicode_FromStringAndSize(name, dot - name)
                  : PyUnicode_FromString("builtins");
    if (modname == NULL) {
        return NULL;
    }
    module = PyImport_Import(modname);
    Py_DECREF(modname);
    if (module == NULL) {
        if (PyErr_ExceptionMatches(PyExc_ImportError)) {
            PyErr_Clear();
        }
        return NULL;
    }
    hook = PyObject_GetAttrString(module, dot ? dot + 1 : name);
    Py_DECREF(module);
    if (hook == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
    }
    return hook;
}

/* sys.breakpointhook(*args, **kws).  The variable is read at each call,
   as CPython does: a program may set it before calling breakpoint(). */
static PyObject *
breakpointhook(PyObject *self, PyObject *args, PyObject *kwargs)
{
    const char *env = getenv("PYTHONBREAKPOINT");
    char *name;
    PyObject *hook, *r;

    if (env == NULL || *env == '\0') {
        return cpdb_hooks_stop_hook(self, args, kwargs);
    }
    if (strcmp(env, "0") == 0) {
        Py_RETURN_NONE;
    }
    /* Importing may change the environment: keep a copy. */
    name = cpdb_xstrdup(env);
    hook = named_hook(name);
    if (hook == NULL) {
        r = PyErr_Occurred() ? NULL : unimportable_hook(name);
    }
    else {
        r = PyObject_Call(hook, args, kwargs);
        Py_DECREF(hook);
    }
    free(name);
    return r;
}

PyMethodDef cpdb_hooks_breakpointhook_def = {
    "breakpointhook", (PyCFunction)(void (*)(void))breakpointhook,
    METH_VARARGS | METH_KEYWORDS,
    "Stop in cpdb, or call the hook PYTHONBREAKPOINT names (installed by "
    "cpdb)."
};

/* Put cpdb's entry points in the pdb module and on its Pdb class. */
static int
patch_pdb_module(CpdbSession *s, PyObject *module)
{
    PyObject *fn = cpdb_hooks_function(s, &cpdb_hooks_stop_hook_def);
    PyObject *cls = PyObject_GetAttrString(module, "Pdb");
    const CpdbPdbEntry *e;
    int rc = fn ? PyObject_SetAttrString(module, "set_trace", fn) : -1;

    Py_XDECREF(fn);
    if (cls == NULL) {
        PyErr_Clear();
    }
    for (e = cpdb_pdb_entries; rc == 0 && e->def != NULL; e++) {
        if (e->where & CPDB_PDB_FUNCTION) {
            fn = cpdb_hooks_function(s, e->def);
            rc = fn ? PyObject_SetAttrString(module, e->def->ml_name, fn)
                    : -1;
            Py_XDECREF(fn);
        }
        if (rc == 0 && cls != NULL && (e->where & CPDB_PDB_METHOD)) {
            fn = cpdb_hooks_method(s, e->def);
            rc = fn ? PyObject_SetAttrString(cls, e->def->ml_name, fn) : -1;
            Py_XDECREF(fn);
        }
    }
    Py_XDECREF(cls);
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

void
cpdb_hooks_redirect_pdb(CpdbSession *s)
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
void
cpdb_hooks_remove_pdb_finder(void)
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
