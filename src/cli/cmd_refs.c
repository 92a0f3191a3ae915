/* The gc family, part three: references out of and into an object,
   the shortest chain of references that keeps it alive, the objects
   nothing refers to, and Graphviz pictures.  The answers are the heap
   layer's (heap/refs.c), over one snapshot of the tracked
   objects per stop; here they are asked for and printed. */
#include "cli/cmd.h"
#include "cli/cmd_gc.h"
#include "cli/command.h"
#include "core/eval.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "heap/refs.h"
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

CmdResult
cpdb_gc_refs(CpdbSession *s, const char *args)
{
    PyObject *o = cpdb_gc_resolve(s, args);
    CpdbObjectArray c = {NULL, 0, 0};
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
    cpdb_refs_referents(o, &c);
    cpdb_out(s, "%s refers to %zu object%s%s\n", brief, c.n,
             c.n == 1 ? "" : "s", c.n ? ":" : ".");
    for (i = 0; i < c.n; i++) {
        char *name = cpdb_edge_name(o, c.items[i]);
        char *b = cpdb_obj_brief(c.items[i], 60);
        long k = cpdb_history_add(s, c.items[i]);
        cpdb_out(s, "  %s -> $%ld = %s\n", name ? name : "(refers to)", k, b);
        free(name);
        free(b);
    }
    cpdb_refs_array_fini(&c);
    free(brief);
    Py_DECREF(o);
    return CMD_STAY;
}

/* --- referrers and chains ------------------------------------------------ */

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
    PyObject *refs = cpdb_refs_weakrefs(o);
    Py_ssize_t k;
    for (k = 0; refs != NULL && k < PyList_GET_SIZE(refs); k++) {
        PyObject *ref = PyList_GET_ITEM(refs, k);
        char *b = cpdb_obj_brief(ref, 60);
        long h = cpdb_history_add(s, ref);
        cpdb_out(s, "  (weak) $%ld = %s\n", h, b);
        free(b);
    }
    PyErr_Clear();
    Py_XDECREF(refs);
}

/* Print who refers to o, snapshot object i of h. */
static void
print_referrers(CpdbSession *s, CpdbHeap *h, PyObject *o,
                const CpdbReferrers *r)
{
    char *brief = cpdb_obj_brief(o, 60);
    size_t n = r->n_objects + r->roots.n, e;
    cpdb_out(s, "%zu referrer%s of %s%s\n", n, n == 1 ? "" : "s", brief,
             n ? ":" : ".");
    for (e = 0; e < r->n_objects; e++) {
        PyObject *src = h->objs[r->objects[e]];
        char *name = cpdb_edge_name(src, o);
        char *b = cpdb_obj_brief(src, 60);
        long k = cpdb_history_add(s, src);
        cpdb_out(s, "  $%ld = %s  %s\n", k, b, name ? name : "");
        free(name);
        free(b);
    }
    for (e = 0; e < r->roots.n; e++) {
        char *t = cpdb_refs_local_root_text(&r->roots.items[e]);
        cpdb_out(s, "  %s\n", t);
        free(t);
    }
    print_weak_referrers(s, o);
    if (n == 0) {
        cpdb_out(s, "Nothing the collector tracks refers to it: it is held "
                 "from C, or only from a running frame's stack.\n");
    }
    free(brief);
}

CmdResult
cpdb_gc_referrers(CpdbSession *s, const char *args)
{
    PyObject *o = cpdb_gc_resolve(s, args);
    CpdbHeap *h;
    CpdbHeapContext ctx;
    CpdbReferrers r;
    CmdResult result = CMD_FAILED;
    long i;
    int rc;
    if (o == NULL) {
        return CMD_FAILED;
    }
    i = tracked_index(s, &h, o, 1);
    if (i < 0) {
        goto done;
    }
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_refs_referrers(h, &ctx, (uint32_t)i, &r);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        goto done;
    }
    print_referrers(s, h, o, &r);
    cpdb_refs_referrers_fini(&r);
    result = CMD_STAY;
done:
    Py_DECREF(o);
    return result;
}

/* --- chain ----------------------------------------------------------------- */

/* Print a chain found: the path, root first, then each object on it
   recorded as $N. */
static void
print_chain(CpdbSession *s, CpdbHeap *h, const CpdbChain *c)
{
    PyObject **nodes = cpdb_xmalloc(sizeof(PyObject *) * c->len);
    char **marks = cpdb_xcalloc(c->len, sizeof(char *));
    size_t refs = 0, k;
    char *path_line;
    for (k = 0; k < c->len; k++) {
        nodes[k] = h->objs[c->path[k]];
    }
    if (c->root >= 0) {
        /* The root is a stopped frame's variable. */
        char *var = cpdb_refs_local_root_text(&c->roots.items[c->root]);
        marks[0] = cpdb_xasprintf("%s ->", var);
        free(var);
    }
    path_line = cpdb_gc_path_text(nodes, c->len, (const char *const *)marks,
                                  0, &refs);
    refs += marks[0] != NULL;
    cpdb_out(s, "Chain of %zu reference%s:\n  %s\n", refs,
             refs == 1 ? "" : "s", path_line);
    free(path_line);
    free(marks[0]);
    free(marks);
    for (k = 0; k < c->len; k++) {
        char *b = cpdb_obj_brief(nodes[k], 60);
        long n = cpdb_history_add(s, nodes[k]);
        cpdb_out(s, "  $%ld = %s\n", n, b);
        free(b);
    }
    free(nodes);
}

/* Say that no chain leads to o (from target, when there is one). */
static void
print_no_chain(CpdbSession *s, PyObject *o, int to_target)
{
    char *brief = cpdb_obj_brief(o, 60);
    if (to_target) {
        cpdb_out(s, "No chain of references leads from the target to %s.\n",
                 brief);
    }
    else {
        cpdb_out(s, "No chain of references leads from a module or a "
                 "stopped frame's variable to %s: it is held from C (an "
                 "extension, the interpreter), only from a running "
                 "frame's stack (an argument being passed, a value being "
                 "computed), or only by cpdb's value history.\n", brief);
    }
    free(brief);
}

/* Find and print the chain to snapshot object i (from target, a
   snapshot index, when >= 0).  Return: CMD_STAY, or CMD_FAILED after
   reporting. */
static CmdResult
chain_answer(CpdbSession *s, CpdbHeap *h, PyObject *o, long i, long target)
{
    CpdbHeapContext ctx;
    CpdbChain c;
    int rc;
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_refs_chain(h, &ctx, (uint32_t)i, target, &c);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    if (c.len == 0) {
        print_no_chain(s, o, target >= 0);
    }
    else {
        print_chain(s, h, &c);
    }
    cpdb_refs_chain_fini(&c);
    return CMD_STAY;
}

CmdResult
cpdb_gc_chain(CpdbSession *s, const char *args)
{
    char *text = cpdb_strip_dup(args), *to = strstr(text, " to ");
    PyObject *o, *target = NULL;
    CpdbHeap *h;
    long i, t = -1;
    CmdResult r = CMD_FAILED;

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
    if (target != NULL && (t = cpdb_heap_find(h, target)) < 0) {
        cpdb_error(s, "The garbage collector does not track the target.");
        goto done;
    }
    r = chain_answer(s, h, o, i, t);
done:
    Py_XDECREF(target);
    Py_DECREF(o);
    return r;
}

/* --- leaks ----------------------------------------------------------------- */

/* The types of the objects nothing refers to, ten at most. */
#define LEAK_TYPES_SHOWN 10

CmdResult
cpdb_gc_leaks(CpdbSession *s, const char *args)
{
    long limit, n_leaks, shown = 0, n_types, t;
    const char *rest = cpdb_gc_opt_count(args, 10, &limit);
    const uint8_t *referred;
    CpdbTypeCount *types;
    CpdbHeapContext ctx;
    CpdbHeap *h;
    uint32_t i;

    if (*rest != '\0') {
        cpdb_error(s, "Bad argument \"%s\": gc leaks [N].", rest);
        return CMD_FAILED;
    }
    h = cpdb_session_heap(s);
    if (h == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    cpdb_session_heap_context(s, &ctx);
    referred = cpdb_refs_leaks(h, &ctx);
    cpdb_heap_context_fini(&ctx);
    if (referred == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    types = cpdb_refs_leak_types(h, referred, &n_types, &n_leaks);
    cpdb_out(s, "%ld of %u tracked objects have no referrer the collector "
             "knows of (held from C, by running frames, or leaked):\n",
             n_leaks, h->n);
    for (t = 0; t < n_types && t < LEAK_TYPES_SHOWN; t++) {
        char *name = cpdb_type_name(types[t].type);
        cpdb_out(s, "  %-40s %10ld\n", name, types[t].count);
        free(name);
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
        CpdbObjectArray c = {NULL, 0, 0};
        if (d >= depth || (backrefs && PyModule_Check(cur))) {
            continue;       /* a module is where a chain starts */
        }
        if (backrefs) {
            cpdb_refs_referrer_objects(h, cur, &c);
        }
        else {
            cpdb_refs_referents(cur, &c);
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
        CpdbLocalRoots roots = {NULL, 0, 0};
        CpdbHeapContext ctx;
        size_t v;
        cpdb_session_heap_context(s, &ctx);
        cpdb_refs_local_roots(h, &ctx, &roots);
        cpdb_heap_context_fini(&ctx);
        for (v = 0; v < roots.n; v++) {
            PyObject *held = h->objs[roots.items[v].index];
            size_t k;
            for (k = 0; k < g.n && g.objs[k] != held; k++) {
            }
            if (k < g.n) {
                char *t = cpdb_refs_local_root_text(&roots.items[v]);
                cpdb_buf_printf(&dot, "  v%zu [label=\"", v);
                dot_escape(&dot, t);
                cpdb_buf_printf(&dot, "\", shape=ellipse];\n  v%zu -> n%zu;\n",
                                v, k);
                free(t);
            }
        }
        cpdb_refs_local_roots_fini(&roots);
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
