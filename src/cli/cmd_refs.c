/* The gc family, part three: references out of and into an object,
   the shortest chain of references that keeps it alive, the objects
   nothing refers to, and Graphviz pictures.  All over one snapshot of
   the tracked objects per stop and its reverse edges (heap.c). */
#include "cli/cmd.h"
#include "cli/cmd_gc.h"
#include "cli/command.h"
#include "core/eval.h"
#include "heap/graph.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

CmdResult
cpdb_gc_refs(CpdbSession *s, const char *args)
{
    PyObject *o = cpdb_gc_resolve(s, args);
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
            long k = cpdb_history_add(s, target);
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
        long k = cpdb_history_add(s, c.items[i]);
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
    size_t j;
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
            r->items[r->n].frame = (int)j;
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
    CpdbHeap *h = cpdb_session_heap(s);
    long i;
    if (h == NULL || (need_back && cpdb_heap_build_back(h) < 0)) {
        cpdb_error_exc(s, NULL);
        return -1;
    }
    i = cpdb_heap_find(h, o);
    if (i < 0 && PyObject_GC_IsTracked(o)) {
        /* Made after the snapshot (by the expression, say): take a new
           one. */
        cpdb_session_heap_forget(s);
        h = cpdb_session_heap(s);
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
        long h = cpdb_history_add(s, ref);
        cpdb_out(s, "  (weak) $%ld = %s\n", h, b);
        free(b);
    }
    PyErr_Clear();
    Py_XDECREF(refs);
    Py_XDECREF(mod);
}

CmdResult
cpdb_gc_referrers(CpdbSession *s, const char *args)
{
    PyObject *o = cpdb_gc_resolve(s, args);
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
        long k = cpdb_history_add(s, src);
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

CmdResult
cpdb_gc_chain(CpdbSession *s, const char *args)
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
        target = cpdb_gc_resolve(s, to + 4);
        if (target == NULL) {
            free(text);
            return CMD_FAILED;
        }
    }
    o = cpdb_gc_resolve(s, text);
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
        for (j = 0; j < h->modules.n; j++) {
            cpdb_bit_set(goal, h->modules.items[j]);
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
        path_line = cpdb_gc_path_text(nodes, len,
                                      (const char *const *)marks, 0, &refs);
        refs += marks[0] != NULL;
        cpdb_out(s, "Chain of %zu reference%s:\n  %s\n", refs,
                 refs == 1 ? "" : "s", path_line);
        free(path_line);
        free(marks[0]);
        free(marks);
        for (k = 0; k < len; k++) {
            char *b = cpdb_obj_brief(nodes[k], 60);
            long n = cpdb_history_add(s, nodes[k]);
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
    const CpdbHeapContext *ctx;
    int any, foreign;
} OwnOnly;

static int
own_only_visit(PyObject *o, void *arg)
{
    OwnOnly *w = arg;
    w->any = 1;
    w->foreign |= !cpdb_heap_is_own(w->ctx, o);
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
holds_only_own(const CpdbHeapContext *ctx, PyObject *o)
{
    OwnOnly w = {ctx, 0, 0};
    cpdb_heap_referents(o, own_only_visit, &w);
    return w.any && !w.foreign;
}

CmdResult
cpdb_gc_leaks(CpdbSession *s, const char *args)
{
    long limit, n_leaks = 0, shown = 0;
    CpdbHeap *h;
    uint32_t i;
    const char *rest = cpdb_gc_opt_count(args, 10, &limit);
    CpdbTypeCount *types = NULL;
    long n_types = 0, t;
    uint8_t *referred;

    if (*rest != '\0') {
        cpdb_error(s, "Bad argument \"%s\": gc leaks [N].", rest);
        return CMD_FAILED;
    }
    h = cpdb_session_heap(s);
    if (h == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    if (h->leaks == NULL) {
        /* Worked out once per snapshot. */
        LocalRoots roots;
        CpdbHeapContext ctx;
        size_t v;
        cpdb_guard_begin(&s->busy);
        referred = cpdb_heap_referred(h);
        cpdb_guard_end(&s->busy);
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
        cpdb_session_heap_context(s, &ctx);
        for (i = 0; i < h->n; i++) {
            if (!cpdb_bit_get(referred, i)
                && (holds_only_own(&ctx, h->objs[i])
                    || is_subclasses_dict(h->objs[i]))) {
                cpdb_bit_set(referred, i);
            }
        }
        cpdb_heap_context_fini(&ctx);
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
            long k = cpdb_history_add(s, h->objs[i]);
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

CmdResult
cpdb_gc_graph(CpdbSession *s, const char *args)
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
    o = cpdb_gc_resolve(s, expr);
    if (o == NULL) {
        free(text);
        return CMD_FAILED;
    }
    if (backrefs) {
        h = cpdb_session_heap(s);
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
    if (backrefs) {
        /* The stopped frames' variables that hold objects of the graph
           (frames keep them without the collector seeing it). */
        LocalRoots roots;
        size_t v;
        local_roots_take(s, h, &roots);
        for (v = 0; v < roots.n; v++) {
            PyObject *held = h->objs[roots.items[v].index];
            size_t k;
            for (k = 0; k < g.n && g.objs[k] != held; k++) {
            }
            if (k < g.n) {
                char *t = local_root_text(s, &roots.items[v]);
                cpdb_buf_printf(&dot, "  v%zu [label=\"", v);
                dot_escape(&dot, t);
                cpdb_buf_printf(&dot, "\", shape=ellipse];\n  v%zu -> n%zu;\n",
                                v, k);
                free(t);
            }
        }
        local_roots_fini(&roots);
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
