/* tracemalloc's statistics as C rows, and their differences.  The
   snapshot and statistics objects live only while a table is filled;
   tracemalloc's own allocations and those of cpdb's expressions are left
   out here rather than by a tracemalloc.Filter, whose fnmatch patterns
   would themselves show up in the next table. */
#include "heap/tracemalloc.h"

#include <stdlib.h>
#include <string.h>

/* --- tables -------------------------------------------------------------- */

/* Append the row of one Statistic (group: its traceback's first frame)
   unless it is tracemalloc's (own: its file, or NULL) or cpdb's. */
static void
add_stat(CpdbMemTable *t, PyObject *st, const char *own)
{
    PyObject *tb = PyObject_GetAttrString(st, "traceback");
    PyObject *frame = tb ? PySequence_GetItem(tb, 0) : NULL;
    PyObject *file = frame ? PyObject_GetAttrString(frame, "filename")
                           : NULL;
    PyObject *line = frame ? PyObject_GetAttrString(frame, "lineno") : NULL;
    PyObject *size = PyObject_GetAttrString(st, "size");
    PyObject *count = PyObject_GetAttrString(st, "count");
    const char *f = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file)
                                                  : NULL;
    if (f != NULL && size != NULL && count != NULL
        && strcmp(f, "<unknown>") != 0 && strcmp(f, "<cpdb>") != 0
        && (own == NULL || strcmp(f, own) != 0)) {
        CpdbMemRow r;
        r.file = cpdb_xstrdup(f);
        r.line = line && !t->by_file ? PyLong_AsLong(line) : 0;
        r.size = PyLong_AsLongLong(size);
        r.count = PyLong_AsLongLong(count);
        cpdb_array_push(&t->rows, r);
    }
    PyErr_Clear();
    Py_XDECREF(tb);
    Py_XDECREF(frame);
    Py_XDECREF(file);
    Py_XDECREF(line);
    Py_XDECREF(size);
    Py_XDECREF(count);
}

int
cpdb_mem_table_take(CpdbMemTable *t, PyObject *tm, int by_file,
                    CpdbGuard *busy)
{
    PyObject *snap = NULL, *stats = NULL, *own_file = NULL;
    const char *own;
    Py_ssize_t i;
    int rc = -1;

    memset(t, 0, sizeof *t);
    t->by_file = by_file;
    cpdb_guard_begin(busy);
    snap = PyObject_CallMethod(tm, "take_snapshot", NULL);
    if (snap != NULL) {
        stats = PyObject_CallMethod(snap, "statistics", "(s)",
                                    by_file ? "filename" : "lineno");
    }
    cpdb_guard_end(busy);
    if (stats == NULL) {
        goto done;
    }
    if (!PyList_Check(stats)) {
        PyErr_SetString(PyExc_TypeError, "statistics() is not a list");
        goto done;
    }
    own_file = PyObject_GetAttrString(tm, "__file__");
    own = own_file && PyUnicode_Check(own_file) ? PyUnicode_AsUTF8(own_file)
                                                : NULL;
    PyErr_Clear();
    for (i = 0; i < PyList_GET_SIZE(stats); i++) {
        add_stat(t, PyList_GET_ITEM(stats, i), own);
    }
    rc = 0;
done:
    Py_XDECREF(own_file);
    Py_XDECREF(stats);
    Py_XDECREF(snap);
    return rc;
}

void
cpdb_mem_table_fini(CpdbMemTable *t)
{
    size_t i;
    for (i = 0; i < t->rows.n; i++) {
        free(t->rows.items[i].file);
    }
    free(t->rows.items);
    memset(&t->rows, 0, sizeof t->rows);
}

long long
cpdb_mem_table_total(const CpdbMemTable *t)
{
    long long total = 0;
    size_t i;
    for (i = 0; i < t->rows.n; i++) {
        total += t->rows.items[i].size;
    }
    return total;
}

/* --- differences --------------------------------------------------------- */

static int
key_cmp(const char *file_a, long line_a, const char *file_b, long line_b)
{
    int c = strcmp(file_a, file_b);
    return c != 0 ? c : (line_a > line_b) - (line_a < line_b);
}

static int
row_by_key(const void *a, const void *b)
{
    const CpdbMemRow *x = a, *y = b;
    return key_cmp(x->file, x->line, y->file, y->line);
}

static int
change_by_size(const void *a, const void *b)
{
    const CpdbMemChange *x = a, *y = b;
    long long dx = llabs(x->size_diff), dy = llabs(y->size_diff);
    if (dx != dy) {
        return (dx < dy) - (dx > dy);
    }
    return key_cmp(x->file, x->line, y->file, y->line);
}

/* Return: a copy of t's rows sorted by file and line (the files still
   t's), malloc'd. */
static CpdbMemRow *
rows_by_key(const CpdbMemTable *t)
{
    CpdbMemRow *rows = cpdb_xmalloc(sizeof(CpdbMemRow) * (t->rows.n + 1));
    if (t->rows.n > 0) {
        memcpy(rows, t->rows.items, sizeof(CpdbMemRow) * t->rows.n);
    }
    qsort(rows, t->rows.n, sizeof(CpdbMemRow), row_by_key);
    return rows;
}

/* The change from before to after; either may be NULL (new, gone). */
static CpdbMemChange
change_of(const CpdbMemRow *before, const CpdbMemRow *after)
{
    const CpdbMemRow *key = after ? after : before;
    CpdbMemChange m;
    m.file = key->file;
    m.line = key->line;
    m.size_now = after ? after->size : 0;
    m.size_diff = m.size_now - (before ? before->size : 0);
    m.count_diff = (after ? after->count : 0) - (before ? before->count : 0);
    return m;
}

CpdbMemChange *
cpdb_mem_table_diff(const CpdbMemTable *a, const CpdbMemTable *b, size_t *n,
                    long long *total)
{
    CpdbMemRow *as = rows_by_key(a), *bs = rows_by_key(b);
    size_t na = a->rows.n, nb = b->rows.n, i, j;
    CpdbMemChange *ch = cpdb_xmalloc(sizeof(CpdbMemChange) * (na + nb + 1));

    /* One merge of the two sorted copies. */
    *n = 0;
    *total = 0;
    for (i = j = 0; i < na || j < nb;) {
        int c = i >= na ? 1 : j >= nb ? -1
                : key_cmp(as[i].file, as[i].line, bs[j].file, bs[j].line);
        CpdbMemChange m = change_of(c <= 0 ? &as[i] : NULL,
                                    c >= 0 ? &bs[j] : NULL);
        i += c <= 0;
        j += c >= 0;
        if (m.size_diff != 0 || m.count_diff != 0) {
            ch[(*n)++] = m;
            *total += m.size_diff;
        }
    }
    qsort(ch, *n, sizeof(CpdbMemChange), change_by_size);
    free(as);
    free(bs);
    return ch;
}

/* --- tracebacks and status ----------------------------------------------- */

void
cpdb_mem_frames_of(PyObject *tb, CpdbMemFrames *out)
{
    Py_ssize_t i, n = PySequence_Size(tb);
    memset(out, 0, sizeof *out);
    /* The traceback runs oldest first. */
    for (i = n - 1; i >= 0; i--) {
        PyObject *frame = PySequence_GetItem(tb, i);
        PyObject *file = frame ? PyObject_GetAttrString(frame, "filename")
                               : NULL;
        PyObject *line = frame ? PyObject_GetAttrString(frame, "lineno")
                               : NULL;
        if (file != NULL && line != NULL && PyUnicode_Check(file)
            && PyUnicode_AsUTF8(file) != NULL) {
            CpdbMemFrame f;
            f.depth = (long)(n - 1 - i);
            f.file = cpdb_xstrdup(PyUnicode_AsUTF8(file));
            f.line = PyLong_AsLong(line);
            cpdb_array_push(out, f);
        }
        PyErr_Clear();
        Py_XDECREF(frame);
        Py_XDECREF(file);
        Py_XDECREF(line);
    }
    PyErr_Clear();
}

void
cpdb_mem_frames_fini(CpdbMemFrames *f)
{
    size_t i;
    for (i = 0; i < f->n; i++) {
        free(f->items[i].file);
    }
    free(f->items);
    memset(f, 0, sizeof *f);
}

/* Return: new reference to tm.NAME(), called as debugger work; NULL
   with an exception set. */
static PyObject *
call_tm(PyObject *tm, const char *name, CpdbGuard *busy)
{
    PyObject *r;
    cpdb_guard_begin(busy);
    r = PyObject_CallMethod(tm, name, NULL);
    cpdb_guard_end(busy);
    return r;
}

int
cpdb_mem_status(CpdbMemStatus *st, PyObject *tm, CpdbGuard *busy)
{
    PyObject *mem, *limit = NULL, *own = NULL;
    int rc = -1;

    memset(st, 0, sizeof *st);
    mem = call_tm(tm, "get_traced_memory", busy);
    if (mem == NULL || (limit = call_tm(tm, "get_traceback_limit",
                                        busy)) == NULL
        || (own = call_tm(tm, "get_tracemalloc_memory", busy)) == NULL) {
        goto done;
    }
    if (!PyTuple_Check(mem) || PyTuple_GET_SIZE(mem) != 2) {
        PyErr_SetString(PyExc_TypeError,
                        "get_traced_memory() is not a pair");
        goto done;
    }
    st->traced = PyLong_AsLongLong(PyTuple_GET_ITEM(mem, 0));
    st->peak = PyLong_AsLongLong(PyTuple_GET_ITEM(mem, 1));
    st->own = PyLong_AsLongLong(own);
    st->frames = PyLong_AsLong(limit);
    PyErr_Clear();
    rc = 0;
done:
    Py_XDECREF(mem);
    Py_XDECREF(limit);
    Py_XDECREF(own);
    return rc;
}
