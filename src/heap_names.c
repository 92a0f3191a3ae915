/* Names of references and objects.  These look inside objects with the
   C API where their layout is public, and with attribute access for
   instances; they run only for the few edges a command prints. */
#include "heap_names.h"
#include "heap.h"
#include "output.h"
#include "util.h"

#include <string.h>

static char *
key_label(PyObject *key)
{
    char *r = cpdb_repr(key, 60);
    char *out = cpdb_xasprintf("[%s]", r);
    free(r);
    return out;
}

static char *
in_dict(PyObject *d, PyObject *dst, const char *attr_prefix)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(d, &pos, &k, &v)) {
        if (v == dst) {
            if (attr_prefix != NULL && PyUnicode_Check(k)) {
                return cpdb_xasprintf("%s%s", attr_prefix,
                                      PyUnicode_AsUTF8(k));
            }
            return key_label(k);
        }
        if (k == dst) {
            char *r = cpdb_repr(k, 60), *out;
            out = cpdb_xasprintf("<key %s>", r);
            free(r);
            return out;
        }
    }
    return NULL;
}

static char *
in_sequence(PyObject *seq, PyObject *dst)
{
    Py_ssize_t i, n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (i = 0; i < n; i++) {
        if (items[i] == dst) {
            return cpdb_xasprintf("[%zd]", i);
        }
    }
    return NULL;
}

/* The attribute dictionary of an instance, without creating one.
   Return: new reference or NULL. */
static PyObject *
instance_dict(PyObject *o)
{
    PyObject *d;
    if (PyType_Check(o) || PyModule_Check(o) || Py_TYPE(o)->tp_dictoffset == 0) {
        return NULL;
    }
    d = PyObject_GenericGetDict(o, NULL);
    if (d == NULL || !PyDict_Check(d)) {
        PyErr_Clear();
        Py_XDECREF(d);
        return NULL;
    }
    return d;
}

int
cpdb_is_dict_of(PyObject *src, PyObject *dst)
{
    PyObject *d;
    int is;
    if (!PyDict_Check(dst)) {
        return 0;
    }
    if (PyModule_Check(src)) {
        return PyModule_GetDict(src) == dst;
    }
    if (PyType_Check(src)) {
        return (((PyTypeObject *)src)->tp_flags & Py_TPFLAGS_HEAPTYPE)
               && ((PyTypeObject *)src)->tp_dict == dst;
    }
    d = instance_dict(src);
    is = (d == dst);
    Py_XDECREF(d);
    return is;
}

/* Named fields of common built-in objects. */
typedef struct Field {
    const char *name;
    PyObject *value;        /* borrowed */
} Field;

static char *
in_fields(const Field *fields, int n, PyObject *dst)
{
    int i;
    for (i = 0; i < n; i++) {
        if (fields[i].value == dst && dst != NULL) {
            return cpdb_xasprintf(".%s", fields[i].name);
        }
    }
    return NULL;
}

static char *attr_edge(PyObject *o, const char *const *names, PyObject *dst);

static char *
function_edge(PyObject *f, PyObject *dst)
{
    static const char *const more[] = {
        "__builtins__", "__name__", "__qualname__", "__doc__", NULL
    };
    PyObject *closure = PyFunction_GetClosure(f);
    Field fields[] = {
        {"__code__", PyFunction_GetCode(f)},
        {"__globals__", PyFunction_GetGlobals(f)},
        {"__defaults__", PyFunction_GetDefaults(f)},
        {"__kwdefaults__", PyFunction_GetKwDefaults(f)},
        {"__closure__", closure},
        {"__annotations__", PyFunction_GetAnnotations(f)},
        {"__module__", PyFunction_GetModule(f)},
    };
    char *name = in_fields(fields, (int)CPDB_ARRAY_LEN(fields), dst);
    if (name == NULL && closure != NULL && PyTuple_Check(closure)) {
        Py_ssize_t i;
        for (i = 0; i < PyTuple_GET_SIZE(closure); i++) {
            PyObject *cell = PyTuple_GET_ITEM(closure, i);
            if (cell == dst) {
                return cpdb_xasprintf(".__closure__[%zd]", i);
            }
        }
    }
    if (name == NULL) {
        PyObject *d = PyObject_GetAttrString(f, "__dict__");
        PyErr_Clear();
        if (d != NULL && PyDict_Check(d)) {
            name = d == dst ? cpdb_xstrdup(".__dict__") : in_dict(d, dst, ".");
        }
        Py_XDECREF(d);
    }
    if (name == NULL) {
        name = attr_edge(f, more, dst);
    }
    return name;
}

static char *
attr_edge(PyObject *o, const char *const *names, PyObject *dst)
{
    int i;
    for (i = 0; names[i] != NULL; i++) {
        PyObject *v = PyObject_GetAttrString(o, names[i]);
        int same = (v == dst);
        Py_XDECREF(v);
        PyErr_Clear();
        if (same) {
            return cpdb_xasprintf(".%s", names[i]);
        }
    }
    return NULL;
}

static char *
frame_edge(PyFrameObject *f, PyObject *dst)
{
    static const char *const names[] = {
        "f_back", "f_code", "f_globals", "f_builtins", "f_trace", NULL
    };
    char *name = attr_edge((PyObject *)f, names, dst);
    PyObject *locals;
    if (name != NULL) {
        return name;
    }
    locals = cpdb_frame_locals(f);
    if (locals != NULL) {
        PyObject *keys = PyMapping_Keys(locals);
        Py_ssize_t i;
        for (i = 0; keys != NULL && i < PyList_GET_SIZE(keys); i++) {
            PyObject *k = PyList_GET_ITEM(keys, i);
            PyObject *v = PyObject_GetItem(locals, k);
            int same = (v == dst);
            Py_XDECREF(v);
            if (same && PyUnicode_Check(k)) {
                name = cpdb_xasprintf(".f_locals['%s']", PyUnicode_AsUTF8(k));
                break;
            }
        }
        Py_XDECREF(keys);
        if (name == NULL && locals == dst) {
            name = cpdb_xstrdup(".f_locals");
        }
        Py_DECREF(locals);
    }
    PyErr_Clear();
    return name;
}

/* Slots: member descriptors along the type's MRO. */
static char *
slot_edge(PyObject *o, PyObject *dst)
{
    PyObject *mro = Py_TYPE(o)->tp_mro;
    Py_ssize_t i;
    if (mro == NULL || !PyTuple_Check(mro)) {
        return NULL;
    }
    for (i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyObject *d = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (d != NULL && PyDict_Next(d, &pos, &k, &v)) {
            PyObject *value;
            if (Py_TYPE(v) != &PyMemberDescr_Type || !PyUnicode_Check(k)) {
                continue;
            }
            value = PyObject_GetAttr(o, k);
            PyErr_Clear();
            if (value == dst && value != NULL) {
                Py_DECREF(value);
                return cpdb_xasprintf(".%s", PyUnicode_AsUTF8(k));
            }
            Py_XDECREF(value);
        }
    }
    return NULL;
}

char *
cpdb_edge_name(PyObject *src, PyObject *dst)
{
    char *name = NULL;
    PyObject *d;
    CpdbExcState st;

    cpdb_exc_save(&st);
    if (PyDict_Check(src)) {
        name = in_dict(src, dst, NULL);
    }
    else if (PyList_Check(src) || PyTuple_Check(src)) {
        name = in_sequence(src, dst);
    }
    else if (PyAnySet_Check(src)) {
        char *r = cpdb_repr(dst, 40);
        name = cpdb_xasprintf("{%s}", r);
        free(r);
    }
    else if (PyModule_Check(src)) {
        d = PyModule_GetDict(src);
        name = d == dst ? cpdb_xstrdup(".__dict__")
                        : (d ? in_dict(d, dst, ".") : NULL);
    }
    else if (PyType_Check(src)) {
        PyTypeObject *t = (PyTypeObject *)src;
        Field fields[] = {
            {"__dict__", t->tp_dict}, {"__mro__", t->tp_mro},
            {"__bases__", t->tp_bases}, {"__base__", (PyObject *)t->tp_base},
        };
        name = in_fields(fields, (int)CPDB_ARRAY_LEN(fields), dst);
        if (name == NULL && t->tp_dict != NULL) {
            name = in_dict(t->tp_dict, dst, ".");
        }
    }
    else if (PyFunction_Check(src)) {
        name = function_edge(src, dst);
    }
    else if (PyMethod_Check(src)) {
        Field fields[] = {
            {"__func__", PyMethod_GET_FUNCTION(src)},
            {"__self__", PyMethod_GET_SELF(src)},
        };
        name = in_fields(fields, 2, dst);
    }
    else if (PyCell_Check(src)) {
        name = PyCell_GET(src) == dst ? cpdb_xstrdup(".cell_contents") : NULL;
    }
    else if (PyFrame_Check(src)) {
        name = frame_edge((PyFrameObject *)src, dst);
    }
    else if (PyWeakref_Check(src)) {
        static const char *const names[] = {"__callback__", NULL};
        name = attr_edge(src, names, dst);
    }
    else {
        static const char *const names[] = {
            "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame",
            "fget", "fset", "fdel", "__func__", "__self__", "__wrapped__",
            "__objclass__",
            "cell_contents", NULL
        };
        d = instance_dict(src);
        if (d != NULL) {
            name = d == dst ? cpdb_xstrdup(".__dict__") : in_dict(d, dst, ".");
            Py_DECREF(d);
        }
        if (name == NULL) {
            name = slot_edge(src, dst);
        }
        if (name == NULL) {
            name = attr_edge(src, names, dst);
        }
        if (name == NULL && (PyObject *)Py_TYPE(src) == dst) {
            name = cpdb_xstrdup(".__class__");
        }
    }
    PyErr_Clear();
    cpdb_exc_restore(&st);
    return name;
}

char *
cpdb_obj_brief(PyObject *o, long limit)
{
    char *type = cpdb_type_name(Py_TYPE(o)), *out, *r;
    CpdbExcState st;

    cpdb_exc_save(&st);
    if (PyModule_Check(o)) {
        const char *name = PyModule_GetName(o);
        out = cpdb_xasprintf("module %s", name ? name : "?");
    }
    else if (PyFunction_Check(o)) {
        PyObject *q = PyObject_GetAttrString(o, "__qualname__");
        out = cpdb_xasprintf("function %s", q && PyUnicode_Check(q)
                                            ? PyUnicode_AsUTF8(q) : "?");
        Py_XDECREF(q);
    }
    else if (PyType_Check(o)) {
        char *tn = cpdb_type_name((PyTypeObject *)o);
        out = cpdb_xasprintf("class %s", tn);
        free(tn);
    }
    else if (PyFrame_Check(o)) {
        PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)o);
        out = cpdb_xasprintf("frame %s() at line %d",
                             PyUnicode_AsUTF8(code->co_name),
                             PyFrame_GetLineNumber((PyFrameObject *)o));
        Py_DECREF(code);
    }
    else if (PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o)
             || PyAnySet_Check(o)) {
        Py_ssize_t n = PyObject_Length(o);
        r = cpdb_repr(o, limit);
        out = cpdb_xasprintf("%s (%zd item%s) %s", type, n, n == 1 ? "" : "s",
                             r);
        free(r);
    }
    else {
        r = cpdb_repr(o, limit);
        if (strncmp(r, "<", 1) == 0) {
            out = r;            /* "<__main__.Big object at 0x...>" */
            r = NULL;
        }
        else {
            out = cpdb_xasprintf("%s %s", type, r);
        }
        free(r);
    }
    PyErr_Clear();
    cpdb_exc_restore(&st);
    free(type);
    return out;
}
