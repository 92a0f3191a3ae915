/* The meeting search (heap/meet.c) on made-up graphs: its chains are as
   short as a plain breadth-first search's over random graphs, whichever
   side it prefers; it says when no root leads to the target and how far
   each node that does is; hidden nodes (what the collector does not
   track) are looked through only when asked; the limits make it give
   up.  No interpreter: nodes are small numbers. */
#include "heap/meet.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 200
#define MAX_OUT 6

/* A graph: node i (1..n) refers to out[i][0..n_out[i]). */
typedef struct Graph {
    int n;
    int n_out[MAX_NODES + 1];
    int out[MAX_NODES + 1][MAX_OUT];
    unsigned char root[MAX_NODES + 1];
    unsigned char hidden[MAX_NODES + 1];
    int passes;                 /* passes asked for */
    long mark[MAX_NODES + 1];   /* forward entries, when the graph keeps
                                   them (-1: none) */
} Graph;

#define NODE(i) ((const void *)(uintptr_t)(i))
#define INDEX(p) ((int)(uintptr_t)(p))

static void
add_edge(Graph *g, int from, int to)
{
    if (g->n_out[from] < MAX_OUT) {
        g->out[from][g->n_out[from]++] = to;
    }
}

/* Report the edges out of node i.  Return: nonzero when told to stop. */
static int
report(Graph *g, int i, int descend, CpdbMeetEdge edge, void *arg)
{
    int k;
    for (k = 0; k < g->n_out[i]; k++) {
        int to = g->out[i][k];
        if (descend && g->hidden[to] && report(g, to, descend, edge, arg)) {
            return 1;
        }
        if (edge(NODE(i), NODE(to), arg)) {
            return 1;
        }
    }
    return 0;
}

static int
graph_pass(void *self, int descend, CpdbMeetEdge edge,
           void (*node)(const void *node, int is_root, void *arg), void *arg)
{
    Graph *g = self;
    int i;
    g->passes++;
    for (i = 1; i <= g->n; i++) {
        if (g->hidden[i]) {
            continue;
        }
        node(NODE(i), g->root[i], arg);
        if (report(g, i, descend, edge, arg)) {
            break;
        }
    }
    return 0;
}

static void
graph_referents(void *self, const void *node, CpdbMeetEdge edge, void *arg)
{
    Graph *g = self;
    int i = INDEX(node), k;
    for (k = 0; k < g->n_out[i]; k++) {
        if (edge(node, NODE(g->out[i][k]), arg)) {
            break;
        }
    }
}

static int
graph_expandable(void *self, const void *node)
{
    Graph *g = self;
    return g->n_out[INDEX(node)] > 0;
}

static int
graph_hidden(void *self, const void *node)
{
    Graph *g = self;
    return g->hidden[INDEX(node)];
}

static long
graph_fwd_mark(void *self, const void *node)
{
    Graph *g = self;
    return g->mark[INDEX(node)];
}

static void
graph_set_fwd_mark(void *self, const void *node, uint32_t entry)
{
    Graph *g = self;
    g->mark[INDEX(node)] = (long)entry;
}

static void
graph_fetch_ahead(void *self, const void *node)
{
    (void)self;
    (void)node;
}

/* Return: the shortest distance from a root to target by a plain
   breadth-first search, or -1. */
static int
bfs_distance(const Graph *g, int target)
{
    int dist[MAX_NODES + 1], queue[MAX_NODES + 1], head = 0, tail = 0, i;
    for (i = 1; i <= g->n; i++) {
        dist[i] = -1;
        if (g->root[i]) {
            dist[i] = 0;
            queue[tail++] = i;
        }
    }
    while (head < tail) {
        int u = queue[head++], k;
        for (k = 0; k < g->n_out[u]; k++) {
            int v = g->out[u][k];
            if (dist[v] < 0) {
                dist[v] = dist[u] + 1;
                queue[tail++] = v;
            }
        }
    }
    return dist[target];
}

/* Whether path is a chain of g from a root to target. */
static int
is_chain(const Graph *g, const void **path, size_t len, int target)
{
    size_t k;
    if (len == 0 || !g->root[INDEX(path[0])]
        || INDEX(path[len - 1]) != target) {
        return 0;
    }
    for (k = 0; k + 1 < len; k++) {
        int from = INDEX(path[k]), to = INDEX(path[k + 1]), e, has = 0;
        for (e = 0; e < g->n_out[from]; e++) {
            has |= g->out[from][e] == to;
        }
        if (!has) {
            return 0;
        }
    }
    return 1;
}

static unsigned long seed = 12345;

static int
rnd(int n)
{
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    return (int)((seed >> 33) % (unsigned long)n);
}

static void
random_graph(Graph *g, int n, int edges)
{
    int k;
    memset(g, 0, sizeof *g);
    g->n = n;
    for (k = 0; k < edges; k++) {
        add_edge(g, 1 + rnd(n), 1 + rnd(n));
    }
    for (k = 0; k < 3; k++) {
        g->root[1 + rnd(n)] = 1;
    }
}

/* A graph as the collector's heap is: the last third of the nodes are
   hidden (untracked) and refer only to hidden nodes after them, as an
   untracked tuple holds only atoms and untracked tuples. */
static void
random_heap(Graph *g, int n, int edges)
{
    int k, first_hidden = n - n / 3;
    memset(g, 0, sizeof *g);
    g->n = n;
    for (k = first_hidden; k <= n; k++) {
        g->hidden[k] = 1;
    }
    for (k = 0; k < edges; k++) {
        int from = 1 + rnd(n), to;
        if (from < first_hidden) {
            to = 1 + rnd(n);
        }
        else if (from < n) {
            to = from + 1 + rnd(n - from);
        }
        else {
            continue;
        }
        add_edge(g, from, to);
    }
    for (k = 0; k < 3; k++) {
        g->root[1 + rnd(first_hidden - 1)] = 1;
    }
}

static const CpdbMeetOps OPS_TEMPLATE = {
    graph_pass, graph_referents, graph_expandable, graph_hidden, NULL
};

/* Random graphs (heaps with hidden nodes when heaps): the search finds
   a chain exactly when breadth-first search does, as short, with each
   preference of side. */
static void
random_graphs(int heaps, int marked)
{
    int factors[] = {0, 4, 1000000}, f, t, wrong = 0, found;
    for (f = 0; f < 3; f++) {
        found = 0;
        for (t = 0; t < 300; t++) {
            static Graph g;
            CpdbMeetOps ops = OPS_TEMPLATE;
            int i;
            CpdbMeetLimits lim = {1000, 100000, 0, factors[f]};
            CpdbMeet m;
            const void **path;
            int target, want, rc;
            size_t len;
            if (heaps) {
                random_heap(&g, 20 + rnd(150), 30 + rnd(300));
            }
            else {
                random_graph(&g, 20 + rnd(150), 30 + rnd(300));
            }
            target = 1 + rnd(g.n);
            want = bfs_distance(&g, target);
            ops.self = &g;
            for (i = 0; i <= MAX_NODES; i++) {
                g.mark[i] = -1;
            }
            if (marked) {
                /* the graph keeps the forward entries, edges queued */
                ops.fwd_mark = graph_fwd_mark;
                ops.set_fwd_mark = graph_set_fwd_mark;
                ops.fetch_ahead = graph_fetch_ahead;
            }
            rc = cpdb_meet_run(&m, &ops, &lim, NODE(target));
            if (want < 0) {
                wrong += rc != CPDB_MEET_NONE && rc != CPDB_MEET_UNREACHED;
            }
            else {
                len = rc == CPDB_MEET_FOUND ? cpdb_meet_path(&m, &path) : 0;
                wrong += len != (size_t)want + 1
                         || !is_chain(&g, path, len, target);
                found += len > 0;
                free(rc == CPDB_MEET_FOUND ? (void *)path : NULL);
            }
            cpdb_meet_fini(&m);
        }
        OK(wrong == 0 && found > 50, "random %s%s, forward factor %d: "
           "%d wrong of 300 (%d chains)", heaps ? "heaps" : "graphs",
           marked ? " (marked)" : "", factors[f], wrong, found);
    }
}

int
main(void)
{
    static Graph g;
    CpdbMeetOps ops = OPS_TEMPLATE;
    CpdbMeetLimits lim = {8, 1000, 0, 4};
    CpdbMeet m;
    const void **path;
    size_t len;
    int rc;

    ops.self = &g;
    random_graphs(0, 0);
    random_graphs(1, 0);
    random_graphs(0, 1);
    random_graphs(1, 1);

    /* A chain of 6 from the root 1 (1 -> 2 -> ... -> 7) and a shortcut
       2 -> 6: 1 2 6 7.  Node 9 holds 7 but leads from no root. */
    memset(&g, 0, sizeof g);
    g.n = 12;
    g.root[1] = 1;
    add_edge(&g, 1, 2);
    add_edge(&g, 2, 3);
    add_edge(&g, 3, 4);
    add_edge(&g, 4, 5);
    add_edge(&g, 5, 6);
    add_edge(&g, 6, 7);
    add_edge(&g, 2, 6);
    add_edge(&g, 9, 7);
    add_edge(&g, 10, 9);
    rc = cpdb_meet_run(&m, &ops, &lim, NODE(7));
    len = rc == CPDB_MEET_FOUND ? cpdb_meet_path(&m, &path) : 0;
    OK(len == 4 && INDEX(path[0]) == 1 && INDEX(path[1]) == 2
       && INDEX(path[2]) == 6 && INDEX(path[3]) == 7,
       "the shortcut: 1 2 6 7 (%zu nodes)", len);
    if (len > 0) {
        free(path);
    }
    cpdb_meet_fini(&m);

    /* No root: the distances of what leads to the target, when the
       backward side is the cheaper (it is done first). */
    lim.forward_factor = 1000000;
    rc = cpdb_meet_run(&m, &ops, &lim, NODE(9));
    OK(rc == CPDB_MEET_NONE, "no root leads to 9");
    OK(cpdb_meet_back_dist(&m, NODE(10)) == 1
       && cpdb_meet_back_dist(&m, NODE(9)) == 0
       && cpdb_meet_back_dist(&m, NODE(1)) == -1,
       "10 is one step from 9, 1 none");
    len = cpdb_meet_path_from(&m, NODE(10), &path);
    OK(len == 2 && INDEX(path[0]) == 10 && INDEX(path[1]) == 9,
       "the chain from 10: 10 9");
    free(path);
    cpdb_meet_fini(&m);

    /* The forward side the cheaper: it ends first, then the search goes
       on from other roots (12 leads to 10, 11 to nothing). */
    lim.forward_factor = 0;
    add_edge(&g, 12, 10);
    rc = cpdb_meet_run(&m, &ops, &lim, NODE(9));
    OK(rc == CPDB_MEET_UNREACHED, "the root leads to everything but 9");
    {
        const void *others[] = {NODE(11), NODE(12), NODE(12)};
        rc = cpdb_meet_reroot(&m, others, 3);
    }
    len = rc == CPDB_MEET_FOUND ? cpdb_meet_path(&m, &path) : 0;
    OK(len == 3 && INDEX(path[0]) == 12 && INDEX(path[1]) == 10
       && INDEX(path[2]) == 9, "from the other roots: 12 10 9 (%zu nodes)",
       len);
    if (len > 0) {
        free(path);
    }
    cpdb_meet_fini(&m);
    rc = cpdb_meet_run(&m, &ops, &lim, NODE(9));
    {
        const void *others[] = {NODE(11), NODE(3)};
        rc = rc == CPDB_MEET_UNREACHED ? cpdb_meet_reroot(&m, others, 2)
                                       : -9;
    }
    OK(rc == CPDB_MEET_UNREACHED || rc == CPDB_MEET_NONE,
       "no other root leads to 9 either (%d)", rc);
    cpdb_meet_fini(&m);
    g.n_out[12] = 0;
    lim.forward_factor = 4;

    /* The target itself a root. */
    rc = cpdb_meet_run(&m, &ops, &lim, NODE(1));
    len = rc == CPDB_MEET_FOUND ? cpdb_meet_path(&m, &path) : 0;
    OK(len == 1 && INDEX(path[0]) == 1, "a root's chain is itself");
    if (len > 0) {
        free(path);
    }
    cpdb_meet_fini(&m);

    /* Hidden nodes: 7 -> hidden 11 -> hidden 12 -> atom 8 (hidden too:
       nothing tracks it). */
    g.hidden[11] = g.hidden[12] = g.hidden[8] = 1;
    add_edge(&g, 7, 11);
    add_edge(&g, 11, 12);
    add_edge(&g, 12, 8);
    g.passes = 0;
    rc = cpdb_meet_run(&m, &ops, &lim, NODE(8));
    len = rc == CPDB_MEET_FOUND ? cpdb_meet_path(&m, &path) : 0;
    OK(len == 7 && INDEX(path[3]) == 7 && INDEX(path[4]) == 11
       && INDEX(path[5]) == 12 && INDEX(path[6]) == 8,
       "through hidden nodes: 1 2 6 7 11 12 8 (%zu nodes)", len);
    if (len > 0) {
        free(path);
    }
    cpdb_meet_fini(&m);

    /* The limits: one node allowed. */
    lim.max_nodes = 2;
    rc = cpdb_meet_run(&m, &ops, &lim, NODE(7));
    OK(rc == CPDB_MEET_GAVE_UP, "gives up past its limits");
    cpdb_meet_fini(&m);
    return tap_done();
}
