/* Graph algorithms on CSR graphs: shortest paths, strongly connected
   components, cycles.  Every walk is iterative, so that a chain of a
   million references costs memory, not C stack. */
#include "heap/graph.h"
#include "base/interrupt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* Whether Ctrl-C came, asked when step is due: a walk it stops finds
   nothing (the caller asks cpdb_interrupt_pending() to tell why). */
static int
poll_interrupt(size_t step)
{
    return cpdb_interrupt_poll_due(step) && cpdb_interrupt_pending();
}

int
cpdb_graph_from_edges(CpdbGraph *g, uint32_t n, const uint32_t *from,
                      const uint32_t *to, size_t n_edges)
{
    size_t k;
    uint32_t i, *pos;
    g->n = n;
    g->off = calloc((size_t)n + 1, sizeof(uint32_t));
    g->adj = malloc((n_edges ? n_edges : 1) * sizeof(uint32_t));
    pos = malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (g->off == NULL || g->adj == NULL || pos == NULL) {
        free(pos);
        cpdb_graph_fini(g);
        return -1;
    }
    for (k = 0; k < n_edges; k++) {
        g->off[from[k] + 1]++;
    }
    for (i = 0; i < n; i++) {
        g->off[i + 1] += g->off[i];
    }
    memcpy(pos, g->off, ((size_t)n + 1) * sizeof(uint32_t));
    for (k = 0; k < n_edges; k++) {
        g->adj[pos[from[k]]++] = to[k];
    }
    free(pos);
    return 0;
}

void
cpdb_graph_fini(CpdbGraph *g)
{
    free(g->off);
    free(g->adj);
    g->off = g->adj = NULL;
    g->n = 0;
}

/* One visited node of a breadth-first search: the node and the queue
   position it was reached from. */
typedef struct Visit {
    uint32_t node, from;
} Visit;

size_t
cpdb_graph_shortest_path(const CpdbGraph *g, uint32_t start,
                         const uint8_t *goal, uint32_t **path)
{
    /* The queue keeps every visited node with where it came from, so
       memory grows with the nodes visited (few for most chains), plus a
       bitmap of n bits. */
    uint8_t *seen;
    Visit *queue;
    size_t head = 0, tail = 0, cap = 1024, len = 0, i, found = SIZE_MAX;

    *path = NULL;
    if (start >= g->n) {
        return 0;
    }
    seen = calloc((size_t)g->n / 8 + 1, 1);
    queue = malloc(sizeof(Visit) * cap);
    if (seen == NULL || queue == NULL) {
        free(seen);
        free(queue);
        return 0;
    }
    cpdb_bit_set(seen, start);
    queue[tail].node = start;
    queue[tail++].from = NONE;
    while (head < tail) {
        uint32_t u = queue[head].node, e;
        if (poll_interrupt(head + 1)) {
            break;
        }
        if (cpdb_bit_get(goal, u)) {
            found = head;
            break;
        }
        for (e = g->off[u]; e < g->off[u + 1]; e++) {
            uint32_t v = g->adj[e];
            if (cpdb_bit_get(seen, v)) {
                continue;
            }
            cpdb_bit_set(seen, v);
            if (tail == cap) {
                Visit *grown = realloc(queue, sizeof(Visit) * cap * 2);
                if (grown == NULL) {
                    free(seen);
                    free(queue);
                    return 0;
                }
                queue = grown;
                cap *= 2;
            }
            queue[tail].node = v;
            queue[tail++].from = (uint32_t)head;
        }
        head++;
    }
    if (found != SIZE_MAX) {
        size_t q;
        for (q = found, len = 1; queue[q].from != NONE; q = queue[q].from) {
            len++;
        }
        *path = malloc(sizeof(uint32_t) * len);
        if (*path != NULL) {
            for (q = found, i = len; i-- > 0; q = queue[q].from) {
                (*path)[i] = queue[q].node;
            }
        }
        else {
            len = 0;
        }
    }
    free(seen);
    free(queue);
    return len;
}

long
cpdb_graph_components(const CpdbGraph *g, uint32_t *comp)
{
    /* Tarjan's algorithm with explicit stacks: the call stack holds
       (node, next edge) pairs. */
    uint32_t n = g->n, counter = 0, sp = 0, cp = 0, v;
    uint32_t *index = malloc(sizeof(uint32_t) * (n ? n : 1));
    uint32_t *low = malloc(sizeof(uint32_t) * (n ? n : 1));
    uint32_t *stack = malloc(sizeof(uint32_t) * (n ? n : 1));
    uint32_t *call_node = malloc(sizeof(uint32_t) * (n ? n : 1));
    uint32_t *call_edge = malloc(sizeof(uint32_t) * (n ? n : 1));
    uint8_t *on_stack = calloc(n ? n : 1, 1);
    long n_comp = 0;

    if (!index || !low || !stack || !call_node || !call_edge || !on_stack) {
        n_comp = -1;
        goto done;
    }
    memset(index, 0xff, sizeof(uint32_t) * n);
    for (v = 0; v < n; v++) {
        if (index[v] != NONE) {
            continue;
        }
        call_node[cp] = v;
        call_edge[cp] = g->off[v];
        cp++;
        index[v] = low[v] = counter++;
        stack[sp++] = v;
        on_stack[v] = 1;
        while (cp > 0) {
            uint32_t u = call_node[cp - 1];
            if (call_edge[cp - 1] < g->off[u + 1]) {
                uint32_t w = g->adj[call_edge[cp - 1]++];
                if (index[w] == NONE) {
                    if (poll_interrupt(counter)) {
                        n_comp = -1;
                        goto done;
                    }
                    index[w] = low[w] = counter++;
                    stack[sp++] = w;
                    on_stack[w] = 1;
                    call_node[cp] = w;
                    call_edge[cp] = g->off[w];
                    cp++;
                }
                else if (on_stack[w] && index[w] < low[u]) {
                    low[u] = index[w];
                }
                continue;
            }
            /* u is done: a root closes its component. */
            if (low[u] == index[u]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on_stack[w] = 0;
                    comp[w] = (uint32_t)n_comp;
                } while (w != u);
                n_comp++;
            }
            cp--;
            if (cp > 0) {
                uint32_t parent = call_node[cp - 1];
                if (low[u] < low[parent]) {
                    low[parent] = low[u];
                }
            }
        }
    }
done:
    free(index);
    free(low);
    free(stack);
    free(call_node);
    free(call_edge);
    free(on_stack);
    return n_comp;
}

size_t
cpdb_graph_cycle(const CpdbGraph *g, const uint32_t *comp, uint32_t start,
                 uint32_t **cycle)
{
    /* Breadth-first from start's successors, inside its component, back
       to start. */
    uint32_t *parent, *queue, head = 0, tail = 0, e, last = NONE;
    size_t len = 0, i;

    *cycle = NULL;
    if (start >= g->n) {
        return 0;
    }
    parent = malloc(sizeof(uint32_t) * g->n);
    queue = malloc(sizeof(uint32_t) * g->n);
    if (parent == NULL || queue == NULL) {
        free(parent);
        free(queue);
        return 0;
    }
    memset(parent, 0xff, sizeof(uint32_t) * g->n);
    for (e = g->off[start]; e < g->off[start + 1] && last == NONE; e++) {
        uint32_t v = g->adj[e];
        if (v == start) {
            last = start;       /* a self-reference */
        }
        else if (comp[v] == comp[start] && parent[v] == NONE) {
            parent[v] = start;
            queue[tail++] = v;
        }
    }
    while (head < tail && last == NONE) {
        uint32_t u = queue[head++];
        for (e = g->off[u]; e < g->off[u + 1]; e++) {
            uint32_t v = g->adj[e];
            if (v == start) {
                last = u;
                break;
            }
            if (comp[v] == comp[start] && parent[v] == NONE) {
                parent[v] = u;
                queue[tail++] = v;
            }
        }
    }
    if (last != NONE) {
        uint32_t v;
        if (last == start) {
            len = 1;
        }
        else {
            for (v = last, len = 1; v != start; v = parent[v]) {
                len++;
            }
        }
        *cycle = malloc(sizeof(uint32_t) * len);
        if (*cycle != NULL) {
            for (v = last, i = len; i-- > 0; v = parent[v]) {
                (*cycle)[i] = v;
                if (v == start) {
                    break;
                }
            }
        }
        else {
            len = 0;
        }
    }
    free(parent);
    free(queue);
    return len;
}
