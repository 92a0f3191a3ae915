/* Paths of references as people read them.  Every reference of a path
   is named (names.c, through cpdb_refs_path_edge); the fold then works
   on the names alone, so a chain of a million links is named once and
   printed in one short line. */
#include "heap/path.h"
#include "heap/refs.h"

#include <stdlib.h>
#include <string.h>

void
cpdb_path_steps(PyObject *const *nodes, size_t len, int closed,
                CpdbPathSteps *out)
{
    size_t i = 0, skip;
    while (i < len && (i + 1 < len || closed)) {
        CpdbPathStep st;
        const CpdbPathStep *prev = out->n ? &out->items[out->n - 1] : NULL;
        memset(&st, 0, sizeof st);
        st.at = (uint32_t)i;
        st.name = cpdb_refs_path_edge(nodes, len, closed, i, &skip);
        st.skip = (uint32_t)skip;
        st.kind = Py_TYPE(nodes[i]);
        st.owns = 1;
        if (st.name != NULL && prev != NULL && prev->name != NULL
            && strcmp(prev->name, st.name) == 0) {
            /* a run of one reference: its name kept once */
            free(st.name);
            st.name = prev->name;
            st.owns = 0;
        }
        cpdb_array_push(out, st);
        i += 1 + skip;
    }
}

void
cpdb_path_steps_fini(CpdbPathSteps *s)
{
    size_t k;
    for (k = 0; k < s->n; k++) {
        if (s->items[k].owns) {
            free(s->items[k].name);
        }
    }
    free(s->items);
    s->items = NULL;
    s->n = s->cap = 0;
}

/* Whether two steps are the same reference: named alike (an unnamed
   reference is never the same as another), out of nodes of one kind. */
static int
same_step(const CpdbPathStep *a, const CpdbPathStep *b)
{
    return a->name != NULL && b->name != NULL && a->kind == b->kind
           && a->skip == b->skip && strcmp(a->name, b->name) == 0;
}

size_t
cpdb_path_fold(CpdbPathStep *steps, size_t n, size_t keep, size_t min_fold)
{
    size_t i = 0, visible = n;
    while (i < n) {
        size_t j = i, run, k;
        while (j + 1 < n && same_step(&steps[j + 1], &steps[i])) {
            j++;
        }
        run = j - i + 1;
        if (min_fold > 0 && run >= 2 * keep + min_fold) {
            steps[i + keep].fold = (uint32_t)(run - 2 * keep);
            for (k = i + keep + 1; k < i + run - keep; k++) {
                steps[k].hidden = 1;
            }
            visible -= run - 2 * keep - 1;
        }
        i = j + 1;
    }
    return visible;
}
