/* "leak hints": known ways Python programs leak, looked for in the heap
   as it is now.  Each check reads the snapshot of the tracked objects
   (heap.c) and a few attributes; none imports anything the program has
   not imported, and none runs the program's code except where a value
   can only be read through it (Django's settings). */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "core/eval.h"
#include "core/frames.h"
#include "heap/graph.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The thresholds: below them a container is not worth a hint. */
#define MANY_DEFAULT_ITEMS 50       /* items in a mutable default */
#define MANY_CACHE_ENTRIES 100      /* entries in an unbounded lru_cache */
#define MANY_METHOD_SELVES 10       /* instances kept by a method's cache */
#define MANY_QUERIES 100            /* Django queries kept */
#define GREW_ITEMS 10               /* growth of a module-level container */

typedef struct Hints {
    CpdbSession *s;
    CpdbHeap *h;
    int n;                  /* hints printed so far */
} Hints;

/* Start hint number n+1: "N. TITLE". */
static void
hint_title(Hints *hs, const char *fmt, ...) CPDB_PRINTF(2, 3);

static void
hint_title(Hints *hs, const char *fmt, ...)
{
    va_list ap;
    char text[1024];
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cpdb_out(hs->s, "%d. %s\n", ++hs->n, text);
}

static void
hint_value(Hints *hs, PyObject *o)
{
    char *brief = cpdb_obj_brief(o, 60);
    long k = cpdb_history_add(hs->s, o);
    cpdb_out(hs->s, "   $%ld = %s\n", k, brief);
    free(brief);
}

/* Return: borrowed sys.modules[name], or NULL (never imports). */
static PyObject *
imported(const char *name)
{
    PyObject *modules = PyImport_GetModuleDict();
    PyObject *m = modules ? PyDict_GetItemString(modules, name) : NULL;
    return m != NULL && PyModule_Check(m) ? m : NULL;
}

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

/* Whether an object (a function, a cache) comes from Python's standard
   library, whose caches are bounded on purpose: no hint for them. */
static int
from_stdlib(PyObject *o)
{
    PyObject *mod = PyObject_GetAttrString(o, "__module__");
    PyObject *names = PySys_GetObject("stdlib_module_names"); /* borrowed */
    int yes = 0;
    if (mod != NULL && PyUnicode_Check(mod) && names != NULL) {
        PyObject *top = PyUnicode_FromStringAndSize(
            PyUnicode_AsUTF8(mod), (Py_ssize_t)strcspn(PyUnicode_AsUTF8(mod),
                                                       "."));
        yes = top != NULL && PySet_Contains(names, top) == 1;
        Py_XDECREF(top);
    }
    PyErr_Clear();
    Py_XDECREF(mod);
    return yes;
}

/* --- Django's query log ---------------------------------------------------- */

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

static void
hint_django(Hints *hs)
{
    uint32_t i;
    int debug;
    if (imported("django.db") == NULL) {
        return;
    }
    debug = django_debug();
    for (i = 0; i < hs->h->n; i++) {
        PyObject *o = hs->h->objs[i], *log, *alias, *it, *q, *limit_obj;
        Py_ssize_t n;
        long limit;
        long long sql_bytes = 0;
        if (PyType_Check(o) || PyModule_Check(o)
            || strncmp(type_module(Py_TYPE(o)), "django.db.backends", 18) != 0
            || Py_TYPE(o)->tp_dictoffset == 0) {
            continue;
        }
        log = PyObject_GetAttrString(o, "queries_log");
        n = log ? PyObject_Length(log) : -1;
        if (n < MANY_QUERIES) {
            PyErr_Clear();
            Py_XDECREF(log);
            continue;
        }
        alias = PyObject_GetAttrString(o, "alias");
        limit_obj = PyObject_GetAttrString(o, "queries_limit");
        limit = limit_obj && PyLong_Check(limit_obj)
                ? PyLong_AsLong(limit_obj) : 9000;
        Py_XDECREF(limit_obj);
        it = PyObject_GetIter(log);
        while (it != NULL && (q = PyIter_Next(it)) != NULL) {
            PyObject *sql = PyDict_Check(q) ? PyDict_GetItemString(q, "sql")
                                            : NULL;
            if (sql != NULL && PyUnicode_Check(sql)) {
                sql_bytes += PyUnicode_GET_LENGTH(sql);
            }
            Py_DECREF(q);
        }
        PyErr_Clear();
        hint_title(hs, "Django keeps every SQL query: connection '%s' holds "
                   "%zd queries (%lld characters of SQL) in "
                   "django.db.connection.queries%s.",
                   alias && PyUnicode_Check(alias) ? PyUnicode_AsUTF8(alias)
                                                   : "?", n, sql_bytes,
                   debug == 1 ? ", because settings.DEBUG is True" : "");
        cpdb_out(hs->s, "   With DEBUG = True Django logs every query of "
                 "every connection (the latest\n   %ld of each, with their "
                 "SQL text); outside Django's request cycle nothing\n   "
                 "clears the log.  Fix: DEBUG = False outside development, "
                 "or call\n   django.db.reset_queries() after each job or "
                 "batch.\n", limit);
        hint_value(hs, log);
        Py_XDECREF(it);
        Py_XDECREF(alias);
        Py_DECREF(log);
    }
}

/* --- mutable default arguments --------------------------------------------- */

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

static void
hint_default(Hints *hs, PyObject *fn, const char *param, PyObject *v,
             Py_ssize_t n)
{
    PyCodeObject *code = (PyCodeObject *)PyFunction_GET_CODE(fn);
    char *path, *type;
    PyObject *qual;
    if (from_stdlib(fn)) {
        return;
    }
    path = cpdb_code_path(code);
    type = cpdb_type_name(Py_TYPE(v));
    qual = PyObject_GetAttrString(fn, "__qualname__");
    hint_title(hs, "A mutable default argument used as a cache: %s(%s=...) "
               "at %s:%d holds a %s of %zd items.",
               qual && PyUnicode_Check(qual) ? PyUnicode_AsUTF8(qual) : "?",
               param, path, code->co_firstlineno, type, n);
    cpdb_out(hs->s, "   A default is made once, when the def runs, and "
             "lives as long as the function:\n   everything put in it "
             "stays.  Fix: default to None and make the container\n   in "
             "the call, or use a cache with a bound "
             "(functools.lru_cache(maxsize=N)).\n");
    hint_value(hs, v);
    PyErr_Clear();
    Py_XDECREF(qual);
    free(type);
    free(path);
}

static void
hint_defaults(Hints *hs)
{
    uint32_t i;
    for (i = 0; i < hs->h->n; i++) {
        PyObject *fn = hs->h->objs[i], *defaults, *kw;
        Py_ssize_t k, n;
        if (!PyFunction_Check(fn)) {
            continue;
        }
        defaults = PyFunction_GET_DEFAULTS(fn);
        n = defaults && PyTuple_Check(defaults) ? PyTuple_GET_SIZE(defaults)
                                                : 0;
        for (k = 0; k < n; k++) {
            PyObject *v = PyTuple_GET_ITEM(defaults, k);
            Py_ssize_t len = container_len(v);
            if (len >= MANY_DEFAULT_ITEMS) {
                char *param = default_param((PyFunctionObject *)fn, k, n);
                hint_default(hs, fn, param, v, len);
                free(param);
            }
        }
        kw = PyFunction_GET_KW_DEFAULTS(fn);
        if (kw != NULL && PyDict_Check(kw)) {
            PyObject *key, *v;
            Py_ssize_t pos = 0;
            while (PyDict_Next(kw, &pos, &key, &v)) {
                Py_ssize_t len = container_len(v);
                if (len >= MANY_DEFAULT_ITEMS && PyUnicode_Check(key)) {
                    hint_default(hs, fn, PyUnicode_AsUTF8(key), v, len);
                }
            }
        }
        PyErr_Clear();
    }
}

/* --- lru_cache ------------------------------------------------------------- */

typedef struct Selves {
    PyTypeObject *type;     /* the class of the method */
    void **seen;
    size_t n, cap;
} Selves;

static int
selves_visit(PyObject *o, void *arg)
{
    Selves *sv = arg;
    size_t i;
    if (!PyType_IsSubtype(Py_TYPE(o), sv->type)) {
        return 0;
    }
    for (i = 0; i < sv->n; i++) {
        if (sv->seen[i] == (void *)o) {
            return 0;
        }
    }
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 16;
        sv->seen = cpdb_xrealloc(sv->seen, sizeof(void *) * sv->cap);
    }
    sv->seen[sv->n++] = o;
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

static void
hint_lru_cache(Hints *hs)
{
    uint32_t i;
    for (i = 0; i < hs->h->n; i++) {
        PyObject *w = hs->h->objs[i], *info, *wrapped, *qual;
        long maxsize = -1, size;
        PyTypeObject *cls;
        Selves sv = {NULL, NULL, 0, 0};
        const char *name;
        if (strcmp(Py_TYPE(w)->tp_name, "functools._lru_cache_wrapper") != 0
            || from_stdlib(w)) {
            continue;
        }
        info = PyObject_CallMethod(w, "cache_info", NULL);
        if (info == NULL || !PyTuple_Check(info)
            || PyTuple_GET_SIZE(info) < 4) {
            PyErr_Clear();
            Py_XDECREF(info);
            continue;
        }
        if (PyTuple_GET_ITEM(info, 2) != Py_None) {
            maxsize = PyLong_AsLong(PyTuple_GET_ITEM(info, 2));
        }
        size = PyLong_AsLong(PyTuple_GET_ITEM(info, 3));
        Py_DECREF(info);
        wrapped = PyObject_GetAttrString(w, "__wrapped__");
        cls = wrapped ? method_class(wrapped) : NULL;
        if (cls != NULL) {
            sv.type = cls;
            cpdb_heap_referents(w, cache_dict_visit, &sv);
        }
        qual = PyObject_GetAttrString(w, "__qualname__");
        PyErr_Clear();
        name = qual && PyUnicode_Check(qual) ? PyUnicode_AsUTF8(qual) : "?";
        if (cls != NULL && sv.n >= MANY_METHOD_SELVES) {
            char *cname = cpdb_type_name(cls);
            char bound[32];
            snprintf(bound, sizeof bound, maxsize < 0 ? "None" : "%ld",
                     maxsize);
            hint_title(hs, "functools.lru_cache on a method keeps instances "
                       "alive: %s's cache holds %zu %s objects (%ld entries, "
                       "maxsize=%s).", name, sv.n, cname, size, bound);
            cpdb_out(hs->s, "   The cache's keys hold self, so no instance it "
                     "has seen is freed while the\n   class lives.  Fix: "
                     "cache on the instance (functools.cached_property, or "
                     "a\n   dict attribute), or key the cache on what the "
                     "result depends on.\n");
            hint_value(hs, w);
            free(cname);
        }
        else if (maxsize < 0 && size >= MANY_CACHE_ENTRIES) {
            hint_title(hs, "An unbounded functools.lru_cache: %s holds %ld "
                       "entries (maxsize=None).", name, size);
            cpdb_out(hs->s, "   Every distinct argument stays cached for "
                     "good.  Fix: lru_cache(maxsize=N), or\n   "
                     "cache_clear() when a batch of work ends.\n");
            hint_value(hs, w);
        }
        free(sv.seen);
        Py_XDECREF(qual);
        Py_XDECREF(wrapped);
    }
}

/* --- module-level containers that grow ------------------------------------- */

typedef struct Sized {
    char *name;             /* "module.name", "module.Class.name", or the
                               global holding an instance: "module.name" */
    uintptr_t ptr;          /* 0, or the container an instance holds */
    Py_ssize_t len;
} Sized;

/* The sizes noted at the last look (the session's: s->cli->leak). */
struct CpdbLeakSizes {
    Sized *items;
    size_t n;
    int taken;              /* once a table exists */
};
typedef struct CpdbLeakSizes SizeTable;

static SizeTable *
last_sizes(CpdbSession *s)
{
    if (s->cli->leak == NULL) {
        s->cli->leak = cpdb_xcalloc(1, sizeof(SizeTable));
    }
    return s->cli->leak;
}

static int
sized_cmp(const void *a, const void *b)
{
    const Sized *x = a, *y = b;
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

static void
sizes_push(SizeTable *t, char *name, uintptr_t ptr, PyObject *v)
{
    t->items = cpdb_xrealloc(t->items, sizeof(Sized) * (t->n + 1));
    t->items[t->n].name = name;
    t->items[t->n].ptr = ptr;
    t->items[t->n].len = PyObject_Length(v);
    t->n++;
    PyErr_Clear();
}

static void
sizes_add(SizeTable *t, const char *prefix, PyObject *key, PyObject *v)
{
    const char *k;
    if (!PyUnicode_Check(key) || !is_container(v)) {
        return;
    }
    k = PyUnicode_AsUTF8(key);
    if (k == NULL || (k[0] == '_' && k[1] == '_')) {
        PyErr_Clear();
        return;
    }
    sizes_push(t, cpdb_xasprintf("%s.%s", prefix, k), 0, v);
}

/* The containers an instance holds, found through tp_traverse (asking
   for __dict__ would make one on 3.11+ and change the heap): its direct
   references, and those of a dictionary it refers to (its __dict__). */
typedef struct InstWalk {
    SizeTable *t;
    const char *name;
    int inside;
    uintptr_t want;         /* when looking one up again */
    PyObject *found, *found_in;
} InstWalk;

static int
inst_visit(PyObject *o, void *arg)
{
    InstWalk *w = arg;
    if (w->want != 0 && (uintptr_t)o == w->want && w->found == NULL) {
        w->found = o;
        return 0;
    }
    if (w->want == 0 && is_container(o)) {
        sizes_push(w->t, cpdb_xstrdup(w->name), (uintptr_t)o, o);
    }
    if (!w->inside && PyDict_CheckExact(o)) {
        w->inside = 1;
        cpdb_heap_referents(o, inst_visit, w);
        if (w->found != NULL && w->found_in == NULL) {
            w->found_in = o;
        }
        w->inside = 0;
    }
    return 0;
}

/* The sizes of the containers held by modules' globals, and by the
   classes the modules define and their instances held by globals. */
static void
sizes_take(SizeTable *t)
{
    PyObject *modules = PyImport_GetModuleDict(), *mname, *m;
    Py_ssize_t pos = 0;
    memset(t, 0, sizeof *t);
    t->taken = 1;
    while (modules != NULL && PyDict_Next(modules, &pos, &mname, &m)) {
        PyObject *d, *key, *v;
        Py_ssize_t p2 = 0;
        const char *mod;
        if (!PyModule_Check(m) || !PyUnicode_Check(mname)
            || (d = PyModule_GetDict(m)) == NULL) {
            continue;
        }
        mod = PyUnicode_AsUTF8(mname);
        if (mod == NULL || strcmp(mod, "sys") == 0
            || strcmp(mod, "linecache") == 0) {
            PyErr_Clear();
            continue;       /* they grow as modules and files are used */
        }
        while (PyDict_Next(d, &p2, &key, &v)) {
            char *prefix;
            sizes_add(t, mod, key, v);
            if (!PyUnicode_Check(key)) {
                continue;
            }
            /* A class of the module's, or an instance of one (a settings
               object, a registry): their attributes too. */
            prefix = cpdb_xasprintf("%s.%s", mod, PyUnicode_AsUTF8(key));
            if (PyType_Check(v)
                && strcmp(type_module((PyTypeObject *)v), mod) == 0) {
                PyObject *cd = ((PyTypeObject *)v)->tp_dict, *k2, *v2;
                Py_ssize_t p3 = 0;
                while (cd != NULL && PyDict_Next(cd, &p3, &k2, &v2)) {
                    sizes_add(t, prefix, k2, v2);
                }
            }
            else if (!PyType_Check(v) && !PyModule_Check(v)
                     && strcmp(type_module(Py_TYPE(v)), mod) == 0) {
                InstWalk w = {t, prefix, 0, 0, NULL, NULL};
                cpdb_heap_referents(v, inst_visit, &w);
            }
            free(prefix);
        }
    }
    qsort(t->items, t->n, sizeof(Sized), sized_cmp);
}

static void
sizes_fini(SizeTable *t)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        free(t->items[i].name);
    }
    free(t->items);
    memset(t, 0, sizeof *t);
}

typedef struct Growth {
    const Sized *now;
    Py_ssize_t before;
} Growth;

static int
growth_desc(const void *a, const void *b)
{
    const Growth *x = a, *y = b;
    Py_ssize_t dx = x->now->len - x->before, dy = y->now->len - y->before;
    return (dx < dy) - (dx > dy);
}

/* Look a dotted name up again.  Return: new reference, or NULL. */
static PyObject *
lookup_dotted(const char *dotted)
{
    PyObject *modules = PyImport_GetModuleDict();
    char *copy = cpdb_xstrdup(dotted), *p;
    PyObject *found = NULL;
    /* The module name is the longest prefix that is a module. */
    for (p = copy + strlen(copy); p > copy && found == NULL; p--) {
        if (*p == '.') {
            PyObject *m;
            *p = '\0';
            m = PyDict_GetItemString(modules, copy);
            if (m != NULL && PyModule_Check(m)) {
                PyObject *o = Py_NewRef(m);
                char *part, *save = NULL;
                for (part = strtok_r(p + 1, ".", &save); part && o;
                     part = strtok_r(NULL, ".", &save)) {
                    Py_SETREF(o, PyObject_GetAttrString(o, part));
                }
                found = o;
                PyErr_Clear();
                break;
            }
            *p = '.';
        }
    }
    free(copy);
    return found;
}

/* The container a size entry is about, and its printed name.  Return:
   new reference, or NULL; *name malloc'd. */
static PyObject *
sized_object(const Sized *z, char **name)
{
    PyObject *owner = lookup_dotted(z->name), *found = NULL;
    char *edge = NULL;
    *name = NULL;
    if (owner == NULL || z->ptr == 0) {
        *name = cpdb_xstrdup(z->name);
        return owner;
    }
    {
        InstWalk w = {NULL, z->name, 0, z->ptr, NULL, NULL};
        cpdb_heap_referents(owner, inst_visit, &w);
        if (w.found != NULL) {
            found = Py_NewRef(w.found);
            edge = cpdb_edge_name(w.found_in ? w.found_in : owner, found);
        }
    }
    if (edge != NULL && edge[0] == '[' && edge[1] == '\'') {
        /* ['attr'] in the instance's __dict__: .attr */
        *name = cpdb_xasprintf("%s.%.*s", z->name, (int)strlen(edge) - 4,
                               edge + 2);
    }
    else {
        *name = cpdb_xasprintf("%s%s", z->name, edge ? edge : ".?");
    }
    free(edge);
    Py_DECREF(owner);
    return found;
}

static void
hint_growing(Hints *hs, const SizeTable *now)
{
    SizeTable *last = last_sizes(hs->s);
    size_t i, n = 0;
    Growth *g;
    if (!last->taken) {
        return;
    }
    g = cpdb_xmalloc(sizeof(Growth) * (now->n + 1));
    for (i = 0; i < now->n; i++) {
        Sized *before = bsearch(&now->items[i], last->items, last->n,
                                sizeof(Sized), sized_cmp);
        if (before != NULL && now->items[i].len - before->len >= GREW_ITEMS) {
            g[n].now = &now->items[i];
            g[n++].before = before->len;
        }
    }
    qsort(g, n, sizeof(Growth), growth_desc);
    for (i = 0; i < n && i < 5; i++) {
        char *name;
        PyObject *v = sized_object(g[i].now, &name);
        hint_title(hs, "A module-level container grows: %s went from %zd to "
                   "%zd items since the last \"leak hints\" or \"gc "
                   "snapshot\".", name, g[i].before, g[i].now->len);
        cpdb_out(hs->s, "   What a module holds lives as long as the "
                 "program.  Find the code that adds\n   to it (\"gc chain\" "
                 "of an item shows the way in) and what should remove\n   "
                 "it again.\n");
        if (v != NULL) {
            hint_value(hs, v);
            Py_DECREF(v);
        }
        free(name);
    }
    free(g);
}

void
cpdb_leak_note_sizes(CpdbSession *s)
{
    SizeTable now, *last = last_sizes(s);
    sizes_take(&now);
    sizes_fini(last);
    *last = now;
}

void
cpdb_leak_sizes_free(CpdbLeakSizes *t)
{
    if (t != NULL) {
        sizes_fini(t);
        free(t);
    }
}

/* --- gc.garbage and __del__ in cycles -------------------------------------- */

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
        if (d != NULL && PyDict_GetItemString(d, "__del__") != NULL) {
            return 1;
        }
    }
    return 0;
}

static void
hint_garbage(Hints *hs)
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
    if (n > 0 && !saveall) {
        hint_title(hs, "gc.garbage holds %zd object%s the collector found "
                   "unreachable but could not free.", n, n == 1 ? "" : "s");
        cpdb_out(hs->s, "   They stay until the program empties gc.garbage.  "
                 "\"gc garbage\" and \"gc cycles\"\n   show them and their "
                 "references (C types with broken tp_traverse or finalizers "
                 "\n   that resurrect objects put them there).\n");
    }
    else if (n > 0) {
        Py_ssize_t i, with_del = 0;
        for (i = 0; i < n; i++) {
            with_del += has_del(Py_TYPE(PyList_GET_ITEM(garbage, i)));
        }
        if (with_del > 0) {
            hint_title(hs, "gc.garbage (kept by \"gc saveall\") holds %zd "
                       "object%s with __del__ that the collector had to "
                       "free from cycles.", with_del,
                       with_del == 1 ? "" : "s");
            cpdb_out(hs->s, "   \"gc cycles\" shows the cycles; see the "
                     "next hint on __del__ in cycles.\n");
        }
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
   Return 0, or -1 when out of memory. */
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

static void
hint_del_cycles(Hints *hs)
{
    CpdbHeap *h = hs->h;
    CpdbGraph g;
    uint32_t i, e, *comp, *size;
    long n_comp, members = 0;
    PyObject *first = NULL;
    int any = 0;

    for (i = 0; i < h->n && !any; i++) {
        any = has_del(Py_TYPE(h->objs[i]));
    }
    if (!any || cpdb_heap_build_back(h) < 0 || data_graph(h, &g) < 0) {
        PyErr_Clear();
        return;
    }
    comp = malloc(sizeof(uint32_t) * ((size_t)h->n + 1));
    n_comp = comp ? cpdb_graph_components(&g, comp) : -1;
    if (n_comp < 0) {
        free(comp);
        cpdb_graph_fini(&g);
        return;
    }
    size = cpdb_xcalloc((size_t)n_comp + 1, sizeof(uint32_t));
    for (i = 0; i < h->n; i++) {
        size[comp[i]]++;
    }
    for (i = 0; i < h->n; i++) {
        PyObject *o = h->objs[i];
        int in_cycle = size[comp[i]] > 1;
        for (e = g.off[i]; !in_cycle && e < g.off[i + 1]; e++) {
            in_cycle = g.adj[e] == i;       /* refers to itself */
        }
        if (in_cycle && has_del(Py_TYPE(o))) {
            members++;
            if (first == NULL) {
                first = o;
            }
        }
    }
    if (members > 0) {
        char *tname = cpdb_type_name(Py_TYPE(first));
        hint_title(hs, "%ld object%s with __del__ (%s%s) %s in reference "
                   "cycles.", members, members == 1 ? "" : "s", tname,
                   members > 1 ? ", ..." : "", members == 1 ? "is" : "are");
        cpdb_out(hs->s, "   Only the cycle collector frees them, later than "
                 "reference counting would,\n   and their __del__ runs in "
                 "an order nobody chose.  Fix: break the cycle\n   with "
                 "weakref (weakref.ref, WeakValueDictionary) or close the "
                 "objects\n   explicitly instead of in __del__.  "
                 "\"gc cycles\" "
                 "after \"gc saveall on\" and\n   \"gc collect\", or \"gc "
                 "graph\", show the cycles.\n");
        hint_value(hs, first);
        free(tname);
    }
    free(size);
    free(comp);
    cpdb_graph_fini(&g);
}

/* --- the command ----------------------------------------------------------- */

static CmdResult
leak_hints(CpdbSession *s, const char *args)
{
    Hints hs;
    SizeTable now, *last = last_sizes(s);
    if (*cpdb_skip_space(args) != '\0') {
        cpdb_error(s, "\"leak hints\" takes no argument.");
        return CMD_FAILED;
    }
    hs.s = s;
    hs.n = 0;
    hs.h = cpdb_session_heap(s);
    if (hs.h == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    cpdb_guard_begin(&s->busy);
    hint_django(&hs);
    hint_defaults(&hs);
    hint_lru_cache(&hs);
    sizes_take(&now);
    hint_growing(&hs, &now);
    hint_garbage(&hs);
    hint_del_cycles(&hs);
    cpdb_guard_end(&s->busy);
    PyErr_Clear();
    if (hs.n == 0) {
        cpdb_out(s, "No known leak pattern found now.\n");
    }
    if (!last->taken) {
        cpdb_out(s, "The sizes of module-level containers are noted: "
                 "\"leak hints\" again later tells\nwhich of them grew.\n");
    }
    sizes_fini(last);
    *last = now;
    return CMD_STAY;
}

static const CmdDef leak_subcommands[] = {
    {"hints", NULL, CMD_CLASS_MEMORY, 0, leak_hints, "leak hints",
     "Look for known leak patterns in the heap as it is now.\n"
     "- Django with DEBUG = True keeping every SQL query;\n"
     "- mutable default arguments holding 50 items or more;\n"
     "- functools.lru_cache without a bound holding 100 entries or more,\n"
     "  or on a method, keeping 10 instances or more alive;\n"
     "- containers held by modules (by the classes they define, by\n"
     "  instances of those) that grew by 10 items or more since the last\n"
     "  \"leak hints\" or \"gc snapshot\";\n"
     "- gc.garbage the collector could not free;\n"
     "- objects with __del__ in reference cycles.\n"
     "The standard library's own caches are left out.  Each hint says the\n"
     "fix and records the object as $N.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

const CmdDef cpdb_cmds_leak[] = {
    {"leak", NULL, CMD_CLASS_MEMORY, 0, NULL, "leak hints",
     "Find known memory-leak patterns.", leak_subcommands},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
