/* Catchpoints: which exception events stop (see catch.h).  The checks
   run inside the trace backend's exception event, so they read types
   and tracebacks as C structures and run no Python code. */
#include "core/catch.h"
#include "base/util.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

CpdbCatch *
cpdb_catch_new(char *const *types, int n, int user_only)
{
    CpdbCatch *c = cpdb_xcalloc(1, sizeof *c);
    int i;
    c->types = cpdb_xcalloc((size_t)(n > 0 ? n : 1), sizeof(char *));
    for (i = 0; i < n; i++) {
        c->types[i] = cpdb_xstrdup(types[i]);
    }
    c->n_types = n;
    c->user_only = user_only;
    return c;
}

void
cpdb_catch_free(CpdbCatch *c)
{
    int i;
    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->n_types; i++) {
        free(c->types[i]);
    }
    free(c->types);
    free(c);
}

char *
cpdb_catch_describe(const CpdbCatch *c)
{
    CpdbBuf b;
    int i;
    cpdb_buf_init(&b);
    cpdb_buf_add(&b, "raise");
    if (c->user_uncaught) {
        cpdb_buf_add(&b, " --user-uncaught");
    }
    else if (c->user_only) {
        cpdb_buf_add(&b, " --user");
    }
    for (i = 0; i < c->n_types; i++) {
        cpdb_buf_printf(&b, " %s", c->types[i]);
    }
    return cpdb_buf_take(&b);
}

int
cpdb_catch_name_valid(const char *name)
{
    const char *p = name;
    for (;;) {
        if (!isalpha((unsigned char)*p) && *p != '_') {
            return 0;
        }
        while (isalnum((unsigned char)*p) || *p == '_') {
            p++;
        }
        if (*p == '\0') {
            return 1;
        }
        if (*p++ != '.') {
            return 0;
        }
    }
}

/* --- the library -------------------------------------------------------- */

/* Folders of the standard library and of installed packages, each as
   python names it and as its real path, with a final '/' (malloc).
   Learnt once: they do not change while the process lives. */
static CPDB_ARRAY(char *) library_dirs;
static int library_known;

static void
add_library_dir(PyObject *path)
{
    const char *p = path && PyUnicode_Check(path) ? PyUnicode_AsUTF8(path)
                                                   : NULL;
    char real[PATH_MAX];
    if (p == NULL || *p == '\0') {
        PyErr_Clear();
        return;
    }
    cpdb_array_push(&library_dirs, cpdb_xasprintf("%s/", p));
    if (realpath(p, real) != NULL && strcmp(real, p) != 0) {
        cpdb_array_push(&library_dirs, cpdb_xasprintf("%s/", real));
    }
}

/* Add each item of the iterable that module.func() returns, when the
   program has imported module: cpdb imports nothing into it. */
static void
add_dirs_from(const char *module, const char *func)
{
    PyObject *name = PyUnicode_FromString(module);
    PyObject *mod = name ? PyImport_GetModule(name) : NULL;
    PyObject *r = mod ? PyObject_CallMethod(mod, func, NULL) : NULL;
    PyObject *it, *item;
    if (r != NULL && PyUnicode_Check(r)) {
        add_library_dir(r);
    }
    else if (r != NULL && (it = PyObject_GetIter(r)) != NULL) {
        while ((item = PyIter_Next(it)) != NULL) {
            add_library_dir(item);
            Py_DECREF(item);
        }
        Py_DECREF(it);
    }
    PyErr_Clear();
    Py_XDECREF(r);
    Py_XDECREF(mod);
    Py_XDECREF(name);
}

/* The standard library's folder: where os comes from (python imports
   it at start-up, frozen or not, and sets its __file__). */
static void
add_stdlib_dir(void)
{
    PyObject *name = PyUnicode_FromString("os");
    PyObject *os = name ? PyImport_GetModule(name) : NULL;
    PyObject *file = os ? PyObject_GetAttrString(os, "__file__") : NULL;
    PyObject *dir = NULL;
    const char *f = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file)
                                                  : NULL;
    const char *slash = f ? strrchr(f, '/') : NULL;
    if (slash != NULL) {
        dir = PyUnicode_FromStringAndSize(f, slash - f);
        add_library_dir(dir);
    }
    PyErr_Clear();
    Py_XDECREF(dir);
    Py_XDECREF(file);
    Py_XDECREF(os);
    Py_XDECREF(name);
}

void
cpdb_catch_learn_library(void)
{
    CpdbExcState st;
    if (library_known) {
        return;
    }
    library_known = 1;
    cpdb_exc_save(&st);
    add_stdlib_dir();
    /* Installed packages: site-packages, Debian's dist-packages, the
       user's site. */
    add_dirs_from("site", "getsitepackages");
    add_dirs_from("site", "getusersitepackages");
    cpdb_exc_restore(&st);
}

/* Whether code is the library's: a file under one of its folders, or
   a module frozen into python ("<frozen importlib._bootstrap>"). */
int
cpdb_catch_is_library_path(const char *fn)
{
    size_t i;
    if (strncmp(fn, "<frozen ", 8) == 0) {
        return 1;
    }
    for (i = 0; i < library_dirs.n; i++) {
        if (strncmp(fn, library_dirs.items[i],
                    strlen(library_dirs.items[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
is_library_code(PyCodeObject *code)
{
    const char *fn = PyUnicode_AsUTF8(code->co_filename);
    if (fn == NULL) {
        PyErr_Clear();
        return 0;
    }
    return cpdb_catch_is_library_path(fn);
}

static int
is_library_frame(PyFrameObject *frame)
{
    PyCodeObject *code = PyFrame_GetCode(frame);
    int lib = is_library_code(code);
    Py_DECREF(code);
    return lib;
}

/* --- matching ------------------------------------------------------------ */

/* A class's module and qualified name, read from the type itself (no
   Python runs): a class written in Python keeps them in __module__ and
   its qualname; a C type in tp_name ("ValueError", "_io.UnsupportedOp").
   Return 0, or -1 when they cannot be read. */
static int
class_names(PyTypeObject *t, const char **module, size_t *module_len,
            const char **qualname)
{
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyObject *q = ((PyHeapTypeObject *)t)->ht_qualname;
        PyObject *m = t->tp_dict ? PyDict_GetItemString(t->tp_dict,
                                                        "__module__")
                                 : NULL;                /* borrowed */
        *qualname = q && PyUnicode_Check(q) ? PyUnicode_AsUTF8(q) : NULL;
        *module = m && PyUnicode_Check(m) ? PyUnicode_AsUTF8(m) : "";
        if (*qualname == NULL || *module == NULL) {
            PyErr_Clear();
            return -1;
        }
        *module_len = strlen(*module);
    }
    else {
        const char *dot = strrchr(t->tp_name, '.');
        *module = dot ? t->tp_name : "builtins";
        *module_len = dot ? (size_t)(dot - t->tp_name) : strlen(*module);
        *qualname = dot ? dot + 1 : t->tp_name;
    }
    return 0;
}

/* Whether name names class t: its name or qualified name ("Error",
   "Outer.Error"), that with its module ("json.decoder.JSONDecodeError",
   "builtins.ValueError"), or with a package the module is in
   ("json.JSONDecodeError"), as a package exports its classes. */
static int
name_is_class(const char *name, PyTypeObject *t)
{
    const char *module, *qualname;
    size_t module_len, qlen, nlen = strlen(name), head;
    if (class_names(t, &module, &module_len, &qualname) < 0) {
        return 0;
    }
    if (strcmp(name, qualname) == 0
        || ((t->tp_flags & Py_TPFLAGS_HEAPTYPE)
            && strcmp(name, t->tp_name) == 0)) {
        return 1;
    }
    qlen = strlen(qualname);
    if (nlen <= qlen + 1 || strcmp(name + nlen - qlen, qualname) != 0
        || name[nlen - qlen - 1] != '.') {
        return 0;
    }
    head = nlen - qlen - 1;
    return head <= module_len && strncmp(name, module, head) == 0
           && (head == module_len || module[head] == '.');
}

/* Whether exc is an instance of a class c names (or of a subclass). */
static int
type_matches(const CpdbCatch *c, PyObject *exc)
{
    PyObject *mro = Py_TYPE(exc)->tp_mro;               /* borrowed */
    Py_ssize_t i;
    int k;
    if (c->n_types == 0) {
        return 1;
    }
    if (mro == NULL || !PyTuple_Check(mro)) {
        return 0;
    }
    for (i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        for (k = 0; k < c->n_types; k++) {
            if (name_is_class(c->types[k], t)) {
                return 1;
            }
        }
    }
    return 0;
}

/* Whether an exception raised in frame (user code) reaches library
   code, or the bottom of the stack, without passing a frame of user
   code that stands in a handler's range. */
static int
leaves_user_code(PyFrameObject *frame)
{
    PyFrameObject *f = (PyFrameObject *)Py_NewRef(frame);
    int leaves = 1;
    while (f != NULL) {
        PyFrameObject *back;
        if (is_library_frame(f)) {
            break;
        }
        if (cpdb_frame_in_handler(f)) {
            leaves = 0;
            break;
        }
        back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
    Py_XDECREF(f);
    return leaves;
}

int
cpdb_catch_matches(const CpdbCatch *c, PyFrameObject *frame, PyObject *exc,
                   PyObject *tb)
{
    PyTracebackObject *t;
    if (exc == NULL || !PyExceptionInstance_Check(exc) || tb == NULL
        || !PyTraceBack_Check(tb)) {
        return 0;
    }
    t = (PyTracebackObject *)tb;
    if (t->tb_frame != frame) {
        return 0;
    }
    if (c->user_uncaught) {
        return t->tb_next == NULL && !is_library_frame(frame)
               && leaves_user_code(frame) && type_matches(c, exc);
    }
    if (!c->user_only) {
        /* Raised here: the traceback ends at this frame. */
        if (t->tb_next != NULL) {
            return 0;
        }
    }
    else {
        /* In user code, raised here, or come from library code only. */
        if (is_library_frame(frame)) {
            return 0;
        }
        for (t = t->tb_next; t != NULL; t = t->tb_next) {
            if (!is_library_frame(t->tb_frame)) {
                return 0;
            }
        }
    }
    return type_matches(c, exc);
}
