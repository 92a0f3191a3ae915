/* tracemalloc's traces grouped into C rows, their differences, and
   where an object was allocated.  The list of traces lives only while a
   table is filled; tracemalloc's own allocations and those of cpdb's
   expressions are left out here rather than by a tracemalloc.Filter,
   whose fnmatch patterns would themselves show up in the next table. */
#include "heap/tracemalloc.h"

#include <stdlib.h>
#include <string.h>

/* The file of the frame that gives a trace, at "mem start", to blocks
   allocated before: such a trace means "older than mem start". */
#define OLDER_FILE "<cpdb: older than mem start>"

/* --- tables -------------------------------------------------------------- */

int
cpdb_mem_is_library(const char *file, const char *stdlib_dir)
{
    size_t n = stdlib_dir != NULL ? strlen(stdlib_dir) : 0;
    if (strncmp(file, "<frozen ", 8) == 0 || strcmp(file, "<unknown>") == 0
        || strstr(file, "/site-packages/") != NULL
        || strstr(file, "/dist-packages/") != NULL) {
        return 1;
    }
    return n > 0 && strncmp(file, stdlib_dir, n) == 0;
}

/* What filling one table needs besides the table. */
typedef struct TableFill {
    CpdbMemTable *t;
    const char *own;        /* tracemalloc's own file, or NULL */
    char *stdlib_dir;       /* malloc'd, ending in '/', or NULL */
    PyObject *groups;       /* strong: (file, line, library_only) -> row */
    PyObject *library;      /* strong: file -> whether library code */
} TableFill;

/* Return: the standard library's folder, the one of os.py, with a
   trailing '/' (malloc'd), or NULL. */
static char *
stdlib_folder(void)
{
    PyObject *os = PyImport_ImportModule("os");
    PyObject *file = os ? PyObject_GetAttrString(os, "__file__") : NULL;
    const char *path = file && PyUnicode_Check(file)
                       ? PyUnicode_AsUTF8(file) : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    char *dir = NULL;
    if (slash != NULL) {
        dir = cpdb_xasprintf("%.*s/", (int)(slash - path), path);
    }
    PyErr_Clear();
    Py_XDECREF(file);
    Py_XDECREF(os);
    return dir;
}

/* Whether the file of a frame is library code (see
   cpdb_mem_is_library), answered once per file.  Return 1 or 0. */
static int
is_library_file(TableFill *f, PyObject *file)
{
    PyObject *known = PyDict_GetItemWithError(f->library, file); /* bor. */
    int yes;
    if (known != NULL) {
        return known == Py_True;
    }
    PyErr_Clear();
    yes = !PyUnicode_Check(file) || PyUnicode_AsUTF8(file) == NULL
          || cpdb_mem_is_library(PyUnicode_AsUTF8(file), f->stdlib_dir);
    PyErr_Clear();
    if (PyDict_SetItem(f->library, file, yes ? Py_True : Py_False) < 0) {
        PyErr_Clear();
    }
    return yes;
}

/* The frame's file (borrowed: owned by frame), or NULL. */
static PyObject *
frame_file(PyObject *frame)
{
    return PyTuple_Check(frame) && PyTuple_GET_SIZE(frame) == 2
           && PyUnicode_Check(PyTuple_GET_ITEM(frame, 0))
           ? PyTuple_GET_ITEM(frame, 0) : NULL;
}

static int
is_named(PyObject *file, const char *name)
{
    const char *f = file != NULL ? PyUnicode_AsUTF8(file) : NULL;
    PyErr_Clear();
    return f != NULL && name != NULL && strcmp(f, name) == 0;
}

/* Return: the index of the frame a trace counts at, or -1 when it is
   left out (tracemalloc's, cpdb's, no Python frame).  *library_only is
   set when an own-code table counts it at its newest frame. */
static Py_ssize_t
frame_to_count(TableFill *f, PyObject *frames, int *library_only)
{
    Py_ssize_t i, n = PyTuple_GET_SIZE(frames), pick = -1;
    PyObject *newest = n > 0 ? frame_file(PyTuple_GET_ITEM(frames, 0))
                             : NULL;
    *library_only = 0;
    if (newest == NULL || is_named(newest, "<unknown>")
        || is_named(newest, f->own)) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        PyObject *file = frame_file(PyTuple_GET_ITEM(frames, i));
        if (file == NULL || is_named(file, "<cpdb>")
            || is_named(file, OLDER_FILE)) {
            return -1;
        }
        if (pick < 0 && f->t->own_code && !is_library_file(f, file)) {
            pick = i;
        }
    }
    if (pick < 0) {
        *library_only = f->t->own_code;
        pick = 0;
    }
    return pick;
}

/* Count one trace, (domain, size, frames newest first, total frames),
   into its row. */
static void
add_trace(TableFill *f, PyObject *trace)
{
    PyObject *frames, *frame, *key = NULL, *row;
    const char *name;
    Py_ssize_t pick;
    int library_only;
    long line;
    CpdbMemRow *r;

    if (!PyTuple_Check(trace) || PyTuple_GET_SIZE(trace) < 3
        || !PyTuple_Check(frames = PyTuple_GET_ITEM(trace, 2))
        || (pick = frame_to_count(f, frames, &library_only)) < 0) {
        return;
    }
    frame = PyTuple_GET_ITEM(frames, pick);
    name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(frame, 0));
    line = f->t->by_file ? 0 : PyLong_AsLong(PyTuple_GET_ITEM(frame, 1));
    key = name == NULL ? NULL : Py_BuildValue("(Oli)",
                                              PyTuple_GET_ITEM(frame, 0),
                                              line, library_only);
    row = key != NULL ? PyDict_GetItemWithError(f->groups, key) : NULL;
    if (row == NULL && key != NULL && !PyErr_Occurred()) {
        CpdbMemRow fresh;
        memset(&fresh, 0, sizeof fresh);
        fresh.file = cpdb_xstrdup(name);
        fresh.line = line;
        fresh.library_only = library_only;
        cpdb_array_push(&f->t->rows, fresh);
        row = PyLong_FromSize_t(f->t->rows.n - 1);
        if (row == NULL || PyDict_SetItem(f->groups, key, row) < 0) {
            Py_XDECREF(row);
            goto done;
        }
        Py_DECREF(row);             /* the dict keeps it */
    }
    if (row != NULL) {
        r = &f->t->rows.items[PyLong_AsSize_t(row)];
        r->size += PyLong_AsLongLong(PyTuple_GET_ITEM(trace, 1));
        r->count++;
        if (library_only && PyTuple_GET_SIZE(trace) >= 4
            && PyLong_AsLong(PyTuple_GET_ITEM(trace, 3))
               > (long)PyTuple_GET_SIZE(frames)) {
            r->cut = 1;
        }
    }
done:
    PyErr_Clear();
    Py_XDECREF(key);
}

static int
row_by_size(const void *a, const void *b)
{
    const CpdbMemRow *x = a, *y = b;
    int c;
    if (x->size != y->size) {
        return (x->size < y->size) - (x->size > y->size);
    }
    if (x->count != y->count) {
        return (x->count < y->count) - (x->count > y->count);
    }
    c = strcmp(x->file, y->file);
    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

int
cpdb_mem_table_take(CpdbMemTable *t, PyObject *tm, int by_file,
                    int own_code, CpdbGuard *busy)
{
    PyObject *traces = NULL, *limit = NULL, *own_file = NULL;
    TableFill f;
    Py_ssize_t i;
    int rc = -1;

    memset(t, 0, sizeof *t);
    memset(&f, 0, sizeof f);
    t->by_file = by_file;
    t->own_code = own_code;
    f.t = t;
    /* The raw traces, grouped here: Snapshot.statistics() groups by a
       whole traceback or by its newest frame only. */
    cpdb_guard_begin(busy);
    traces = PyObject_CallMethod(tm, "_get_traces", NULL);
    limit = traces ? PyObject_CallMethod(tm, "get_traceback_limit", NULL)
                   : NULL;
    cpdb_guard_end(busy);
    if (limit == NULL) {
        goto done;
    }
    if (!PyList_Check(traces)) {
        PyErr_SetString(PyExc_TypeError, "_get_traces() is not a list");
        goto done;
    }
    t->frames = PyLong_AsLong(limit);
    own_file = PyObject_GetAttrString(tm, "__file__");
    f.own = own_file && PyUnicode_Check(own_file)
            ? PyUnicode_AsUTF8(own_file) : NULL;
    PyErr_Clear();
    f.stdlib_dir = stdlib_folder();
    f.groups = PyDict_New();
    f.library = PyDict_New();
    if (f.groups == NULL || f.library == NULL) {
        goto done;
    }
    for (i = 0; i < PyList_GET_SIZE(traces); i++) {
        add_trace(&f, PyList_GET_ITEM(traces, i));
    }
    if (t->rows.n > 0) {
        qsort(t->rows.items, t->rows.n, sizeof(CpdbMemRow), row_by_size);
    }
    rc = 0;
done:
    Py_XDECREF(f.groups);
    Py_XDECREF(f.library);
    free(f.stdlib_dir);
    Py_XDECREF(own_file);
    Py_XDECREF(limit);
    Py_XDECREF(traces);
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

/* Fill out with the frames of a traceback as tracemalloc's C side gives
   it: a tuple of (filename, lineno), newest first; frames that cannot
   be read are left out (their depth is not reused). */
static void
frames_of(PyObject *tb, CpdbMemFrames *out)
{
    Py_ssize_t i, n = PyTuple_Check(tb) ? PyTuple_GET_SIZE(tb) : 0;
    memset(out, 0, sizeof *out);
    for (i = 0; i < n; i++) {
        PyObject *frame = PyTuple_GET_ITEM(tb, i);
        PyObject *file = frame_file(frame);
        const char *f = file != NULL ? PyUnicode_AsUTF8(file) : NULL;
        if (f != NULL) {
            CpdbMemFrame m;
            m.depth = (long)i;
            m.file = cpdb_xstrdup(f);
            m.line = PyLong_AsLong(PyTuple_GET_ITEM(frame, 1));
            cpdb_array_push(out, m);
        }
        PyErr_Clear();
    }
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

/* --- where an object was allocated -------------------------------------- */

/* The entries the smallest dict table holds (USABLE_FRACTION of 8 in
   dictobject.c): only key tables of that size come from the free list
   of key tables, whose reuse tracemalloc is not told of. */
#define DICT_MIN_USABLE 5

/* Return: the block holding what o contains that is allocated for o
   alone and never taken from a free list (NULL if none), *what naming
   it. */
static const void *
contents_block(PyObject *o, const char **what)
{
    if (PyList_CheckExact(o) && ((PyListObject *)o)->ob_item != NULL) {
        *what = "item array";
        return ((PyListObject *)o)->ob_item;
    }
    if (PyDict_CheckExact(o) && ((PyDictObject *)o)->ma_values == NULL
        && ((PyDictObject *)o)->ma_used > DICT_MIN_USABLE) {
        *what = "key table";
        return ((PyDictObject *)o)->ma_keys;
    }
    return NULL;
}

/* Fill out with tracemalloc's frames of the block at block, none when
   it has no trace or the one "mem start" gave a block allocated before.
   Return 0, or -1 with an exception set. */
static int
block_frames(const void *block, CpdbMemFrames *out)
{
    PyObject *tb = cpdb_tracemalloc_traceback(block);
    memset(out, 0, sizeof *out);
    if (tb == NULL) {
        return -1;
    }
    frames_of(tb, out);
    Py_DECREF(tb);
    if (out->n > 0 && strcmp(out->items[0].file, OLDER_FILE) == 0) {
        cpdb_mem_frames_fini(out);
    }
    return 0;
}

int
cpdb_mem_where(PyObject *o, CpdbMemWhere *w)
{
    const void *part;
    memset(w, 0, sizeof *w);
    w->free_list = cpdb_type_has_free_list(Py_TYPE(o));
    if (block_frames(cpdb_object_block(o), &w->frames) < 0) {
        return -1;
    }
    /* An object made from a free list has a trace only when the block
       it reuses was allocated after tracing began (tracemalloc then
       moves the trace to the new object); otherwise its contents may
       still tell. */
    if (w->frames.n == 0 && w->free_list
        && (part = contents_block(o, &w->part)) != NULL) {
        if (block_frames(part, &w->part_frames) < 0) {
            return -1;
        }
        if (w->part_frames.n == 0) {
            w->part = NULL;
        }
    }
    return 0;
}

void
cpdb_mem_where_fini(CpdbMemWhere *w)
{
    cpdb_mem_frames_fini(&w->frames);
    cpdb_mem_frames_fini(&w->part_frames);
    w->part = NULL;
}

/* --- free lists ---------------------------------------------------------- */

/* The kinds of object CPython makes from a free list (list, dict,
   float, and tuples of 1 to 19 items, PyTuple_MAXSAVESIZE - 1, one
   free list per size), the same on 3.10 to 3.13. */
enum { KIND_LIST, KIND_DICT, KIND_FLOAT, KIND_TUPLE1 };
#define N_KINDS (KIND_TUPLE1 + 19)
/* The most a free list holds (PyTuple_MAXFREELIST, the largest). */
#define FREE_LIST_MOST 2000
/* Blocks with a trace in a row that end the search of a free list
   (fresh memory: the free list is empty).  More than one, in case a
   block freed since tracing began lies on top of older ones. */
#define TRACED_IN_A_ROW 4

/* Return: a new object of the kind, or NULL with an exception set. */
static PyObject *
make_kind(int kind)
{
    switch (kind) {
    case KIND_LIST:
        return PyList_New(0);
    case KIND_DICT:
        return PyDict_New();
    case KIND_FLOAT:
        return PyFloat_FromDouble(0.5);
    default:
        return PyTuple_New(kind - KIND_TUPLE1 + 1);
    }
}

/* Return: the bytes of o's memory block, header and pre-header. */
static size_t
block_size(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    size_t n = (size_t)((const char *)o
                        - (const char *)cpdb_object_block(o))
               + (size_t)t->tp_basicsize;
    if (t->tp_itemsize > 0) {
        n += (size_t)(Py_SIZE(o) * t->tp_itemsize);
        n = (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
    }
    return n;
}

/* Give a trace to the free list's blocks of one kind that have none:
   take objects of that kind until TRACED_IN_A_ROW in a row have a trace
   (fresh memory, or blocks freed since tracing began), tracing each
   block that had none, then free them all, back into the free list.
   Return 0, or -1 with an exception set. */
static int
trace_free_list(int kind)
{
    PyObject **held = cpdb_xmalloc(sizeof(PyObject *) * FREE_LIST_MOST);
    int n = 0, in_a_row = 0, rc = 0;
    while (n < FREE_LIST_MOST && in_a_row < TRACED_IN_A_ROW) {
        PyObject *o = make_kind(kind), *tb;
        const void *block;
        if (o == NULL) {
            rc = -1;
            break;
        }
        held[n++] = o;
        block = cpdb_object_block(o);
        tb = cpdb_tracemalloc_traceback(block);
        if (tb == NULL) {
            rc = -1;
            break;
        }
        if (tb != Py_None) {
            in_a_row++;
        }
        /* From now on tracemalloc moves this trace to the next object
           made in this block, as for any block allocated while
           tracing. */
        else if (PyTraceMalloc_Track(0, (uintptr_t)block,
                                     block_size(o)) < 0) {
            Py_DECREF(tb);
            break;
        }
        else {
            in_a_row = 0;
        }
        Py_DECREF(tb);
    }
    while (n > 0) {
        Py_DECREF(held[--n]);
    }
    free(held);
    return rc;
}

/* The most objects of generation 0 given a trace: it holds more only
   when the program turned the collector off, and is not young then. */
#define YOUNG_MOST 100000

/* Return: the objects in generation 0 (gc.get_count()[0]), or -1. */
static long
young_count(PyObject *gc)
{
    PyObject *counts = PyObject_CallMethod(gc, "get_count", NULL);
    long n = counts != NULL && PyTuple_Check(counts)
             && PyTuple_GET_SIZE(counts) > 0
             ? PyLong_AsLong(PyTuple_GET_ITEM(counts, 0)) : -1;
    Py_XDECREF(counts);
    PyErr_Clear();
    return n;
}

/* Give a trace to the blocks of the lists, dicts and tuples in the
   collector's young generations (0 and 1): the objects made before
   tracing that are likeliest to be freed soon, into a free list (the
   garbage of cpdb's own import of tracemalloc.py among them).  The gc
   module is imported already (by the caller of
   cpdb_mem_trace_free_lists).  Return 0, or -1 with an exception
   set. */
static int
trace_young(void)
{
    PyObject *gc = PyImport_ImportModule("gc"), *objs = NULL;
    int gen, rc = 0;
    for (gen = 0; gc != NULL && gen < 2 && rc == 0; gen++) {
        Py_ssize_t i;
        if (gen == 0 && young_count(gc) > YOUNG_MOST) {
            continue;
        }
        objs = PyObject_CallMethod(gc, "get_objects", "(i)", gen);
        if (objs == NULL || !PyList_Check(objs)) {
            rc = -1;
            break;
        }
        for (i = 0; i < PyList_GET_SIZE(objs); i++) {
            PyObject *o = PyList_GET_ITEM(objs, i);
            if (cpdb_type_has_free_list(Py_TYPE(o))) {
                PyTraceMalloc_Track(0, (uintptr_t)cpdb_object_block(o),
                                    block_size(o));
            }
        }
        Py_CLEAR(objs);
    }
    if (objs != NULL) {
        PyErr_SetString(PyExc_TypeError, "gc.get_objects() is not a list");
    }
    Py_XDECREF(objs);
    Py_XDECREF(gc);
    return gc != NULL ? rc : -1;
}

static PyObject *
trace_free_lists(PyObject *self, PyObject *unused)
{
    int kind;
    (void)self;
    (void)unused;
    if (trace_young() < 0) {
        return NULL;
    }
    for (kind = 0; kind < N_KINDS; kind++) {
        if (trace_free_list(kind) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

static PyMethodDef trace_free_lists_def = {
    "trace_free_lists", trace_free_lists, METH_NOARGS, NULL
};

/* The OLDER_FILE code that calls trace_free_lists, and its globals: made
   once and kept for the life of the process, since freeing them would
   put untraced blocks (its dict, its code's tuples) back in the free
   lists just emptied of them; untracked by the collector, so that no
   heap answer shows them.  Strong, never released. */
static PyObject *tracer_code, *tracer_globals;

/* Take o, one of the tracer's, out of the collector's lists (and so out
   of every census): it holds nothing that could make a cycle. */
static void
untrack(PyObject *o)
{
    if (PyObject_IS_GC(o) && PyObject_GC_IsTracked(o)) {
        PyObject_GC_UnTrack(o);
    }
}

int
cpdb_mem_free_lists_tracer_make(void)
{
    PyObject *fn, *globals, *code, *names;
    if (tracer_code != NULL) {
        return 0;
    }
    fn = PyCFunction_New(&trace_free_lists_def, NULL);
    globals = fn ? PyDict_New() : NULL;
    if (globals == NULL
        || PyDict_SetItemString(globals, "__builtins__",
                                PyEval_GetBuiltins()) < 0
        || PyDict_SetItemString(globals, "trace_free_lists", fn) < 0
        || (code = Py_CompileString("trace_free_lists()", OLDER_FILE,
                                    Py_eval_input)) == NULL) {
        Py_XDECREF(globals);
        Py_XDECREF(fn);
        return -1;
    }
    untrack(fn);
    untrack(globals);
    names = PyObject_GetAttrString(code, "co_names");   /* a tuple */
    if (names != NULL) {
        untrack(names);
        Py_DECREF(names);
    }
    PyErr_Clear();
    Py_DECREF(fn);                  /* globals keeps it */
    tracer_globals = globals;
    tracer_code = code;
    return 0;
}

int
cpdb_mem_trace_free_lists(CpdbGuard *busy)
{
    PyObject *r;
    if (cpdb_mem_free_lists_tracer_make() < 0) {
        return -1;
    }
    /* Run from a frame of its own, so that the traces it makes name it,
       not the program's line, while their blocks wait unused. */
    cpdb_guard_begin(busy);
    r = PyEval_EvalCode(tracer_code, tracer_globals, tracer_globals);
    cpdb_guard_end(busy);
    Py_XDECREF(r);
    return r != NULL ? 0 : -1;
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
