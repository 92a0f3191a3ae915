/* Running the user's Python in a frame.  The globals and locals are the
   frame's own, so assignments land where the program will see them;
   value-history names ($N) are bound for the duration of one evaluation
   in the frame's builtins, so they never appear in the program's
   namespaces. */
#include "core/eval.h"
#include "base/text.h"
#include "core/session.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HISTORY_REFS 32

long
cpdb_history_add(CpdbSession *s, PyObject *v)
{
    if (PyList_Append(s->history, v) < 0) {
        PyErr_Clear();
        return 0;
    }
    return (long)PyList_GET_SIZE(s->history);
}

/* Length of the string literal starting at p (quote at p[0]), or the
   rest of the text when it is not closed. */
static size_t
literal_length(const char *p)
{
    char q = p[0];
    int triple = (p[1] == q && p[2] == q);
    size_t i = triple ? 3 : 1;
    while (p[i] != '\0') {
        if (p[i] == '\\' && p[i + 1] != '\0') {
            i += 2;
            continue;
        }
        if (p[i] == q && (!triple || (p[i + 1] == q && p[i + 2] == q))) {
            return i + (triple ? 3 : 1);
        }
        i++;
    }
    return i;
}

char *
cpdb_eval_rewrite_history(const char *text, long history_len, long *used,
                          int max_used, int *n_used, const char **err)
{
    CpdbBuf b;
    const char *p = text;

    *n_used = 0;
    *err = NULL;
    cpdb_buf_init(&b);
    while (*p) {
        if (*p == '\'' || *p == '"') {
            size_t n = literal_length(p);
            cpdb_buf_addn(&b, p, n);
            p += n;
        }
        else if (*p == '#') {
            break;              /* a comment runs to the end */
        }
        else if (*p == '$') {
            long index;
            const char *q = p + 1;
            if (*q == '$') {
                long back = 1;
                q++;
                if (isdigit((unsigned char)*q)) {
                    back = strtol(q, (char **)&q, 10);
                }
                index = history_len - back;
            }
            else if (isdigit((unsigned char)*q)) {
                index = strtol(q, (char **)&q, 10);
            }
            else {
                index = history_len;
            }
            if (index < 1 || index > history_len) {
                *err = history_len == 0
                       ? "History is empty."
                       : "History has not yet reached that value.";
                cpdb_buf_fini(&b);
                return NULL;
            }
            if (*n_used == max_used) {
                *err = "Too many history references in one expression.";
                cpdb_buf_fini(&b);
                return NULL;
            }
            used[(*n_used)++] = index;
            cpdb_buf_printf(&b, "__cpdb_h%ld__", index);
            p = q;
        }
        else {
            cpdb_buf_addc(&b, *p);
            p++;
        }
    }
    return cpdb_buf_take(&b);
}

/* Bindings of the history names in the builtins used by an evaluation. */
typedef struct HistBind {
    PyObject *builtins;     /* strong dict, or NULL */
    long used[MAX_HISTORY_REFS];
    int n_used;
} HistBind;

static int
hist_bind(CpdbSession *s, HistBind *h, PyFrameObject *frame)
{
    int i;
    if (h->n_used == 0) {
        return 0;
    }
    if (frame != NULL) {
        h->builtins = cpdb_frame_builtins(frame);
    }
    else {
        h->builtins = Py_XNewRef(PyEval_GetBuiltins());
    }
    if (h->builtins == NULL || !PyDict_Check(h->builtins)) {
        Py_CLEAR(h->builtins);
        PyErr_SetString(PyExc_RuntimeError, "no builtins to bind $N in");
        return -1;
    }
    for (i = 0; i < h->n_used; i++) {
        char name[48];
        PyObject *v = PyList_GET_ITEM(s->history, h->used[i] - 1);
        snprintf(name, sizeof name, "__cpdb_h%ld__", h->used[i]);
        if (PyDict_SetItemString(h->builtins, name, v) < 0) {
            return -1;
        }
    }
    return 0;
}

static void
hist_unbind(HistBind *h)
{
    int i;
    CpdbExcState st;
    if (h->builtins == NULL) {
        return;
    }
    cpdb_exc_save(&st);
    for (i = 0; i < h->n_used; i++) {
        char name[48];
        snprintf(name, sizeof name, "__cpdb_h%ld__", h->used[i]);
        if (PyDict_DelItemString(h->builtins, name) < 0) {
            PyErr_Clear();
        }
    }
    cpdb_exc_restore(&st);
    Py_CLEAR(h->builtins);
}

static PyObject *
compile_text(CpdbSession *s, const char *text, int as_expr, HistBind *h)
{
    const char *err;
    char *rewritten;
    PyObject *code;

    rewritten = cpdb_eval_rewrite_history(
        text, (long)PyList_GET_SIZE(s->history), h->used, MAX_HISTORY_REFS,
        &h->n_used, &err);
    if (rewritten == NULL) {
        PyErr_SetString(PyExc_ValueError, err);
        return NULL;
    }
    code = Py_CompileString(rewritten, "<cpdb>",
                            as_expr ? Py_eval_input : Py_file_input);
    free(rewritten);
    return code;
}

PyObject *
cpdb_eval_compile(CpdbSession *s, const char *text, int as_expr)
{
    HistBind h = {0};
    return compile_text(s, text, as_expr, &h);
}

int
cpdb_eval_namespaces(PyFrameObject *frame, PyObject **globals,
                     PyObject **locals)
{
    if (frame != NULL) {
        *globals = cpdb_frame_globals(frame);
        *locals = *globals ? cpdb_frame_locals(frame) : NULL;
    }
    else {
        PyObject *main = PyImport_AddModule("__main__");   /* borrowed */
        *globals = main ? Py_NewRef(PyModule_GetDict(main)) : NULL;
        *locals = Py_XNewRef(*globals);
    }
    if (*globals == NULL || *locals == NULL) {
        Py_CLEAR(*globals);
        Py_CLEAR(*locals);
        return -1;
    }
    return 0;
}

PyObject *
cpdb_eval_code_in(CpdbSession *s, PyObject *code, PyObject *globals,
                  PyObject *locals)
{
    PyObject *result;
    cpdb_guard_begin(&s->busy);
    s->eval_serial++;
    cpdb_session_gc_program(s);
    result = PyEval_EvalCode(code, globals, locals);
    cpdb_session_gc_debugger(s);
    cpdb_guard_end(&s->busy);
    return result;
}

/* Run code in frame's namespaces (or __main__'s), then make local
   assignments stick.  Return: new reference or NULL with exception. */
static PyObject *
run_in_frame(CpdbSession *s, PyFrameObject *frame, PyObject *code,
             HistBind *h)
{
    PyObject *globals = NULL, *locals = NULL, *result = NULL;

    if (cpdb_eval_namespaces(frame, &globals, &locals) < 0) {
        goto done;
    }
    if (hist_bind(s, h, frame) < 0) {
        goto done;
    }
    result = cpdb_eval_code_in(s, code, globals, locals);
    if (frame != NULL) {
        cpdb_frame_locals_sync(frame);
    }
done:
    hist_unbind(h);
    Py_XDECREF(globals);
    Py_XDECREF(locals);
    return result;
}

PyObject *
cpdb_eval_code(CpdbSession *s, PyFrameObject *frame, PyObject *code)
{
    HistBind h = {0};
    return run_in_frame(s, frame, code, &h);
}

PyObject *
cpdb_eval_expr(CpdbSession *s, PyFrameObject *frame, const char *text)
{
    HistBind h = {0};
    PyObject *code = compile_text(s, text, 1, &h), *result;
    if (code == NULL) {
        return NULL;
    }
    result = run_in_frame(s, frame, code, &h);
    Py_DECREF(code);
    return result;
}

int
cpdb_eval_line(CpdbSession *s, PyFrameObject *frame, const char *text,
               PyObject **value)
{
    HistBind h = {0};
    PyObject *code, *result;
    int is_expr = 1;

    *value = NULL;
    code = compile_text(s, text, 1, &h);
    if (code == NULL && PyErr_ExceptionMatches(PyExc_SyntaxError)) {
        PyErr_Clear();
        is_expr = 0;
        code = compile_text(s, text, 0, &h);
    }
    if (code == NULL) {
        return -1;
    }
    result = run_in_frame(s, frame, code, &h);
    Py_DECREF(code);
    if (result == NULL) {
        return -1;
    }
    if (is_expr) {
        *value = result;
    }
    else {
        Py_DECREF(result);
    }
    return 0;
}
