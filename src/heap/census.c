/* Censuses by type name and their differences.  A census is made from
   the per-type counts of heap.c (a walk of the collector's lists): one
   name per type, then the names sorted and equal ones added up, so that
   two censuses compare by name although their types may differ (a class
   defined again has the same name). */
#include "heap/census.h"
#include "base/util.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* --- making one ---------------------------------------------------------- */

/* One (name, count) pair while a census is made. */
typedef struct NameCount {
    const char *name;       /* borrowed: the caller's */
    long count;
} NameCount;

static int
name_count_cmp(const void *a, const void *b)
{
    return strcmp(((const NameCount *)a)->name,
                  ((const NameCount *)b)->name);
}

void
cpdb_census_of_names(CpdbCensus *c, const char *const *names,
                     const long *counts, long n)
{
    size_t size = (size_t)(n > 0 ? n : 1);
    NameCount *pairs = cpdb_xmalloc(sizeof(NameCount) * size);
    long i;

    memset(c, 0, sizeof *c);
    c->names = cpdb_xmalloc(sizeof(char *) * size);
    c->counts = cpdb_xmalloc(sizeof(long) * size);
    for (i = 0; i < n; i++) {
        pairs[i].name = names[i];
        pairs[i].count = counts[i];
    }
    qsort(pairs, (size_t)(n > 0 ? n : 0), sizeof(NameCount), name_count_cmp);
    for (i = 0; i < n; i++) {
        if (c->n > 0 && strcmp(c->names[c->n - 1], pairs[i].name) == 0) {
            c->counts[c->n - 1] += pairs[i].count;
        }
        else {
            c->names[c->n] = cpdb_xstrdup(pairs[i].name);
            c->counts[c->n++] = pairs[i].count;
        }
        c->total += pairs[i].count;
    }
    free(pairs);
}

void
cpdb_census_of_types(CpdbCensus *c, const CpdbTypeCount *tc, long n)
{
    size_t size = (size_t)(n > 0 ? n : 1);
    char **names = cpdb_xmalloc(sizeof(char *) * size);
    long *counts = cpdb_xmalloc(sizeof(long) * size);
    long i;

    for (i = 0; i < n; i++) {
        names[i] = cpdb_type_name(tc[i].type);
        counts[i] = tc[i].count;
    }
    cpdb_census_of_names(c, (const char *const *)names, counts, n);
    for (i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    free(counts);
}

void
cpdb_census_fini(CpdbCensus *c)
{
    long i;
    for (i = 0; i < c->n; i++) {
        free(c->names[i]);
    }
    free(c->names);
    free(c->counts);
    memset(c, 0, sizeof *c);
}

void
cpdb_census_copy(CpdbCensus *dst, const CpdbCensus *src)
{
    cpdb_census_fini(dst);
    cpdb_census_of_names(dst, (const char *const *)src->names, src->counts,
                         src->n);
}

long
cpdb_census_get(const CpdbCensus *c, const char *name)
{
    long lo = 0, hi = c->n - 1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->names[mid], name);
        if (cmp == 0) {
            return c->counts[mid];
        }
        if (cmp < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid - 1;
        }
    }
    return 0;
}

void
cpdb_census_shift(CpdbCensus *c, const CpdbCensus *from,
                  const CpdbCensus *to)
{
    size_t size = (size_t)(c->n + from->n + to->n) + 1;
    const char **names = cpdb_xmalloc(sizeof(char *) * size);
    long *counts = cpdb_xmalloc(sizeof(long) * size);
    long i, n = 0, kept = 0;
    CpdbCensus sum;

    /* c + to - from, the equal names added up by cpdb_census_of_names */
    for (i = 0; i < c->n; i++, n++) {
        names[n] = c->names[i];
        counts[n] = c->counts[i];
    }
    for (i = 0; i < to->n; i++, n++) {
        names[n] = to->names[i];
        counts[n] = to->counts[i];
    }
    for (i = 0; i < from->n; i++, n++) {
        names[n] = from->names[i];
        counts[n] = -from->counts[i];
    }
    cpdb_census_of_names(&sum, names, counts, n);
    sum.total = 0;
    for (i = 0; i < sum.n; i++) {
        if (sum.counts[i] > 0) {
            sum.names[kept] = sum.names[i];
            sum.counts[kept++] = sum.counts[i];
            sum.total += sum.counts[i];
        }
        else {
            free(sum.names[i]);
        }
    }
    sum.n = kept;
    cpdb_census_fini(c);
    *c = sum;
    free(names);
    free(counts);
}

/* --- garbage among some objects ----------------------------------------- */

long
cpdb_census_index_of(PyObject *const *objs, size_t n, PyObject *o)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)objs[mid] == (uintptr_t)o) {
            return (long)mid;
        }
        if ((uintptr_t)objs[mid] < (uintptr_t)o) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return -1;
}

/* What the traversal of one object of the set does to the others. */
typedef struct Unreach {
    PyObject *const *objs;
    size_t n;
    Py_ssize_t *refs;       /* references from outside the set */
    uint8_t *garbage;
    size_t *stack;          /* reachable ones to look into */
    size_t top;
} Unreach;

static int
subtract_visit(PyObject *o, void *arg)
{
    Unreach *u = arg;
    long i = o != NULL ? cpdb_census_index_of(u->objs, u->n, o) : -1;
    if (i >= 0) {
        u->refs[i]--;
    }
    return 0;
}

static int
reach_visit(PyObject *o, void *arg)
{
    Unreach *u = arg;
    long i = o != NULL ? cpdb_census_index_of(u->objs, u->n, o) : -1;
    if (i >= 0 && u->garbage[i]) {
        u->garbage[i] = 0;
        u->stack[u->top++] = (size_t)i;
    }
    return 0;
}

uint8_t *
cpdb_census_unreachable(PyObject *const *objs, size_t n)
{
    Unreach u;
    size_t i;

    u.objs = objs;
    u.n = n;
    u.refs = cpdb_xmalloc(sizeof(Py_ssize_t) * (n + 1));
    u.garbage = cpdb_xmalloc(n + 1);
    u.stack = cpdb_xmalloc(sizeof(size_t) * (n + 1));
    u.top = 0;
    for (i = 0; i < n; i++) {
        u.refs[i] = Py_REFCNT(objs[i]);
        u.garbage[i] = 1;
    }
    for (i = 0; i < n; i++) {
        cpdb_heap_referents(objs[i], subtract_visit, &u);
    }
    for (i = 0; i < n; i++) {
        if (u.refs[i] > 0 && u.garbage[i]) {
            u.garbage[i] = 0;
            u.stack[u.top++] = i;
        }
        while (u.top > 0) {
            cpdb_heap_referents(objs[u.stack[--u.top]], reach_visit, &u);
        }
    }
    free(u.refs);
    free(u.stack);
    return u.garbage;
}

/* --- rows ---------------------------------------------------------------- */

static int
row_by_count(const void *a, const void *b)
{
    const CpdbCensusRow *x = a, *y = b;
    if (x->after != y->after) {
        return (x->after < y->after) - (x->after > y->after);
    }
    return strcmp(x->name, y->name);
}

static int
row_by_change(const void *a, const void *b)
{
    const CpdbCensusRow *x = a, *y = b;
    long dx = labs(x->change), dy = labs(y->change);
    if (dx != dy) {
        return (dx < dy) - (dx > dy);
    }
    return strcmp(x->name, y->name);
}

CpdbCensusRow *
cpdb_census_rows(const CpdbCensus *c)
{
    CpdbCensusRow *rows = cpdb_xmalloc(sizeof(CpdbCensusRow)
                                       * (size_t)(c->n > 0 ? c->n : 1));
    long i;
    for (i = 0; i < c->n; i++) {
        rows[i].name = c->names[i];
        rows[i].before = 0;
        rows[i].after = c->counts[i];
        rows[i].change = c->counts[i];
    }
    qsort(rows, (size_t)c->n, sizeof(CpdbCensusRow), row_by_count);
    return rows;
}

/* Add the row of name (before, after) unless GROWN_ONLY leaves it out. */
static void
add_change(CpdbCensusRow *rows, size_t *n, unsigned flags, const char *name,
           long before, long after)
{
    if ((flags & CPDB_CENSUS_GROWN_ONLY) && after <= before) {
        return;
    }
    rows[*n].name = name;
    rows[*n].before = before;
    rows[*n].after = after;
    rows[*n].change = after - before;
    ++*n;
}

CpdbCensusRow *
cpdb_census_diff(const CpdbCensus *a, const CpdbCensus *b, unsigned flags,
                 size_t *n)
{
    CpdbCensusRow *rows = cpdb_xmalloc(sizeof(CpdbCensusRow)
                                       * (size_t)(a->n + b->n + 1));
    long i;
    *n = 0;
    for (i = 0; i < b->n; i++) {
        long before = cpdb_census_get(a, b->names[i]);
        if (b->counts[i] != before) {
            add_change(rows, n, flags, b->names[i], before, b->counts[i]);
        }
    }
    for (i = 0; i < a->n; i++) {
        if (cpdb_census_get(b, a->names[i]) == 0 && a->counts[i] != 0) {
            add_change(rows, n, flags, a->names[i], a->counts[i], 0);
        }
    }
    qsort(rows, *n, sizeof(CpdbCensusRow), row_by_change);
    return rows;
}

/* --- choosing types ------------------------------------------------------ */

int
cpdb_census_name_matches(const char *pattern, const char *name)
{
    if (pattern == NULL || *pattern == '\0') {
        return 1;
    }
    if (strpbrk(pattern, "*?[") != NULL) {
        return fnmatch(pattern, name, 0) == 0;
    }
    return strstr(name, pattern) != NULL;
}

/* Whether type t is the one want names: its tp_name, its census name,
   or the last part of that. */
static int
type_is_named(PyTypeObject *t, const char *want)
{
    char *name;
    const char *dot;
    int match;
    if (strcmp(t->tp_name, want) == 0) {
        return 1;
    }
    name = cpdb_type_name(t);
    dot = strrchr(name, '.');
    match = strcmp(name, want) == 0 || (dot && strcmp(dot + 1, want) == 0);
    free(name);
    return match;
}

long
cpdb_census_select(CpdbTypeCount *tc, long *n_types, const char *want)
{
    long t, kept = 0, objects = 0;
    for (t = 0; t < *n_types; t++) {
        if (type_is_named(tc[t].type, want)) {
            objects += tc[t].count;
            tc[kept++] = tc[t];
        }
    }
    *n_types = kept;
    return objects;
}

void
cpdb_type_pick_init(CpdbTypePick *p, const CpdbTypeCount *types,
                    long n_types, size_t limit)
{
    memset(p, 0, sizeof *p);
    p->types = types;
    p->n_types = n_types;
    p->limit = limit;
}

int
cpdb_type_pick_visit(PyObject *o, void *arg)
{
    CpdbTypePick *p = arg;
    long t;
    if (p->objs.n >= p->limit) {
        return 0;
    }
    for (t = 0; t < p->n_types; t++) {
        if (p->types[t].type == Py_TYPE(o)) {
            cpdb_array_push(&p->objs, Py_NewRef(o));
            break;
        }
    }
    return p->objs.n < p->limit;
}

void
cpdb_type_pick_fini(CpdbTypePick *p)
{
    size_t k;
    for (k = 0; k < p->objs.n; k++) {
        Py_DECREF(p->objs.items[k]);
    }
    free(p->objs.items);
    memset(&p->objs, 0, sizeof p->objs);
}
