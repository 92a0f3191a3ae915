/* The mem family: tracemalloc from the prompt.  Start and stop tracing,
   the lines holding the most memory now, named snapshots of those
   lines and their differences, and where an object was allocated.
   tracemalloc has no C interface for snapshots, so its Python functions
   are called; the results become plain C rows at once and no snapshot
   object is kept (nothing of cpdb's shows up in a heap answer). */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* One line (or file) of a statistics table. */
typedef struct MemRow {
    char *file;
    long line;              /* 0 when grouped by file */
    long long size;
    long long count;
} MemRow;

typedef struct MemTable {
    MemRow *rows;
    long n;
    int by_file;
} MemTable;

/* Named tables kept by the session (s->cli->mem). */
struct CpdbMemSnaps {
    char **names;
    MemTable *tables;
    int n;
};

static void
table_fini(MemTable *t)
{
    long i;
    for (i = 0; i < t->n; i++) {
        free(t->rows[i].file);
    }
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

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
        table_fini(&sn->tables[i]);
    }
    free(sn->names);
    free(sn->tables);
    free(sn);
}

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

/* Take a tracemalloc snapshot, group it by line or by file into C rows,
   largest first, and leave out tracemalloc's own allocations and those
   of cpdb's expressions (a Filter would run fnmatch, whose compiled
   patterns would then show up).  Return 0, or -1 reported. */
static int
table_take(CpdbSession *s, MemTable *t, int by_file)
{
    PyObject *tm, *snap = NULL, *stats = NULL, *own_file = NULL;
    const char *own;
    Py_ssize_t i, n;
    int rc = -1;

    memset(t, 0, sizeof *t);
    t->by_file = by_file;
    if (!is_tracing(s, 1)) {
        return -1;
    }
    /* The snapshot's own list would count as the program's memory. */
    cpdb_session_heap_forget(s);
    tm = tracemalloc(s);
    if (tm == NULL) {
        return -1;
    }
    cpdb_guard_begin(&s->busy);
    snap = PyObject_CallMethod(tm, "take_snapshot", NULL);
    if (snap != NULL) {
        stats = PyObject_CallMethod(snap, "statistics", "(s)",
                                    by_file ? "filename" : "lineno");
    }
    cpdb_guard_end(&s->busy);
    if (stats == NULL || !PyList_Check(stats)) {
        cpdb_error_exc(s, "tracemalloc: ");
        goto done;
    }
    n = PyList_GET_SIZE(stats);
    t->rows = cpdb_xcalloc((size_t)(n ? n : 1), sizeof(MemRow));
    own_file = PyObject_GetAttrString(tm, "__file__");
    own = own_file && PyUnicode_Check(own_file) ? PyUnicode_AsUTF8(own_file)
                                                : NULL;
    PyErr_Clear();
    for (i = 0; i < n; i++) {
        PyObject *st = PyList_GET_ITEM(stats, i);
        PyObject *tb = PyObject_GetAttrString(st, "traceback");
        PyObject *frame = tb ? PySequence_GetItem(tb, 0) : NULL;
        PyObject *file = frame ? PyObject_GetAttrString(frame, "filename")
                               : NULL;
        PyObject *line = frame ? PyObject_GetAttrString(frame, "lineno")
                               : NULL;
        PyObject *size = PyObject_GetAttrString(st, "size");
        PyObject *count = PyObject_GetAttrString(st, "count");
        const char *f = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file)
                                                      : NULL;
        if (f != NULL && size != NULL && count != NULL
            && strcmp(f, "<unknown>") != 0 && strcmp(f, "<cpdb>") != 0
            && (own == NULL || strcmp(f, own) != 0)) {
            MemRow *r = &t->rows[t->n++];
            r->file = cpdb_xstrdup(f);
            r->line = line && !by_file ? PyLong_AsLong(line) : 0;
            r->size = PyLong_AsLongLong(size);
            r->count = PyLong_AsLongLong(count);
        }
        PyErr_Clear();
        Py_XDECREF(tb);
        Py_XDECREF(frame);
        Py_XDECREF(file);
        Py_XDECREF(line);
        Py_XDECREF(size);
        Py_XDECREF(count);
    }
    rc = 0;
done:
    Py_XDECREF(own_file);
    Py_XDECREF(stats);
    Py_XDECREF(snap);
    Py_DECREF(tm);
    return rc;
}

static void
print_source(CpdbSession *s, const char *file, long line)
{
    const char *text = line > 0 ? cpdb_source_line(&s->sources, file, (int)line) : NULL;
    if (text != NULL) {
        cpdb_out(s, "      %s\n", cpdb_skip_space(text));
    }
}

/* --- start, stop, status -------------------------------------------------- */

static CmdResult
mem_start(CpdbSession *s, const char *args)
{
    long frames = 10;
    PyObject *r;
    if (*cpdb_skip_space(args) != '\0'
        && (cpdb_parse_int(args, &frames) < 0 || frames < 1
            || frames > 65535)) {
        cpdb_error(s, "Bad frame count \"%s\": a number from 1 to 65535 is "
                   "expected.", cpdb_skip_space(args));
        return CMD_FAILED;
    }
    if (is_tracing(s, 0)) {
        cpdb_out(s, "tracemalloc is already tracing; \"mem stop\" first to "
                 "change the number of frames.\n");
        return CMD_STAY;
    }
    r = cpdb_module_call(s, "tracemalloc", "start", "(l)", frames);
    if (r == NULL) {
        return CMD_FAILED;
    }
    Py_DECREF(r);
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
    PyObject *mem, *limit, *over;
    char now[32], peak[32], own[32];
    (void)args;
    if (!is_tracing(s, 0)) {
        cpdb_out(s, "tracemalloc is not tracing: \"mem start [FRAMES]\" "
                 "starts it.\n");
        return CMD_STAY;
    }
    mem = cpdb_module_call(s, "tracemalloc", "get_traced_memory", NULL);
    limit = mem ? cpdb_module_call(s, "tracemalloc", "get_traceback_limit",
                                   NULL)
                : NULL;
    over = limit ? cpdb_module_call(s, "tracemalloc",
                                    "get_tracemalloc_memory", NULL)
                 : NULL;
    if (over == NULL || !PyTuple_Check(mem) || PyTuple_GET_SIZE(mem) != 2) {
        Py_XDECREF(mem);
        Py_XDECREF(limit);
        Py_XDECREF(over);
        return CMD_FAILED;
    }
    format_size(now, sizeof now, PyLong_AsLongLong(PyTuple_GET_ITEM(mem, 0)));
    format_size(peak, sizeof peak,
                PyLong_AsLongLong(PyTuple_GET_ITEM(mem, 1)));
    format_size(own, sizeof own, PyLong_AsLongLong(over));
    cpdb_out(s, "tracemalloc is tracing, %ld frame%s per allocation.\n"
             "Traced memory: %s now, %s at the peak; tracemalloc itself "
             "uses %s.\n", PyLong_AsLong(limit),
             PyLong_AsLong(limit) == 1 ? "" : "s", now, peak, own);
    cpdb_out(s, "Saved snapshots: %d.\n", sn->n);
    PyErr_Clear();
    Py_DECREF(mem);
    Py_DECREF(limit);
    Py_DECREF(over);
    return CMD_STAY;
}

/* --- top, snapshot, diff --------------------------------------------------- */

/* "[N] [files]" */
static int
parse_top_args(CpdbSession *s, const char *args, long *limit, int *by_file)
{
    char *text = cpdb_strip_dup(args), *word, *save = NULL;
    int rc = 0;
    *limit = 10;
    *by_file = 0;
    for (word = strtok_r(text, " \t", &save); word != NULL;
         word = strtok_r(NULL, " \t", &save)) {
        if (strcmp(word, "files") == 0 || strcmp(word, "file") == 0) {
            *by_file = 1;
        }
        else if (strcmp(word, "lines") == 0 || strcmp(word, "line") == 0) {
            *by_file = 0;
        }
        else if (cpdb_parse_int(word, limit) < 0 || *limit < 1) {
            cpdb_error(s, "Bad argument \"%s\": mem top [N] [lines|files].",
                       word);
            rc = -1;
            break;
        }
    }
    free(text);
    return rc;
}

static CmdResult
mem_top(CpdbSession *s, const char *args)
{
    long limit, i;
    int by_file;
    MemTable t;
    long long total = 0;
    char size[32], all[32];
    if (parse_top_args(s, args, &limit, &by_file) < 0
        || table_take(s, &t, by_file) < 0) {
        return CMD_FAILED;
    }
    for (i = 0; i < t.n; i++) {
        total += t.rows[i].size;
    }
    format_size(all, sizeof all, total);
    cpdb_out(s, "%s allocated by the program and still alive, top %ld %s:\n",
             all, limit < t.n ? limit : t.n, by_file ? "files" : "lines");
    for (i = 0; i < t.n && i < limit; i++) {
        MemRow *r = &t.rows[i];
        format_size(size, sizeof size, r->size);
        if (by_file) {
            cpdb_out(s, "  #%ld %s: %s in %lld block%s\n", i + 1, r->file,
                     size, r->count, r->count == 1 ? "" : "s");
        }
        else {
            cpdb_out(s, "  #%ld %s:%ld: %s in %lld block%s\n", i + 1, r->file,
                     r->line, size, r->count, r->count == 1 ? "" : "s");
            print_source(s, r->file, r->line);
        }
    }
    if (t.n == 0) {
        cpdb_out(s, "Nothing traced yet.\n");
    }
    table_fini(&t);
    return CMD_STAY;
}

static CmdResult
mem_snapshot(CpdbSession *s, const char *args)
{
    CpdbMemSnaps *sn = mem_snaps(s);
    char *name = cpdb_strip_dup(args), total_text[32];
    MemTable t;
    long long total = 0;
    long k;
    int i, is_new;
    if (table_take(s, &t, 0) < 0) {
        free(name);
        return CMD_FAILED;
    }
    if (*name == '\0') {
        free(name);
        name = cpdb_xasprintf("%d", sn->n + 1);
    }
    i = cpdb_named_slot(&sn->names, (void **)&sn->tables,
                        sizeof(MemTable), &sn->n, name, &is_new);
    if (!is_new) {
        table_fini(&sn->tables[i]);
    }
    sn->tables[i] = t;
    for (k = 0; k < t.n; k++) {
        total += t.rows[k].size;
    }
    format_size(total_text, sizeof total_text, total);
    cpdb_out(s, "Memory snapshot \"%s\": %s in %ld line%s.\n", name,
             total_text, t.n, t.n == 1 ? "" : "s");
    free(name);
    return CMD_STAY;
}

typedef struct MemChange {
    const MemRow *row;      /* in the newer table, or the older if gone */
    long long size_diff, count_diff, size_now;
} MemChange;

static int
row_key_cmp(const MemRow *a, const MemRow *b)
{
    int c = strcmp(a->file, b->file);
    return c != 0 ? c : (a->line > b->line) - (a->line < b->line);
}

static int
row_sort_key(const void *a, const void *b)
{
    return row_key_cmp(a, b);
}

static int
change_by_size(const void *a, const void *b)
{
    const MemChange *x = a, *y = b;
    long long dx = llabs(x->size_diff), dy = llabs(y->size_diff);
    if (dx != dy) {
        return (dx < dy) - (dx > dy);
    }
    return row_key_cmp(x->row, y->row);
}

static CmdResult
mem_diff(CpdbSession *s, const char *args)
{
    CpdbMemSnaps *sn = mem_snaps(s);
    MemTable now = {NULL, 0, 0}, a_sorted = {NULL, 0, 0};
    const MemTable *a, *b;
    MemRow *bs;
    MemChange *ch;
    long i, j, n_ch = 0, shown = 0;
    int ia, ib;
    long long total = 0;
    char size[32], now_size[32], sum[32], *missing;

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
    if (ib < 0 && table_take(s, &now, 0) < 0) {
        return CMD_FAILED;
    }
    a = &sn->tables[ia];
    b = ib >= 0 ? &sn->tables[ib] : &now;
    /* Sorted copies by (file, line), then one merge. */
    a_sorted.rows = cpdb_xmalloc(sizeof(MemRow) * (size_t)(a->n + 1));
    memcpy(a_sorted.rows, a->rows, sizeof(MemRow) * (size_t)a->n);
    qsort(a_sorted.rows, (size_t)a->n, sizeof(MemRow), row_sort_key);
    bs = cpdb_xmalloc(sizeof(MemRow) * (size_t)(b->n + 1));
    memcpy(bs, b->rows, sizeof(MemRow) * (size_t)b->n);
    qsort(bs, (size_t)b->n, sizeof(MemRow), row_sort_key);
    ch = cpdb_xmalloc(sizeof(MemChange) * (size_t)(a->n + b->n + 1));
    for (i = j = 0; i < a->n || j < b->n;) {
        int c = i >= a->n ? 1 : j >= b->n ? -1
                : row_key_cmp(&a_sorted.rows[i], &bs[j]);
        MemChange m;
        if (c < 0) {            /* gone */
            m.row = &a_sorted.rows[i];
            m.size_diff = -m.row->size;
            m.count_diff = -m.row->count;
            m.size_now = 0;
            i++;
        }
        else if (c > 0) {       /* new */
            m.row = &bs[j];
            m.size_diff = m.row->size;
            m.count_diff = m.row->count;
            m.size_now = m.row->size;
            j++;
        }
        else {
            m.row = &bs[j];
            m.size_diff = bs[j].size - a_sorted.rows[i].size;
            m.count_diff = bs[j].count - a_sorted.rows[i].count;
            m.size_now = bs[j].size;
            i++;
            j++;
        }
        if (m.size_diff != 0 || m.count_diff != 0) {
            ch[n_ch++] = m;
            total += m.size_diff;
        }
    }
    qsort(ch, (size_t)n_ch, sizeof(MemChange), change_by_size);
    format_size(sum, sizeof sum, total);
    cpdb_out(s, "From \"%s\" to %s%s%s: %s%s in all, by line:\n",
             sn->names[ia], ib >= 0 ? "\"" : "",
             ib >= 0 ? sn->names[ib] : "now", ib >= 0 ? "\"" : "",
             total > 0 ? "+" : "", sum);
    for (i = 0; i < n_ch && shown < 10; i++, shown++) {
        format_size(size, sizeof size, ch[i].size_diff);
        format_size(now_size, sizeof now_size, ch[i].size_now);
        cpdb_out(s, "  %s:%ld: %s%s (%+lld block%s), now %s\n",
                 ch[i].row->file, ch[i].row->line,
                 ch[i].size_diff > 0 ? "+" : "", size, ch[i].count_diff,
                 llabs(ch[i].count_diff) == 1 ? "" : "s", now_size);
        print_source(s, ch[i].row->file, ch[i].row->line);
    }
    if (n_ch == 0) {
        cpdb_out(s, "No line's memory changed.\n");
    }
    free(ch);
    free(bs);
    free(a_sorted.rows);
    table_fini(&now);
    return CMD_STAY;
}

/* --- where ----------------------------------------------------------------- */

static CmdResult
mem_where(CpdbSession *s, const char *args)
{
    PyObject *o, *tb;
    Py_ssize_t i, n;
    char *brief;
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
    tb = cpdb_module_call(s, "tracemalloc", "get_object_traceback", "(O)", o);
    brief = cpdb_obj_brief(o, 60);
    Py_DECREF(o);
    if (tb == NULL) {
        free(brief);
        return CMD_FAILED;
    }
    if (tb == Py_None) {
        cpdb_out(s, "tracemalloc did not see %s allocated: it is older than "
                 "\"mem start\".\n", brief);
        Py_DECREF(tb);
        free(brief);
        return CMD_STAY;
    }
    n = PySequence_Size(tb);
    cpdb_out(s, "%s was allocated at:\n", brief);
    /* The traceback runs oldest first: print the newest first, as bt. */
    for (i = n - 1; i >= 0; i--) {
        PyObject *frame = PySequence_GetItem(tb, i);
        PyObject *file = frame ? PyObject_GetAttrString(frame, "filename")
                               : NULL;
        PyObject *line = frame ? PyObject_GetAttrString(frame, "lineno")
                               : NULL;
        if (file != NULL && line != NULL && PyUnicode_Check(file)) {
            cpdb_out(s, "  #%zd %s:%ld\n", n - 1 - i, PyUnicode_AsUTF8(file),
                     PyLong_AsLong(line));
            print_source(s, PyUnicode_AsUTF8(file), PyLong_AsLong(line));
        }
        PyErr_Clear();
        Py_XDECREF(frame);
        Py_XDECREF(file);
        Py_XDECREF(line);
    }
    Py_DECREF(tb);
    free(brief);
    return CMD_STAY;
}

/* --- the table ------------------------------------------------------------- */

static const CmdDef mem_subcommands[] = {
    {"start", NULL, CMD_CLASS_MEMORY, 0, mem_start, "mem start [FRAMES]",
     "Start tracemalloc, keeping FRAMES frames (default 10) per allocation.\n"
     "Only memory allocated after this is traced.", NULL},
    {"stop", NULL, CMD_CLASS_MEMORY, 0, mem_stop, "mem stop",
     "Stop tracemalloc and drop its traces.", NULL},
    {"status", NULL, CMD_CLASS_MEMORY, 0, mem_status, "mem status",
     "Show whether tracemalloc traces, and how much memory it sees.", NULL},
    {"top", NULL, CMD_CLASS_MEMORY, 0, mem_top, "mem top [N] [lines|files]",
     "Show the N lines (or files) whose allocations hold the most memory.\n"
     "Counts what is still alive of what was allocated since \"mem start\";\n"
     "cpdb's and tracemalloc's own allocations are left out.", NULL},
    {"snapshot", NULL, CMD_CLASS_MEMORY, 0, mem_snapshot,
     "mem snapshot [NAME]",
     "Keep the memory held per line now under NAME (or 1, 2...).", NULL},
    {"diff", NULL, CMD_CLASS_MEMORY, 0, mem_diff, "mem diff [A [B]]",
     "Show the lines whose memory changed most between two snapshots.\n"
     "With no argument: the last two snapshots (or the last and now); with\n"
     "A: A and now; with A and B: A and B.", NULL},
    {"where", NULL, CMD_CLASS_MEMORY, 0, mem_where, "mem where OBJ",
     "Show where OBJ was allocated (needs \"mem start\" before it was).\n"
     "OBJ is an expression, $N, or an address cpdb printed.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

const CmdDef cpdb_cmds_mem[] = {
    {"mem", NULL, CMD_CLASS_MEMORY, 0, mem_status, "mem [SUBCOMMAND]",
     "Find where memory is allocated, with tracemalloc.\n"
     "\"mem start\", run the program on, then \"mem top\"; \"mem snapshot\"\n"
     "and \"mem diff\" compare two moments; \"mem where OBJ\" tells where an\n"
     "object was made.", mem_subcommands},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
