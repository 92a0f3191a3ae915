/* The chain search on a made-up graph of referrers: the goals (modules,
   or a target), no chain at all, and the stopped frames' variables as
   roots when no goal leads to the object.  No interpreter. */
#include "heap/refs.h"
#include "tap.h"

#include <stdlib.h>

/* The object 0 is held by 1, held by 2, held by the module 3; also by 4,
   held by the module 5 directly; 8 holds 7, which leads nowhere; 9
   holds 0 directly; 6 is alone.  As referrer edges, FROM[k] -> TO[k]:
   TO[k] refers to FROM[k]. */
static const uint32_t FROM[] = {0, 1, 2, 0, 4, 7, 0};
static const uint32_t TO[] = {1, 2, 3, 4, 5, 8, 9};
#define N_NODES 10

/* One search and what it must find. */
typedef struct Case {
    const char *what;
    uint32_t start;
    uint32_t goals[2];
    size_t n_goals;
    uint32_t roots[5];
    size_t n_roots;
    uint32_t want[4];           /* the chain, where it starts first */
    size_t n_want;              /* 0: no chain */
    long root;
} Case;

static const Case CASES[] = {
    {"the nearest module, the object last: 5 -> 4 -> 0",
     0, {3, 5}, 2, {0}, 0, {5, 4, 0}, 3, -1},
    {"the one module: 3 -> 2 -> 1 -> 0",
     0, {3}, 1, {0}, 0, {3, 2, 1, 0}, 4, -1},
    {"to a target in the middle of a longer chain: 2 -> 1 -> 0",
     0, {2}, 1, {0}, 0, {2, 1, 0}, 3, -1},
    {"the object as its own target",
     0, {0}, 1, {0}, 0, {0}, 1, -1},
    {"no chain from a target that does not lead to the object",
     0, {8}, 1, {0}, 0, {0}, 0, -1},
    {"no module: the nearest variable, the first that names it",
     0, {0}, 0, {7, 2, 9, 9, 12345}, 5, {9, 0}, 2, 2},
    {"a module comes first, however far a variable is nearer",
     0, {3}, 1, {7, 2, 9, 9, 12345}, 5, {3, 2, 1, 0}, 4, -1},
    {"the object is itself a variable",
     0, {0}, 0, {0}, 1, {0}, 1, 0},
    {"no chain when no variable leads to the object",
     0, {0}, 0, {7}, 1, {0}, 0, -1},
    {"no chain to an object nothing refers to",
     6, {3, 5}, 2, {7, 2, 9, 9, 12345}, 5, {0}, 0, -1},
};

/* Whether the search finds what c says. */
static int
search_finds(const CpdbGraph *g, const Case *c)
{
    uint8_t goal[N_NODES / 8 + 1] = {0};
    uint32_t *path;
    long root;
    size_t len, k;
    int ok;
    for (k = 0; k < c->n_goals; k++) {
        cpdb_bit_set(goal, c->goals[k]);
    }
    len = cpdb_refs_chain_search(g, c->start, goal, c->roots, c->n_roots,
                                 &path, &root);
    ok = len == c->n_want && root == c->root
         && (len > 0 ? path != NULL : path == NULL);
    for (k = 0; ok && k < len; k++) {
        ok = path[k] == c->want[k];
    }
    free(path);
    return ok;
}

int
main(void)
{
    CpdbGraph g;
    size_t k;
    OK(cpdb_graph_from_edges(&g, N_NODES, FROM, TO, CPDB_ARRAY_LEN(FROM))
       == 0, "graph of %d nodes", N_NODES);
    for (k = 0; k < CPDB_ARRAY_LEN(CASES); k++) {
        OK(search_finds(&g, &CASES[k]), "%s", CASES[k].what);
    }
    cpdb_graph_fini(&g);
    return tap_done();
}
