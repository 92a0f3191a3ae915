/* Names of references and objects.  These look inside objects with the
   C API where their layout is public, and with attribute access for
   instances; they run only for the few edges a command prints. */
#include "heap/names.h"
#include "heap/heap.h"
#include "base/text.h"
#include "base/util.h"

#include <string.h>

static char *
key_label(PyObject *key)
{
    char *r = cpdb_repr(key, CPDB_WIDTH_BRIEF);
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
            char *r = cpdb_repr(k, CPDB_WIDTH_BRIEF), *out;
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

/* --- instance attributes without __dict__ -------------------------------- */

/* From 3.11 an instance keeps its attributes inline until something asks
   for its __dict__, and asking makes one: a new object in the heap being
   looked at.  So attribute names are found by trying the names the
   class's code uses (self.NAME = ... puts NAME in co_names) with generic
   attribute lookup, which reads inline values as they are. */

typedef struct NameProbe {
    PyObject *src, *dst, *mro;
    char *found;
} NameProbe;

/* Whether a class on the MRO defines name as a descriptor (then
   getattr would run it).  A plain class attribute does not count: the
   instance's own value comes first (Logger.manager and a logger's
   .manager are the same Manager). */
static int
in_mro(PyObject *mro, PyObject *name)
{
    Py_ssize_t i;
    for (i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyObject *d = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        PyObject *v = d != NULL ? PyDict_GetItemWithError(d, name) : NULL;
        if (v != NULL) {
            return Py_TYPE(v)->tp_descr_get != NULL;
        }
    }
    PyErr_Clear();
    return 0;
}

static void
probe_names(NameProbe *p, PyObject *names)
{
    Py_ssize_t i;
    for (i = 0; p->found == NULL && names != NULL && PyTuple_Check(names)
                && i < PyTuple_GET_SIZE(names); i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i), *v;
        if (!PyUnicode_Check(name) || in_mro(p->mro, name)) {
            continue;
        }
        v = PyObject_GenericGetAttr(p->src, name);
        if (v == p->dst) {
            p->found = cpdb_xasprintf(".%s", PyUnicode_AsUTF8(name));
        }
        Py_XDECREF(v);
        PyErr_Clear();
    }
}

static void
probe_code(NameProbe *p, PyObject *code, int depth)
{
    PyObject *consts;
    Py_ssize_t i;
    if (!PyCode_Check(code) || depth > 3) {
        return;
    }
    probe_names(p, ((PyCodeObject *)code)->co_names);
    consts = ((PyCodeObject *)code)->co_consts;
    for (i = 0; p->found == NULL && consts != NULL && PyTuple_Check(consts)
                && i < PyTuple_GET_SIZE(consts); i++) {
        probe_code(p, PyTuple_GET_ITEM(consts, i), depth + 1);
    }
}

/* The function behind a class attribute (plain, static, class method,
   property getter and setter).  Return: borrowed, or NULL. */
static PyObject *
function_of(PyObject *v, int which)
{
    if (PyFunction_Check(v)) {
        return which == 0 ? v : NULL;
    }
    if (strcmp(Py_TYPE(v)->tp_name, "staticmethod") == 0
        || strcmp(Py_TYPE(v)->tp_name, "classmethod") == 0
        || strcmp(Py_TYPE(v)->tp_name, "property") == 0) {
        static const char *const fields[] = {"__func__", "fset", "fget"};
        PyObject *f;
        if (which > 2) {
            return NULL;
        }
        f = PyObject_GetAttrString(v, fields[which]);
        PyErr_Clear();
        Py_XDECREF(f);      /* v keeps it alive */
        return f != NULL && PyFunction_Check(f) ? f : NULL;
    }
    return NULL;
}

/* The attribute of an instance with inline attributes that is dst.
   Return: ".name" malloc'd, or NULL. */
static char *
inline_attr(PyObject *src, PyObject *dst)
{
    NameProbe p = {src, dst, Py_TYPE(src)->tp_mro, NULL};
    Py_ssize_t i;
    PyObject *shared;
    if (p.mro == NULL || !PyTuple_Check(p.mro)) {
        return NULL;
    }
    /* the names the class's instances share: every attribute set on
       them from anywhere (setattr, another module), at once */
    shared = cpdb_type_attr_names(Py_TYPE(src));
    probe_names(&p, shared);
    Py_XDECREF(shared);
    for (i = 0; p.found == NULL && i < PyTuple_GET_SIZE(p.mro); i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(p.mro, i);
        PyObject *modname, *module, *globals;
        PyObject *d = t->tp_dict, *k, *v, *statics;
        Py_ssize_t pos = 0;
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) || d == NULL) {
            continue;
        }
        statics = PyDict_GetItemString(d, "__static_attributes__");  /* 3.13 */
        probe_names(&p, statics);
        while (p.found == NULL && PyDict_Next(d, &pos, &k, &v)) {
            int which;
            for (which = 0; which < 3 && p.found == NULL; which++) {
                PyObject *f = function_of(v, which);
                if (f != NULL) {
                    probe_code(&p, PyFunction_GET_CODE(f), 0);
                }
            }
        }
        /* Attributes set from outside the class: the functions of its
           module. */
        modname = PyDict_GetItemString(d, "__module__");
        module = modname != NULL && PyUnicode_Check(modname)
                 ? PyDict_GetItemWithError(PyImport_GetModuleDict(), modname)
                 : NULL;
        globals = module != NULL && PyModule_Check(module)
                  ? PyModule_GetDict(module) : NULL;
        pos = 0;
        while (p.found == NULL && globals != NULL
               && PyDict_Next(globals, &pos, &k, &v)) {
            if (PyFunction_Check(v)) {
                probe_code(&p, PyFunction_GET_CODE(v), 0);
            }
            else if (PyType_Check(v) && v != (PyObject *)t
                     && (((PyTypeObject *)v)->tp_flags & Py_TPFLAGS_HEAPTYPE)
                     && ((PyTypeObject *)v)->tp_dict != NULL) {
                /* the methods of the module's other classes: logging's
                   Manager sets a Logger's .manager */
                PyObject *d2 = ((PyTypeObject *)v)->tp_dict, *k2, *v2;
                Py_ssize_t pos2 = 0;
                while (p.found == NULL && PyDict_Next(d2, &pos2, &k2, &v2)) {
                    PyObject *f = function_of(v2, 0);
                    if (f != NULL) {
                        probe_code(&p, PyFunction_GET_CODE(f), 0);
                    }
                }
            }
        }
    }
    if (p.found == NULL) {
        /* Attributes set by the code running now, a module's body
           among it (tail.value = ... at the top level). */
        PyFrameObject *f = PyEval_GetFrame();
        Py_XINCREF(f);
        while (f != NULL) {
            PyCodeObject *code = PyFrame_GetCode(f);
            PyFrameObject *back = PyFrame_GetBack(f);
            if (p.found == NULL) {
                probe_names(&p, code->co_names);
            }
            Py_DECREF(code);
            Py_DECREF(f);
            f = back;
        }
    }
    PyErr_Clear();
    return p.found;
}

typedef struct RefersTo {
    PyObject *dst;
    int yes;
} RefersTo;

static int
refers_visit(PyObject *o, void *arg)
{
    RefersTo *r = arg;
    r->yes |= (o == r->dst);
    return 0;
}

/* The attribute dictionary of an instance, never making one where there
   is none: when the instance keeps its attributes inline (3.11+), only
   a dict it already refers to can be its __dict__.  Return: new
   reference or NULL. */
static PyObject *
instance_dict(PyObject *o, PyObject *dst)
{
    PyObject *d;
    if (PyType_Check(o) || PyModule_Check(o)
        || Py_TYPE(o)->tp_dictoffset == 0) {
        return NULL;
    }
    if (cpdb_type_inline_attrs(Py_TYPE(o))) {
        RefersTo r = {dst, 0};
        if (dst == NULL || !PyDict_CheckExact(dst)) {
            return NULL;
        }
        cpdb_heap_referents(o, refers_visit, &r);
        if (!r.yes) {
            return NULL;
        }
        /* o refers to a dict: its __dict__ (made already, so asking does
           not make one), or an attribute no code of its class names. */
        {
            char *attr = inline_attr(o, dst);
            if (attr != NULL) {
                free(attr);
                return NULL;
            }
        }
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
    d = instance_dict(src, dst);
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

/* The fields a type written in C gives its objects (traceback's tb_next,
   an exception's __traceback__, partial's func) and __slots__: the
   getset and member descriptors on the MRO, read with the descriptor's
   own getter, which is C: never the instance's __getattribute__, which
   a class of the program may define.  Getters that would make what
   they return (an instance's __dict__, a frame's f_locals) are not
   asked. */
static char *
descr_edge(PyObject *o, PyObject *dst)
{
    static const char *const skip[] = {
        "__dict__", "__annotations__", "f_locals", "__annotate__", NULL
    };
    PyObject *mro = Py_TYPE(o)->tp_mro;
    Py_ssize_t i;
    if (mro == NULL || !PyTuple_Check(mro)) {
        return NULL;
    }
    for (i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        /* static built-in types keep their dict apart from 3.12 */
        PyObject *d = cpdb_type_dict((PyTypeObject *)PyTuple_GET_ITEM(mro, i));
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        char *found = NULL;
        while (d != NULL && found == NULL && PyDict_Next(d, &pos, &k, &v)) {
            PyObject *value;
            int k_skip = 0, j;
            if ((Py_TYPE(v) != &PyMemberDescr_Type
                 && Py_TYPE(v) != &PyGetSetDescr_Type)
                || !PyUnicode_Check(k)) {
                continue;
            }
            for (j = 0; skip[j] != NULL && !k_skip; j++) {
                k_skip = PyUnicode_CompareWithASCIIString(k, skip[j]) == 0;
            }
            if (k_skip) {
                continue;
            }
            value = Py_TYPE(v)->tp_descr_get(v, o, (PyObject *)Py_TYPE(o));
            PyErr_Clear();
            if (value == dst && value != NULL) {
                found = cpdb_xasprintf(".%s", PyUnicode_AsUTF8(k));
            }
            Py_XDECREF(value);
        }
        Py_XDECREF(d);
        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

/* Whether t is, or derives from, the C type named name. */
static int
is_type_named(PyTypeObject *t, const char *name)
{
    for (; t != NULL; t = t->tp_base) {
        if (strcmp(t->tp_name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* An item of a collections.deque: "[i]".  Its iterator is C. */
static char *
deque_edge(PyObject *q, PyObject *dst)
{
    PyObject *it = PyObject_GetIter(q), *item;
    Py_ssize_t i = 0;
    char *name = NULL;
    while (it != NULL && name == NULL && (item = PyIter_Next(it)) != NULL) {
        if (item == dst) {
            name = cpdb_xasprintf("[%zd]", i);
        }
        Py_DECREF(item);
        i++;
    }
    Py_XDECREF(it);
    PyErr_Clear();
    return name;
}

/* References a frame holds that have no attribute: from 3.11 its
   function (which the collector sees, not f_code), and its variables
   through f_locals.  Return: malloc'd, or NULL. */
static char *frame_edge(PyFrameObject *f, PyObject *dst);

static char *
frame_more_edge(PyFrameObject *f, PyObject *dst)
{
    PyCodeObject *code = PyFrame_GetCode(f);
    char *name = NULL;
    if (PyFunction_Check(dst)
        && PyFunction_GetCode(dst) == (PyObject *)code) {
        name = cpdb_xstrdup("(the function it runs)");
    }
    Py_DECREF(code);
    return name;
}

/* What a generator, coroutine or async generator holds through the
   frame it keeps (3.11+ keep the frame inside the object): its
   variables, ".gi_frame.f_locals['x']", and its function. */
static char *
suspended_edge(PyObject *g, PyObject *dst)
{
    const char *attr = PyGen_Check(g) ? "gi_frame"
                       : PyCoro_CheckExact(g) ? "cr_frame" : "ag_frame";
    PyObject *f = PyObject_GetAttrString(g, attr);
    char *name = NULL, *inner;
    PyErr_Clear();
    if (f != NULL && PyFrame_Check(f)) {
        inner = frame_edge((PyFrameObject *)f, dst);
        if (inner == NULL) {
            inner = frame_more_edge((PyFrameObject *)f, dst);
        }
        if (inner != NULL && inner[0] == '.') {
            name = cpdb_xasprintf(".%s%s", attr, inner);
            free(inner);
        }
        else {
            name = inner;
        }
    }
    Py_XDECREF(f);
    return name;
}

/* References of an instance of a subclass of a built-in container (a
   defaultdict, a namedtuple, a list subclass with attributes) beyond its
   items: its C fields and slots, its attributes, its class.  Return:
   malloc'd, or NULL. */
static char *
subclass_edge(PyObject *src, PyObject *dst)
{
    char *name = descr_edge(src, dst);
    PyObject *d;
    if (name == NULL && (d = instance_dict(src, dst)) != NULL) {
        name = d == dst ? cpdb_xstrdup(".__dict__") : in_dict(d, dst, ".");
        Py_DECREF(d);
    }
    if (name == NULL && (PyObject *)Py_TYPE(src) == dst) {
        name = cpdb_xstrdup(".__class__");
    }
    return name;
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
        if (name == NULL && !PyDict_CheckExact(src)) {
            name = subclass_edge(src, dst);     /* defaultdict's factory */
        }
    }
    else if (PyList_Check(src) || PyTuple_Check(src)) {
        name = in_sequence(src, dst);
        if (name == NULL && !PyList_CheckExact(src)
            && !PyTuple_CheckExact(src)) {
            name = subclass_edge(src, dst);     /* a namedtuple's class */
        }
    }
    else if (PyAnySet_Check(src)) {
        char *r = cpdb_repr(dst, CPDB_WIDTH_VALUE);
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
        if (name == NULL && (PyObject *)Py_TYPE(src) == dst) {
            name = cpdb_xstrdup(".__class__");      /* its metaclass */
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
        if (name == NULL) {
            name = frame_more_edge((PyFrameObject *)src, dst);
        }
    }
    else if (PyWeakref_Check(src)) {
        static const char *const names[] = {"__callback__", NULL};
        name = attr_edge(src, names, dst);
        if (name == NULL) {
            name = subclass_edge(src, dst);     /* KeyedRef's .key */
        }
    }
    else {
        static const char *const names[] = {
            "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame",
            "fget", "fset", "fdel", "__func__", "__self__", "__wrapped__",
            "__objclass__",
            "cell_contents", NULL
        };
        if (cpdb_type_inline_attrs(Py_TYPE(src))) {
            name = inline_attr(src, dst);
        }
        if (name == NULL && (d = instance_dict(src, dst)) != NULL) {
            name = d == dst ? cpdb_xstrdup(".__dict__") : in_dict(d, dst, ".");
            Py_DECREF(d);
        }
        if (name == NULL) {
            name = descr_edge(src, dst);
        }
        if (name == NULL && (PyGen_Check(src) || PyCoro_CheckExact(src)
                             || PyAsyncGen_CheckExact(src))) {
            name = suspended_edge(src, dst);
        }
        if (name == NULL && is_type_named(Py_TYPE(src), "collections.deque")) {
            name = deque_edge(src, dst);
        }
        if (name == NULL && is_type_named(Py_TYPE(src), "mappingproxy")) {
            name = cpdb_xstrdup("(the mapping it shows)");
        }
        if (name == NULL
            && is_type_named(Py_TYPE(src), "functools._lru_cache_wrapper")
            && PyDict_CheckExact(dst)) {
            name = cpdb_xstrdup("(its cache)");
        }
        if (name == NULL && !(Py_TYPE(src)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
            /* built-in types' fields; a class of the program's could run
               code (a property, __getattr__) */
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

/* The repr of built-in containers, strings and bytes, written only as
   far as stop: a million-item dict is not turned into text to show sixty
   characters of it.  Other objects give their own repr. */
static void
bounded_repr(CpdbBuf *b, PyObject *o, size_t stop, int depth)
{
    Py_ssize_t i;
    size_t room = stop > b->len ? stop - b->len : 0;
    if (b->len > stop) {
        return;
    }
    if (PyList_CheckExact(o) || PyTuple_CheckExact(o)) {
        int list = PyList_CheckExact(o);
        if (depth >= 3) {
            cpdb_buf_add(b, list ? "[...]" : "(...)");
            return;
        }
        cpdb_buf_addc(b, list ? '[' : '(');
        for (i = 0; i < PySequence_Fast_GET_SIZE(o) && b->len <= stop; i++) {
            PyObject *item = Py_NewRef(PySequence_Fast_GET_ITEM(o, i));
            if (i > 0) {
                cpdb_buf_add(b, ", ");
            }
            bounded_repr(b, item, stop, depth + 1);
            Py_DECREF(item);
        }
        if (i < PySequence_Fast_GET_SIZE(o)) {
            cpdb_buf_add(b, ", ...");   /* cut: never look complete */
        }
        else if (!list && PyTuple_GET_SIZE(o) == 1) {
            cpdb_buf_addc(b, ',');
        }
        cpdb_buf_addc(b, list ? ']' : ')');
    }
    else if (PyDict_CheckExact(o)) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        if (depth >= 3) {
            cpdb_buf_add(b, "{...}");
            return;
        }
        cpdb_buf_addc(b, '{');
        for (i = 0; b->len <= stop && PyDict_Next(o, &pos, &k, &v); i++) {
            Py_INCREF(k);
            Py_INCREF(v);
            if (i > 0) {
                cpdb_buf_add(b, ", ");
            }
            bounded_repr(b, k, stop, depth + 1);
            cpdb_buf_add(b, ": ");
            bounded_repr(b, v, stop, depth + 1);
            Py_DECREF(k);
            Py_DECREF(v);
        }
        if (i < PyDict_GET_SIZE(o)) {
            cpdb_buf_add(b, ", ...");
        }
        cpdb_buf_addc(b, '}');
    }
    else if ((PyUnicode_CheckExact(o)
              && PyUnicode_GET_LENGTH(o) > (Py_ssize_t)room + 2)
             || (PyBytes_CheckExact(o)
                 && PyBytes_GET_SIZE(o) > (Py_ssize_t)room + 2)) {
        PyObject *part = PyUnicode_CheckExact(o)
            ? PyUnicode_Substring(o, 0, (Py_ssize_t)room + 2)
            : PyBytes_FromStringAndSize(PyBytes_AS_STRING(o),
                                        (Py_ssize_t)room + 2);
        char *r = part ? cpdb_repr(part, 0) : NULL;
        PyErr_Clear();
        Py_XDECREF(part);
        cpdb_buf_add(b, r ? r : "...");
        free(r);
    }
    else {
        char *r = cpdb_repr(o, (long)room + 2);
        cpdb_buf_add(b, r);
        free(r);
    }
}

char *
cpdb_bounded_repr(PyObject *o, long limit)
{
    CpdbBuf b;
    size_t cut;
    cpdb_buf_init(&b);
    bounded_repr(&b, o, limit > 0 ? (size_t)limit : (size_t)-1 / 2, 0);
    if (limit <= 0 || b.len <= (size_t)limit + 3) {
        return cpdb_buf_take(&b);
    }
    cut = (size_t)limit;
    while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80) {
        cut--;              /* not inside a UTF-8 sequence */
    }
    b.data[cut] = '\0';
    b.len = cut;
    cpdb_buf_add(&b, "...");
    return cpdb_buf_take(&b);
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
        r = cpdb_bounded_repr(o, limit);
        out = cpdb_xasprintf("%s (%zd item%s) %s", type, n, n == 1 ? "" : "s",
                             r);
        free(r);
    }
    else {
        r = cpdb_bounded_repr(o, limit);
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
