/* Graphviz pictures of references: the drawing is made breadth first
   from one object over its referents or its referrers (refs.c), then
   written as DOT text by a writer that sees only labels and numbers. */
#include "heap/dot.h"
#include "base/text.h"
#include "heap/names.h"
#include "heap/refs.h"
#include "base/ptrset.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Past the first object, one with more references than this is not
   expanded (as objgraph's too_many). */
#define GRAPH_TOO_MANY 10

void
cpdb_dot_graph_init(CpdbDotGraph *g)
{
    memset(g, 0, sizeof *g);
}

void
cpdb_dot_graph_fini(CpdbDotGraph *g)
{
    size_t i;
    for (i = 0; i < g->nodes.n; i++) {
        Py_XDECREF(g->nodes.items[i].obj);
        free(g->nodes.items[i].label);
    }
    for (i = 0; i < g->holders.n; i++) {
        free(g->holders.items[i].label);
    }
    for (i = 0; i < g->edges.n; i++) {
        free(g->edges.items[i].label);
    }
    free(g->nodes.items);
    free(g->holders.items);
    free(g->edges.items);
    cpdb_dot_graph_init(g);
}

/* --- the DOT writer ------------------------------------------------------ */

/* Append text as the inside of a DOT string. */
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

/* Append one edge, or one note and its edge. */
static void
dot_edge(CpdbBuf *b, const CpdbDotEdge *e)
{
    if (e->kind == CPDB_DOT_EDGE) {
        cpdb_buf_printf(b, "  n%zu -> n%zu [label=\"", e->from, e->to);
        dot_escape(b, e->label);
        cpdb_buf_add(b, "\"];\n");
    }
    else {
        size_t at = e->kind == CPDB_DOT_MORE_OUT ? e->from : e->to;
        cpdb_buf_printf(b, "  x%zu [label=\"", at);
        dot_escape(b, e->label);
        cpdb_buf_add(b, "\", shape=plaintext];\n");
        cpdb_buf_printf(b, e->kind == CPDB_DOT_MORE_OUT
                           ? "  n%zu -> x%zu;\n" : "  x%zu -> n%zu;\n",
                        at, at);
    }
}

char *
cpdb_dot_text(const CpdbDotGraph *g)
{
    CpdbBuf b;
    size_t i;
    cpdb_buf_init(&b);
    cpdb_buf_add(&b, "digraph cpdb {\n  node [shape=box, "
                 "fontname=\"monospace\", fontsize=10];\n"
                 "  edge [fontname=\"monospace\", fontsize=9];\n");
    for (i = 0; i < g->nodes.n; i++) {
        cpdb_buf_printf(&b, "  n%zu [label=\"", i);
        dot_escape(&b, g->nodes.items[i].label);
        cpdb_buf_printf(&b, "\"%s];\n", i == 0 ? ", style=filled, "
                        "fillcolor=\"#ffe08a\"" : "");
    }
    for (i = 0; i < g->holders.n; i++) {
        const CpdbDotHolder *v = &g->holders.items[i];
        cpdb_buf_printf(&b, "  v%zu [label=\"", v->id);
        dot_escape(&b, v->label);
        cpdb_buf_printf(&b, "\", shape=ellipse];\n  v%zu -> n%zu;\n", v->id,
                        v->node);
    }
    for (i = 0; i < g->edges.n; i++) {
        dot_edge(&b, &g->edges.items[i]);
    }
    cpdb_buf_add(&b, "}\n");
    return cpdb_buf_take(&b);
}

/* --- drawing the heap ---------------------------------------------------- */

/* A drawing being made. */
typedef struct Draw {
    CpdbHeap *h;                /* borrowed: with its reverse edges, for
                                   backrefs; or NULL: a pass over the
                                   heap per depth finds them */
    const CpdbHeapContext *ctx; /* borrowed: cpdb's objects, left out */
    const CpdbDotOptions *opt;
    CpdbDotGraph *g;
    CpdbPtrSet at;              /* object -> its position in g->nodes */
    size_t level_start;         /* without h: the depth's first node, */
    CpdbObjectArray *level;     /* ... and its nodes' referrers, by
                                   position from it (malloc'd) */
    size_t level_n;
} Draw;

/* The position of o in the drawing, added at depth if it is not there
   and there is room.  Return: its position, or -1 when there is no
   room for it. */
static long
graph_add(Draw *d, PyObject *o, int depth)
{
    CpdbDotGraph *g = d->g;
    CpdbDotNode node;
    size_t i;
    if (cpdb_ptrset_get(&d->at, o, &i)) {
        return (long)i;
    }
    if (g->nodes.n >= (size_t)d->opt->max_nodes) {
        return -1;
    }
    node.obj = Py_NewRef(o);
    node.depth = depth;
    node.label = NULL;
    cpdb_array_push(&g->nodes, node);
    cpdb_ptrset_put(&d->at, o, g->nodes.n - 1);
    return (long)g->nodes.n - 1;
}

static void
graph_add_edge(CpdbDotGraph *g, CpdbDotEdgeKind kind, size_t from,
               size_t to, char *label)
{
    CpdbDotEdge e;
    e.kind = kind;
    e.from = from;
    e.to = to;
    e.label = label;
    cpdb_array_push(&g->edges, e);
}

/* What cur refers to (the first limit of them), or what refers to it,
   into out.  Every function of a module refers to its globals: among
   referrers only the module counts.  Return: how many there are (past
   the limit, references counted, as objgraph's "N more references"). */
static size_t
neighbours(Draw *d, size_t at, size_t limit, CpdbObjectArray *out)
{
    PyObject *cur = d->g->nodes.items[at].obj;
    size_t i, kept = 0;
    if (!d->opt->backrefs) {
        return cpdb_refs_referents_head(d->ctx, cur, limit, out);
    }
    if (d->h != NULL) {
        cpdb_refs_referrer_objects(d->h, cur, out);
    }
    else if (at - d->level_start < d->level_n) {
        /* found by the depth's pass: moved */
        *out = d->level[at - d->level_start];
        memset(&d->level[at - d->level_start], 0, sizeof *out);
    }
    for (i = 0; i < out->n; i++) {
        PyObject *other = out->items[i];
        if (PyFunction_Check(other)
            && PyFunction_GET_GLOBALS(other) == cur) {
            Py_DECREF(other);
        }
        else {
            out->items[kept++] = other;
        }
    }
    out->n = kept;
    return kept;
}

static void
level_fini(Draw *d)
{
    size_t k;
    for (k = 0; k < d->level_n; k++) {
        cpdb_refs_array_fini(&d->level[k]);
    }
    free(d->level);
    d->level = NULL;
    d->level_n = 0;
}

/* Without reverse edges: the referrers of every node of the depth from
   position start on (the drawing holds all of them by then: the nodes
   of the depth before are drawn), in one pass over the heap.  Return 0,
   or -1 with an exception set. */
static int
level_referrers(Draw *d, size_t start)
{
    CpdbDotGraph *g = d->g;
    CpdbPtrSet set;
    size_t end = start, k;
    int untracked = 0, rc;
    while (end < g->nodes.n
           && g->nodes.items[end].depth == g->nodes.items[start].depth) {
        end++;
    }
    level_fini(d);
    d->level_start = start;
    d->level_n = end - start;
    d->level = cpdb_xcalloc(d->level_n, sizeof *d->level);
    cpdb_ptrset_init(&set);
    for (k = start; k < end; k++) {
        PyObject *o = g->nodes.items[k].obj;
        if (PyModule_Check(o)) {
            continue;       /* not drawn past (draw_node) */
        }
        cpdb_ptrset_put(&set, o, k - start);
        untracked |= !PyObject_IS_GC(o) || !PyObject_GC_IsTracked(o);
    }
    rc = cpdb_refs_referrers_of_set(d->ctx, &set, untracked, d->level,
                                    d->level_n);
    cpdb_ptrset_fini(&set);
    return rc;
}

/* Draw the edges between the node at position at and the objects of
   next, the first of total, adding those objects while there is room; a
   note says how many had no room.  Return 0, or -1 with
   KeyboardInterrupt set (Ctrl-C). */
static int
draw_edges(Draw *d, size_t at, const CpdbObjectArray *next, size_t total)
{
    CpdbDotGraph *g = d->g;
    int backrefs = d->opt->backrefs, depth = g->nodes.items[at].depth;
    PyObject *cur = g->nodes.items[at].obj;
    size_t i, left_out = total - next->n;
    CpdbEdgeNamer namer;
    cpdb_refs_namer_init(&namer, cur);
    for (i = 0; i < next->n; i++) {
        PyObject *other = next->items[i];
        long to;
        char *name;
        if (cpdb_heap_poll(i)) {
            cpdb_refs_namer_fini(&namer);
            return -1;
        }
        if (PyModule_Check(other) && !backrefs && depth > 0) {
            continue;       /* do not wander into whole modules */
        }
        to = graph_add(d, other, depth + 1);
        if (to < 0) {
            left_out++;
            continue;
        }
        name = backrefs ? cpdb_edge_name(other, cur)
                        : cpdb_refs_namer_name(&namer, other);
        graph_add_edge(g, CPDB_DOT_EDGE, backrefs ? (size_t)to : at,
                       backrefs ? at : (size_t)to,
                       name ? name : cpdb_xstrdup(""));
    }
    cpdb_refs_namer_fini(&namer);
    if (left_out > 0) {
        graph_add_edge(g, backrefs ? CPDB_DOT_MORE_IN : CPDB_DOT_MORE_OUT,
                       at, at, cpdb_xasprintf("%zu more %s (max %ld "
                                              "objects)", left_out,
                                              backrefs ? "referrers"
                                                       : "references",
                                              d->opt->max_nodes));
    }
    return 0;
}

/* Draw what the node at position at refers to (or what refers to it).
   Return 0, or -1 with KeyboardInterrupt set (Ctrl-C). */
static int
draw_node(Draw *d, size_t at)
{
    CpdbDotNode *node = &d->g->nodes.items[at];
    PyObject *cur = node->obj;
    int depth = node->depth;
    CpdbObjectArray next = {NULL, 0, 0};
    size_t total;
    int rc = 0;
    if (depth >= d->opt->depth || (d->opt->backrefs && PyModule_Check(cur))) {
        return 0;       /* a module is where a chain starts */
    }
    /* Past the first object, more than GRAPH_TOO_MANY is a note; the
       first gets edges while there is room (cur itself may be among its
       references). */
    if (d->opt->backrefs && d->h == NULL
        && at - d->level_start >= d->level_n
        && level_referrers(d, at) < 0) {
        return -1;
    }
    total = neighbours(d, at, depth > 0 ? GRAPH_TOO_MANY + 1
                                        : (size_t)d->opt->max_nodes + 1,
                       &next);
    if (depth > 0 && total > GRAPH_TOO_MANY) {
        /* A module's globals, a big container: one note says how many,
           instead of a fan of hundreds. */
        char *note = cpdb_xasprintf("%zu more %s", total, d->opt->backrefs
                                    ? "referrers" : "references");
        graph_add_edge(d->g, d->opt->backrefs ? CPDB_DOT_MORE_IN
                                              : CPDB_DOT_MORE_OUT,
                       at, at, note);
    }
    else {
        rc = draw_edges(d, at, &next, total);
    }
    cpdb_refs_array_fini(&next);
    return rc;
}

/* Label every node: its type, then its repr cut short.  Return 0, or
   -1 with KeyboardInterrupt set (Ctrl-C; the nodes not reached have no
   label). */
static int
label_nodes(CpdbDotGraph *g)
{
    size_t i;
    for (i = 0; i < g->nodes.n; i++) {
        PyObject *o = g->nodes.items[i].obj;
        char *type, *rep;
        if (cpdb_heap_poll(i)) {
            return -1;
        }
        type = cpdb_type_name(Py_TYPE(o));
        rep = cpdb_bounded_repr(o, CPDB_WIDTH_VALUE);
        g->nodes.items[i].label = cpdb_xasprintf("%s\n%s", type, rep);
        free(type);
        free(rep);
    }
    return 0;
}

/* Draw the stopped frames' variables that hold objects of the drawing
   (frames keep them without the collector seeing it). */
static void
draw_holders(Draw *d, const CpdbHeapContext *ctx)
{
    CpdbLocalRoots roots = {NULL, 0, 0};
    size_t v;
    cpdb_refs_local_roots_in(ctx, &d->at, &roots);
    for (v = 0; v < roots.n; v++) {
        CpdbDotHolder holder;
        holder.id = v;
        holder.node = roots.items[v].index;
        holder.label = cpdb_refs_local_root_text(&roots.items[v]);
        cpdb_array_push(&d->g->holders, holder);
    }
    cpdb_refs_local_roots_fini(&roots);
}

int
cpdb_dot_draw(PyObject *o, CpdbHeap *h, const CpdbHeapContext *ctx,
              const CpdbDotOptions *opt, CpdbDotGraph *g)
{
    Draw d;
    size_t head;
    int rc = 0;
    if (opt->backrefs && h != NULL && cpdb_heap_build_back(h) < 0) {
        return -1;
    }
    memset(&d, 0, sizeof d);
    d.h = h;
    d.ctx = ctx;
    d.opt = opt;
    d.g = g;
    cpdb_ptrset_init(&d.at);
    graph_add(&d, o, 0);
    for (head = 0; rc == 0 && head < g->nodes.n; head++) {
        rc = draw_node(&d, head);
    }
    if (rc == 0) {
        rc = label_nodes(g);
    }
    if (rc == 0) {
        if (opt->backrefs) {
            draw_holders(&d, ctx);
        }
    }
    level_fini(&d);
    cpdb_ptrset_fini(&d.at);
    return rc;
}
