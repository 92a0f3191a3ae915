/* The gc family, part two: counts of the tracked objects by type (now,
   their growth since the last look, named snapshots and their
   differences) and the objects of a type.  Counts walk the collector's
   lists as they are (heap.c); nothing is collected unless asked. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/census_base.h"
#include "cli/cmd_gc.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "core/eval.h"
#include "heap/census.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* --- censuses ------------------------------------------------------------ */

/* The frozen objects (gc.freeze()) by type name, for "gc types" to say
   which of those it counts are frozen. */
typedef struct Frozen {
    char **names;           /* malloc'd, each malloc'd */
    long *counts;
    long n;
} Frozen;

static void
frozen_take(CpdbSession *s, Frozen *f)
{
    CpdbHeapContext ctx;
    CpdbTypeCount *tc;
    long total, t;
    memset(f, 0, sizeof *f);
    cpdb_session_heap_context(s, &ctx);
    tc = cpdb_heap_census_frozen(&ctx, &f->n, &total);
    cpdb_heap_context_fini(&ctx);
    if (tc == NULL) {
        f->n = 0;
        return;
    }
    f->names = cpdb_xcalloc((size_t)f->n + 1, sizeof(char *));
    f->counts = cpdb_xcalloc((size_t)f->n + 1, sizeof(long));
    for (t = 0; t < f->n; t++) {
        f->names[t] = cpdb_type_name(tc[t].type);
        f->counts[t] = tc[t].count;
    }
    free(tc);
}

/* Return: how many objects of the type named are frozen. */
static long
frozen_of(const Frozen *f, const char *name)
{
    long t;
    for (t = 0; t < f->n; t++) {
        if (strcmp(f->names[t], name) == 0) {
            return f->counts[t];
        }
    }
    return 0;
}

static void
frozen_fini(Frozen *f)
{
    long t;
    for (t = 0; t < f->n; t++) {
        free(f->names[t]);
    }
    free(f->names);
    free(f->counts);
}

static CmdResult
gc_types(CpdbSession *s, const char *args)
{
    long limit, i, shown = 0, n_frozen = 0;
    size_t left = 0;
    char *pattern, *rest;
    int collect = cpdb_gc_has_flag(args, "--collect", &rest);
    CpdbCensus c;
    CpdbCensusRow *rows;
    Frozen fz;

    pattern = cpdb_xstrdup(cpdb_gc_opt_count(rest, 20, &limit));
    free(rest);
    if (cpdb_census_take(s, &c, collect) < 0) {
        free(pattern);
        return CMD_FAILED;
    }
    frozen_take(s, &fz);
    for (i = 0; i < fz.n; i++) {
        if (cpdb_census_name_matches(pattern, fz.names[i])) {
            n_frozen += fz.counts[i];
        }
    }
    rows = cpdb_census_rows(&c);
    cpdb_out(s, "%ld objects tracked, of %ld types%s%s%s:\n", c.total, c.n,
             *pattern ? " (matching \"" : "", pattern,
             *pattern ? "\")" : "");
    if (n_frozen > 0) {
        cpdb_out(s, "(%ld of them frozen by gc.freeze(): the collector "
                 "never examines them)\n", n_frozen);
    }
    for (i = 0; i < c.n; i++) {
        if (cpdb_census_name_matches(pattern, rows[i].name)) {
            if (shown < limit) {
                long f = frozen_of(&fz, rows[i].name);
                cpdb_out(s, "%-40s %10ld", rows[i].name, rows[i].after);
                if (f > 0) {
                    cpdb_out(s, "  (%ld frozen)", f);
                }
                cpdb_out(s, "\n");
            }
            else {
                left++;
            }
            shown++;
        }
    }
    cpdb_gc_more(s, left, "types", "gc types N");
    if (shown == 0) {
        cpdb_out(s, "No type matches \"%s\".\n", pattern);
    }
    frozen_fini(&fz);
    free(rows);
    free(pattern);
    cpdb_census_fini(&c);
    return CMD_STAY;
}

/* Print the types whose counts differ between a and b, the largest
   change first: count and growth ("gc growth", growth only), or both
   counts and the change ("gc diff"); none when there is no row. */
static void
print_changes(CpdbSession *s, const CpdbCensus *a, const CpdbCensus *b,
              long limit, int growth_only, const char *none,
              const char *usage)
{
    size_t i, n;
    CpdbCensusRow *rows = cpdb_census_diff(
        a, b, growth_only ? CPDB_CENSUS_GROWN_ONLY : 0, &n);
    for (i = 0; i < n && (long)i < limit; i++) {
        if (growth_only) {
            cpdb_out(s, "%-40s %10ld %+10ld\n", rows[i].name, rows[i].after,
                     rows[i].change);
        }
        else {
            cpdb_out(s, "%-40s %10ld %10ld %+10ld\n", rows[i].name,
                     rows[i].before, rows[i].after, rows[i].change);
        }
    }
    if (n > (size_t)limit && limit > 0) {
        cpdb_gc_more(s, n - (size_t)limit, "types", usage);
    }
    if (n == 0 || limit <= 0) {
        cpdb_out(s, "%s\n", none);
    }
    free(rows);
}

static CmdResult
gc_growth(CpdbSession *s, const char *args)
{
    CpdbCensusSnaps *sn = cpdb_census_snaps(s);
    long limit;
    char *rest;
    int collect = cpdb_gc_has_flag(args, "--collect", &rest);
    const char *extra;
    CpdbCensus now;

    extra = cpdb_gc_opt_count(rest, 20, &limit);
    if (*extra != '\0') {
        cpdb_error(s, "Bad argument \"%s\": gc growth [N] [--collect].",
                   extra);
        free(rest);
        return CMD_FAILED;
    }
    free(rest);
    if (cpdb_census_compared(s, &now, collect) < 0) {
        return CMD_FAILED;
    }
    if (!sn->have_growth) {
        CpdbCensus empty = {0};
        cpdb_out(s, "%-40s %10s %10s   (since the start: first \"gc growth\")"
                 "\n", "type", "count", "growth");
        print_changes(s, &empty, &now, limit, 1, "No objects.",
                      "gc growth N");
    }
    else {
        cpdb_out(s, "%-40s %10s %10s\n", "type", "count", "growth");
        print_changes(s, &sn->growth_base, &now, limit, 1,
                      "No type grew since the last \"gc growth\".",
                      "gc growth N");
    }
    cpdb_census_fini(&sn->growth_base);
    sn->growth_base = now;          /* the table takes it over */
    sn->have_growth = 1;
    return CMD_STAY;
}

static CmdResult
gc_snapshot(CpdbSession *s, const char *args)
{
    CpdbCensusSnaps *sn = cpdb_census_snaps(s);
    char *name = cpdb_strip_dup(args);
    CpdbCensus now;
    int i, is_new;
    if (*name == '\0') {
        free(name);
        name = cpdb_xasprintf("%d", sn->n + 1);
    }
    if (cpdb_census_compared(s, &now, 0) < 0) {
        free(name);
        return CMD_FAILED;
    }
    i = cpdb_named_slot(&sn->names, (void **)&sn->censuses,
                        sizeof(CpdbCensus), &sn->n, name, &is_new);
    cpdb_census_fini(&sn->censuses[i]);
    sn->censuses[i] = now;          /* the table takes it over */
    cpdb_leak_note_sizes(s);
    cpdb_out(s, "Snapshot \"%s\": %ld objects of %ld types.\n", name,
             now.total, now.n);
    free(name);
    return CMD_STAY;
}

static CmdResult
gc_diff(CpdbSession *s, const char *args)
{
    CpdbCensusSnaps *sn = cpdb_census_snaps(s);
    CpdbCensus now = {0};
    const CpdbCensus *a, *b;
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
        if (cpdb_census_compared(s, &now, 0) < 0) {
            return CMD_FAILED;
        }
        b = &now;
    }
    else {
        b = &sn->censuses[ib];
    }
    cpdb_out(s, "%-40s %10s %10s %10s\n", "type", sn->names[ia],
             ib < 0 ? "now" : sn->names[ib], "change");
    print_changes(s, a, b, 40, 0, "No differences.", NULL);
    cpdb_census_fini(&now);
    return CMD_STAY;
}

/* --- instances ----------------------------------------------------------- */

/* Print the first objects of the types in tc[0..n_types), recording
   each as $N.  Return: how many were printed. */
static long
print_instances(CpdbSession *s, const CpdbTypeCount *tc, long n_types,
                long limit)
{
    CpdbTypePick p;
    long width = s->cli->set.width > 20 ? s->cli->set.width : 80;
    size_t k;

    cpdb_type_pick_init(&p, tc, n_types, (size_t)limit);
    if (cpdb_session_heap_walk(s, cpdb_type_pick_visit, &p) < 0) {
        cpdb_error(s, "The collector is running: try again.");
    }
    for (k = 0; k < p.objs.n; k++) {
        char *r = cpdb_bounded_repr(p.objs.items[k], width);
        long hist = cpdb_history_add(s, p.objs.items[k]);
        cpdb_out(s, "$%ld = %s\n", hist, r);
        free(r);
    }
    cpdb_type_pick_fini(&p);
    return (long)k;
}

static CmdResult
gc_instances(CpdbSession *s, const char *args)
{
    char *text = cpdb_strip_dup(args), *sp;
    long limit = 10, found, shown = 0;
    CpdbTypeCount *tc;
    long n_types = 0;

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
    found = cpdb_census_select(tc, &n_types, text);
    if (n_types > 0 && limit > 0) {
        shown = print_instances(s, tc, n_types, limit);
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

/* Counting by type: gc types, growth, snapshot, diff, instances. */
const CmdDef cpdb_gc_census_cmds[] = {
    {"types", NULL, CMD_CLASS_MEMORY, 0, gc_types,
     "gc types [N] [PATTERN] [--collect]",
     "Count the tracked objects by type, most common first.\n"
     "PATTERN keeps type names containing it (or matching it, with * ? []).\n"
     "No collection happens unless --collect is given, so garbage cycles\n"
     "are counted too.  Objects frozen by gc.freeze() are counted, and\n"
     "said to be frozen.", NULL},
    {"growth", NULL, CMD_CLASS_MEMORY, 0, gc_growth,
     "gc growth [N] [--collect]",
     "Show the types whose count grew since the last \"gc growth\".\n"
     "The first time, every type counts as grown from nothing.  No\n"
     "collection happens unless --collect is given.", NULL},
    {"snapshot", NULL, CMD_CLASS_MEMORY, 0, gc_snapshot,
     "gc snapshot [NAME]",
     "Keep the current count of objects per type under NAME (or 1, 2...).",
     NULL},
    {"diff", NULL, CMD_CLASS_MEMORY, 0, gc_diff, "gc diff [A [B]]",
     "Compare two snapshots by type: the last two, A and now, or A and B.",
     NULL},
    {"instances", NULL, CMD_CLASS_MEMORY, 0, gc_instances,
     "gc instances TYPE [N]",
     "List the tracked objects of a type, recording the first N as $N.\n"
     "TYPE as \"gc types\" prints it, or its last part (\"Node\").", NULL,
     cpdb_complete_types},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
