/* Breakpoints and the per-code-object decision "can a frame of this code
   stop at a breakpoint?".  The decision is cached in a code-object extra
   slot together with the breakpoint generation it was made for, so the
   trace hot path pays one comparison per call; it is made again only
   after breakpoints change.  The table stands alone: its owner compiles
   conditions, evaluates them through a function it gives, and hears of
   every change through a hook. */
#include "core/breakpoints.h"
#include "core/catch.h"
#include "core/source.h"
#include "core/watch.h"
#include "base/text.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct CodeInfo {
    unsigned generation;    /* of the breakpoint table when decided */
    int has_breaks;         /* an enabled breakpoint on one of its lines */
    int file_has_breaks;    /* any breakpoint in its file */
    int has_func_breaks;    /* an enabled function breakpoint in it */
    int file_id;            /* -1 until known */
} CodeInfo;

static void
free_code_info(void *extra)
{
    free(extra);
}

int
cpdb_bp_table_init(CpdbBpTable *t)
{
    memset(t, 0, sizeof *t);
    t->next_number = 1;
    t->generation = 1;
    t->code_extra = cpdb_code_extra_index(free_code_info);
    if (t->code_extra < 0) {
        PyErr_Clear();
        return -1;
    }
    return 0;
}

static void
bp_free(CpdbBreakpoint *bp)
{
    free(bp->path);
    free(bp->func);
    free(bp->code_name);
    free(bp->cond);
    Py_XDECREF(bp->cond_code);
    cpdb_watch_free(bp->watch);
    cpdb_catch_free(bp->catch);
    free(bp);
}

void
cpdb_bp_table_fini(CpdbBpTable *t)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        bp_free(t->items[i]);
    }
    free(t->items);
    for (i = 0; i < t->files.n; i++) {
        free(t->files.items[i]);
    }
    free(t->files.items);
    memset(t, 0, sizeof *t);
}

void
cpdb_bp_changed(CpdbBpTable *t)
{
    t->generation++;
    if (t->generation == 0) {
        t->generation = 1;
    }
    if (t->on_change != NULL) {
        t->on_change(t->change_ctx);
    }
}

/* --- the file table --------------------------------------------------- */

int
cpdb_file_id(CpdbBpTable *t, const char *canonical_path)
{
    size_t i;
    for (i = 0; i < t->files.n; i++) {
        if (strcmp(t->files.items[i], canonical_path) == 0) {
            return (int)i;
        }
    }
    cpdb_array_push(&t->files, cpdb_xstrdup(canonical_path));
    return (int)t->files.n - 1;
}

static CodeInfo *
code_info(CpdbBpTable *t, PyCodeObject *code)
{
    void *extra = NULL;
    CodeInfo *ci;
    if (cpdb_code_get_extra((PyObject *)code, t->code_extra, &extra) < 0) {
        PyErr_Clear();
        return NULL;
    }
    if (extra != NULL) {
        return extra;
    }
    ci = malloc(sizeof *ci);
    if (ci == NULL) {
        return NULL;
    }
    ci->generation = 0;
    ci->has_breaks = 0;
    ci->file_has_breaks = 0;
    ci->has_func_breaks = 0;
    ci->file_id = -1;
    if (cpdb_code_set_extra((PyObject *)code, t->code_extra, ci) < 0) {
        PyErr_Clear();
        free(ci);
        return NULL;
    }
    return ci;
}

static int
compute_file_id(CpdbBpTable *t, PyCodeObject *code)
{
    const char *fn = PyUnicode_AsUTF8(code->co_filename);
    char *canon;
    int id;
    if (fn == NULL) {
        PyErr_Clear();
        return cpdb_file_id(t, "<unknown>");
    }
    if (fn[0] == '<') {
        return cpdb_file_id(t, fn);
    }
    canon = cpdb_path_canonical(fn);
    id = cpdb_file_id(t, canon);
    free(canon);
    return id;
}

int
cpdb_code_file_id(CpdbBpTable *t, PyCodeObject *code)
{
    CodeInfo *ci = code_info(t, code);
    if (ci == NULL) {
        return compute_file_id(t, code);
    }
    if (ci->file_id < 0) {
        ci->file_id = compute_file_id(t, code);
    }
    return ci->file_id;
}

/* Whether line is one of the code object's own lines. */
static int
code_has_line(PyCodeObject *code, int line)
{
    PyObject *lines, *it, *item;
    int found = 0;
    lines = PyObject_CallMethod((PyObject *)code, "co_lines", NULL);
    it = lines ? PyObject_GetIter(lines) : NULL;
    Py_XDECREF(lines);
    if (it == NULL) {
        PyErr_Clear();
        return 0;
    }
    while (!found && (item = PyIter_Next(it)) != NULL) {
        if (PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 3) {
            PyObject *ln = PyTuple_GET_ITEM(item, 2);
            if (PyLong_Check(ln) && PyLong_AsLong(ln) == line) {
                found = 1;
            }
        }
        Py_DECREF(item);
    }
    Py_DECREF(it);
    PyErr_Clear();
    return found;
}

/* Whether bp may fire in frames of code: a function breakpoint only in
   its function's own code. */
static int
bp_in_code(const CpdbBreakpoint *bp, PyCodeObject *code)
{
    if (bp->func == NULL || bp->code_name == NULL) {
        return 1;
    }
    return code->co_firstlineno == bp->def_line
           && PyUnicode_CompareWithASCIIString(code->co_name,
                                               bp->code_name) == 0;
}

/* Decide both questions for a code object.  Return: its info (NULL if
   out of memory) with has_breaks and file_has_breaks current; *has and
   *in_file receive them either way. */
static void
decide(CpdbBpTable *t, PyCodeObject *code, int *has, int *in_file,
       int *has_func)
{
    CodeInfo *ci;
    size_t i;
    int file_id;

    *has = *in_file = *has_func = 0;
    if (t->n == 0) {
        return;
    }
    ci = code_info(t, code);
    if (ci != NULL && ci->generation == t->generation) {
        *has = ci->has_breaks;
        *in_file = ci->file_has_breaks;
        *has_func = ci->has_func_breaks;
        return;
    }
    file_id = cpdb_code_file_id(t, code);
    for (i = 0; i < t->n; i++) {
        CpdbBreakpoint *bp = t->items[i];
        if (bp->file_id != file_id) {
            continue;
        }
        *in_file = 1;
        if (bp->enabled && bp->line >= code->co_firstlineno
            && (!*has || (bp->func != NULL && !*has_func))
            && bp_in_code(bp, code) && code_has_line(code, bp->line)) {
            *has = 1;
            if (bp->func != NULL) {
                *has_func = 1;
            }
        }
    }
    if (ci != NULL) {
        ci->generation = t->generation;
        ci->has_breaks = *has;
        ci->file_has_breaks = *in_file;
        ci->has_func_breaks = *has_func;
    }
}

int
cpdb_bp_code_has_breaks(CpdbBpTable *t, PyCodeObject *code)
{
    int has, in_file, has_func;
    decide(t, code, &has, &in_file, &has_func);
    return has;
}

int
cpdb_bp_file_has_breaks(CpdbBpTable *t, PyCodeObject *code)
{
    int has, in_file, has_func;
    decide(t, code, &has, &in_file, &has_func);
    return in_file;
}

int
cpdb_bp_code_has_function_break(CpdbBpTable *t, PyCodeObject *code)
{
    int has, in_file, has_func;
    decide(t, code, &has, &in_file, &has_func);
    return has_func;
}

int
cpdb_bp_line_has_break(CpdbBpTable *t, PyCodeObject *code, int line)
{
    size_t i;
    int file_id;
    if (t->n == 0) {
        return 0;
    }
    file_id = cpdb_code_file_id(t, code);
    for (i = 0; i < t->n; i++) {
        CpdbBreakpoint *bp = t->items[i];
        if (bp->enabled && bp->file_id == file_id && bp->line == line) {
            return 1;
        }
    }
    return 0;
}

/* --- the table ------------------------------------------------------- */

CpdbBreakpoint *
cpdb_bp_add(CpdbBpTable *t, const char *path, int line, const char *func,
            const char *cond, PyObject *cond_code, int temporary)
{
    CpdbBreakpoint *bp = cpdb_xcalloc(1, sizeof *bp);
    bp->number = t->next_number++;
    bp->enabled = 1;
    bp->temporary = temporary;
    bp->path = cpdb_xstrdup(path);
    bp->file_id = cpdb_file_id(t, path);
    bp->line = line;
    bp->func = func ? cpdb_xstrdup(func) : NULL;
    bp->cond = cond ? cpdb_xstrdup(cond) : NULL;
    bp->cond_code = cond_code;
    cpdb_array_push(t, bp);
    cpdb_bp_changed(t);
    return bp;
}

/* A record with no place in a file (a watchpoint, a catchpoint): the
   caller fills what it is, then tells of the change.  Return: it, in
   the table. */
static CpdbBreakpoint *
add_placeless(CpdbBpTable *t)
{
    CpdbBreakpoint *bp = cpdb_xcalloc(1, sizeof *bp);
    bp->number = t->next_number++;
    bp->enabled = 1;
    bp->path = cpdb_xstrdup("");
    bp->file_id = -1;       /* matches no code: the checks pass it by */
    cpdb_array_push(t, bp);
    return bp;
}

CpdbBreakpoint *
cpdb_bp_add_watch(CpdbBpTable *t, struct CpdbWatch *w)
{
    CpdbBreakpoint *bp = add_placeless(t);
    bp->watch = w;
    t->n_watches++;
    cpdb_bp_changed(t);
    return bp;
}

CpdbBreakpoint *
cpdb_bp_add_catch(CpdbBpTable *t, struct CpdbCatch *c)
{
    CpdbBreakpoint *bp = add_placeless(t);
    bp->catch = c;
    t->n_catches++;
    cpdb_bp_changed(t);
    return bp;
}

int
cpdb_bp_catching(const CpdbBpTable *t)
{
    size_t i;
    for (i = 0; t->n_catches > 0 && i < t->n; i++) {
        if (t->items[i]->catch != NULL && t->items[i]->enabled) {
            return 1;
        }
    }
    return 0;
}

CpdbBreakpoint *
cpdb_bp_find(CpdbBpTable *t, int number)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        if (t->items[i]->number == number) {
            return t->items[i];
        }
    }
    return NULL;
}

int
cpdb_bp_delete(CpdbBpTable *t, int number)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        if (t->items[i]->number == number) {
            if (t->items[i]->watch != NULL) {
                t->n_watches--;
            }
            if (t->items[i]->catch != NULL) {
                t->n_catches--;
            }
            bp_free(t->items[i]);
            memmove(&t->items[i], &t->items[i + 1],
                    sizeof(CpdbBreakpoint *) * (size_t)(t->n - i - 1));
            t->n--;
            cpdb_bp_changed(t);
            return 0;
        }
    }
    return -1;
}

void
cpdb_bp_set_function_code(CpdbBpTable *t, CpdbBreakpoint *bp, int def_line,
                          const char *name)
{
    free(bp->code_name);
    bp->code_name = cpdb_xstrdup(name);
    bp->def_line = def_line;
    cpdb_bp_changed(t);
}

void
cpdb_bp_set_condition(CpdbBreakpoint *bp, const char *cond,
                      PyObject *cond_code)
{
    free(bp->cond);
    Py_XDECREF(bp->cond_code);
    bp->cond = cond ? cpdb_xstrdup(cond) : NULL;
    bp->cond_code = cond_code;
}

/* Evaluate a breakpoint's condition.  Return 1 true, 0 false; on error
   *err gets a message and the result is 1 (stop, as gdb does). */
static int
condition_holds(CpdbBreakpoint *bp, PyFrameObject *frame,
                const CpdbBpEval *eval, char **err)
{
    PyObject *v;
    int truth;
    if (bp->cond_code == NULL) {
        return 1;
    }
    v = eval->fn(eval->ctx, frame, bp->cond_code);
    if (v == NULL) {
        char *line = cpdb_exc_take_line();
        *err = cpdb_xasprintf("Error in testing condition for breakpoint "
                              "%d: %s", bp->number, line);
        free(line);
        return 1;
    }
    truth = PyObject_IsTrue(v);
    Py_DECREF(v);
    if (truth < 0) {
        char *line = cpdb_exc_take_line();
        *err = cpdb_xasprintf("Error in testing condition for breakpoint "
                              "%d: %s", bp->number, line);
        free(line);
        return 1;
    }
    return truth;
}

/* A breakpoint whose place is reached: its condition, hit count and
   ignore count decide.  A condition that raised stops, its message in
   *cond_error (the first one kept).  Return: 1 when it stops. */
static int
fires(CpdbBreakpoint *bp, PyFrameObject *frame, const CpdbBpEval *eval,
      char **cond_error)
{
    char *err = NULL;
    if (!condition_holds(bp, frame, eval, &err)) {
        return 0;
    }
    bp->hits++;
    if (err == NULL && bp->ignore > 0) {
        bp->ignore--;
        return 0;
    }
    if (err != NULL) {
        if (*cond_error == NULL) {
            *cond_error = err;
        }
        else {
            free(err);
        }
    }
    return 1;
}

int
cpdb_bp_check(CpdbBpTable *t, PyFrameObject *frame, PyCodeObject *code,
              int lineno, int at_entry, const CpdbBpEval *eval,
              char **cond_error, int *temporary)
{
    size_t i;
    int file_id, stop = 0;

    *cond_error = NULL;
    *temporary = 0;
    if (t->n == 0) {
        return 0;
    }
    file_id = cpdb_code_file_id(t, code);
    for (i = 0; i < t->n; i++) {
        CpdbBreakpoint *bp = t->items[i];
        if (!bp->enabled || bp->file_id != file_id || bp->line != lineno
            || (bp->func != NULL && (!at_entry || !bp_in_code(bp, code)))) {
            continue;
        }
        if (!fires(bp, frame, eval, cond_error)) {
            continue;
        }
        if (stop == 0) {
            stop = bp->number;
            *temporary = bp->temporary;
        }
    }
    return stop;
}

int
cpdb_bp_check_catch(CpdbBpTable *t, PyFrameObject *frame, PyObject *exc,
                    PyObject *tb, const CpdbBpEval *eval, char **cond_error)
{
    size_t i;
    int stop = 0;
    *cond_error = NULL;
    for (i = 0; i < t->n; i++) {
        CpdbBreakpoint *bp = t->items[i];
        if (bp->catch == NULL || !bp->enabled
            || !cpdb_catch_matches(bp->catch, frame, exc, tb)
            || !fires(bp, frame, eval, cond_error)) {
            continue;
        }
        if (stop == 0) {
            stop = bp->number;
        }
    }
    return stop;
}
