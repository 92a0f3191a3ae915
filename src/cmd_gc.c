/* The gc family: the collector's state, collections, gc.garbage and its
   cycles, type censuses and their growth, instances, references both
   ways, the shortest chain that keeps an object alive, objects nothing
   refers to, and Graphviz graphs.  The heavy lifting is heap.c and
   graph.c, in C over one snapshot per stop. */
#include "cmd.h"
#include "command.h"
#include "eval.h"
#include "graph.h"
#include "heap.h"
#include "heap_names.h"
#include "output.h"
#include "session.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* --- helpers --------------------------------------------------------------- */

static PyObject *
gc_module(CpdbSession *s)
{
    PyObject *gc = PyImport_ImportModule("gc");
    if (gc == NULL) {
        cpdb_error_exc(s, "Cannot use the gc module: ");
    }
    return gc;
}

PyObject *
cpdb_module_call(CpdbSession *s, const char *module, const char *name,
                 const char *fmt, ...)
{
    PyObject *m = PyImport_ImportModule(module), *fn, *args, *r = NULL;
    va_list ap;
    if (m == NULL) {
        cpdb_error_exc(s, NULL);
        return NULL;
    }
    fn = PyObject_GetAttrString(m, name);
    va_start(ap, fmt);
    args = fmt ? Py_VaBuildValue(fmt, ap) : PyTuple_New(0);
    va_end(ap);
    if (fn != NULL && args != NULL && !PyTuple_Check(args)) {
        PyObject *t = PyTuple_Pack(1, args);
        Py_DECREF(args);
        args = t;
    }
    if (fn != NULL && args != NULL) {
        int busy = s->busy;
        s->busy = 1;
        r = PyObject_Call(fn, args, NULL);
        s->busy = busy;
    }
    if (r == NULL) {
        char *prefix = cpdb_xasprintf("%s: ", module);
        cpdb_error_exc(s, prefix);
        free(prefix);
    }
    Py_XDECREF(args);
    Py_XDECREF(fn);
    Py_DECREF(m);
    return r;
}

static long
record(CpdbSession *s, PyObject *o)
{
    return cpdb_history_add(s, o);
}

/* Find the object a command names: an address cpdb printed (checked
   against the tracked objects, never dereferenced otherwise), or any
   expression, $N included.  Return: new reference, or NULL after
   reporting. */
static PyObject *
resolve_obj(CpdbSession *s, const char *text)
{
    char *t = cpdb_strip_dup(text);
    PyObject *o = NULL;
    if (*t == '\0') {
        cpdb_error(s, "Argument required (an expression, $N, or an address "
                   "cpdb printed).");
    }
    else if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        char *end;
        unsigned long long a;
        CpdbHeap *h;
        errno = 0;
        a = strtoull(t, &end, 16);
        if (*end != '\0' || errno != 0) {
            cpdb_error(s, "Bad address \"%s\": a hexadecimal address is "
                       "expected.", t);
        }
        else if ((h = cpdb_heap_current(s)) == NULL) {
            cpdb_error_exc(s, NULL);
        }
        else {
            long i = cpdb_heap_find(h, (const void *)(uintptr_t)a);
            if (i < 0) {
                cpdb_error(s, "No object tracked by the garbage collector "
                           "at %s.", t);
            }
            else {
                o = Py_NewRef(h->objs[i]);
            }
        }
    }
    else {
        /* Naming an object is not changing the heap: keep the snapshot
           (an object the expression made is found by tracked_index). */
        long serial = s->eval_serial;
        o = cpdb_eval_expr(s, cpdb_cmd_frame(s), t);
        s->eval_serial = serial;
        if (o == NULL) {
            cpdb_error_exc(s, NULL);
        }
    }
    free(t);
    return o;
}

/* Split "N REST" where N is optional. */
static const char *
opt_count(const char *args, long dflt, long *n)
{
    const char *p = cpdb_skip_space(args);
    char *end;
    long v;
    *n = dflt;
    if (isdigit((unsigned char)*p)) {
        errno = 0;
        v = strtol(p, &end, 10);
        if (errno == 0 && v > 0 && (*end == '\0' || *end == ' '
                                    || *end == '\t')) {
            *n = v;
            return cpdb_skip_space(end);
        }
    }
    return p;
}

static int
has_flag(const char *args, const char *flag, char **rest)
{
    const char *f = strstr(args, flag);
    size_t n = strlen(flag);
    if (f != NULL && (f == args || f[-1] == ' ') && (f[n] == '\0'
                                                     || f[n] == ' ')) {
        CpdbBuf b;
        cpdb_buf_init(&b);
        cpdb_buf_addn(&b, args, (size_t)(f - args));
        cpdb_buf_add(&b, f + n);
        *rest = cpdb_strip_dup(b.data);
        cpdb_buf_fini(&b);
        return 1;
    }
    *rest = cpdb_strip_dup(args);
    return 0;
}

/* --- gc, info gc ----------------------------------------------------------- */

static int
count_visit(PyObject *o, void *arg)
{
    (void)o;
    ++*(long *)arg;
    return 1;
}

static CmdResult
gc_info(CpdbSession *s, const char *args)
{
    PyObject *enabled, *threshold, *count, *garbage, *debug, *gc;
    long flags, tracked = 0;
    int walked;
    (void)args;
    /* Counted first, before the answers below make objects. */
    walked = cpdb_heap_walk(s, count_visit, &tracked);
    enabled = cpdb_module_call(s, "gc", "isenabled", NULL);
    threshold = enabled ? cpdb_module_call(s, "gc", "get_threshold", NULL) : NULL;
    count = threshold ? cpdb_module_call(s, "gc", "get_count", NULL) : NULL;
    debug = count ? cpdb_module_call(s, "gc", "get_debug", NULL) : NULL;
    gc = debug ? gc_module(s) : NULL;
    garbage = gc ? PyObject_GetAttrString(gc, "garbage") : NULL;
    if (garbage == NULL) {
        PyErr_Clear();
        Py_XDECREF(enabled);
        Py_XDECREF(threshold);
        Py_XDECREF(count);
        Py_XDECREF(debug);
        Py_XDECREF(gc);
        return CMD_FAILED;
    }
    flags = PyLong_AsLong(debug);
    cpdb_out(s, "Automatic collection: %s\n",
             cpdb_session_gc_enabled(s) ? "enabled" : "disabled");
    {
        char *t = cpdb_repr(threshold, 0), *c = cpdb_repr(count, 0);
        cpdb_out(s, "Thresholds (gen 0, 1, 2): %s\n", t);
        cpdb_out(s, "Counts (gen 0, 1, 2): %s\n", c);
        free(t);
        free(c);
    }
    if (walked == 0) {
        cpdb_out(s, "Tracked objects: %ld\n", tracked);
    }
    cpdb_out(s, "gc.garbage: %zd object%s\n", PyObject_Length(garbage),
             PyObject_Length(garbage) == 1 ? "" : "s");
    cpdb_out(s, "Debug flags: %s%s%s%s%s\n", flags ? "" : "none",
             (flags & 1) ? "DEBUG_STATS " : "",
             (flags & 2) ? "DEBUG_COLLECTABLE " : "",
             (flags & 4) ? "DEBUG_UNCOLLECTABLE " : "",
             (flags & 32) ? "DEBUG_SAVEALL" : "");
    Py_DECREF(enabled);
    Py_DECREF(threshold);
    Py_DECREF(count);
    Py_DECREF(debug);
    Py_DECREF(gc);
    Py_DECREF(garbage);
    return CMD_STAY;
}

/* --- collect, saveall, garbage, cycles ------------------------------------- */

static CmdResult
gc_collect(CpdbSession *s, const char *args)
{
    long gen = 2;
    struct timespec t0, t1;
    PyObject *r;
    if (*cpdb_skip_space(args) != '\0'
        && (cpdb_parse_int(args, &gen) < 0 || gen < 0 || gen > 2)) {
        cpdb_error(s, "Bad generation \"%s\": 0, 1 or 2 is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    cpdb_heap_forget(s);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = cpdb_module_call(s, "gc", "collect", "(l)", gen);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r == NULL) {
        return CMD_FAILED;
    }
    cpdb_out(s, "Collected generation %ld: %ld unreachable object%s found "
             "in %.1f ms.\n", gen, PyLong_AsLong(r),
             PyLong_AsLong(r) == 1 ? "" : "s",
             (double)(t1.tv_sec - t0.tv_sec) * 1e3
             + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    Py_DECREF(r);
    return CMD_STAY;
}

static CmdResult
gc_saveall(CpdbSession *s, const char *args)
{
    char *v = cpdb_strip_dup(args);
    PyObject *flags, *r;
    long f;
    int on;
    if (strcmp(v, "on") == 0) {
        on = 1;
    }
    else if (strcmp(v, "off") == 0) {
        on = 0;
    }
    else {
        if (*v == '\0') {
            cpdb_error(s, "Argument required (\"on\" or \"off\").");
        }
        else {
            cpdb_error(s, "Bad argument \"%s\": \"on\" or \"off\" is "
                       "expected.", v);
        }
        free(v);
        return CMD_FAILED;
    }
    free(v);
    flags = cpdb_module_call(s, "gc", "get_debug", NULL);
    if (flags == NULL) {
        return CMD_FAILED;
    }
    f = PyLong_AsLong(flags);
    Py_DECREF(flags);
    f = on ? (f | 32) : (f & ~32L);
    r = cpdb_module_call(s, "gc", "set_debug", "(l)", f);
    if (r == NULL) {
        return CMD_FAILED;
    }
    Py_DECREF(r);
    cpdb_out(s, "DEBUG_SAVEALL is %s: %s\n", on ? "on" : "off",
             on ? "the collector keeps what it frees in gc.garbage."
                : "the collector frees unreachable objects again.");
    return CMD_STAY;
}

/* Return: new reference to gc.garbage (a list), or NULL reported. */
static PyObject *
garbage_list(CpdbSession *s)
{
    PyObject *gc = gc_module(s), *g;
    if (gc == NULL) {
        return NULL;
    }
    g = PyObject_GetAttrString(gc, "garbage");
    Py_DECREF(gc);
    if (g == NULL || !PyList_Check(g)) {
        Py_XDECREF(g);
        PyErr_Clear();
        cpdb_error(s, "gc.garbage is not a list.");
        return NULL;
    }
    return g;
}

typedef struct RefsAmong {
    CpdbHeap items;
    uint32_t from;
    int inside;             /* looking through the source's __dict__ */
    uint32_t *from_v, *to_v;
    size_t n, cap;
} RefsAmong;

static int
among_visit(PyObject *referent, void *arg)
{
    RefsAmong *r = arg;
    long j = cpdb_heap_find(&r->items, referent);
    if (j >= 0) {
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 64;
            r->from_v = cpdb_xrealloc(r->from_v, sizeof(uint32_t) * r->cap);
            r->to_v = cpdb_xrealloc(r->to_v, sizeof(uint32_t) * r->cap);
        }
        r->from_v[r->n] = r->from;
        r->to_v[r->n] = (uint32_t)j;
        r->n++;
    }
    /* An attribute dictionary that is not itself among the items (made
       after the collection, when something asked for __dict__): its
       references are the instance's. */
    else if (!r->inside && PyDict_CheckExact(referent)
             && cpdb_is_dict_of(r->items.objs[r->from], referent)) {
        r->inside = 1;
        cpdb_heap_referents(referent, among_visit, r);
        r->inside = 0;
    }
    return 0;
}

/* A copy of gc.garbage and the references among its objects, as a graph
   on indices.  Return: new reference, or NULL reported. */
static PyObject *
garbage_graph(CpdbSession *s, CpdbGraph *g)
{
    PyObject *list = garbage_list(s), *copy;
    RefsAmong r;
    uint32_t i;
    int rc;
    if (list == NULL) {
        return NULL;
    }
    copy = PyList_GetSlice(list, 0, PyList_GET_SIZE(list));
    Py_DECREF(list);
    memset(&r, 0, sizeof r);
    if (copy == NULL || cpdb_heap_of_list(&r.items, copy) < 0) {
        Py_XDECREF(copy);
        cpdb_error_exc(s, NULL);
        return NULL;
    }
    for (i = 0; i < r.items.n; i++) {
        r.from = i;
        cpdb_heap_referents(r.items.objs[i], among_visit, &r);
    }
    rc = cpdb_graph_from_edges(g, r.items.n, r.from_v, r.to_v, r.n);
    free(r.from_v);
    free(r.to_v);
    cpdb_heap_clear(&r.items);
    if (rc < 0) {
        Py_DECREF(copy);
        cpdb_error(s, "Out of memory.");
        return NULL;
    }
    return copy;
}

static CmdResult
gc_garbage(CpdbSession *s, const char *args)
{
    CpdbGraph graph;
    PyObject *copy = garbage_graph(s, &graph);
    Py_ssize_t i, n;
    (void)args;
    if (copy == NULL) {
        return CMD_FAILED;
    }
    n = PyList_GET_SIZE(copy);
    if (n == 0) {
        cpdb_out(s, "gc.garbage is empty.  \"gc saveall on\" keeps what the "
                 "collector frees there; objects it cannot free land there "
                 "too.\n");
    }
    else {
        cpdb_out(s, "gc.garbage holds %zd object%s:\n", n, n == 1 ? "" : "s");
    }
    for (i = 0; i < n; i++) {
        PyObject *o = PyList_GET_ITEM(copy, i);
        char *brief = cpdb_obj_brief(o, 60);
        long k = record(s, o);
        uint32_t e;
        cpdb_out(s, "  #%zd $%ld = %s\n", i, k, brief);
        for (e = graph.off[i]; e < graph.off[i + 1]; e++) {
            uint32_t j = graph.adj[e];
            char *name = cpdb_edge_name(o, PyList_GET_ITEM(copy, j));
            cpdb_out(s, "       %s -> #%u\n", name ? name : "(refers to)", j);
            free(name);
        }
        free(brief);
    }
    cpdb_graph_fini(&graph);
    Py_DECREF(copy);
    return CMD_STAY;
}

/* How an object on a path prints: modules, functions, classes and
   frames by name, the others by type; the last one of an open path in
   full.  Return: malloc'd. */
static char *
node_label(PyObject *o, int last)
{
    if (last) {
        return cpdb_obj_brief(o, 60);
    }
    if (PyModule_Check(o) || PyFunction_Check(o) || PyType_Check(o)
        || PyFrame_Check(o)) {
        return cpdb_obj_brief(o, 40);
    }
    return cpdb_type_name(Py_TYPE(o));
}

/* The name of the reference out of node at, and how many nodes after it
   the name stands for: "A .x" for A .__dict__ ['x'] (instances, classes,
   modules), "f .__closure__[0].cell_contents" for f .__closure__ ->
   tuple [0] -> cell .cell_contents.
   Return: malloc'd or NULL. */
static char *
path_edge(PyObject *const *nodes, size_t len, int closed, size_t at,
          size_t *skip)
{
    PyObject *o = nodes[at];
    PyObject *n1 = at + 1 < len ? nodes[at + 1]
                   : (closed && at + 1 == len ? nodes[0] : NULL);
    PyObject *n2 = at + 2 < len ? nodes[at + 2]
                   : (closed && at + 2 == len ? nodes[0] : NULL);
    char *name;
    *skip = 0;
    if (n2 != NULL && cpdb_is_dict_of(o, n1)) {
        name = cpdb_edge_name(n1, n2);
        if (name != NULL && name[0] == '[' && name[1] == '\'') {
            char *attr = cpdb_xasprintf(".%.*s", (int)strlen(name) - 4,
                                        name + 2);
            free(name);
            *skip = 1;
            return attr;
        }
        free(name);
    }
    if (n2 != NULL && PyFunction_Check(o) && PyCell_Check(n2)
        && PyFunction_GET_CLOSURE(o) == n1 && PyTuple_Check(n1)) {
        PyObject *n3 = at + 3 < len ? nodes[at + 3]
                       : (closed && at + 3 == len ? nodes[0] : NULL);
        Py_ssize_t k;
        for (k = 0; k < PyTuple_GET_SIZE(n1); k++) {
            if (PyTuple_GET_ITEM(n1, k) != n2) {
                continue;
            }
            if (n3 != NULL && PyCell_GET(n2) == n3) {
                *skip = 2;
                return cpdb_xasprintf(".__closure__[%zd].cell_contents", k);
            }
            *skip = 1;
            return cpdb_xasprintf(".__closure__[%zd]", k);
        }
    }
    return n1 != NULL ? cpdb_edge_name(o, n1) : NULL;
}

/* A path of objects as "A .x -> B [0] -> C"; a closed one (a cycle) ends
   where it started.  *edges receives the number of references printed.
   Return: malloc'd. */
static char *
path_text(PyObject *const *nodes, size_t len, const char *const *marks,
          int closed, size_t *edges)
{
    CpdbBuf b;
    size_t i = 0;
    cpdb_buf_init(&b);
    *edges = 0;
    while (i < len) {
        size_t skip = 0;
        int has_next = i + 1 < len || closed;
        char *label = node_label(nodes[i], !has_next);
        if (marks != NULL && marks[i] != NULL) {
            cpdb_buf_printf(&b, "%s ", marks[i]);
        }
        cpdb_buf_add(&b, label);
        free(label);
        if (has_next) {
            char *name = path_edge(nodes, len, closed, i, &skip);
            cpdb_buf_printf(&b, " %s -> ", name ? name : "(refers to)");
            free(name);
            (*edges)++;
        }
        i += 1 + skip;
    }
    if (closed) {
        char *first = node_label(nodes[0], 0);
        if (marks != NULL && marks[0] != NULL) {
            cpdb_buf_printf(&b, "%s ", marks[0]);
        }
        cpdb_buf_add(&b, first);
        free(first);
    }
    return cpdb_buf_take(&b);
}

static CmdResult
gc_cycles(CpdbSession *s, const char *args)
{
    CpdbGraph graph;
    PyObject *copy = garbage_graph(s, &graph);
    uint32_t *comp, i, n;
    uint8_t *done;
    long n_comp, n_cycles = 0;
    (void)args;
    if (copy == NULL) {
        return CMD_FAILED;
    }
    n = (uint32_t)PyList_GET_SIZE(copy);
    comp = cpdb_xmalloc(sizeof(uint32_t) * (n ? n : 1));
    done = cpdb_xcalloc((size_t)(n ? n : 1), 1);
    n_comp = cpdb_graph_components(&graph, comp);
    for (i = 0; n_comp > 0 && i < n; i++) {
        uint32_t *cycle, k, members = 0;
        size_t len;
        PyObject **nodes;
        char **marks;
        if (done[comp[i]]) {
            continue;
        }
        len = cpdb_graph_cycle(&graph, comp, i, &cycle);
        if (len == 0) {
            continue;
        }
        done[comp[i]] = 1;
        for (k = 0; k < n; k++) {
            members += comp[k] == comp[i];
        }
        n_cycles++;
        nodes = cpdb_xmalloc(sizeof(PyObject *) * len);
        marks = cpdb_xmalloc(sizeof(char *) * len);
        for (k = 0; k < len; k++) {
            nodes[k] = PyList_GET_ITEM(copy, cycle[k]);
            marks[k] = cpdb_xasprintf("#%u", cycle[k]);
        }
        cpdb_out(s, "Cycle %ld: %u object%s of gc.garbage\n", n_cycles,
                 members, members == 1 ? "" : "s");
        {
            size_t edges;
            char *text = path_text(nodes, len, (const char *const *)marks, 1,
                                   &edges);
            cpdb_out(s, "  %s\n", text);
            free(text);
        }
        for (k = 0; k < len; k++) {
            free(marks[k]);
        }
        free(marks);
        free(nodes);
        free(cycle);
    }
    if (n == 0) {
        cpdb_out(s, "gc.garbage is empty: no cycles to show.  \"gc saveall "
                 "on\" then \"gc collect\" keeps the cycles the collector "
                 "frees.\n");
    }
    else if (n_cycles == 0) {
        cpdb_out(s, "No reference cycles among the %u objects of "
                 "gc.garbage.\n", n);
    }
    free(done);
    free(comp);
    cpdb_graph_fini(&graph);
    Py_DECREF(copy);
    return CMD_STAY;
}

/* --- censuses -------------------------------------------------------------- */

/* A census by type name, sorted by name for lookups. */
typedef struct Census {
    char **names;
    long *counts;
    long n;
    long total;
} Census;

static void
census_fini(Census *c)
{
    long i;
    for (i = 0; i < c->n; i++) {
        free(c->names[i]);
    }
    free(c->names);
    free(c->counts);
    memset(c, 0, sizeof *c);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Take a census now.  Return 0, or -1 reported. */
static int
census_take(CpdbSession *s, Census *c, int collect)
{
    CpdbTypeCount *tc;
    long n, i;
    char **pairs;

    memset(c, 0, sizeof *c);
    if (collect) {
        PyObject *r;
        cpdb_heap_forget(s);    /* its list would keep everything alive */
        r = cpdb_module_call(s, "gc", "collect", NULL);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    tc = cpdb_heap_census_now(s, &n);
    if (tc == NULL) {
        cpdb_error(s, "Out of memory.");
        return -1;
    }
    /* Several types can share a name: add them up. */
    pairs = cpdb_xmalloc(sizeof(char *) * (size_t)(n ? n : 1));
    c->names = cpdb_xmalloc(sizeof(char *) * (size_t)(n ? n : 1));
    c->counts = cpdb_xmalloc(sizeof(long) * (size_t)(n ? n : 1));
    for (i = 0; i < n; i++) {
        char *name = cpdb_type_name(tc[i].type);
        pairs[i] = cpdb_xasprintf("%s%c%ld", name, '\0', tc[i].count);
        free(name);
    }
    qsort(pairs, (size_t)n, sizeof(char *), name_cmp);
    for (i = 0; i < n; i++) {
        long count = strtol(pairs[i] + strlen(pairs[i]) + 1, NULL, 10);
        if (c->n > 0 && strcmp(c->names[c->n - 1], pairs[i]) == 0) {
            c->counts[c->n - 1] += count;
        }
        else {
            c->names[c->n] = cpdb_xstrdup(pairs[i]);
            c->counts[c->n++] = count;
        }
        c->total += count;
        free(pairs[i]);
    }
    free(pairs);
    free(tc);
    return 0;
}

static long
census_get(const Census *c, const char *name)
{
    long lo = 0, hi = c->n - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        int cmp = strcmp(c->names[mid], name);
        if (cmp == 0) {
            return c->counts[mid];
        }
        if (cmp < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid - 1;
        }
    }
    return 0;
}

static void
census_copy(Census *dst, const Census *src)
{
    long i;
    census_fini(dst);
    dst->names = cpdb_xmalloc(sizeof(char *) * (size_t)(src->n ? src->n : 1));
    dst->counts = cpdb_xmalloc(sizeof(long) * (size_t)(src->n ? src->n : 1));
    for (i = 0; i < src->n; i++) {
        dst->names[i] = cpdb_xstrdup(src->names[i]);
        dst->counts[i] = src->counts[i];
    }
    dst->n = src->n;
    dst->total = src->total;
}

static int
pattern_matches(const char *pattern, const char *name)
{
    if (pattern == NULL || *pattern == '\0') {
        return 1;
    }
    if (strpbrk(pattern, "*?[") != NULL) {
        return fnmatch(pattern, name, 0) == 0;
    }
    return strstr(name, pattern) != NULL;
}

typedef struct Row {
    const char *name;
    long count, delta, other;
} Row;

static int
row_by_count(const void *a, const void *b)
{
    const Row *x = a, *y = b;
    if (x->count != y->count) {
        return (x->count < y->count) - (x->count > y->count);
    }
    return strcmp(x->name, y->name);
}

static int
row_by_delta(const void *a, const void *b)
{
    const Row *x = a, *y = b;
    long dx = labs(x->delta), dy = labs(y->delta);
    if (dx != dy) {
        return (dx < dy) - (dx > dy);
    }
    return strcmp(x->name, y->name);
}

static CmdResult
gc_types(CpdbSession *s, const char *args)
{
    long limit, i, shown = 0;
    char *pattern, *rest;
    int collect = has_flag(args, "--collect", &rest);
    Census c;
    Row *rows;

    pattern = cpdb_xstrdup(opt_count(rest, 20, &limit));
    free(rest);
    if (census_take(s, &c, collect) < 0) {
        free(pattern);
        return CMD_FAILED;
    }
    rows = cpdb_xmalloc(sizeof(Row) * (size_t)(c.n ? c.n : 1));
    for (i = 0; i < c.n; i++) {
        rows[i].name = c.names[i];
        rows[i].count = c.counts[i];
    }
    qsort(rows, (size_t)c.n, sizeof(Row), row_by_count);
    cpdb_out(s, "%ld objects tracked, of %ld types%s%s%s:\n", c.total, c.n,
             *pattern ? " (matching \"" : "", pattern,
             *pattern ? "\")" : "");
    for (i = 0; i < c.n && shown < limit; i++) {
        if (pattern_matches(pattern, rows[i].name)) {
            cpdb_out(s, "%-40s %10ld\n", rows[i].name, rows[i].count);
            shown++;
        }
    }
    if (shown == 0) {
        cpdb_out(s, "No type matches \"%s\".\n", pattern);
    }
    free(rows);
    free(pattern);
    census_fini(&c);
    return CMD_STAY;
}

/* Print the types whose counts differ between a and b, most first. */
static void
print_changes(CpdbSession *s, const Census *a, const Census *b, long limit,
              int growth_only, const char *none)
{
    long i, n = 0, shown = 0;
    Row *rows = cpdb_xmalloc(sizeof(Row) * (size_t)(a->n + b->n + 1));
    for (i = 0; i < b->n; i++) {
        long before = census_get(a, b->names[i]);
        if (b->counts[i] != before) {
            rows[n].name = b->names[i];
            rows[n].count = b->counts[i];
            rows[n].other = before;
            rows[n].delta = b->counts[i] - before;
            n++;
        }
    }
    for (i = 0; i < a->n; i++) {
        if (census_get(b, a->names[i]) == 0 && a->counts[i] != 0) {
            rows[n].name = a->names[i];
            rows[n].count = 0;
            rows[n].other = a->counts[i];
            rows[n].delta = -a->counts[i];
            n++;
        }
    }
    qsort(rows, (size_t)n, sizeof(Row), row_by_delta);
    for (i = 0; i < n && shown < limit; i++) {
        if (growth_only && rows[i].delta <= 0) {
            continue;
        }
        if (growth_only) {
            cpdb_out(s, "%-40s %10ld %+10ld\n", rows[i].name, rows[i].count,
                     rows[i].delta);
        }
        else {
            cpdb_out(s, "%-40s %10ld %10ld %+10ld\n", rows[i].name,
                     rows[i].other, rows[i].count, rows[i].delta);
        }
        shown++;
    }
    if (shown == 0) {
        cpdb_out(s, "%s\n", none);
    }
    free(rows);
}

/* Census tables kept by the session (growth baseline, named
   snapshots). */
typedef struct Snapshots {
    Census growth_base;
    int have_growth;
    char **names;
    Census *censuses;
    int n;
} Snapshots;

static Snapshots snaps;     /* one debugger per process: see trace.c */

static CmdResult
gc_growth(CpdbSession *s, const char *args)
{
    long limit;
    char *rest;
    int collect = has_flag(args, "--collect", &rest);
    const char *extra;
    Census now;

    extra = opt_count(rest, 20, &limit);
    if (*extra != '\0') {
        cpdb_error(s, "Bad argument \"%s\": gc growth [N] [--collect].",
                   extra);
        free(rest);
        return CMD_FAILED;
    }
    free(rest);
    if (census_take(s, &now, collect) < 0) {
        return CMD_FAILED;
    }
    if (!snaps.have_growth) {
        Census empty = {0};
        cpdb_out(s, "%-40s %10s %10s   (since the start: first \"gc growth\")"
                 "\n", "type", "count", "growth");
        print_changes(s, &empty, &now, limit, 1, "No objects.");
    }
    else {
        cpdb_out(s, "%-40s %10s %10s\n", "type", "count", "growth");
        print_changes(s, &snaps.growth_base, &now, limit, 1,
                      "No type grew since the last \"gc growth\".");
    }
    census_copy(&snaps.growth_base, &now);
    snaps.have_growth = 1;
    census_fini(&now);
    return CMD_STAY;
}

static CmdResult
gc_snapshot(CpdbSession *s, const char *args)
{
    char *name = cpdb_strip_dup(args);
    Census now;
    int i;
    if (*name == '\0') {
        free(name);
        name = cpdb_xasprintf("%d", snaps.n + 1);
    }
    if (census_take(s, &now, 0) < 0) {
        free(name);
        return CMD_FAILED;
    }
    i = cpdb_name_index(snaps.names, snaps.n, name);
    if (i < 0) {
        snaps.names = cpdb_xrealloc(snaps.names,
                                    sizeof(char *) * (size_t)(snaps.n + 1));
        snaps.censuses = cpdb_xrealloc(snaps.censuses,
                                       sizeof(Census) * (size_t)(snaps.n + 1));
        i = snaps.n++;
        snaps.names[i] = cpdb_xstrdup(name);
        memset(&snaps.censuses[i], 0, sizeof(Census));
    }
    census_copy(&snaps.censuses[i], &now);
    cpdb_leak_note_sizes();
    cpdb_out(s, "Snapshot \"%s\": %ld objects of %ld types.\n", name,
             now.total, now.n);
    census_fini(&now);
    free(name);
    return CMD_STAY;
}

static CmdResult
gc_diff(CpdbSession *s, const char *args)
{
    char *a_name = NULL, *b_name = NULL, *text = cpdb_strip_dup(args), *sp;
    Census now = {0};
    const Census *a, *b;
    int ia, ib;
    CmdResult r = CMD_STAY;

    if (*text != '\0') {
        sp = strchr(text, ' ');
        a_name = text;
        if (sp != NULL) {
            *sp = '\0';
            b_name = (char *)cpdb_skip_space(sp + 1);
        }
    }
    if (a_name == NULL) {
        if (snaps.n < 2) {
            cpdb_error(s, "\"gc diff\" needs two snapshots (or one and a "
                       "name): take them with \"gc snapshot\".");
            free(text);
            return CMD_FAILED;
        }
        ia = snaps.n - 2;
        ib = snaps.n - 1;
    }
    else {
        ia = cpdb_name_index(snaps.names, snaps.n, a_name);
        ib = b_name ? cpdb_name_index(snaps.names, snaps.n, b_name) : -2;
        if (ia < 0 || ib == -1) {
            cpdb_error(s, "No snapshot named \"%s\".",
                       ia < 0 ? a_name : b_name);
            free(text);
            return CMD_FAILED;
        }
    }
    a = &snaps.censuses[ia];
    if (ib == -2) {
        if (census_take(s, &now, 0) < 0) {
            free(text);
            return CMD_FAILED;
        }
        b = &now;
    }
    else {
        b = &snaps.censuses[ib];
    }
    cpdb_out(s, "%-40s %10s %10s %10s\n", "type", snaps.names[ia],
             ib == -2 ? "now" : snaps.names[ib], "change");
    print_changes(s, a, b, 40, 0, "No differences.");
    census_fini(&now);
    free(text);
    return r;
}

/* --- instances, refs, referrers -------------------------------------------- */

static int
type_name_matches(PyTypeObject *t, const char *want)
{
    char *name;
    int match;
    const char *dot;
    if (strcmp(t->tp_name, want) == 0) {
        return 1;
    }
    name = cpdb_type_name(t);
    dot = strrchr(name, '.');
    match = strcmp(name, want) == 0 || (dot && strcmp(dot + 1, want) == 0);
    free(name);
    return match;
}

/* The first objects of some types, picked in a walk of the heap. */
typedef struct Pick {
    const CpdbTypeCount *types;
    long n_types;
    PyObject **objs;        /* strong */
    size_t n, cap;
} Pick;

static int
pick_visit(PyObject *o, void *arg)
{
    Pick *p = arg;
    long t;
    for (t = 0; t < p->n_types; t++) {
        if (p->types[t].type == Py_TYPE(o)) {
            p->objs[p->n++] = Py_NewRef(o);
            break;
        }
    }
    return p->n < p->cap;
}

static CmdResult
gc_instances(CpdbSession *s, const char *args)
{
    char *text = cpdb_strip_dup(args), *sp;
    long limit = 10, found = 0, shown = 0;
    CpdbTypeCount *tc;
    long n_types = 0, n_match = 0, t;

    sp = strchr(text, ' ');
    if (sp != NULL) {
        *sp = '\0';
        if (cpdb_parse_int(sp + 1, &limit) < 0 || limit < 0) {
            cpdb_error(s, "Bad count \"%s\": a number is expected.", sp + 1);
            free(text);
            return CMD_FAILED;
        }
    }
    if (*text == '\0') {
        cpdb_error(s, "Argument required (a type name, as \"gc types\" "
                   "prints it).");
        free(text);
        return CMD_FAILED;
    }
    /* Which types match, decided once per type; then a walk for the
       first N objects. */
    tc = cpdb_heap_census_now(s, &n_types);
    if (tc == NULL) {
        free(text);
        cpdb_error(s, "Out of memory.");
        return CMD_FAILED;
    }
    for (t = 0; t < n_types; t++) {
        if (type_name_matches(tc[t].type, text)) {
            found += tc[t].count;
            tc[n_match++] = tc[t];
        }
    }
    if (n_match > 0 && limit > 0) {
        Pick p = {tc, n_match, cpdb_xcalloc((size_t)limit, sizeof(PyObject *)),
                  0, (size_t)limit};
        size_t k;
        if (cpdb_heap_walk(s, pick_visit, &p) < 0) {
            cpdb_error(s, "The collector is running: try again.");
        }
        for (k = 0; k < p.n; k++) {
            char *r = cpdb_bounded_repr(p.objs[k], s->set.width > 20
                                                   ? s->set.width : 80);
            long hist = record(s, p.objs[k]);
            cpdb_out(s, "$%ld = %s\n", hist, r);
            free(r);
            Py_DECREF(p.objs[k]);
        }
        shown = (long)p.n;
        free(p.objs);
    }
    free(tc);
    if (found == 0) {
        cpdb_out(s, "No tracked object of type \"%s\" (\"gc types %s\" "
                 "lists the types whose name contains it).\n", text, text);
    }
    else {
        cpdb_out(s, "%ld object%s of type %s%s.\n", found,
                 found == 1 ? "" : "s", text,
                 found > shown ? " (the first shown; \"gc instances TYPE N\" "
                                 "for more)" : "");
    }
    free(text);
    return CMD_STAY;
}

typedef struct Collect {
    PyObject **items;
    size_t n, cap;
} Collect;

static int
collect_visit(PyObject *referent, void *arg)
{
    Collect *c = arg;
    size_t i;
    for (i = 0; i < c->n; i++) {
        if (c->items[i] == referent) {
            return 0;
        }
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->items = cpdb_xrealloc(c->items, sizeof(PyObject *) * c->cap);
    }
    c->items[c->n++] = Py_NewRef(referent);
    return 0;
}

static CmdResult
gc_refs(CpdbSession *s, const char *args)
{
    PyObject *o = resolve_obj(s, args);
    Collect c = {NULL, 0, 0};
    size_t i;
    char *brief;
    if (o == NULL) {
        return CMD_FAILED;
    }
    brief = cpdb_obj_brief(o, 60);
    if (PyWeakref_Check(o)) {
        PyObject *target = cpdb_weakref_target(o);
        if (target != NULL) {
            char *t = cpdb_obj_brief(target, 60);
            long k = record(s, target);
            cpdb_out(s, "%s refers weakly to:\n  (weak) -> $%ld = %s\n",
                     brief, k, t);
            free(t);
            Py_DECREF(target);
        }
        PyErr_Clear();
    }
    cpdb_heap_referents(o, collect_visit, &c);
    cpdb_out(s, "%s refers to %zu object%s%s\n", brief, c.n,
             c.n == 1 ? "" : "s", c.n ? ":" : ".");
    for (i = 0; i < c.n; i++) {
        char *name = cpdb_edge_name(o, c.items[i]);
        char *b = cpdb_obj_brief(c.items[i], 60);
        long k = record(s, c.items[i]);
        cpdb_out(s, "  %s -> $%ld = %s\n", name ? name : "(refers to)", k, b);
        free(name);
        free(b);
        Py_DECREF(c.items[i]);
    }
    free(c.items);
    free(brief);
    Py_DECREF(o);
    return CMD_STAY;
}

/* --- referrers and chains ------------------------------------------------ */

/* A variable of a stopped frame: the frames' own references are not
   visible to the collector from 3.11 on, so chains and referrers name
   them from the stack cpdb holds. */
typedef struct LocalRoot {
    uint32_t index;         /* the value's snapshot index */
    int frame;              /* stack position, 0 innermost */
    char *name;
} LocalRoot;

typedef struct LocalRoots {
    LocalRoot *items;
    size_t n;
} LocalRoots;

static void
local_roots_fini(LocalRoots *r)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        free(r->items[i].name);
    }
    free(r->items);
    r->items = NULL;
    r->n = 0;
}

/* The variables of every stopped frame (module frames left out: their
   variables are their module's) whose values the collector tracks. */
static void
local_roots_take(CpdbSession *s, CpdbHeap *h, LocalRoots *r)
{
    int j;
    r->items = NULL;
    r->n = 0;
    for (j = 0; j < s->stack.n; j++) {
        PyFrameObject *f = s->stack.items[j].frame;
        PyObject *locals = cpdb_frame_locals(f), *globals, *items;
        Py_ssize_t k;
        globals = locals ? cpdb_frame_globals(f) : NULL;
        items = globals && locals != globals ? PyMapping_Items(locals) : NULL;
        for (k = 0; items != NULL && k < PyList_GET_SIZE(items); k++) {
            PyObject *pair = PyList_GET_ITEM(items, k);
            long idx;
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2
                || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0))) {
                continue;
            }
            idx = cpdb_heap_find(h, PyTuple_GET_ITEM(pair, 1));
            if (idx < 0) {
                continue;
            }
            r->items = cpdb_xrealloc(r->items, sizeof(LocalRoot) * (r->n + 1));
            r->items[r->n].index = (uint32_t)idx;
            r->items[r->n].frame = j;
            r->items[r->n].name = cpdb_xstrdup(
                PyUnicode_AsUTF8(PyTuple_GET_ITEM(pair, 0)));
            r->n++;
        }
        PyErr_Clear();
        Py_XDECREF(items);
        Py_XDECREF(globals);
        Py_XDECREF(locals);
    }
}

/* "frame #1 main() variable 'x'".  Return: malloc'd. */
static char *
local_root_text(CpdbSession *s, const LocalRoot *r)
{
    char *fn = cpdb_frame_funcname(s->stack.items[r->frame].frame);
    char *t = cpdb_xasprintf("frame #%d %s() variable '%s'", r->frame, fn,
                             r->name);
    free(fn);
    return t;
}

/* The snapshot index of o, taking the snapshot; -1 with a message when
   the collector does not track o. */
static long
tracked_index(CpdbSession *s, CpdbHeap **hp, PyObject *o, int need_back)
{
    CpdbHeap *h = cpdb_heap_current(s);
    long i;
    if (h == NULL || (need_back && cpdb_heap_build_back(h) < 0)) {
        cpdb_error_exc(s, NULL);
        return -1;
    }
    i = cpdb_heap_find(h, o);
    if (i < 0 && PyObject_GC_IsTracked(o)) {
        /* Made after the snapshot (by the expression, say): take a new
           one. */
        cpdb_heap_forget(s);
        h = cpdb_heap_current(s);
        if (h == NULL || (need_back && cpdb_heap_build_back(h) < 0)) {
            cpdb_error_exc(s, NULL);
            return -1;
        }
        i = cpdb_heap_find(h, o);
    }
    if (i < 0) {
        char *brief = cpdb_obj_brief(o, 60);
        cpdb_error(s, "The garbage collector does not track %s (%s), so no "
                   "object is known to refer to it: atoms such as ints and "
                   "strs are not tracked.", brief,
                   PyObject_IS_GC(o) ? "untracked container" : "not a "
                   "container");
        free(brief);
    }
    *hp = h;
    return i;
}

/* Weak references to o: listed, marked weak, never counted as keeping
   it alive. */
static void
print_weak_referrers(CpdbSession *s, PyObject *o)
{
    PyObject *mod = PyImport_ImportModule("_weakref"), *refs;
    Py_ssize_t k;
    refs = mod ? PyObject_CallMethod(mod, "getweakrefs", "(O)", o) : NULL;
    for (k = 0; refs != NULL && PyList_Check(refs)
                && k < PyList_GET_SIZE(refs); k++) {
        PyObject *ref = PyList_GET_ITEM(refs, k);
        char *b = cpdb_obj_brief(ref, 60);
        long h = record(s, ref);
        cpdb_out(s, "  (weak) $%ld = %s\n", h, b);
        free(b);
    }
    PyErr_Clear();
    Py_XDECREF(refs);
    Py_XDECREF(mod);
}

static CmdResult
gc_referrers(CpdbSession *s, const char *args)
{
    PyObject *o = resolve_obj(s, args);
    CpdbHeap *h;
    long i;
    uint32_t e, n;
    size_t v;
    char *brief;
    LocalRoots roots;
    if (o == NULL) {
        return CMD_FAILED;
    }
    i = tracked_index(s, &h, o, 1);
    if (i < 0) {
        Py_DECREF(o);
        return CMD_FAILED;
    }
    local_roots_take(s, h, &roots);
    brief = cpdb_obj_brief(o, 60);
    n = h->back.off[i + 1] - h->back.off[i];
    for (v = 0; v < roots.n; v++) {
        n += roots.items[v].index == (uint32_t)i;
    }
    cpdb_out(s, "%u referrer%s of %s%s\n", n, n == 1 ? "" : "s", brief,
             n ? ":" : ".");
    for (e = h->back.off[i]; e < h->back.off[i + 1]; e++) {
        PyObject *src = h->objs[h->back.adj[e]];
        char *name = cpdb_edge_name(src, o);
        char *b = cpdb_obj_brief(src, 60);
        long k = record(s, src);
        cpdb_out(s, "  $%ld = %s  %s\n", k, b, name ? name : "");
        free(name);
        free(b);
    }
    for (v = 0; v < roots.n; v++) {
        if (roots.items[v].index == (uint32_t)i) {
            char *t = local_root_text(s, &roots.items[v]);
            cpdb_out(s, "  %s\n", t);
            free(t);
        }
    }
    print_weak_referrers(s, o);
    if (n == 0) {
        cpdb_out(s, "Nothing the collector tracks refers to it: it is held "
                 "from C, or only from a running frame's stack.\n");
    }
    local_roots_fini(&roots);
    free(brief);
    Py_DECREF(o);
    return CMD_STAY;
}

/* --- chain ----------------------------------------------------------------- */

static CmdResult
gc_chain(CpdbSession *s, const char *args)
{
    char *text = cpdb_strip_dup(args), *to = strstr(text, " to ");
    PyObject *o, *target = NULL;
    CpdbHeap *h;
    long i, t = -1;
    uint8_t *goal;
    uint32_t *path, k;
    size_t len;
    CmdResult r = CMD_FAILED;
    LocalRoots roots = {NULL, 0};

    if (to != NULL) {
        *to = '\0';
        target = resolve_obj(s, to + 4);
        if (target == NULL) {
            free(text);
            return CMD_FAILED;
        }
    }
    o = resolve_obj(s, text);
    free(text);
    if (o == NULL) {
        Py_XDECREF(target);
        return CMD_FAILED;
    }
    i = tracked_index(s, &h, o, 1);
    if (i < 0) {
        goto done;
    }
    goal = cpdb_xcalloc((size_t)h->n / 8 + 1, 1);
    if (target != NULL) {
        t = cpdb_heap_find(h, target);
        if (t < 0) {
            cpdb_error(s, "The garbage collector does not track the target.");
            free(goal);
            goto done;
        }
        cpdb_bit_set(goal, (uint32_t)t);
    }
    else {
        size_t j;
        for (j = 0; j < h->n_modules; j++) {
            cpdb_bit_set(goal, h->modules[j]);
        }
        local_roots_take(s, h, &roots);
    }
    len = cpdb_graph_shortest_path(&h->back, (uint32_t)i, goal, &path);
    if (len == 0 && target == NULL && roots.n > 0) {
        /* No module holds it: a stopped frame's variable may.  (Modules
           come first: what a module holds outlives the call.) */
        memset(goal, 0, (size_t)h->n / 8 + 1);
        for (k = 0; k < roots.n; k++) {
            cpdb_bit_set(goal, roots.items[k].index);
        }
        len = cpdb_graph_shortest_path(&h->back, (uint32_t)i, goal, &path);
    }
    free(goal);
    if (len == 0) {
        char *brief = cpdb_obj_brief(o, 60);
        if (target != NULL) {
            cpdb_out(s, "No chain of references leads from the target to %s."
                     "\n", brief);
        }
        else {
            cpdb_out(s, "No chain of references leads from a module or a "
                     "stopped frame's variable to %s: it is held from C (an "
                     "extension, the interpreter), only from a running "
                     "frame's stack (an argument being passed, a value being "
                     "computed), or only by cpdb's value history.\n", brief);
        }
        free(brief);
        r = CMD_STAY;
        goto done;
    }
    {
        /* The path runs object -> ... -> root over referrer edges: print
           it root first. */
        PyObject **nodes = cpdb_xmalloc(sizeof(PyObject *) * len);
        char **marks = cpdb_xcalloc(len, sizeof(char *));
        size_t refs = 0;
        char *path_line;
        for (k = 0; k < len; k++) {
            nodes[k] = h->objs[path[len - 1 - k]];
        }
        if (target == NULL && !PyModule_Check(nodes[0])) {
            /* The root is a stopped frame's variable. */
            for (k = 0; k < roots.n; k++) {
                if (roots.items[k].index == path[len - 1]) {
                    char *var = local_root_text(s, &roots.items[k]);
                    marks[0] = cpdb_xasprintf("%s ->", var);
                    free(var);
                    break;
                }
            }
        }
        path_line = path_text(nodes, len, (const char *const *)marks, 0,
                              &refs);
        refs += marks[0] != NULL;
        cpdb_out(s, "Chain of %zu reference%s:\n  %s\n", refs,
                 refs == 1 ? "" : "s", path_line);
        free(path_line);
        free(marks[0]);
        free(marks);
        for (k = 0; k < len; k++) {
            char *b = cpdb_obj_brief(nodes[k], 60);
            long n = record(s, nodes[k]);
            cpdb_out(s, "  $%ld = %s\n", n, b);
            free(b);
        }
        free(nodes);
        free(path);
    }
    r = CMD_STAY;
done:
    local_roots_fini(&roots);
    Py_XDECREF(target);
    Py_DECREF(o);
    return r;
}

/* --- leaks ----------------------------------------------------------------- */

typedef struct OwnOnly {
    CpdbSession *s;
    int any, foreign;
} OwnOnly;

static int
own_only_visit(PyObject *o, void *arg)
{
    OwnOnly *w = arg;
    w->any = 1;
    w->foreign |= !cpdb_heap_is_own(w->s, o);
    return 0;
}

/* Whether o is a type's dict of subclasses, {id(sub): weakref(sub)}, kept
   by the interpreter for static types since 3.12. */
static int
is_subclasses_dict(PyObject *o)
{
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    if (!PyDict_CheckExact(o) || PyDict_GET_SIZE(o) == 0) {
        return 0;
    }
    while (PyDict_Next(o, &pos, &k, &v)) {
        PyObject *t;
        int ok;
        if (!PyLong_CheckExact(k) || !PyWeakref_Check(v)) {
            return 0;
        }
        t = cpdb_weakref_target(v);
        ok = t == NULL || (PyType_Check(t) && PyLong_AsVoidPtr(k) == t);
        Py_XDECREF(t);
        PyErr_Clear();
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

/* Whether o holds nothing but cpdb's objects (the interpreter's list of
   fork handlers holding cpdb's). */
static int
holds_only_own(CpdbSession *s, PyObject *o)
{
    OwnOnly w = {s, 0, 0};
    cpdb_heap_referents(o, own_only_visit, &w);
    return w.any && !w.foreign;
}

static CmdResult
gc_leaks(CpdbSession *s, const char *args)
{
    long limit, n_leaks = 0, shown = 0;
    CpdbHeap *h;
    uint32_t i;
    const char *rest = opt_count(args, 10, &limit);
    CpdbTypeCount *types = NULL;
    long n_types = 0, t;
    uint8_t *referred;
    int busy = s->busy;

    if (*rest != '\0') {
        cpdb_error(s, "Bad argument \"%s\": gc leaks [N].", rest);
        return CMD_FAILED;
    }
    h = cpdb_heap_current(s);
    if (h == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    if (h->leaks == NULL) {
        /* Worked out once per snapshot. */
        LocalRoots roots;
        size_t v;
        s->busy = 1;
        referred = cpdb_heap_referred(h);
        s->busy = busy;
        if (referred == NULL) {
            cpdb_error_exc(s, NULL);
            return CMD_FAILED;
        }
        /* The stopped frames' variables are held, by the frames. */
        local_roots_take(s, h, &roots);
        for (v = 0; v < roots.n; v++) {
            cpdb_bit_set(referred, roots.items[v].index);
        }
        local_roots_fini(&roots);
        for (i = 0; i < h->n; i++) {
            if (!cpdb_bit_get(referred, i)
                && (holds_only_own(s, h->objs[i])
                    || is_subclasses_dict(h->objs[i]))) {
                cpdb_bit_set(referred, i);
            }
        }
        h->leaks = referred;
    }
    referred = h->leaks;
    for (i = 0; i < h->n; i++) {
        if (!cpdb_bit_get(referred, i)) {
            PyTypeObject *ty = Py_TYPE(h->objs[i]);
            n_leaks++;
            for (t = 0; t < n_types && types[t].type != ty; t++) {
            }
            if (t == n_types) {
                types = cpdb_xrealloc(types, sizeof(CpdbTypeCount)
                                      * (size_t)(n_types + 1));
                types[n_types].type = ty;
                types[n_types++].count = 0;
            }
            types[t].count++;
        }
    }
    cpdb_out(s, "%ld of %u tracked objects have no referrer the collector "
             "knows of (held from C, by running frames, or leaked):\n",
             n_leaks, h->n);
    for (t = 0; t < n_types; t++) {
        long best = t, u;
        CpdbTypeCount tmp;
        for (u = t + 1; u < n_types; u++) {
            if (types[u].count > types[best].count) {
                best = u;
            }
        }
        tmp = types[t];
        types[t] = types[best];
        types[best] = tmp;
        if (t < 10) {
            char *name = cpdb_type_name(types[t].type);
            cpdb_out(s, "  %-40s %10ld\n", name, types[t].count);
            free(name);
        }
    }
    for (i = 0; i < h->n && shown < limit; i++) {
        if (!cpdb_bit_get(referred, i)) {
            char *b = cpdb_obj_brief(h->objs[i], 60);
            long k = record(s, h->objs[i]);
            cpdb_out(s, "$%ld = %s\n", k, b);
            free(b);
            shown++;
        }
    }
    free(types);
    return CMD_STAY;
}

/* --- graph ----------------------------------------------------------------- */

/* Past the first object, one with more references than this is not
   expanded (as objgraph's too_many). */
#define GRAPH_TOO_MANY 10

static void
dot_escape(CpdbBuf *b, const char *text)
{
    const char *p;
    for (p = text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            cpdb_buf_addc(b, '\\');
        }
        if (*p == '\n') {
            cpdb_buf_add(b, "\\n");
            continue;
        }
        cpdb_buf_addc(b, *p);
    }
}

typedef struct GraphNodes {
    PyObject **objs;        /* strong */
    int *depth;
    size_t n, cap;
} GraphNodes;

static long
graph_add(GraphNodes *g, PyObject *o, int depth)
{
    size_t i;
    for (i = 0; i < g->n; i++) {
        if (g->objs[i] == o) {
            return (long)i;
        }
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 32;
        g->objs = cpdb_xrealloc(g->objs, sizeof(PyObject *) * g->cap);
        g->depth = cpdb_xrealloc(g->depth, sizeof(int) * g->cap);
    }
    g->objs[g->n] = Py_NewRef(o);
    g->depth[g->n] = depth;
    return (long)g->n++;
}

static int
run_dot(const char *format, const char *dot_path, const char *out_path)
{
    pid_t pid;
    int status;
    char fmt[16];
    char *argv[6];
    snprintf(fmt, sizeof fmt, "-T%s", format);
    argv[0] = (char *)"dot";
    argv[1] = fmt;
    argv[2] = (char *)"-o";
    argv[3] = (char *)out_path;
    argv[4] = (char *)dot_path;
    argv[5] = NULL;
    if (posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) != 0) {
        return -1;
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)
        || WEXITSTATUS(status) != 0) {
        return -2;
    }
    return 0;
}

static CmdResult
gc_graph(CpdbSession *s, const char *args)
{
    char *text = cpdb_strip_dup(args), *file, *expr;
    long depth = 3, max_nodes = 50;
    int backrefs = 0;
    PyObject *o;
    GraphNodes g = {NULL, NULL, 0, 0};
    CpdbBuf dot, edges;
    CpdbHeap *h = NULL;
    size_t head = 0, i;
    const char *ext;
    char *dot_path;
    FILE *f;
    CmdResult r = CMD_FAILED;

    /* OBJ [backrefs] [depth N] [max N] FILE: options and the file come
       last; the expression is what stays. */
    file = strrchr(text, ' ');
    if (file == NULL) {
        cpdb_error(s, "Usage: gc graph OBJ [backrefs] [depth N] [max N] "
                   "FILE.dot|.png|.svg");
        free(text);
        return CMD_FAILED;
    }
    *file++ = '\0';
    for (;;) {
        char *last = strrchr(text, ' ');
        char *word = last ? last + 1 : NULL;
        char *prev;
        if (word == NULL) {
            break;
        }
        if (strcmp(word, "backrefs") == 0) {
            backrefs = 1;
            *last = '\0';
            continue;
        }
        *last = '\0';
        prev = strrchr(text, ' ');
        if (prev != NULL && (strcmp(prev + 1, "depth") == 0
                             || strcmp(prev + 1, "max") == 0)) {
            long v;
            if (cpdb_parse_int(word, &v) < 0 || v < 1 || v > 100000) {
                cpdb_error(s, "Bad %s \"%s\": a number is expected.",
                           prev + 1, word);
                free(text);
                return CMD_FAILED;
            }
            if (strcmp(prev + 1, "depth") == 0) {
                depth = v;
            }
            else {
                max_nodes = v;
            }
            *prev = '\0';
            continue;
        }
        *last = ' ';
        break;
    }
    expr = text;
    ext = strrchr(file, '.');
    if (ext == NULL || (strcmp(ext, ".dot") && strcmp(ext, ".png")
                        && strcmp(ext, ".svg"))) {
        cpdb_error(s, "Bad file \"%s\": FILE.dot, FILE.png or FILE.svg is "
                   "expected.", file);
        free(text);
        return CMD_FAILED;
    }
    o = resolve_obj(s, expr);
    if (o == NULL) {
        free(text);
        return CMD_FAILED;
    }
    if (backrefs) {
        h = cpdb_heap_current(s);
        if (h == NULL || cpdb_heap_build_back(h) < 0) {
            cpdb_error_exc(s, NULL);
            Py_DECREF(o);
            free(text);
            return CMD_FAILED;
        }
    }
    cpdb_buf_init(&dot);
    cpdb_buf_init(&edges);
    graph_add(&g, o, 0);
    while (head < g.n) {
        PyObject *cur = g.objs[head];
        int d = g.depth[head];
        size_t from = head++;
        Collect c = {NULL, 0, 0};
        if (d >= depth || (backrefs && PyModule_Check(cur))) {
            continue;       /* a module is where a chain starts */
        }
        if (backrefs) {
            long ix = cpdb_heap_find(h, cur);
            uint32_t e;
            for (e = ix < 0 ? 0 : h->back.off[ix];
                 ix >= 0 && e < h->back.off[ix + 1]; e++) {
                collect_visit(h->objs[h->back.adj[e]], &c);
            }
        }
        else {
            cpdb_heap_referents(cur, collect_visit, &c);
        }
        if (backrefs) {
            /* Every function of a module refers to its globals: only the
               module counts. */
            size_t kept = 0;
            for (i = 0; i < c.n; i++) {
                if (PyFunction_Check(c.items[i])
                    && PyFunction_GET_GLOBALS(c.items[i]) == cur) {
                    Py_DECREF(c.items[i]);
                }
                else {
                    c.items[kept++] = c.items[i];
                }
            }
            c.n = kept;
        }
        if (d > 0 && c.n > GRAPH_TOO_MANY) {
            /* A module's globals, a big container: one node says how
               many, instead of a fan of hundreds. */
            cpdb_buf_printf(&edges, "  x%zu [label=\"%zu more %s\", "
                            "shape=plaintext];\n", from, c.n,
                            backrefs ? "referrers" : "references");
            cpdb_buf_printf(&edges, backrefs ? "  x%zu -> n%zu;\n"
                                             : "  n%zu -> x%zu;\n",
                            from, from);
            for (i = 0; i < c.n; i++) {
                Py_DECREF(c.items[i]);
            }
            c.n = 0;
        }
        for (i = 0; i < c.n; i++) {
            PyObject *other = c.items[i];
            long to;
            char *name;
            if (PyModule_Check(other) && !backrefs && d > 0) {
                Py_DECREF(other);
                continue;       /* do not wander into whole modules */
            }
            to = graph_add(&g, other, d + 1);
            if (g.n > (size_t)max_nodes) {
                Py_DECREF(g.objs[--g.n]);
                Py_DECREF(other);
                continue;
            }
            name = backrefs ? cpdb_edge_name(other, cur)
                            : cpdb_edge_name(cur, other);
            cpdb_buf_printf(&edges, "  n%ld -> n%zu [label=\"",
                            backrefs ? to : (long)from,
                            backrefs ? from : (size_t)to);
            dot_escape(&edges, name ? name : "");
            cpdb_buf_add(&edges, "\"];\n");
            free(name);
            Py_DECREF(other);
        }
        free(c.items);
    }
    cpdb_buf_add(&dot, "digraph cpdb {\n  node [shape=box, "
                 "fontname=\"monospace\", fontsize=10];\n"
                 "  edge [fontname=\"monospace\", fontsize=9];\n");
    for (i = 0; i < g.n; i++) {
        char *type = cpdb_type_name(Py_TYPE(g.objs[i]));
        char *rep = cpdb_bounded_repr(g.objs[i], 40);
        cpdb_buf_printf(&dot, "  n%zu [label=\"", i);
        dot_escape(&dot, type);
        cpdb_buf_add(&dot, "\\n");
        dot_escape(&dot, rep);
        cpdb_buf_printf(&dot, "\"%s];\n", i == 0 ? ", style=filled, "
                        "fillcolor=\"#ffe08a\"" : "");
        free(type);
        free(rep);
    }
    cpdb_buf_add(&dot, edges.data);
    cpdb_buf_add(&dot, "}\n");
    dot_path = strcmp(ext, ".dot") == 0
               ? cpdb_xstrdup(file)
               : cpdb_xasprintf("%.*s.dot", (int)(ext - file), file);
    f = fopen(dot_path, "w");
    if (f == NULL || fputs(dot.data, f) < 0) {
        cpdb_error(s, "Cannot write \"%s\": %s.", dot_path, strerror(errno));
        if (f != NULL) {
            fclose(f);
        }
    }
    else {
        int rc = 0;
        fclose(f);
        if (strcmp(ext, ".dot") != 0) {
            rc = run_dot(ext + 1, dot_path, file);
        }
        if (rc == 0) {
            cpdb_out(s, "Graph of %zu object%s (%s, depth %ld) written to "
                     "%s.\n", g.n, g.n == 1 ? "" : "s",
                     backrefs ? "what refers to it" : "what it refers to",
                     depth, file);
            if (strcmp(ext, ".dot") != 0) {
                unlink(dot_path);
            }
            r = CMD_STAY;
        }
        else if (rc == -1) {
            cpdb_out(s, "Graphviz \"dot\" is not installed: the graph is in "
                     "%s; render it with \"dot -T%s -o %s %s\".\n", dot_path,
                     ext + 1, file, dot_path);
            r = CMD_STAY;
        }
        else {
            cpdb_error(s, "\"dot\" failed to render %s (the graph is in %s).",
                       file, dot_path);
        }
    }
    free(dot_path);
    for (i = 0; i < g.n; i++) {
        Py_DECREF(g.objs[i]);
    }
    free(g.objs);
    free(g.depth);
    cpdb_buf_fini(&dot);
    cpdb_buf_fini(&edges);
    Py_DECREF(o);
    free(text);
    return r;
}

/* --- the table ------------------------------------------------------------- */

static const CmdDef gc_subcommands[] = {
    {"info", NULL, CMD_CLASS_MEMORY, 0, gc_info, "gc info",
     "Show the collector's state.\n"
     "Enabled or not, thresholds, counts per generation, tracked objects,\n"
     "the length of gc.garbage and the debug flags.", NULL},
    {"collect", NULL, CMD_CLASS_MEMORY, 0, gc_collect, "gc collect [GEN]",
     "Run a collection of generation GEN (default 2, all).\n"
     "Prints how many unreachable objects it found and how long it took.",
     NULL},
    {"garbage", NULL, CMD_CLASS_MEMORY, 0, gc_garbage, "gc garbage",
     "List gc.garbage and the references among its objects.\n"
     "Each object is recorded as $N; a cycle reads as one.", NULL},
    {"saveall", NULL, CMD_CLASS_MEMORY, 0, gc_saveall, "gc saveall on|off",
     "Keep what the collector frees in gc.garbage (DEBUG_SAVEALL).\n"
     "Then \"gc collect\" and \"gc cycles\" show the cycles the program "
     "made.", NULL},
    {"cycles", NULL, CMD_CLASS_MEMORY, 0, gc_cycles, "gc cycles",
     "Group gc.garbage into reference cycles.\n"
     "Each prints as \"#0 A .attr -> #1 B .attr -> #0 A\".",
     NULL},
    {"types", NULL, CMD_CLASS_MEMORY, 0, gc_types,
     "gc types [N] [PATTERN] [--collect]",
     "Count the tracked objects by type, most common first.\n"
     "PATTERN keeps type names containing it (or matching it, with * ? []).\n"
     "No collection happens unless --collect is given, so garbage cycles\n"
     "are counted too.", NULL},
    {"growth", NULL, CMD_CLASS_MEMORY, 0, gc_growth,
     "gc growth [N] [--collect]",
     "Show the types whose count grew since the last \"gc growth\".\n"
     "The first time, every type counts as grown from nothing.  No\n"
     "collection happens unless --collect is given.", NULL},
    {"snapshot", NULL, CMD_CLASS_MEMORY, 0, gc_snapshot, "gc snapshot [NAME]",
     "Keep the current count of objects per type under NAME (or 1, 2...).",
     NULL},
    {"diff", NULL, CMD_CLASS_MEMORY, 0, gc_diff, "gc diff [A [B]]",
     "Compare two snapshots by type: the last two, A and now, or A and B.",
     NULL},
    {"instances", NULL, CMD_CLASS_MEMORY, 0, gc_instances,
     "gc instances TYPE [N]",
     "List the tracked objects of a type, recording the first N as $N.\n"
     "TYPE as \"gc types\" prints it, or its last part (\"Node\").", NULL},
    {"refs", NULL, CMD_CLASS_MEMORY, 0, gc_refs, "gc refs OBJ",
     "Show what OBJ refers to, each reference named.\n"
     "OBJ is an expression, $N, or an address cpdb printed.", NULL},
    {"referrers", NULL, CMD_CLASS_MEMORY, 0, gc_referrers,
     "gc referrers OBJ",
     "Show the tracked objects that refer to OBJ, each reference named.",
     NULL},
    {"chain", NULL, CMD_CLASS_MEMORY, 0, gc_chain, "gc chain OBJ [to TARGET]",
     "Show the shortest chain of references that keeps OBJ alive.\n"
     "It starts at a module (at a stopped frame's variable when no module\n"
     "holds OBJ, or at TARGET) and names each reference:\n"
     "module __main__ .compute -> function compute .__defaults__ -> tuple\n"
     "[0] -> dict ['key'] -> OBJ.  There is no depth limit; weak references\n"
     "do not count.  Every object on it is recorded as $N.",
     NULL},
    {"graph", NULL, CMD_CLASS_MEMORY, 0, gc_graph,
     "gc graph OBJ [backrefs] [depth N] [max N] FILE",
     "Write a Graphviz graph of the references from OBJ (or to it).\n"
     "FILE ends in .dot, or in .png or .svg to render it with dot when\n"
     "Graphviz is installed.  Depth 3 and 50 objects by default.", NULL},
    {"leaks", NULL, CMD_CLASS_MEMORY, 0, gc_leaks, "gc leaks [N]",
     "Show the tracked objects that no tracked object refers to.\n"
     "They are held from C: by an extension, by the interpreter, by running\n"
     "frames, or leaked by a missing Py_DECREF.  What the collector cannot\n"
     "see but cpdb can is left out: code objects' constants, static types'\n"
     "dictionaries, the stopped frames' variables.  Counts by type, then\n"
     "the first N objects (default 10) as $N.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

static CmdResult
cmd_gc(CpdbSession *s, const char *args)
{
    static const CmdDef self = {"gc", NULL, CMD_CLASS_MEMORY, 0, NULL, "gc",
                                "", gc_subcommands};
    if (*cpdb_skip_space(args) == '\0') {
        return gc_info(s, args);
    }
    return cpdb_command_sub(s, &self, args);
}

const CmdDef cpdb_cmds_gc[] = {
    {"gc", NULL, CMD_CLASS_MEMORY, 0, cmd_gc, "gc [SUBCOMMAND]",
     "Examine the garbage collector and what keeps objects alive.\n"
     "\"gc\" alone shows the collector's state; \"help gc\" lists the\n"
     "subcommands.", gc_subcommands},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

CmdResult
cpdb_gc_info(CpdbSession *s, const char *args)
{
    return gc_info(s, args);
}

PyObject *
cpdb_gc_resolve(CpdbSession *s, const char *text)
{
    return resolve_obj(s, text);
}
