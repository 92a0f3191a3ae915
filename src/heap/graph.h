/* Graph algorithms on a compressed adjacency (CSR) graph of up to 2^32
   nodes.  Pure C: the heap module builds the graphs, the unit tests
   build made-up ones. */
#ifndef CPDB_SRC_GRAPH_H
#define CPDB_SRC_GRAPH_H

#include <stddef.h>
#include <stdint.h>

typedef struct CpdbGraph {
    uint32_t n;             /* nodes */
    uint32_t *off;          /* n + 1 offsets into adj */
    uint32_t *adj;          /* successors of node i: adj[off[i]..off[i+1]) */
} CpdbGraph;

/* Build a graph from an edge list (from[k] -> to[k]).  Return 0, or -1
   when out of memory. */
int cpdb_graph_from_edges(CpdbGraph *g, uint32_t n, const uint32_t *from,
                          const uint32_t *to, size_t n_edges);
void cpdb_graph_fini(CpdbGraph *g);

/* Breadth-first search from start until a node with goal[node] set (a
   bitmap of n bits).  Return: the number of nodes of the shortest path,
   0 if no goal is reachable or Ctrl-C stopped the search
   (cpdb_interrupt_pending()); *path receives start, ..., goal
   (malloc'd). */
size_t cpdb_graph_shortest_path(const CpdbGraph *g, uint32_t start,
                                const uint8_t *goal, uint32_t **path);

/* Strongly connected components (Tarjan's algorithm, without recursion).
   comp[i] receives the component of node i.  Return: the number of
   components, or -1 when out of memory or stopped by Ctrl-C. */
long cpdb_graph_components(const CpdbGraph *g, uint32_t *comp);

/* A shortest cycle through node start, using only nodes of the same
   component (comp from cpdb_graph_components).  Return: its length in
   nodes (start first, not repeated at the end), 0 if there is none. */
size_t cpdb_graph_cycle(const CpdbGraph *g, const uint32_t *comp,
                        uint32_t start, uint32_t **cycle);

static inline int
cpdb_bit_get(const uint8_t *bits, uint32_t i)
{
    return (bits[i >> 3] >> (i & 7)) & 1;
}

static inline void
cpdb_bit_set(uint8_t *bits, uint32_t i)
{
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

#endif /* CPDB_SRC_GRAPH_H */
