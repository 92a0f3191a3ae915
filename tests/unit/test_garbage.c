/* The cycles of gc.garbage on made-up graphs: one per strongly connected
   component that holds one, the shortest through its first node.  No
   interpreter. */
#include "heap/garbage.h"
#include "tap.h"

#include <stdlib.h>

static void
test_cycles(void)
{
    /* 0 <-> 1; 2 -> 2; 3 -> 4 (no cycle); 5 -> 6 -> 7 -> 5 and 6 -> 5;
       1 -> 3 */
    static const uint32_t from[] = {0, 1, 2, 3, 5, 6, 7, 6, 1};
    static const uint32_t to[] = {1, 0, 2, 4, 6, 7, 5, 5, 3};
    CpdbGraph g;
    CpdbCycles c = {NULL, 0, 0};

    OK(cpdb_graph_from_edges(&g, 8, from, to, CPDB_ARRAY_LEN(from)) == 0,
       "graph of 8 nodes");
    cpdb_garbage_cycles(&g, &c);
    OK(c.n == 3, "three cycles (got %zu)", c.n);
    OK(c.n > 0 && c.items[0].len == 2 && c.items[0].nodes[0] == 0
       && c.items[0].nodes[1] == 1 && c.items[0].members == 2,
       "0 -> 1 -> 0, of two objects");
    OK(c.n > 1 && c.items[1].len == 1 && c.items[1].nodes[0] == 2
       && c.items[1].members == 1, "2 -> 2, a self-reference");
    OK(c.n > 2 && c.items[2].len == 2 && c.items[2].nodes[0] == 5
       && c.items[2].nodes[1] == 6 && c.items[2].members == 3,
       "the shortest through 5: 5 -> 6 -> 5, of three objects");
    cpdb_garbage_cycles_fini(&c);
    OK(c.n == 0 && c.items == NULL, "fini empties the list");
    cpdb_graph_fini(&g);
}

static void
test_no_cycles(void)
{
    static const uint32_t from[] = {0, 1}, to[] = {1, 2};
    CpdbGraph g;
    CpdbCycles c = {NULL, 0, 0};

    OK(cpdb_graph_from_edges(&g, 3, from, to, 2) == 0, "a chain 0 -> 1 -> 2");
    cpdb_garbage_cycles(&g, &c);
    OK(c.n == 0, "no cycle in a chain");
    cpdb_graph_fini(&g);
    OK(cpdb_graph_from_edges(&g, 0, NULL, NULL, 0) == 0, "an empty graph");
    cpdb_garbage_cycles(&g, &c);
    OK(c.n == 0, "no cycle in an empty gc.garbage");
    cpdb_garbage_cycles_fini(&c);
    cpdb_graph_fini(&g);
}

int
main(void)
{
    test_cycles();
    test_no_cycles();
    return tap_done();
}
