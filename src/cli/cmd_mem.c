/* The mem family: tracemalloc from the prompt.  Start and stop tracing,
   the lines holding the most memory now, named snapshots of those
   lines and their differences, and where an object was allocated.  The
   tables, their differences and tracebacks are read in
   heap/tracemalloc.c; here they are printed. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "heap/names.h"
#include "heap/tracemalloc.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/source.h"
#include "base/text.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Named tables kept by the session (s->cli->mem). */
struct CpdbMemSnaps {
    char **names;
    CpdbMemTable *tables;
    int n;
};

/* The session's tables, made when first needed. */
static CpdbMemSnaps *
mem_snaps(CpdbSession *s)
{
    if (s->cli->mem == NULL) {
        s->cli->mem = cpdb_xcalloc(1, sizeof(CpdbMemSnaps));
    }
    return s->cli->mem;
}

void
cpdb_mem_snaps_free(CpdbMemSnaps *sn)
{
    int i;
    if (sn == NULL) {
        return;
    }
    for (i = 0; i < sn->n; i++) {
        free(sn->names[i]);
        cpdb_mem_table_fini(&sn->tables[i]);
    }
    free(sn->names);
    free(sn->tables);
    free(sn);
}

/* The largest changes "mem diff" shows. */
#define MEM_DIFF_LINES 10

/* "1.5 MiB", "312 B". */
static void
format_size(char *buf, size_t len, long long bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)(bytes < 0 ? -bytes : bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0) {
        snprintf(buf, len, "%s%lld B", bytes < 0 ? "-" : "",
                 bytes < 0 ? -bytes : bytes);
    }
    else {
        snprintf(buf, len, "%s%.1f %s", bytes < 0 ? "-" : "", v, units[u]);
    }
}

/* Return: new reference to the tracemalloc module, or NULL reported. */
static PyObject *
tracemalloc(CpdbSession *s)
{
    PyObject *tm = PyImport_ImportModule("tracemalloc");
    if (tm == NULL) {
        cpdb_error_exc(s, "Cannot use tracemalloc: ");
    }
    return tm;
}

/* Whether tracemalloc traces; 0 with an error printed when not. */
static int
is_tracing(CpdbSession *s, int complain)
{
    PyObject *r = cpdb_module_call(s, "tracemalloc", "is_tracing", NULL);
    int on = r != NULL && PyObject_IsTrue(r) == 1;
    Py_XDECREF(r);
    if (r != NULL && !on && complain) {
        cpdb_error(s, "tracemalloc is not tracing: \"mem start\" starts it "
                   "(or run the program with PYTHONTRACEMALLOC=N).");
    }
    return on;
}

/* Take a tracemalloc table now, by line or by file, at the program's
   own frames or not (see cpdb_mem_table_take).  Return 0, or -1
   reported. */
static int
table_take(CpdbSession *s, CpdbMemTable *t, int by_file, int own_code)
{
    PyObject *tm;
    int rc;

    memset(t, 0, sizeof *t);
    if (!is_tracing(s, 1)) {
        return -1;
    }
    /* The snapshot's own list would count as the program's memory. */
    cpdb_session_heap_forget(s);
    tm = tracemalloc(s);
    if (tm == NULL) {
        return -1;
    }
    rc = cpdb_mem_table_take(t, tm, by_file, own_code, &s->busy);
    if (rc < 0) {
        cpdb_error_exc(s, "tracemalloc: ");
    }
    Py_DECREF(tm);
    return rc;
}

/* Print the source text of file:line under a row, when there is some. */
static void
print_source(CpdbSession *s, const char *file, long line)
{
    const char *text = line > 0
                       ? cpdb_source_line(&s->sources, file, (int)line)
                       : NULL;
    if (text != NULL) {
        cpdb_out(s, "      %s\n", cpdb_skip_space(text));
    }
}

/* --- start, stop, status ------------------------------------------------- */

/* The frames "mem start" keeps per allocation: enough to reach the
   program's own code from inside a framework (Django's allocations are
   at most 15 frames below it). */
#define MEM_START_FRAMES 25

static CmdResult
mem_start(CpdbSession *s, const char *args)
{
    long frames = MEM_START_FRAMES;
    PyObject *r, *gc;
    if (*cpdb_skip_space(args) != '\0'
        && (cpdb_parse_int(args, &frames) < 0 || frames < 1
            || frames > 65535)) {
        cpdb_error(s, "Bad frame count \"%s\": a number from 1 to 65535 is "
                   "expected.", cpdb_skip_space(args));
        return CMD_FAILED;
    }
    /* The tracer of the free lists asks gc for the young generations:
       imported as cpdb's (not growth), before tracemalloc, whose garbage
       the censuses leave out while it is the last import's. */
    gc = cpdb_census_import(s, "gc");
    if (gc == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    Py_DECREF(gc);
    if (is_tracing(s, 0)) {
        cpdb_out(s, "tracemalloc is already tracing; \"mem stop\" first to "
                 "change the number of frames.\n");
        return CMD_STAY;
    }
    /* Made before tracing starts, what traces the free lists would
       otherwise leave blocks without a trace in them. */
    if (cpdb_mem_free_lists_tracer_make() < 0) {
        cpdb_error_exc(s, "tracemalloc: ");
        return CMD_FAILED;
    }
    r = cpdb_module_call(s, "tracemalloc", "start", "(l)", frames);
    if (r == NULL) {
        return CMD_FAILED;
    }
    Py_DECREF(r);
    /* Lists and dicts made from the free lists would have no trace. */
    if (cpdb_mem_trace_free_lists(&s->busy) < 0) {
        cpdb_error_exc(s, "tracemalloc: ");
    }
    cpdb_out(s, "tracemalloc is tracing, %ld frame%s per allocation: memory "
             "allocated from now on can be shown by \"mem top\".\n", frames,
             frames == 1 ? "" : "s");
    return CMD_STAY;
}

static CmdResult
mem_stop(CpdbSession *s, const char *args)
{
    PyObject *r;
    (void)args;
    if (!is_tracing(s, 1)) {
        return CMD_FAILED;
    }
    r = cpdb_module_call(s, "tracemalloc", "stop", NULL);
    if (r == NULL) {
        return CMD_FAILED;
    }
    Py_DECREF(r);
    cpdb_out(s, "tracemalloc stopped; its traces are gone (saved \"mem "
             "snapshot\"s are kept).\n");
    return CMD_STAY;
}

static CmdResult
mem_status(CpdbSession *s, const char *args)
{
    CpdbMemSnaps *sn = mem_snaps(s);
    CpdbMemStatus st;
    PyObject *tm;
    char now[32], peak[32], own[32];
    int rc;
    (void)args;
    if (!is_tracing(s, 0)) {
        cpdb_out(s, "tracemalloc is not tracing: \"mem start [FRAMES]\" "
                 "starts it.\n");
        return CMD_STAY;
    }
    tm = tracemalloc(s);
    if (tm == NULL) {
        return CMD_FAILED;
    }
    rc = cpdb_mem_status(&st, tm, &s->busy);
    Py_DECREF(tm);
    if (rc < 0) {
        cpdb_error_exc(s, "tracemalloc: ");
        return CMD_FAILED;
    }
    format_size(now, sizeof now, st.traced);
    format_size(peak, sizeof peak, st.peak);
    format_size(own, sizeof own, st.own);
    cpdb_out(s, "tracemalloc is tracing, %ld frame%s per allocation.\n"
             "Traced memory: %s now, %s at the peak; tracemalloc itself "
             "uses %s.\n", st.frames, st.frames == 1 ? "" : "s", now, peak,
             own);
    cpdb_out(s, "Saved snapshots: %d.\n", sn->n);
    return CMD_STAY;
}

/* --- top, snapshot, diff ------------------------------------------------- */

/* "[N] [lines|files] [--raw]" */
static int
parse_top_args(CpdbSession *s, const char *args, long *limit, int *by_file,
               int *raw)
{
    char *text = cpdb_strip_dup(args), *word, *save = NULL;
    int rc = 0;
    *limit = 10;
    *by_file = 0;
    *raw = 0;
    for (word = strtok_r(text, " \t", &save); word != NULL;
         word = strtok_r(NULL, " \t", &save)) {
        if (strcmp(word, "files") == 0 || strcmp(word, "file") == 0) {
            *by_file = 1;
        }
        else if (strcmp(word, "lines") == 0 || strcmp(word, "line") == 0) {
            *by_file = 0;
        }
        else if (strcmp(word, "--raw") == 0) {
            *raw = 1;
        }
        else if (cpdb_parse_int(word, limit) < 0 || *limit < 1) {
            cpdb_error(s, "Bad argument \"%s\": mem top [N] [lines|files] "
                       "[--raw].", word);
            rc = -1;
            break;
        }
    }
    free(text);
    return rc;
}

/* Print why a row of an own-code table stands at library code. */
static void
print_library_only(CpdbSession *s, const CpdbMemTable *t,
                   const CpdbMemRow *r)
{
    if (r->cut) {
        cpdb_out(s, "      (no frame of the program's own code among the "
                 "%ld kept: \"mem start N\" keeps more)\n", t->frames);
    }
    else if (r->library_only) {
        cpdb_out(s, "      (library code alone: no frame of the program's "
                 "own code)\n");
    }
}

static CmdResult
mem_top(CpdbSession *s, const char *args)
{
    long limit;
    size_t i;
    int by_file, raw;
    CpdbMemTable t;
    char size[32], all[32];
    if (parse_top_args(s, args, &limit, &by_file, &raw) < 0
        || table_take(s, &t, by_file, !raw) < 0) {
        return CMD_FAILED;
    }
    format_size(all, sizeof all, cpdb_mem_table_total(&t));
    cpdb_out(s, "%s allocated by the program and still alive, top %ld "
             "%s, counted %s:\n", all,
             limit < (long)t.rows.n ? limit : (long)t.rows.n,
             by_file ? "files" : "lines",
             raw ? "where allocated" : "at the program's own code");
    for (i = 0; i < t.rows.n && (long)i < limit; i++) {
        CpdbMemRow *r = &t.rows.items[i];
        format_size(size, sizeof size, r->size);
        if (by_file) {
            cpdb_out(s, "  #%zu %s: %s in %lld block%s\n", i + 1, r->file,
                     size, r->count, r->count == 1 ? "" : "s");
        }
        else {
            cpdb_out(s, "  #%zu %s:%ld: %s in %lld block%s\n", i + 1, r->file,
                     r->line, size, r->count, r->count == 1 ? "" : "s");
            print_source(s, r->file, r->line);
        }
        print_library_only(s, &t, r);
    }
    if (t.rows.n == 0) {
        cpdb_out(s, "Nothing traced yet.\n");
    }
    cpdb_mem_table_fini(&t);
    return CMD_STAY;
}

static CmdResult
mem_snapshot(CpdbSession *s, const char *args)
{
    CpdbMemSnaps *sn = mem_snaps(s);
    char *name = cpdb_strip_dup(args), total[32];
    CpdbMemTable t;
    int i, is_new;
    if (table_take(s, &t, 0, 0) < 0) {
        free(name);
        return CMD_FAILED;
    }
    if (*name == '\0') {
        free(name);
        name = cpdb_xasprintf("%d", sn->n + 1);
    }
    i = cpdb_named_slot(&sn->names, (void **)&sn->tables,
                        sizeof(CpdbMemTable), &sn->n, name, &is_new);
    cpdb_mem_table_fini(&sn->tables[i]);
    sn->tables[i] = t;              /* the table takes it over */
    format_size(total, sizeof total, cpdb_mem_table_total(&t));
    cpdb_out(s, "Memory snapshot \"%s\": %s in %zu line%s.\n", name, total,
             t.rows.n, t.rows.n == 1 ? "" : "s");
    free(name);
    return CMD_STAY;
}

/* Print the changes from table a (named a_name) to b (b_name, or NULL
   for now), the largest ten with their source lines. */
static void
print_mem_changes(CpdbSession *s, const CpdbMemTable *a, const char *a_name,
                  const CpdbMemTable *b, const char *b_name)
{
    size_t i, n;
    long long total;
    char size[32], now_size[32], sum[32];
    CpdbMemChange *ch = cpdb_mem_table_diff(a, b, &n, &total);

    format_size(sum, sizeof sum, total);
    cpdb_out(s, "From \"%s\" to %s%s%s: %s%s in all, by line:\n", a_name,
             b_name ? "\"" : "", b_name ? b_name : "now", b_name ? "\"" : "",
             total > 0 ? "+" : "", sum);
    for (i = 0; i < n && i < MEM_DIFF_LINES; i++) {
        format_size(size, sizeof size, ch[i].size_diff);
        format_size(now_size, sizeof now_size, ch[i].size_now);
        cpdb_out(s, "  %s:%ld: %s%s (%+lld block%s), now %s\n", ch[i].file,
                 ch[i].line, ch[i].size_diff > 0 ? "+" : "", size,
                 ch[i].count_diff, llabs(ch[i].count_diff) == 1 ? "" : "s",
                 now_size);
        print_source(s, ch[i].file, ch[i].line);
    }
    if (n == 0) {
        cpdb_out(s, "No line's memory changed.\n");
    }
    free(ch);
}

static CmdResult
mem_diff(CpdbSession *s, const char *args)
{
    CpdbMemSnaps *sn = mem_snaps(s);
    CpdbMemTable now = {{NULL, 0, 0}, 0};
    int ia, ib;
    char *missing;

    switch (cpdb_diff_pair(sn->names, sn->n, args, 1, &ia, &ib,
                           &missing)) {
    case -1:
        cpdb_error(s, "No memory snapshot yet: \"mem snapshot [NAME]\" takes "
                   "one.");
        return CMD_FAILED;
    case -2:
        cpdb_error(s, "No memory snapshot named \"%s\".", missing);
        free(missing);
        return CMD_FAILED;
    default:
        break;
    }
    if (ib < 0 && table_take(s, &now, 0, 0) < 0) {
        return CMD_FAILED;
    }
    print_mem_changes(s, &sn->tables[ia], sn->names[ia],
                      ib >= 0 ? &sn->tables[ib] : &now,
                      ib >= 0 ? sn->names[ib] : NULL);
    cpdb_mem_table_fini(&now);
    return CMD_STAY;
}

/* --- where --------------------------------------------------------------- */

/* Print frames newest first, as bt. */
static void
print_frames(CpdbSession *s, const CpdbMemFrames *frames)
{
    size_t i;
    for (i = 0; i < frames->n; i++) {
        const CpdbMemFrame *f = &frames->items[i];
        cpdb_out(s, "  #%ld %s:%ld\n", f->depth, f->file, f->line);
        print_source(s, f->file, f->line);
    }
}

static CmdResult
mem_where(CpdbSession *s, const char *args)
{
    PyObject *o;
    CpdbMemWhere w;
    char *brief, *type;
    int rc;
    if (*cpdb_skip_space(args) == '\0') {
        cpdb_error(s, "Argument required (an expression, $N, or an address "
                   "cpdb printed).");
        return CMD_FAILED;
    }
    o = cpdb_gc_resolve(s, args);
    if (o == NULL) {
        return CMD_FAILED;
    }
    if (!is_tracing(s, 1)) {
        Py_DECREF(o);
        return CMD_FAILED;
    }
    rc = cpdb_mem_where(o, &w);
    brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
    type = cpdb_xstrdup(Py_TYPE(o)->tp_name);
    Py_DECREF(o);
    if (rc < 0) {
        cpdb_error_exc(s, "tracemalloc: ");
    }
    else if (w.frames.n > 0) {
        cpdb_out(s, "%s was allocated at:\n", brief);
        print_frames(s, &w.frames);
    }
    else if (!w.free_list) {
        cpdb_out(s, "tracemalloc did not see %s allocated: it is older than "
                 "\"mem start\".\n", brief);
    }
    else {
        /* A free list's reuse is no allocation: tracemalloc moves a trace
           to the new object only when the reused block has one. */
        cpdb_out(s, "tracemalloc has no trace of %s: it is older than \"mem "
                 "start\", or CPython made it from its free list of %ss, "
                 "reusing the memory of a %s allocated before (reuse is "
                 "no allocation: tracemalloc does not see it).\n", brief,
                 type, type);
        if (w.part != NULL) {
            cpdb_out(s, "Its %s was allocated (or last resized) at:\n",
                     w.part);
            print_frames(s, &w.part_frames);
        }
    }
    cpdb_mem_where_fini(&w);
    free(type);
    free(brief);
    return rc < 0 ? CMD_FAILED : CMD_STAY;
}

/* --- the table ----------------------------------------------------------- */

static const CmdDef mem_subcommands[] = {
    {"start", NULL, CMD_CLASS_MEMORY, 0, mem_start, "mem start [FRAMES]",
     "Start tracemalloc, keeping FRAMES frames (default 25) per allocation.\n"
     "Only memory allocated after this is traced.  The blocks waiting in\n"
     "CPython's free lists, and those of young lists, dicts and tuples, get\n"
     "a trace, so that objects made from them later are traced too\n"
     "(nothing is collected).", NULL},
    {"stop", NULL, CMD_CLASS_MEMORY, 0, mem_stop, "mem stop",
     "Stop tracemalloc and drop its traces.", NULL},
    {"status", NULL, CMD_CLASS_MEMORY, 0, mem_status, "mem status",
     "Show whether tracemalloc traces, and how much memory it sees.", NULL},
    {"top", NULL, CMD_CLASS_MEMORY, 0, mem_top,
     "mem top [N] [lines|files] [--raw]",
     "Show the N lines (or files) whose allocations hold the most memory.\n"
     "Counts what is still alive of what was allocated since \"mem start\";\n"
     "cpdb's and tracemalloc's own allocations are left out.  Each\n"
     "allocation counts at the newest frame of the program's own code, not\n"
     "of the standard library or site-packages; --raw counts it where it\n"
     "was made, as tracemalloc does.", NULL},
    {"snapshot", NULL, CMD_CLASS_MEMORY, 0, mem_snapshot,
     "mem snapshot [NAME]",
     "Keep the memory held per line now under NAME (or 1, 2...).", NULL},
    {"diff", NULL, CMD_CLASS_MEMORY, 0, mem_diff, "mem diff [A [B]]",
     "Show the lines whose memory changed most between two snapshots.\n"
     "With no argument: the last two snapshots (or the last and now); with\n"
     "A: A and now; with A and B: A and B.", NULL},
    {"where", NULL, CMD_CLASS_MEMORY, 0, mem_where, "mem where OBJ",
     "Show where OBJ was allocated (needs \"mem start\" before it was).\n"
     "OBJ is an expression, $N, or an address cpdb printed.  A list or dict\n"
     "without a trace may reuse memory freed after \"mem start\" but\n"
     "allocated before: then where its items were allocated is shown.",
     NULL,
     cpdb_complete_python},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

static const CmdDef *const mem_tables[] = {mem_subcommands, NULL};

const CmdDef cpdb_cmds_mem[] = {
    {"mem", NULL, CMD_CLASS_MEMORY, 0, mem_status, "mem [SUBCOMMAND]",
     "Find where memory is allocated, with tracemalloc.\n"
     "\"mem start\", run the program on, then \"mem top\"; \"mem snapshot\"\n"
     "and \"mem diff\" compare two moments; \"mem where OBJ\" tells where an\n"
     "object was made.", mem_tables},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
