/* The DOT writer on a made-up drawing: exact text, and labels escaped
   (quotes, backslashes, newlines).  No interpreter. */
#include "heap/dot.h"
#include "tap.h"

#include <stdlib.h>

static void
add_node(CpdbDotGraph *g, const char *label)
{
    CpdbDotNode node = {NULL, 0, NULL};
    node.label = cpdb_xstrdup(label);
    cpdb_array_push(&g->nodes, node);
}

static void
add_edge(CpdbDotGraph *g, CpdbDotEdgeKind kind, size_t from, size_t to,
         const char *label)
{
    CpdbDotEdge e;
    e.kind = kind;
    e.from = from;
    e.to = to;
    e.label = cpdb_xstrdup(label);
    cpdb_array_push(&g->edges, e);
}

#define HEAD                                                            \
    "digraph cpdb {\n"                                                  \
    "  node [shape=box, fontname=\"monospace\", fontsize=10];\n"         \
    "  edge [fontname=\"monospace\", fontsize=9];\n"

static void
test_empty(void)
{
    CpdbDotGraph g;
    char *text;
    cpdb_dot_graph_init(&g);
    text = cpdb_dot_text(&g);
    STR_EQ(text, HEAD "}\n", "an empty drawing");
    free(text);
    cpdb_dot_graph_fini(&g);
}

static void
test_drawing(void)
{
    CpdbDotGraph g;
    CpdbDotHolder holder;
    char *text;

    cpdb_dot_graph_init(&g);
    add_node(&g, "dict\n{'say': \"hi\"}");
    add_node(&g, "str\n'C:\\\\temp'");
    add_node(&g, "list\n[1, 2]");
    add_edge(&g, CPDB_DOT_EDGE, 0, 1, "['say']");
    add_edge(&g, CPDB_DOT_MORE_OUT, 1, 1, "12 more references");
    add_edge(&g, CPDB_DOT_EDGE, 2, 0, "");
    add_edge(&g, CPDB_DOT_MORE_IN, 2, 2, "3 more referrers");
    holder.id = 4;
    holder.node = 0;
    holder.label = cpdb_xstrdup("frame #0 f() variable 'd'");
    cpdb_array_push(&g.holders, holder);
    text = cpdb_dot_text(&g);
    STR_EQ(text, HEAD
           "  n0 [label=\"dict\\n{'say': \\\"hi\\\"}\", style=filled, "
           "fillcolor=\"#ffe08a\"];\n"
           "  n1 [label=\"str\\n'C:\\\\\\\\temp'\"];\n"
           "  n2 [label=\"list\\n[1, 2]\"];\n"
           "  v4 [label=\"frame #0 f() variable 'd'\", shape=ellipse];\n"
           "  v4 -> n0;\n"
           "  n0 -> n1 [label=\"['say']\"];\n"
           "  x1 [label=\"12 more references\", shape=plaintext];\n"
           "  n1 -> x1;\n"
           "  n2 -> n0 [label=\"\"];\n"
           "  x2 [label=\"3 more referrers\", shape=plaintext];\n"
           "  x2 -> n2;\n"
           "}\n", "boxes, the ellipse, then edges and notes in order");
    free(text);
    cpdb_dot_graph_fini(&g);
    OK(g.nodes.n == 0 && g.edges.n == 0 && g.holders.n == 0,
       "fini empties the drawing");
}

static void
test_escaping(void)
{
    CpdbDotGraph g;
    char *text;
    cpdb_dot_graph_init(&g);
    add_node(&g, "a\"b\\c\nd");
    add_node(&g, "");
    add_edge(&g, CPDB_DOT_EDGE, 0, 1, "[\"k\\\"\"]\n");
    text = cpdb_dot_text(&g);
    STR_EQ(text, HEAD
           "  n0 [label=\"a\\\"b\\\\c\\nd\", style=filled, "
           "fillcolor=\"#ffe08a\"];\n"
           "  n1 [label=\"\"];\n"
           "  n0 -> n1 [label=\"[\\\"k\\\\\\\"\\\"]\\n\"];\n"
           "}\n", "quotes, backslashes and newlines escaped");
    free(text);
    cpdb_dot_graph_fini(&g);
}

int
main(void)
{
    test_empty();
    test_drawing();
    test_escaping();
    return tap_done();
}
