/* Leak patterns.  Each query reads the snapshot of the tracked objects
   (heap.c) and a few attributes; none imports anything the program has
   not imported, and none runs the program's code except where a value
   can only be read through it (Django's settings).  The texts of the
   hints are the ones "leak hints" prints. */
#include "heap/patterns.h"
#include "heap/graph.h"
#include "heap/names.h"

#include <stdlib.h>
#include <string.h>

/* Whether Ctrl-C came, asked when step i is due: the pattern then stops
   looking, and cpdb_leak_hints says so. */
static int
stop_asked(size_t i)
{
    return cpdb_interrupt_poll_due(i) && cpdb_interrupt_pending();
}

/* --- hints --------------------------------------------------------------- */

/* Append a hint; title and advice become the hint's, obj (borrowed, or
   NULL) is referred to. */
static void
add_hint(CpdbLeakHints *out, CpdbLeakKind kind, char *title, char *advice,
         PyObject *obj)
{
    CpdbLeakHint hint;
    hint.kind = kind;
    hint.title = title;
    hint.advice = advice;
    hint.obj = obj ? Py_NewRef(obj) : NULL;
    cpdb_array_push(out, hint);
}

void
cpdb_leak_hints_clear(CpdbLeakHints *hints)
{
    size_t i;
    for (i = 0; i < hints->n; i++) {
        free(hints->items[i].title);
        free(hints->items[i].advice);
        Py_XDECREF(hints->items[i].obj);
    }
    free(hints->items);
    memset(hints, 0, sizeof *hints);
}

/* --- helpers ------------------------------------------------------------- */

/* Return: borrowed sys.modules[name], or NULL (never imports). */
static PyObject *
imported(const char *name)
{
    PyObject *modules = PyImport_GetModuleDict();
    PyObject *m = modules ? PyDict_GetItemString(modules, name) : NULL;
    return m != NULL && PyModule_Check(m) ? m : NULL;
}

/* Return: the __module__ of a class, "" for a static type (borrowed:
   alive while the class is). */
static const char *
type_module(PyTypeObject *t)
{
    PyObject *m;
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) || t->tp_dict == NULL) {
        return "";
    }
    m = PyDict_GetItemString(t->tp_dict, "__module__");
    return m != NULL && PyUnicode_Check(m) ? PyUnicode_AsUTF8(m) : "";
}

/* Whether a dotted module name is one of Python's standard library's
   (by its top package, sys.stdlib_module_names). */
static int
stdlib_name(const char *mod)
{
    PyObject *names = PySys_GetObject("stdlib_module_names"); /* borrowed */
    PyObject *top;
    int yes;
    if (names == NULL) {
        return 0;
    }
    top = PyUnicode_FromStringAndSize(mod, (Py_ssize_t)strcspn(mod, "."));
    yes = top != NULL && PySet_Contains(names, top) == 1;
    Py_XDECREF(top);
    PyErr_Clear();
    return yes;
}

/* Whether an object (a function, a cache) comes from Python's standard
   library, whose caches are bounded on purpose: no hint for them. */
static int
from_stdlib(PyObject *o)
{
    PyObject *mod = PyObject_GetAttrString(o, "__module__");
    int yes = mod != NULL && PyUnicode_Check(mod)
              && PyUnicode_AsUTF8(mod) != NULL
              && stdlib_name(PyUnicode_AsUTF8(mod));
    PyErr_Clear();
    Py_XDECREF(mod);
    return yes;
}

/* Return: the qualified name of o (malloc'd), "?" when it has none. */
static char *
qualname_of(PyObject *o)
{
    PyObject *qual = PyObject_GetAttrString(o, "__qualname__");
    const char *q = qual && PyUnicode_Check(qual) ? PyUnicode_AsUTF8(qual)
                                                  : NULL;
    char *out = cpdb_xstrdup(q ? q : "?");
    PyErr_Clear();
    Py_XDECREF(qual);
    return out;
}

/* --- Django's query log -------------------------------------------------- */

/* settings.DEBUG: 1, 0, or -1 when Django's settings are not set up. */
static int
django_debug(void)
{
    PyObject *conf = imported("django.conf"), *settings, *debug;
    int on = -1;
    if (conf == NULL) {
        return -1;
    }
    settings = PyObject_GetAttrString(conf, "settings");
    debug = settings ? PyObject_GetAttrString(settings, "DEBUG") : NULL;
    if (debug != NULL) {
        on = PyObject_IsTrue(debug);
    }
    PyErr_Clear();
    Py_XDECREF(debug);
    Py_XDECREF(settings);
    return on;
}

/* Return: the characters of SQL in a query log (dicts with "sql"). */
static long long
sql_length(PyObject *log)
{
    PyObject *it = PyObject_GetIter(log), *q;
    long long n = 0;
    while (it != NULL && (q = PyIter_Next(it)) != NULL) {
        PyObject *sql = PyDict_Check(q) ? PyDict_GetItemString(q, "sql")
                                        : NULL;
        if (sql != NULL && PyUnicode_Check(sql)) {
            n += PyUnicode_GET_LENGTH(sql);
        }
        Py_DECREF(q);
    }
    PyErr_Clear();
    Py_XDECREF(it);
    return n;
}

/* The hint for one database connection o whose log holds n queries. */
static void
django_hint(CpdbLeakHints *out, PyObject *o, PyObject *log, Py_ssize_t n,
            int debug)
{
    PyObject *alias = PyObject_GetAttrString(o, "alias");
    PyObject *limit_obj = PyObject_GetAttrString(o, "queries_limit");
    long limit = limit_obj && PyLong_Check(limit_obj)
                 ? PyLong_AsLong(limit_obj) : 9000;
    long long sql_chars = sql_length(log);
    char *title = cpdb_xasprintf(
        "Django keeps every SQL query: connection '%s' holds %zd queries "
        "(%lld characters of SQL) in django.db.connection.queries%s.",
        alias && PyUnicode_Check(alias) ? PyUnicode_AsUTF8(alias) : "?", n,
        sql_chars, debug == 1 ? ", because settings.DEBUG is True" : "");
    char *advice = cpdb_xasprintf(
        "   With DEBUG = True Django logs every query of every connection "
        "(the latest\n   %ld of each, with their SQL text); outside "
        "Django's request cycle nothing\n   clears the log.  Fix: DEBUG = "
        "False outside development, or call\n   "
        "django.db.reset_queries() after each job or batch.\n", limit);
    add_hint(out, CPDB_LEAK_DJANGO_QUERIES, title, advice, log);
    PyErr_Clear();
    Py_XDECREF(limit_obj);
    Py_XDECREF(alias);
}

void
cpdb_leak_django(CpdbHeap *h, CpdbLeakHints *out)
{
    uint32_t i;
    int debug;
    if (imported("django.db") == NULL) {
        return;
    }
    debug = django_debug();
    for (i = 0; i < h->n; i++) {
        PyObject *o = h->objs[i], *log;
        Py_ssize_t n;
        if (stop_asked(i)) {
            return;
        }
        if (PyType_Check(o) || PyModule_Check(o)
            || strncmp(type_module(Py_TYPE(o)), "django.db.backends", 18) != 0
            || Py_TYPE(o)->tp_dictoffset == 0) {
            continue;
        }
        log = PyObject_GetAttrString(o, "queries_log");
        n = log ? PyObject_Length(log) : -1;
        if (n >= CPDB_LEAK_QUERIES) {
            django_hint(out, o, log, n, debug);
        }
        PyErr_Clear();
        Py_XDECREF(log);
    }
}

/* --- mutable default arguments ------------------------------------------- */

static Py_ssize_t
container_len(PyObject *v)
{
    if (PyList_Check(v) || PyDict_Check(v) || PyAnySet_Check(v)) {
        return PyObject_Length(v);
    }
    return -1;
}

/* The name of a function's parameter that has default number i (of
   n_defaults).  Return: malloc'd. */
static char *
default_param(PyFunctionObject *f, Py_ssize_t i, Py_ssize_t n_defaults)
{
    PyCodeObject *code = (PyCodeObject *)PyFunction_GET_CODE((PyObject *)f);
    PyObject *names = PyObject_GetAttrString((PyObject *)code, "co_varnames");
    Py_ssize_t k = code->co_argcount - n_defaults + i;
    char *name = NULL;
    if (names != NULL && PyTuple_Check(names) && k >= 0
        && k < PyTuple_GET_SIZE(names)
        && PyUnicode_Check(PyTuple_GET_ITEM(names, k))) {
        name = cpdb_xstrdup(PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, k)));
    }
    PyErr_Clear();
    Py_XDECREF(names);
    return name ? name : cpdb_xasprintf("#%zd", i);
}

/* Return: the file of a code object as code_path names it, or its
   co_filename (malloc'd). */
static char *
code_file(PyCodeObject *code, char *(*code_path)(PyCodeObject *))
{
    const char *fn;
    if (code_path != NULL) {
        return code_path(code);
    }
    fn = PyUnicode_AsUTF8(code->co_filename);
    PyErr_Clear();
    return cpdb_xstrdup(fn ? fn : "<unknown>");
}

/* The hint for default v (n items) of fn's parameter param. */
static void
default_hint(CpdbLeakHints *out, PyObject *fn, const char *param,
             PyObject *v, Py_ssize_t n, char *(*code_path)(PyCodeObject *))
{
    PyCodeObject *code = (PyCodeObject *)PyFunction_GET_CODE(fn);
    char *path, *type, *qual, *title;
    if (from_stdlib(fn)) {
        return;
    }
    path = code_file(code, code_path);
    type = cpdb_type_name(Py_TYPE(v));
    qual = qualname_of(fn);
    title = cpdb_xasprintf("A mutable default argument used as a cache: "
                           "%s(%s=...) at %s:%d holds a %s of %zd items.",
                           qual, param, path, code->co_firstlineno, type, n);
    add_hint(out, CPDB_LEAK_MUTABLE_DEFAULT, title, cpdb_xstrdup(
        "   A default is made once, when the def runs, and lives as long as "
        "the function:\n   everything put in it stays.  Fix: default to "
        "None and make the container\n   in the call, or use a cache with "
        "a bound (functools.lru_cache(maxsize=N)).\n"), v);
    free(qual);
    free(type);
    free(path);
}

/* The hints for fn's positional and keyword-only defaults. */
static void
function_defaults(CpdbLeakHints *out, PyObject *fn,
                  char *(*code_path)(PyCodeObject *))
{
    PyObject *defaults = PyFunction_GET_DEFAULTS(fn);
    PyObject *kw = PyFunction_GET_KW_DEFAULTS(fn);
    Py_ssize_t k, n = defaults && PyTuple_Check(defaults)
                      ? PyTuple_GET_SIZE(defaults) : 0;
    for (k = 0; k < n; k++) {
        PyObject *v = PyTuple_GET_ITEM(defaults, k);
        Py_ssize_t len = container_len(v);
        if (len >= CPDB_LEAK_DEFAULT_ITEMS) {
            char *param = default_param((PyFunctionObject *)fn, k, n);
            default_hint(out, fn, param, v, len, code_path);
            free(param);
        }
    }
    if (kw != NULL && PyDict_Check(kw)) {
        PyObject *key, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kw, &pos, &key, &v)) {
            Py_ssize_t len = container_len(v);
            if (len >= CPDB_LEAK_DEFAULT_ITEMS && PyUnicode_Check(key)) {
                default_hint(out, fn, PyUnicode_AsUTF8(key), v, len,
                             code_path);
            }
        }
    }
    PyErr_Clear();
}

void
cpdb_leak_defaults(CpdbHeap *h, char *(*code_path)(PyCodeObject *),
                   CpdbLeakHints *out)
{
    uint32_t i;
    for (i = 0; i < h->n; i++) {
        if (stop_asked(i)) {
            return;
        }
        if (PyFunction_Check(h->objs[i])) {
            function_defaults(out, h->objs[i], code_path);
        }
    }
}

/* --- lru_cache ----------------------------------------------------------- */

/* The instances of a class a method's cache keeps. */
typedef struct Selves {
    PyTypeObject *type;             /* the class of the method */
    CPDB_ARRAY(void *) seen;        /* the instances, no reference */
} Selves;

static int
selves_visit(PyObject *o, void *arg)
{
    Selves *sv = arg;
    size_t i;
    if (!PyType_IsSubtype(Py_TYPE(o), sv->type)) {
        return 0;
    }
    for (i = 0; i < sv->seen.n; i++) {
        if (sv->seen.items[i] == (void *)o) {
            return 0;
        }
    }
    cpdb_array_push(&sv->seen, (void *)o);
    return 0;
}

/* The keys of the cache's dictionary hold the arguments, self first. */
static int
cache_dict_visit(PyObject *d, void *arg)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(d)) {
        return 0;
    }
    while (PyDict_Next(d, &pos, &key, &value)) {
        if (PyList_Check(key) || PyTuple_Check(key)) {
            cpdb_heap_referents(key, (CpdbReferentVisit)selves_visit, arg);
        }
        selves_visit(key, arg);
    }
    return 0;
}

/* The class a method wrapped by the cache belongs to, found from its
   __qualname__ "Class.method" in its module.  Return: borrowed, or
   NULL. */
static PyTypeObject *
method_class(PyObject *wrapped)
{
    PyObject *qual = PyObject_GetAttrString(wrapped, "__qualname__");
    PyObject *globals = PyFunction_Check(wrapped)
                        ? PyFunction_GET_GLOBALS(wrapped) : NULL;
    PyTypeObject *cls = NULL;
    const char *q = qual && PyUnicode_Check(qual) ? PyUnicode_AsUTF8(qual)
                                                  : NULL;
    const char *dot = q ? strrchr(q, '.') : NULL;
    if (dot != NULL && globals != NULL && strchr(q, '<') == NULL) {
        char *name = cpdb_xasprintf("%.*s", (int)(dot - q), q);
        PyObject *c = strchr(name, '.') ? NULL
                                        : PyDict_GetItemString(globals, name);
        if (c != NULL && PyType_Check(c)) {
            cls = (PyTypeObject *)c;
        }
        free(name);
    }
    PyErr_Clear();
    Py_XDECREF(qual);
    return cls;
}

/* An lru_cache wrapper's maxsize (-1: None) and size.  Return 0, or -1
   when they cannot be read. */
static int
cache_info(PyObject *w, long *maxsize, long *size)
{
    PyObject *info = PyObject_CallMethod(w, "cache_info", NULL);
    if (info == NULL || !PyTuple_Check(info) || PyTuple_GET_SIZE(info) < 4) {
        PyErr_Clear();
        Py_XDECREF(info);
        return -1;
    }
    *maxsize = -1;
    if (PyTuple_GET_ITEM(info, 2) != Py_None) {
        *maxsize = PyLong_AsLong(PyTuple_GET_ITEM(info, 2));
    }
    *size = PyLong_AsLong(PyTuple_GET_ITEM(info, 3));
    Py_DECREF(info);
    return 0;
}

/* The hint for the cache w of a method of cls that keeps n_selves
   instances. */
static void
method_cache_hint(CpdbLeakHints *out, PyObject *w, const char *name,
                  PyTypeObject *cls, size_t n_selves, long maxsize,
                  long size)
{
    char *cname = cpdb_type_name(cls), bound[32], *title;
    snprintf(bound, sizeof bound, maxsize < 0 ? "None" : "%ld", maxsize);
    title = cpdb_xasprintf("functools.lru_cache on a method keeps instances "
                           "alive: %s's cache holds %zu %s objects (%ld "
                           "entries, maxsize=%s).", name, n_selves, cname,
                           size, bound);
    add_hint(out, CPDB_LEAK_METHOD_CACHE, title, cpdb_xstrdup(
        "   The cache's keys hold self, so no instance it has seen is freed "
        "while the\n   class lives.  Fix: cache on the instance "
        "(functools.cached_property, or a\n   dict attribute), or key the "
        "cache on what the result depends on.\n"), w);
    free(cname);
}

/* The hint for one lru_cache wrapper w, if it deserves one. */
static void
lru_cache_hint(CpdbLeakHints *out, PyObject *w)
{
    PyObject *wrapped;
    long maxsize, size;
    PyTypeObject *cls;
    Selves sv;
    char *name;
    if (cache_info(w, &maxsize, &size) < 0) {
        return;
    }
    memset(&sv, 0, sizeof sv);
    wrapped = PyObject_GetAttrString(w, "__wrapped__");
    PyErr_Clear();
    cls = wrapped ? method_class(wrapped) : NULL;
    if (cls != NULL) {
        sv.type = cls;
        cpdb_heap_referents(w, cache_dict_visit, &sv);
    }
    name = qualname_of(w);
    if (cls != NULL && sv.seen.n >= CPDB_LEAK_METHOD_SELVES) {
        method_cache_hint(out, w, name, cls, sv.seen.n, maxsize, size);
    }
    else if (maxsize < 0 && size >= CPDB_LEAK_CACHE_ENTRIES) {
        add_hint(out, CPDB_LEAK_UNBOUNDED_CACHE,
                 cpdb_xasprintf("An unbounded functools.lru_cache: %s holds "
                                "%ld entries (maxsize=None).", name, size),
                 cpdb_xstrdup("   Every distinct argument stays cached for "
                              "good.  Fix: lru_cache(maxsize=N), or\n   "
                              "cache_clear() when a batch of work ends.\n"),
                 w);
    }
    free(name);
    free(sv.seen.items);
    Py_XDECREF(wrapped);
}

void
cpdb_leak_lru_caches(CpdbHeap *h, CpdbLeakHints *out)
{
    uint32_t i;
    for (i = 0; i < h->n; i++) {
        PyObject *w = h->objs[i];
        if (stop_asked(i)) {
            return;
        }
        if (strcmp(Py_TYPE(w)->tp_name, "functools._lru_cache_wrapper") == 0
            && !from_stdlib(w)) {
            lru_cache_hint(out, w);
        }
    }
}

/* --- module-level containers that grow ----------------------------------- */

static int
sized_cmp(const void *a, const void *b)
{
    const CpdbSized *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : (x->ptr > y->ptr) - (x->ptr < y->ptr);
}

static int
is_container(PyObject *v)
{
    const char *t = Py_TYPE(v)->tp_name;
    return PyList_Check(v) || PyDict_Check(v) || PyAnySet_Check(v)
           || strcmp(t, "collections.deque") == 0;
}

/* Note the size of container v under name (which the table takes). */
static void
sizes_push(CpdbLeakSizes *t, char *name, uintptr_t ptr, PyObject *v)
{
    CpdbSized z;
    z.name = name;
    z.ptr = ptr;
    z.len = PyObject_Length(v);
    cpdb_array_push(&t->items, z);
    PyErr_Clear();
}

static size_t
hash_addr(uintptr_t p)
{
    return (size_t)((p >> 4) * (uintptr_t)0x9E3779B97F4A7C15u);
}

/* A set of addresses (open addressing, 0 is empty). */
typedef struct PtrSet {
    uintptr_t *slots;
    size_t cap, n;
} PtrSet;

/* Add p.  Return: 1 when it was new, 0 when it was there already. */
static int
ptrset_add(PtrSet *set, uintptr_t p)
{
    size_t i, mask;
    if ((set->n + 1) * 2 > set->cap) {
        PtrSet bigger = {cpdb_xcalloc(set->cap ? set->cap * 2 : 1024,
                                      sizeof(uintptr_t)),
                         set->cap ? set->cap * 2 : 1024, 0};
        for (i = 0; i < set->cap; i++) {
            if (set->slots[i] != 0) {
                ptrset_add(&bigger, set->slots[i]);
            }
        }
        free(set->slots);
        *set = bigger;
    }
    mask = set->cap - 1;
    for (i = hash_addr(p) & mask; set->slots[i] != 0; i = (i + 1) & mask) {
        if (set->slots[i] == p) {
            return 0;
        }
    }
    set->slots[i] = p;
    set->n++;
    return 1;
}

/* Return: whether p is in the set. */
static int
ptrset_has(const PtrSet *set, uintptr_t p)
{
    size_t i, mask = set->cap - 1;
    if (set->cap == 0) {
        return 0;
    }
    for (i = hash_addr(p) & mask; set->slots[i] != 0; i = (i + 1) & mask) {
        if (set->slots[i] == p) {
            return 1;
        }
    }
    return 0;
}

/* An object the walk below the module globals reached, to look into. */
typedef struct WalkItem {
    PyObject *obj;          /* strong */
    char *path;             /* malloc'd: "app.APP.state" */
    int depth;              /* references below the module's globals */
} WalkItem;

/* The walk from module globals through the objects below them, noting
   each container once, under the shortest path found (breadth first,
   __main__'s globals first), or finding one container again. */
typedef struct SizeWalk {
    CpdbLeakSizes *t;       /* where sizes go; NULL when finding */
    uintptr_t want;         /* the container to find, or 0 */
    PyObject *found;        /* strong: it, once found */
    CPDB_ARRAY(WalkItem) queue;
    size_t head;            /* the next queue item to look into */
    PtrSet seen;
    size_t objects;         /* objects queued so far */
    int deep;               /* whether this module's objects are looked
                               into (not the standard library's) */
    /* is_walked's answers for the last types asked (no Python code runs
       during a walk, so a type stays what it was) */
    PyTypeObject *types[64];
    signed char walked[64];
} SizeWalk;

/* Whether the walk looks into o: a class or an instance of a class from
   outside the standard library, or a dict, list or tuple. */
static int
is_walked(SizeWalk *w, PyObject *o)
{
    PyTypeObject *t;
    const char *mod;
    size_t slot;
    if (PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o)) {
        return 1;
    }
    if (PyModule_Check(o)) {
        return 0;       /* walked from its own globals */
    }
    t = PyType_Check(o) ? (PyTypeObject *)o : Py_TYPE(o);
    slot = hash_addr((uintptr_t)t) % CPDB_ARRAY_LEN(w->types);
    if (w->types[slot] != t) {
        mod = type_module(t);
        w->types[slot] = t;
        w->walked[slot] = (signed char)(*mod != '\0' && !stdlib_name(mod));
    }
    return w->walked[slot];
}

/* Whether the walk has a use for o reached at depth: a container not
   noted yet, or an object to look into.  Checked before its path is
   made. */
static int
walk_wants(SizeWalk *w, PyObject *o, int depth)
{
    return w->found == NULL && !ptrset_has(&w->seen, (uintptr_t)o)
           && (is_container(o)
               || (w->deep && depth < CPDB_LEAK_WALK_DEPTH
                   && w->objects < CPDB_LEAK_WALK_OBJECTS
                   && is_walked(w, o)));
}

/* The walk reached o (borrowed) by path (which it takes). */
static void
walk_reach(SizeWalk *w, PyObject *o, char *path, int depth)
{
    WalkItem item;
    if (w->found != NULL || !ptrset_add(&w->seen, (uintptr_t)o)) {
        free(path);
        return;
    }
    if (is_container(o)) {
        if (w->want == (uintptr_t)o) {
            w->found = Py_NewRef(o);
        }
        else if (w->t != NULL) {
            sizes_push(w->t, cpdb_xstrdup(path), (uintptr_t)o, o);
        }
    }
    if (!w->deep || depth >= CPDB_LEAK_WALK_DEPTH
        || w->objects >= CPDB_LEAK_WALK_OBJECTS || !is_walked(w, o)) {
        free(path);
        return;
    }
    item.obj = Py_NewRef(o);
    item.path = path;
    item.depth = depth;
    cpdb_array_push(&w->queue, item);
    w->objects++;
}

/* Reach the items of dict d below path: "['key']", "[3]", or ".key"
   when d holds attributes (dot set).  Other keys are not followed. */
static void
walk_dict(SizeWalk *w, PyObject *d, const char *path, int depth, int dot)
{
    Py_ssize_t pos = 0, n = 0;
    PyObject *key, *value;
    while (n++ < CPDB_LEAK_WALK_ITEMS && PyDict_Next(d, &pos, &key, &value)) {
        const char *k;
        if (!walk_wants(w, value, depth)) {
            continue;
        }
        if (PyUnicode_Check(key) && (k = PyUnicode_AsUTF8(key)) != NULL) {
            if (dot && k[0] == '_' && k[1] == '_') {
                continue;
            }
            walk_reach(w, value, dot ? cpdb_xasprintf("%s.%s", path, k)
                       : cpdb_xasprintf("%s['%.40s%s']", path, k,
                                        strlen(k) > 40 ? "..." : ""),
                       depth);
        }
        else if (PyLong_CheckExact(key)) {
            long v = PyLong_AsLong(key);
            if (v != -1 || !PyErr_Occurred()) {
                walk_reach(w, value, cpdb_xasprintf("%s[%ld]", path, v),
                           depth);
            }
        }
        PyErr_Clear();
    }
}

static int
collect_visit(PyObject *o, void *arg)
{
    PyObject *list = arg;
    if (PyList_Append(list, o) < 0) {
        PyErr_Clear();
    }
    return 0;
}

/* Reach the attributes of an instance, found through tp_traverse (asking
   for __dict__ would make one on 3.11+ and change the heap): those of
   its __dict__, and the others its references' names say. */
static void
walk_instance(SizeWalk *w, PyObject *o, const char *path, int depth)
{
    PyObject *refs = PyList_New(0);
    Py_ssize_t i;
    if (refs == NULL) {
        PyErr_Clear();
        return;
    }
    cpdb_heap_referents(o, collect_visit, refs);
    for (i = 0; i < PyList_GET_SIZE(refs); i++) {
        PyObject *r = PyList_GET_ITEM(refs, i);
        char *edge;
        if (r == (PyObject *)Py_TYPE(o)) {
            continue;
        }
        if (PyDict_CheckExact(r) && cpdb_is_dict_of(o, r)) {
            walk_dict(w, r, path, depth, 1);
            continue;
        }
        if (!walk_wants(w, r, depth)) {
            continue;
        }
        edge = cpdb_edge_name(o, r);
        if (edge != NULL && edge[0] == '.') {
            walk_reach(w, r, cpdb_xasprintf("%s%s", path, edge), depth);
        }
        free(edge);
    }
    Py_DECREF(refs);
}

/* Reach what the item refers to, one reference further down. */
static void
walk_children(SizeWalk *w, const WalkItem *it)
{
    PyObject *o = it->obj;
    int depth = it->depth + 1;
    Py_ssize_t i;
    if (PyType_Check(o)) {
        PyObject *d = ((PyTypeObject *)o)->tp_dict;
        if (d != NULL) {
            walk_dict(w, d, it->path, depth, 1);
        }
    }
    else if (PyDict_Check(o)) {
        walk_dict(w, o, it->path, depth, 0);
    }
    else if (PyList_Check(o) || PyTuple_Check(o)) {
        for (i = 0; i < CPDB_LEAK_WALK_ITEMS && i < Py_SIZE(o); i++) {
            PyObject *item = PyList_Check(o) ? PyList_GET_ITEM(o, i)
                                             : PyTuple_GET_ITEM(o, i);
            if (item != NULL && walk_wants(w, item, depth)) {
                walk_reach(w, item, cpdb_xasprintf("%s[%zd]", it->path, i),
                           depth);
            }
        }
    }
    else {
        walk_instance(w, o, it->path, depth);
    }
}

/* Walk one module's globals and what is below them. */
static void
walk_module(SizeWalk *w, const char *mod, PyObject *d)
{
    Py_ssize_t pos = 0;
    PyObject *key, *v;
    w->deep = !stdlib_name(mod) && strcmp(mod, "builtins") != 0;
    while (PyDict_Next(d, &pos, &key, &v)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (k == NULL || (k[0] == '_' && k[1] == '_')) {
            PyErr_Clear();
            continue;
        }
        walk_reach(w, v, cpdb_xasprintf("%s.%s", mod, k), 0);
    }
    while (w->head < w->queue.n && w->found == NULL) {
        WalkItem it = w->queue.items[w->head++];
        if (stop_asked(w->head)) {
            w->head = w->queue.n;   /* the rest is not looked into */
            break;
        }
        walk_children(w, &it);
    }
}

/* Walk every module's globals, __main__'s first (its names are the ones
   people know); sys and linecache are left out: they grow as modules
   and files are used. */
static void
walk_modules(SizeWalk *w)
{
    PyObject *modules = PyImport_GetModuleDict(), *mname, *m;
    PyObject *main_mod = imported("__main__");
    Py_ssize_t pos = 0;
    size_t i;
    if (main_mod != NULL) {
        walk_module(w, "__main__", PyModule_GetDict(main_mod));
    }
    while (w->found == NULL && modules != NULL
           && PyDict_Next(modules, &pos, &mname, &m)) {
        PyObject *d;
        const char *mod;
        if (m == main_mod || !PyModule_Check(m) || !PyUnicode_Check(mname)
            || (d = PyModule_GetDict(m)) == NULL) {
            continue;
        }
        mod = PyUnicode_AsUTF8(mname);
        if (mod == NULL || strcmp(mod, "sys") == 0
            || strcmp(mod, "linecache") == 0) {
            PyErr_Clear();
            continue;
        }
        walk_module(w, mod, d);
    }
    for (i = 0; i < w->queue.n; i++) {
        Py_DECREF(w->queue.items[i].obj);
        free(w->queue.items[i].path);
    }
    free(w->queue.items);
    free(w->seen.slots);
}

void
cpdb_leak_sizes_take(CpdbLeakSizes *t)
{
    SizeWalk w;
    memset(t, 0, sizeof *t);
    t->taken = 1;
    memset(&w, 0, sizeof w);
    w.t = t;
    walk_modules(&w);
    qsort(t->items.items, t->items.n, sizeof(CpdbSized), sized_cmp);
}

void
cpdb_leak_sizes_fini(CpdbLeakSizes *t)
{
    size_t i;
    for (i = 0; i < t->items.n; i++) {
        free(t->items.items[i].name);
    }
    free(t->items.items);
    memset(t, 0, sizeof *t);
}

/* A container that grew: its size now, and before. */
typedef struct Growth {
    const CpdbSized *now;
    Py_ssize_t before;
} Growth;

static int
growth_desc(const void *a, const void *b)
{
    const Growth *x = a, *y = b;
    Py_ssize_t dx = x->now->len - x->before, dy = y->now->len - y->before;
    return (dx < dy) - (dx > dy);
}

/* The growths past the ones told of one by one, as advice lines:
   "   app.cache: 10 -> 40" for the first CPDB_LEAK_MAX_GROWING, then how
   many more.  Return: malloc'd. */
static char *
growing_rest(const Growth *g, size_t n)
{
    CpdbBuf b;
    size_t i;
    cpdb_buf_init(&b);
    for (i = 0; i < n && i < CPDB_LEAK_MAX_GROWING; i++) {
        cpdb_buf_printf(&b, "   %s: %zd -> %zd items\n", g[i].now->name,
                        g[i].before, g[i].now->len);
    }
    if (n > i) {
        cpdb_buf_printf(&b, "   ... and %zu more.\n", n - i);
    }
    return cpdb_buf_take(&b);
}

/* The container a size entry is about, found again by the walk that
   noted it.  Return: new reference, or NULL. */
static PyObject *
sized_object(const CpdbSized *z)
{
    SizeWalk w;
    memset(&w, 0, sizeof w);
    w.want = z->ptr;
    walk_modules(&w);
    return w.found;
}

void
cpdb_leak_growing(const CpdbLeakSizes *last, const CpdbLeakSizes *now,
                  CpdbLeakHints *out)
{
    size_t i, n = 0;
    Growth *g;
    if (!last->taken) {
        return;
    }
    g = cpdb_xmalloc(sizeof(Growth) * (now->items.n + 1));
    for (i = 0; i < now->items.n; i++) {
        const CpdbSized *z = &now->items.items[i];
        const CpdbSized *before = bsearch(z, last->items.items,
                                          last->items.n, sizeof(CpdbSized),
                                          sized_cmp);
        if (before != NULL && z->len - before->len >= CPDB_LEAK_GREW_ITEMS) {
            g[n].now = z;
            g[n++].before = before->len;
        }
    }
    qsort(g, n, sizeof(Growth), growth_desc);
    for (i = 0; i < n && i < CPDB_LEAK_MAX_GROWING; i++) {
        PyObject *v = sized_object(g[i].now);
        add_hint(out, CPDB_LEAK_GROWING, cpdb_xasprintf(
                     "A module-level container grows: %s went from %zd to "
                     "%zd items since the last \"leak hints\" or \"gc "
                     "snapshot\".", g[i].now->name, g[i].before,
                     g[i].now->len),
                 cpdb_xstrdup(
                     "   What a module holds lives as long as the program.  "
                     "Find the code that adds\n   to it (\"gc chain\" of an "
                     "item shows the way in) and what should remove\n   it "
                     "again.\n"), v);
        Py_XDECREF(v);
    }
    if (n > CPDB_LEAK_MAX_GROWING) {
        add_hint(out, CPDB_LEAK_GROWING, cpdb_xasprintf(
                     "%zu more module-level containers grew by %d items or "
                     "more (the largest growths are above).",
                     n - CPDB_LEAK_MAX_GROWING, CPDB_LEAK_GREW_ITEMS),
                 growing_rest(g + CPDB_LEAK_MAX_GROWING,
                              n - CPDB_LEAK_MAX_GROWING), NULL);
    }
    free(g);
}

/* --- gc.garbage and __del__ in cycles ------------------------------------ */

static int
has_del(PyTypeObject *t)
{
    PyObject *mro = t->tp_mro;
    Py_ssize_t i;
    if (t->tp_finalize == NULL || mro == NULL || !PyTuple_Check(mro)) {
        return 0;
    }
    for (i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyObject *d = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        PyObject *del = d != NULL ? PyDict_GetItemString(d, "__del__")
                                  : NULL;
        /* A class's own __del__, not a C type's finalizer (a slot
           wrapper: the io classes', which every program's sys.stdout
           has, heap types from 3.12): those are not the program's to
           fix, and looking for them would build the whole heap's
           reverse references at every look. */
        if (del != NULL) {
            return Py_TYPE(del) != &PyWrapperDescr_Type;
        }
    }
    return 0;
}

/* The hint for gc.garbage's n objects (list garbage), saved by
   DEBUG_SAVEALL or not. */
static void
garbage_hint(CpdbLeakHints *out, PyObject *garbage, Py_ssize_t n,
             int saveall)
{
    Py_ssize_t i, with_del = 0;
    if (!saveall) {
        add_hint(out, CPDB_LEAK_GARBAGE, cpdb_xasprintf(
                     "gc.garbage holds %zd object%s the collector found "
                     "unreachable but could not free.", n,
                     n == 1 ? "" : "s"),
                 cpdb_xstrdup(
                     "   They stay until the program empties gc.garbage.  "
                     "\"gc garbage\" and \"gc cycles\"\n   show them and "
                     "their references (C types with broken tp_traverse or "
                     "finalizers \n   that resurrect objects put them "
                     "there).\n"), NULL);
        return;
    }
    for (i = 0; i < n; i++) {
        with_del += has_del(Py_TYPE(PyList_GET_ITEM(garbage, i)));
    }
    if (with_del > 0) {
        add_hint(out, CPDB_LEAK_SAVED_DEL, cpdb_xasprintf(
                     "gc.garbage (kept by \"gc saveall\") holds %zd "
                     "object%s with __del__ that the collector had to free "
                     "from cycles.", with_del, with_del == 1 ? "" : "s"),
                 cpdb_xstrdup("   \"gc cycles\" shows the cycles; see the "
                              "next hint on __del__ in cycles.\n"), NULL);
    }
}

void
cpdb_leak_garbage(CpdbLeakHints *out)
{
    PyObject *gc = imported("gc"), *garbage, *flags;
    Py_ssize_t n;
    int saveall;
    if (gc == NULL) {
        return;
    }
    garbage = PyObject_GetAttrString(gc, "garbage");
    flags = PyObject_CallMethod(gc, "get_debug", NULL);
    n = garbage && PyList_Check(garbage) ? PyList_GET_SIZE(garbage) : 0;
    saveall = flags != NULL && (PyLong_AsLong(flags) & 32) != 0;
    PyErr_Clear();
    if (n > 0) {
        garbage_hint(out, garbage, n, saveall);
    }
    Py_XDECREF(flags);
    Py_XDECREF(garbage);
}

/* Whether an object is plumbing that every instance reaches: its class,
   modules, functions (through __globals__), frames.  Cycles through
   them are how Python is built, not cycles a program made. */
static int
is_plumbing(PyObject *o)
{
    return PyType_Check(o) || PyModule_Check(o) || PyFunction_Check(o)
           || PyFrame_Check(o) || PyCFunction_Check(o);
}

/* The reference graph among the objects that are not plumbing.
   Return 0, or -1 when out of memory or stopped by Ctrl-C. */
static int
data_graph(const CpdbHeap *h, CpdbGraph *g)
{
    uint8_t *skip = calloc((size_t)h->n / 8 + 1, 1);
    uint32_t i, e, k = 0;
    memset(g, 0, sizeof *g);
    g->off = calloc((size_t)h->n + 1, sizeof(uint32_t));
    if (skip == NULL || g->off == NULL) {
        free(skip);
        free(g->off);
        return -1;
    }
    g->n = h->n;
    for (i = 0; i < h->n; i++) {
        if (stop_asked(i)) {
            free(skip);
            cpdb_graph_fini(g);
            return -1;
        }
        if (is_plumbing(h->objs[i])) {
            cpdb_bit_set(skip, i);
        }
    }
    for (i = 0; i < h->n; i++) {
        for (e = h->back.off[i]; !cpdb_bit_get(skip, i)
             && e < h->back.off[i + 1]; e++) {
            k += !cpdb_bit_get(skip, h->back.adj[e]);
        }
    }
    g->adj = malloc(sizeof(uint32_t) * ((size_t)k + 1));
    if (g->adj == NULL) {
        free(skip);
        cpdb_graph_fini(g);
        return -1;
    }
    for (i = 0, k = 0; i < h->n; i++) {
        g->off[i] = k;
        for (e = h->back.off[i]; !cpdb_bit_get(skip, i)
             && e < h->back.off[i + 1]; e++) {
            if (!cpdb_bit_get(skip, h->back.adj[e])) {
                g->adj[k++] = h->back.adj[e];
            }
        }
    }
    g->off[h->n] = k;
    free(skip);
    return 0;
}

/* The objects with __del__ that are in a cycle of g (comp: its
   components).  Return: how many; *first receives the first (borrowed:
   the snapshot's). */
static long
del_in_cycles(const CpdbHeap *h, const CpdbGraph *g, const uint32_t *comp,
              long n_comp, PyObject **first)
{
    uint32_t i, e, *size = cpdb_xcalloc((size_t)n_comp + 1,
                                        sizeof(uint32_t));
    long members = 0;
    *first = NULL;
    for (i = 0; i < h->n; i++) {
        size[comp[i]]++;
    }
    for (i = 0; i < h->n; i++) {
        PyObject *o = h->objs[i];
        int in_cycle = size[comp[i]] > 1;
        for (e = g->off[i]; !in_cycle && e < g->off[i + 1]; e++) {
            in_cycle = g->adj[e] == i;      /* refers to itself */
        }
        if (in_cycle && has_del(Py_TYPE(o))) {
            members++;
            if (*first == NULL) {
                *first = o;
            }
        }
    }
    free(size);
    return members;
}

void
cpdb_leak_del_cycles(CpdbHeap *h, CpdbLeakHints *out)
{
    CpdbGraph g;
    uint32_t i, *comp;
    long n_comp, members;
    PyObject *first = NULL;
    int any = 0;
    char *tname;

    for (i = 0; i < h->n && !any; i++) {
        any = has_del(Py_TYPE(h->objs[i]));
    }
    if (!any || cpdb_heap_build_back(h) < 0 || data_graph(h, &g) < 0) {
        PyErr_Clear();
        return;
    }
    comp = malloc(sizeof(uint32_t) * ((size_t)h->n + 1));
    n_comp = comp ? cpdb_graph_components(&g, comp) : -1;
    members = n_comp < 0 ? 0 : del_in_cycles(h, &g, comp, n_comp, &first);
    if (members > 0) {
        tname = cpdb_type_name(Py_TYPE(first));
        add_hint(out, CPDB_LEAK_DEL_CYCLES, cpdb_xasprintf(
                     "%ld object%s with __del__ (%s%s) %s in reference "
                     "cycles.", members, members == 1 ? "" : "s", tname,
                     members > 1 ? ", ..." : "",
                     members == 1 ? "is" : "are"),
                 cpdb_xstrdup(
                     "   Only the cycle collector frees them, later than "
                     "reference counting would,\n   and their __del__ runs "
                     "in an order nobody chose.  Fix: break the cycle\n   "
                     "with weakref (weakref.ref, WeakValueDictionary) or "
                     "close the objects\n   explicitly instead of in "
                     "__del__.  \"gc cycles\" after \"gc saveall on\" and\n"
                     "   \"gc collect\", or \"gc graph\", show the "
                     "cycles.\n"), first);
        free(tname);
    }
    free(comp);
    cpdb_graph_fini(&g);
}

/* --- all of them --------------------------------------------------------- */

int
cpdb_leak_hints(const CpdbLeakLook *look, CpdbLeakSizes *now,
                CpdbLeakHints *out)
{
    cpdb_guard_begin(look->ctx->busy);
    cpdb_leak_django(look->h, out);
    cpdb_leak_defaults(look->h, look->code_path, out);
    cpdb_leak_lru_caches(look->h, out);
    cpdb_leak_sizes_take(now);
    cpdb_leak_growing(look->last, now, out);
    cpdb_leak_garbage(out);
    cpdb_leak_del_cycles(look->h, out);
    cpdb_guard_end(look->ctx->busy);
    PyErr_Clear();
    /* Each pattern stops early when Ctrl-C comes; what they found is
       then only part of the answer. */
    if (cpdb_heap_interrupted()) {
        cpdb_leak_hints_clear(out);
        cpdb_leak_sizes_fini(now);
        return -1;
    }
    return 0;
}
