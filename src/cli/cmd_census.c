/* The gc family, part two: counts of the tracked objects by type (now,
   their growth since the last look, named snapshots and their
   differences) and the objects of a type.  Counts walk the collector's
   lists as they are (heap.c); nothing is collected unless asked. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/cmd_gc.h"
#include "cli/command.h"
#include "core/eval.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* --- censuses -------------------------------------------------------------- */

/* A census by type name, sorted by name for lookups. */
typedef struct Census {
    char **names;
    long *counts;
    long n;
    long total;
} Census;

static void
census_fini(Census *c)
{
    long i;
    for (i = 0; i < c->n; i++) {
        free(c->names[i]);
    }
    free(c->names);
    free(c->counts);
    memset(c, 0, sizeof *c);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Take a census now.  Return 0, or -1 reported. */
static int
census_take(CpdbSession *s, Census *c, int collect)
{
    CpdbTypeCount *tc;
    long n, i;
    char **pairs;

    memset(c, 0, sizeof *c);
    if (collect) {
        PyObject *r;
        cpdb_session_heap_forget(s);    /* its list would keep everything alive */
        r = cpdb_module_call(s, "gc", "collect", NULL);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    tc = cpdb_session_census(s, &n);
    if (tc == NULL) {
        cpdb_error(s, "Out of memory.");
        return -1;
    }
    /* Several types can share a name: add them up. */
    pairs = cpdb_xmalloc(sizeof(char *) * (size_t)(n ? n : 1));
    c->names = cpdb_xmalloc(sizeof(char *) * (size_t)(n ? n : 1));
    c->counts = cpdb_xmalloc(sizeof(long) * (size_t)(n ? n : 1));
    for (i = 0; i < n; i++) {
        char *name = cpdb_type_name(tc[i].type);
        pairs[i] = cpdb_xasprintf("%s%c%ld", name, '\0', tc[i].count);
        free(name);
    }
    qsort(pairs, (size_t)n, sizeof(char *), name_cmp);
    for (i = 0; i < n; i++) {
        long count = strtol(pairs[i] + strlen(pairs[i]) + 1, NULL, 10);
        if (c->n > 0 && strcmp(c->names[c->n - 1], pairs[i]) == 0) {
            c->counts[c->n - 1] += count;
        }
        else {
            c->names[c->n] = cpdb_xstrdup(pairs[i]);
            c->counts[c->n++] = count;
        }
        c->total += count;
        free(pairs[i]);
    }
    free(pairs);
    free(tc);
    return 0;
}

static long
census_get(const Census *c, const char *name)
{
    long lo = 0, hi = c->n - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
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

static void
census_copy(Census *dst, const Census *src)
{
    long i;
    census_fini(dst);
    dst->names = cpdb_xmalloc(sizeof(char *) * (size_t)(src->n ? src->n : 1));
    dst->counts = cpdb_xmalloc(sizeof(long) * (size_t)(src->n ? src->n : 1));
    for (i = 0; i < src->n; i++) {
        dst->names[i] = cpdb_xstrdup(src->names[i]);
        dst->counts[i] = src->counts[i];
    }
    dst->n = src->n;
    dst->total = src->total;
}

static int
pattern_matches(const char *pattern, const char *name)
{
    if (pattern == NULL || *pattern == '\0') {
        return 1;
    }
    if (strpbrk(pattern, "*?[") != NULL) {
        return fnmatch(pattern, name, 0) == 0;
    }
    return strstr(name, pattern) != NULL;
}

typedef struct Row {
    const char *name;
    long count, delta, other;
} Row;

static int
row_by_count(const void *a, const void *b)
{
    const Row *x = a, *y = b;
    if (x->count != y->count) {
        return (x->count < y->count) - (x->count > y->count);
    }
    return strcmp(x->name, y->name);
}

static int
row_by_delta(const void *a, const void *b)
{
    const Row *x = a, *y = b;
    long dx = labs(x->delta), dy = labs(y->delta);
    if (dx != dy) {
        return (dx < dy) - (dx > dy);
    }
    return strcmp(x->name, y->name);
}

CmdResult
cpdb_gc_types(CpdbSession *s, const char *args)
{
    long limit, i, shown = 0;
    char *pattern, *rest;
    int collect = cpdb_gc_has_flag(args, "--collect", &rest);
    Census c;
    Row *rows;

    pattern = cpdb_xstrdup(cpdb_gc_opt_count(rest, 20, &limit));
    free(rest);
    if (census_take(s, &c, collect) < 0) {
        free(pattern);
        return CMD_FAILED;
    }
    rows = cpdb_xmalloc(sizeof(Row) * (size_t)(c.n ? c.n : 1));
    for (i = 0; i < c.n; i++) {
        rows[i].name = c.names[i];
        rows[i].count = c.counts[i];
    }
    qsort(rows, (size_t)c.n, sizeof(Row), row_by_count);
    cpdb_out(s, "%ld objects tracked, of %ld types%s%s%s:\n", c.total, c.n,
             *pattern ? " (matching \"" : "", pattern,
             *pattern ? "\")" : "");
    for (i = 0; i < c.n && shown < limit; i++) {
        if (pattern_matches(pattern, rows[i].name)) {
            cpdb_out(s, "%-40s %10ld\n", rows[i].name, rows[i].count);
            shown++;
        }
    }
    if (shown == 0) {
        cpdb_out(s, "No type matches \"%s\".\n", pattern);
    }
    free(rows);
    free(pattern);
    census_fini(&c);
    return CMD_STAY;
}

/* Print the types whose counts differ between a and b, most first. */
static void
print_changes(CpdbSession *s, const Census *a, const Census *b, long limit,
              int growth_only, const char *none)
{
    long i, n = 0, shown = 0;
    Row *rows = cpdb_xmalloc(sizeof(Row) * (size_t)(a->n + b->n + 1));
    for (i = 0; i < b->n; i++) {
        long before = census_get(a, b->names[i]);
        if (b->counts[i] != before) {
            rows[n].name = b->names[i];
            rows[n].count = b->counts[i];
            rows[n].other = before;
            rows[n].delta = b->counts[i] - before;
            n++;
        }
    }
    for (i = 0; i < a->n; i++) {
        if (census_get(b, a->names[i]) == 0 && a->counts[i] != 0) {
            rows[n].name = a->names[i];
            rows[n].count = 0;
            rows[n].other = a->counts[i];
            rows[n].delta = -a->counts[i];
            n++;
        }
    }
    qsort(rows, (size_t)n, sizeof(Row), row_by_delta);
    for (i = 0; i < n && shown < limit; i++) {
        if (growth_only && rows[i].delta <= 0) {
            continue;
        }
        if (growth_only) {
            cpdb_out(s, "%-40s %10ld %+10ld\n", rows[i].name, rows[i].count,
                     rows[i].delta);
        }
        else {
            cpdb_out(s, "%-40s %10ld %10ld %+10ld\n", rows[i].name,
                     rows[i].other, rows[i].count, rows[i].delta);
        }
        shown++;
    }
    if (shown == 0) {
        cpdb_out(s, "%s\n", none);
    }
    free(rows);
}

/* Census tables kept by the session (growth baseline, named
   snapshots). */
struct CpdbCensusSnaps {
    Census growth_base;
    int have_growth;
    char **names;
    Census *censuses;
    int n;
};

/* The session's tables (s->cli->census), made when first needed. */
static CpdbCensusSnaps *
census_snaps(CpdbSession *s)
{
    if (s->cli->census == NULL) {
        s->cli->census = cpdb_xcalloc(1, sizeof(CpdbCensusSnaps));
    }
    return s->cli->census;
}

void
cpdb_census_snaps_free(CpdbCensusSnaps *sn)
{
    int i;
    if (sn == NULL) {
        return;
    }
    census_fini(&sn->growth_base);
    for (i = 0; i < sn->n; i++) {
        free(sn->names[i]);
        census_fini(&sn->censuses[i]);
    }
    free(sn->names);
    free(sn->censuses);
    free(sn);
}

CmdResult
cpdb_gc_growth(CpdbSession *s, const char *args)
{
    CpdbCensusSnaps *sn = census_snaps(s);
    long limit;
    char *rest;
    int collect = cpdb_gc_has_flag(args, "--collect", &rest);
    const char *extra;
    Census now;

    extra = cpdb_gc_opt_count(rest, 20, &limit);
    if (*extra != '\0') {
        cpdb_error(s, "Bad argument \"%s\": gc growth [N] [--collect].",
                   extra);
        free(rest);
        return CMD_FAILED;
    }
    free(rest);
    if (census_take(s, &now, collect) < 0) {
        return CMD_FAILED;
    }
    if (!sn->have_growth) {
        Census empty = {0};
        cpdb_out(s, "%-40s %10s %10s   (since the start: first \"gc growth\")"
                 "\n", "type", "count", "growth");
        print_changes(s, &empty, &now, limit, 1, "No objects.");
    }
    else {
        cpdb_out(s, "%-40s %10s %10s\n", "type", "count", "growth");
        print_changes(s, &sn->growth_base, &now, limit, 1,
                      "No type grew since the last \"gc growth\".");
    }
    census_copy(&sn->growth_base, &now);
    sn->have_growth = 1;
    census_fini(&now);
    return CMD_STAY;
}

CmdResult
cpdb_gc_snapshot(CpdbSession *s, const char *args)
{
    CpdbCensusSnaps *sn = census_snaps(s);
    char *name = cpdb_strip_dup(args);
    Census now;
    int i, is_new;
    if (*name == '\0') {
        free(name);
        name = cpdb_xasprintf("%d", sn->n + 1);
    }
    if (census_take(s, &now, 0) < 0) {
        free(name);
        return CMD_FAILED;
    }
    i = cpdb_named_slot(&sn->names, (void **)&sn->censuses,
                        sizeof(Census), &sn->n, name, &is_new);
    census_copy(&sn->censuses[i], &now);
    cpdb_leak_note_sizes(s);
    cpdb_out(s, "Snapshot \"%s\": %ld objects of %ld types.\n", name,
             now.total, now.n);
    census_fini(&now);
    free(name);
    return CMD_STAY;
}

CmdResult
cpdb_gc_diff(CpdbSession *s, const char *args)
{
    CpdbCensusSnaps *sn = census_snaps(s);
    Census now = {0};
    const Census *a, *b;
    int ia, ib;
    char *missing;

    switch (cpdb_diff_pair(sn->names, sn->n, args, 0, &ia, &ib,
                           &missing)) {
    case -1:
        cpdb_error(s, "\"gc diff\" needs two snapshots (or one and a "
                   "name): take them with \"gc snapshot\".");
        return CMD_FAILED;
    case -2:
        cpdb_error(s, "No snapshot named \"%s\".", missing);
        free(missing);
        return CMD_FAILED;
    default:
        break;
    }
    a = &sn->censuses[ia];
    if (ib < 0) {
        if (census_take(s, &now, 0) < 0) {
            return CMD_FAILED;
        }
        b = &now;
    }
    else {
        b = &sn->censuses[ib];
    }
    cpdb_out(s, "%-40s %10s %10s %10s\n", "type", sn->names[ia],
             ib < 0 ? "now" : sn->names[ib], "change");
    print_changes(s, a, b, 40, 0, "No differences.");
    census_fini(&now);
    return CMD_STAY;
}

/* --- instances, refs, referrers -------------------------------------------- */

static int
type_name_matches(PyTypeObject *t, const char *want)
{
    char *name;
    int match;
    const char *dot;
    if (strcmp(t->tp_name, want) == 0) {
        return 1;
    }
    name = cpdb_type_name(t);
    dot = strrchr(name, '.');
    match = strcmp(name, want) == 0 || (dot && strcmp(dot + 1, want) == 0);
    free(name);
    return match;
}

/* The first objects of some types, picked in a walk of the heap. */
typedef struct Pick {
    const CpdbTypeCount *types;
    long n_types;
    PyObject **objs;        /* strong */
    size_t n, cap;
} Pick;

static int
pick_visit(PyObject *o, void *arg)
{
    Pick *p = arg;
    long t;
    for (t = 0; t < p->n_types; t++) {
        if (p->types[t].type == Py_TYPE(o)) {
            p->objs[p->n++] = Py_NewRef(o);
            break;
        }
    }
    return p->n < p->cap;
}

CmdResult
cpdb_gc_instances(CpdbSession *s, const char *args)
{
    char *text = cpdb_strip_dup(args), *sp;
    long limit = 10, found = 0, shown = 0;
    CpdbTypeCount *tc;
    long n_types = 0, n_match = 0, t;

    sp = strchr(text, ' ');
    if (sp != NULL) {
        *sp = '\0';
        if (cpdb_parse_int(sp + 1, &limit) < 0 || limit < 0) {
            cpdb_error(s, "Bad count \"%s\": a number is expected.", sp + 1);
            free(text);
            return CMD_FAILED;
        }
    }
    if (*text == '\0') {
        cpdb_error(s, "Argument required (a type name, as \"gc types\" "
                   "prints it).");
        free(text);
        return CMD_FAILED;
    }
    /* Which types match, decided once per type; then a walk for the
       first N objects. */
    tc = cpdb_session_census(s, &n_types);
    if (tc == NULL) {
        free(text);
        cpdb_error(s, "Out of memory.");
        return CMD_FAILED;
    }
    for (t = 0; t < n_types; t++) {
        if (type_name_matches(tc[t].type, text)) {
            found += tc[t].count;
            tc[n_match++] = tc[t];
        }
    }
    if (n_match > 0 && limit > 0) {
        Pick p = {tc, n_match, cpdb_xcalloc((size_t)limit, sizeof(PyObject *)),
                  0, (size_t)limit};
        size_t k;
        if (cpdb_session_heap_walk(s, pick_visit, &p) < 0) {
            cpdb_error(s, "The collector is running: try again.");
        }
        for (k = 0; k < p.n; k++) {
            char *r = cpdb_bounded_repr(p.objs[k], s->cli->set.width > 20
                                                   ? s->cli->set.width : 80);
            long hist = cpdb_history_add(s, p.objs[k]);
            cpdb_out(s, "$%ld = %s\n", hist, r);
            free(r);
            Py_DECREF(p.objs[k]);
        }
        shown = (long)p.n;
        free(p.objs);
    }
    free(tc);
    if (found == 0) {
        cpdb_out(s, "No tracked object of type \"%s\" (\"gc types %s\" "
                 "lists the types whose name contains it).\n", text, text);
    }
    else {
        cpdb_out(s, "%ld object%s of type %s%s.\n", found,
                 found == 1 ? "" : "s", text,
                 found > shown ? " (the first shown; \"gc instances TYPE N\" "
                                 "for more)" : "");
    }
    free(text);
    return CMD_STAY;
}
