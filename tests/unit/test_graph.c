/* Graph algorithms on made-up graphs. */
#include "heap/graph.h"
#include "tap.h"

#include <stdlib.h>

static void
make(CpdbGraph *g, uint32_t n, const uint32_t (*edges)[2], size_t m)
{
    uint32_t *from = malloc(sizeof(uint32_t) * (m ? m : 1));
    uint32_t *to = malloc(sizeof(uint32_t) * (m ? m : 1));
    size_t k;
    for (k = 0; k < m; k++) {
        from[k] = edges[k][0];
        to[k] = edges[k][1];
    }
    OK(cpdb_graph_from_edges(g, n, from, to, m) == 0, "graph of %u nodes",
       n);
    free(from);
    free(to);
}

static void
test_paths(void)
{
    /* 0 -> 1 -> 2 -> 3, 0 -> 4 -> 3, 5 alone */
    static const uint32_t e[][2] = {{0, 1}, {1, 2}, {2, 3}, {0, 4}, {4, 3}};
    CpdbGraph g;
    uint8_t goal[1] = {0};
    uint32_t *path;
    size_t len;

    make(&g, 6, e, 5);
    cpdb_bit_set(goal, 3);
    len = cpdb_graph_shortest_path(&g, 0, goal, &path);
    OK(len == 3 && path[0] == 0 && path[1] == 4 && path[2] == 3,
       "shortest path 0 -> 4 -> 3 (len %zu)", len);
    free(path);
    len = cpdb_graph_shortest_path(&g, 5, goal, &path);
    OK(len == 0 && path == NULL, "no path from an isolated node");
    goal[0] = 0;
    cpdb_bit_set(goal, 0);
    len = cpdb_graph_shortest_path(&g, 0, goal, &path);
    OK(len == 1 && path[0] == 0, "the start is a goal: a path of one");
    free(path);
    cpdb_graph_fini(&g);
}

static void
test_long_chain(void)
{
    /* A chain of 200000 nodes: no recursion, no depth cap. */
    uint32_t n = 200000, k;
    uint32_t (*e)[2] = malloc(sizeof(*e) * n);
    uint8_t *goal = calloc(n / 8 + 1, 1);
    CpdbGraph g;
    uint32_t *path;
    size_t len;
    for (k = 0; k + 1 < n; k++) {
        e[k][0] = k + 1;        /* reverse edges: k+1 is referred by k */
        e[k][1] = k;
    }
    make(&g, n, (const uint32_t (*)[2])e, n - 1);
    cpdb_bit_set(goal, 0);
    len = cpdb_graph_shortest_path(&g, n - 1, goal, &path);
    OK(len == n && path[0] == n - 1 && path[n - 1] == 0,
       "a path through %u nodes", n);
    free(path);
    free(goal);
    free(e);
    cpdb_graph_fini(&g);
}

static void
test_components_and_cycles(void)
{
    /* 0 <-> 1 (cycle), 2 -> 3 -> 4 -> 2 (cycle), 4 -> 5, 6 -> 6 (self) */
    static const uint32_t e[][2] = {
        {0, 1}, {1, 0}, {2, 3}, {3, 4}, {4, 2}, {4, 5}, {6, 6}, {1, 2}};
    CpdbGraph g;
    uint32_t comp[7], *cyc;
    long n_comp;
    size_t len;

    make(&g, 7, e, 8);
    n_comp = cpdb_graph_components(&g, comp);
    OK(n_comp == 4, "four components (got %ld)", n_comp);
    OK(comp[0] == comp[1] && comp[2] == comp[3] && comp[3] == comp[4]
       && comp[0] != comp[2] && comp[5] != comp[4] && comp[6] != comp[5],
       "components {0,1} {2,3,4} {5} {6}");
    len = cpdb_graph_cycle(&g, comp, 2, &cyc);
    OK(len == 3 && cyc[0] == 2 && cyc[1] == 3 && cyc[2] == 4,
       "cycle 2 -> 3 -> 4 -> 2");
    free(cyc);
    len = cpdb_graph_cycle(&g, comp, 6, &cyc);
    OK(len == 1 && cyc[0] == 6, "a self-reference is a cycle of one");
    free(cyc);
    len = cpdb_graph_cycle(&g, comp, 5, &cyc);
    OK(len == 0 && cyc == NULL, "node 5 is on no cycle");
    len = cpdb_graph_cycle(&g, comp, 0, &cyc);
    OK(len == 2 && cyc[0] == 0 && cyc[1] == 1, "cycle 0 -> 1 -> 0");
    free(cyc);
    cpdb_graph_fini(&g);
}

int
main(void)
{
    test_paths();
    test_long_chain();
    test_components_and_cycles();
    return tap_done();
}
