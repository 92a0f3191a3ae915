/* What the client looks at in a stopped program: stack frames, scopes,
   variables and their children, evaluation (the debug console runs
   cpdb's commands too), completion and the exception of the stop.
   Every frameId and variablesReference is a handle of this stop
   (dap.h): the ids of one stop are never those of another. */
#include "dap/dap.h"
#include "base/text.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "core/catch.h"
#include "core/eval.h"
#include "core/frames.h"
#include "core/session.h"
#include "core/threads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the ids of one stop; the base moves on at each stop. */
#define HANDLES_PER_STOP 1000000
#define STOP_BASES 2000
/* Characters of a value shown on a variable's line. */
#define VALUE_LIMIT 1000
/* A container longer than this shows its length instead of its repr. */
#define SUMMARY_LEN 100

int
cpdb_dap_is_library(const char *path)
{
    cpdb_catch_learn_library();
    return cpdb_catch_is_library_path(path);
}

void
cpdb_dap_handles_clear(Dap *d)
{
    size_t i;
    for (i = 0; i < d->handles.n; i++) {
        Py_XDECREF(d->handles.items[i].obj);
        free(d->handles.items[i].expr);
    }
    d->handles.n = 0;
    d->handle_base = 1 + (int)((d->stops % STOP_BASES) * HANDLES_PER_STOP);
}

/* Return: the id of a new handle (its object's reference is taken), or
   0 when the stop has too many. */
static int
handle_new(Dap *d, DapHandleKind kind, PyObject *obj, int line, int thread)
{
    DapHandle h;
    if (d->handle_base == 0) {
        d->handle_base = 1 + (int)((d->stops % STOP_BASES)
                                   * HANDLES_PER_STOP);
    }
    if (d->handles.n >= HANDLES_PER_STOP - 1) {
        Py_XDECREF(obj);
        return 0;
    }
    memset(&h, 0, sizeof h);
    h.kind = kind;
    h.obj = obj;
    h.line = line;
    h.thread = thread;
    cpdb_array_push(&d->handles, h);
    return d->handle_base + (int)d->handles.n - 1;
}

DapHandle *
cpdb_dap_handle(Dap *d, json_int_t id)
{
    json_int_t k = id - d->handle_base;
    if (d->handle_base == 0 || k < 0 || k >= (json_int_t)d->handles.n) {
        return NULL;
    }
    return &d->handles.items[k];
}

PyFrameObject *
cpdb_dap_frame(Dap *d, json_int_t id)
{
    DapHandle *h = cpdb_dap_handle(d, id);
    return h != NULL && h->kind == HANDLE_FRAME ? (PyFrameObject *)h->obj
                                                : NULL;
}

/* An integer argument: 0 with *out, 1 when absent (*out = dflt), -1 when
   it is not an integer in [lo, hi]. */
static int
int_arg(json_t *args, const char *name, json_int_t lo, json_int_t hi,
        json_int_t dflt, json_int_t *out)
{
    json_t *v = json_object_get(args, name);
    *out = dflt;
    if (v == NULL || json_is_null(v)) {
        return 1;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo
        || json_integer_value(v) > hi) {
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

/* A JSON string of text, which need not be UTF-8. */
static json_t *
text_json(const char *text)
{
    json_t *t = json_string(text != NULL ? text : "");
    return t != NULL ? t : json_string("(not UTF-8)");
}

/* --- the stack ------------------------------------------------------------- */

/* The frames of thread number (innermost first): new references in
   frames[], their lines in lines[].  Return: how many, or -1 when there
   is no such thread. */
static long
thread_frames(Dap *d, int number, PyFrameObject ***frames, int **lines)
{
    CpdbSession *s = d->s;
    CPDB_ARRAY(PyFrameObject *) fs = {NULL, 0, 0};
    CPDB_ARRAY(int) ls = {NULL, 0, 0};
    size_t i;

    if (number == s->threads.stopped_number
        && s->threads.selected == s->threads.stopped && s->stack.n > 0) {
        for (i = (size_t)d->hide_top; i < s->stack.n; i++) {
            Py_INCREF(s->stack.items[i].frame);
            cpdb_array_push(&fs, s->stack.items[i].frame);
            cpdb_array_push(&ls, s->stack.items[i].lineno);
        }
    }
    else {
        size_t n;
        CpdbThreadInfo *t = cpdb_threads_list(s, &n);
        PyFrameObject *f = NULL;
        int found = 0;
        for (i = 0; t != NULL && i < n; i++) {
            if (t[i].number == number) {
                found = 1;
                f = (PyFrameObject *)Py_XNewRef(t[i].frame);
            }
        }
        cpdb_threads_list_free(t, n);
        if (!found) {
            return -1;
        }
        while (f != NULL) {
            cpdb_array_push(&fs, f);
            cpdb_array_push(&ls, PyFrame_GetLineNumber(f));
            f = PyFrame_GetBack(f);
        }
    }
    *frames = fs.items;
    *lines = ls.items;
    return (long)fs.n;
}

static json_t *
source_json(Dap *d, PyCodeObject *code)
{
    char *path = cpdb_code_path(code);
    const char *slash = strrchr(path, '/');
    json_t *src = json_object();
    (void)d;
    json_object_set_new(src, "name", text_json(slash ? slash + 1 : path));
    if (path[0] == '/') {
        json_object_set_new(src, "path", text_json(path));
        if (cpdb_dap_is_library(path)) {
            json_object_set_new(src, "presentationHint",
                                json_string("deemphasize"));
        }
    }
    else {
        json_object_set_new(src, "presentationHint",
                            json_string("deemphasize"));
    }
    free(path);
    return src;
}

void
cpdb_dap_stack_trace(Dap *d, json_t *req)
{
    json_t *args = cpdb_dap_args(req), *list;
    json_int_t thread, start, levels;
    PyFrameObject **frames = NULL;
    int *lines = NULL;
    long n, i;

    if (int_arg(args, "threadId", 1, 0x7fffffff, 0, &thread) != 0
        || int_arg(args, "startFrame", 0, 0x7fffffff, 0, &start) < 0
        || int_arg(args, "levels", 0, 0x7fffffff, 0, &levels) < 0) {
        cpdb_dap_respond(&d->w, req, NULL, "stackTrace needs \"threadId\" "
                         "(a thread's id), and takes \"startFrame\" and "
                         "\"levels\" (integers >= 0).");
        return;
    }
    n = thread_frames(d, (int)thread, &frames, &lines);
    if (n < 0) {
        cpdb_dap_respondf(&d->w, req, "No thread %lld (the \"threads\" "
                          "request lists them).", (long long)thread);
        return;
    }
    list = json_array();
    for (i = 0; i < n; i++) {
        PyCodeObject *code;
        PyObject *qual;
        const char *name;
        int id;
        if (i < start || (levels > 0 && i >= start + levels)) {
            Py_DECREF(frames[i]);
            continue;
        }
        code = PyFrame_GetCode(frames[i]);
        qual = cpdb_code_qualname(code);
        name = qual != NULL && PyUnicode_Check(qual) ? PyUnicode_AsUTF8(qual)
                                                     : NULL;
        PyErr_Clear();
        id = handle_new(d, HANDLE_FRAME, (PyObject *)frames[i], lines[i],
                        (int)thread);
        json_array_append_new(list, json_pack(
            "{s:i, s:o, s:o, s:i, s:i}", "id", id,
            "name", text_json(name != NULL ? name : "?"),
            "source", source_json(d, code), "line", lines[i],
            "column", 1));
        Py_XDECREF(qual);
        Py_DECREF(code);
    }
    free(frames);
    free(lines);
    cpdb_dap_respond(&d->w, req, json_pack("{s:o, s:i}", "stackFrames", list,
                                           "totalFrames", (int)n), NULL);
}

/* Answer req with the pending exception, as "Type: message" with cpdb's
   names for $N put back. */
static void
respond_exception(Dap *d, json_t *req)
{
    char *why = cpdb_exc_take_line();
    char *pub = cpdb_eval_public_names(why);
    cpdb_dap_respond(&d->w, req, NULL, pub);
    free(pub);
    free(why);
}

/* --- values ------------------------------------------------------------- */

/* Whether o is shown with children, and how many of each kind. */
static int
children_of(PyObject *o, Py_ssize_t *indexed, Py_ssize_t *named)
{
    PyObject *dict;
    *indexed = *named = 0;
    if (o == Py_None || PyLong_Check(o) || PyFloat_Check(o)
        || PyUnicode_Check(o) || PyBytes_Check(o) || PyBool_Check(o)
        || PyComplex_Check(o) || PyByteArray_Check(o)) {
        return 0;
    }
    if (PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o)
        || PyAnySet_Check(o)) {
        *indexed = PyObject_Length(o);
        if (*indexed < 0) {
            PyErr_Clear();
            *indexed = 0;
        }
        return *indexed > 0;
    }
    dict = PyObject_GetAttrString(o, "__dict__");
    if (dict != NULL && (PyDict_Check(dict)
                         || PyObject_TypeCheck(dict, &PyDictProxy_Type))) {
        *named = PyObject_Length(dict);
        if (*named < 0) {
            *named = 0;
        }
    }
    PyErr_Clear();
    Py_XDECREF(dict);
    if (PyExceptionInstance_Check(o)) {
        (*named)++;     /* args */
    }
    return *named > 0;
}

/* The value of o as a variable line shows it.  Return: malloc'd. */
static char *
value_text(PyObject *o, long limit)
{
    Py_ssize_t n;
    if ((PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o)
         || PyAnySet_Check(o)) && (n = PyObject_Length(o)) > SUMMARY_LEN) {
        return cpdb_xasprintf("%s: %zd items", Py_TYPE(o)->tp_name, n);
    }
    PyErr_Clear();
    return cpdb_repr(o, limit);
}

/* Fill v's value, type, and children (a handle) from o. */
static void
describe(Dap *d, json_t *v, const char *value_key, PyObject *o,
         const char *expr, long limit)
{
    char *text = value_text(o, limit);
    Py_ssize_t indexed, named;
    json_object_set_new(v, value_key, text_json(text));
    json_object_set_new(v, "type", text_json(Py_TYPE(o)->tp_name));
    free(text);
    if (children_of(o, &indexed, &named)) {
        int id;
        Py_INCREF(o);
        id = handle_new(d, HANDLE_OBJECT, o, 0, 0);
        if (id > 0 && expr != NULL) {
            d->handles.items[d->handles.n - 1].expr = cpdb_xstrdup(expr);
        }
        json_object_set_new(v, "variablesReference", json_integer(id));
        if (indexed > 0) {
            json_object_set_new(v, "indexedVariables",
                                json_integer(indexed));
        }
        if (named > 0) {
            json_object_set_new(v, "namedVariables", json_integer(named));
        }
    }
    else {
        json_object_set_new(v, "variablesReference", json_integer(0));
    }
}

/* One variable: name = o. */
static json_t *
variable(Dap *d, const char *name, PyObject *o, const char *expr)
{
    json_t *v = json_object();
    json_object_set_new(v, "name", text_json(name));
    describe(d, v, "value", o, expr, VALUE_LIMIT);
    if (expr != NULL) {
        json_object_set_new(v, "evaluateName", text_json(expr));
    }
    return v;
}

/* Variables of a mapping with string keys (locals, globals, __dict__),
   expr the parent's expression (NULL: names are plain). */
static void
mapping_vars(Dap *d, json_t *out, PyObject *m, const char *parent,
             int skip_builtins)
{
    PyObject *items = PyMapping_Items(m);
    Py_ssize_t i;
    if (items == NULL) {
        PyErr_Clear();
        return;
    }
    for (i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        PyObject *k, *v;
        const char *name;
        char *expr;
        if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2) {
            continue;
        }
        k = PyTuple_GET_ITEM(kv, 0);
        v = PyTuple_GET_ITEM(kv, 1);
        if (!PyUnicode_Check(k) || (name = PyUnicode_AsUTF8(k)) == NULL) {
            PyErr_Clear();
            continue;
        }
        if (skip_builtins && strcmp(name, "__builtins__") == 0) {
            continue;
        }
        expr = parent != NULL ? cpdb_xasprintf("%s.%s", parent, name)
                              : cpdb_xstrdup(name);
        json_array_append_new(out, variable(d, name, v, expr));
        free(expr);
    }
    Py_DECREF(items);
}

/* The children of a container, from start, count of them (0: all). */
static void
item_vars(Dap *d, json_t *out, PyObject *o, const char *parent,
          Py_ssize_t start, Py_ssize_t count)
{
    Py_ssize_t i = 0, shown = 0;
    if (PyDict_Check(o)) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        PyObject *copy = PyDict_Copy(o);  /* reprs may change o */
        if (copy == NULL) {
            PyErr_Clear();
            return;
        }
        while (PyDict_Next(copy, &pos, &k, &v)) {
            char *name, *expr;
            if (i++ < start) {
                continue;
            }
            if (count > 0 && shown >= count) {
                break;
            }
            shown++;
            Py_INCREF(k);
            Py_INCREF(v);
            name = cpdb_repr(k, 200);
            expr = parent != NULL ? cpdb_xasprintf("%s[%s]", parent, name)
                                  : NULL;
            json_array_append_new(out, variable(d, name, v, expr));
            free(name);
            free(expr);
            Py_DECREF(k);
            Py_DECREF(v);
        }
        Py_DECREF(copy);
        return;
    }
    {
        PyObject *seq = PySequence_List(o);
        Py_ssize_t n;
        if (seq == NULL) {
            PyErr_Clear();
            return;
        }
        n = PyList_GET_SIZE(seq);
        for (i = start; i < n && (count <= 0 || i < start + count); i++) {
            PyObject *v = PyList_GET_ITEM(seq, i);
            char name[32], *expr = NULL;
            snprintf(name, sizeof name, "%zd", i);
            if (parent != NULL && !PyAnySet_Check(o)) {
                expr = cpdb_xasprintf("%s[%zd]", parent, i);
            }
            Py_INCREF(v);
            json_array_append_new(out, variable(d, name, v, expr));
            Py_DECREF(v);
            free(expr);
        }
        Py_DECREF(seq);
    }
}

void
cpdb_dap_scopes(Dap *d, json_t *req)
{
    json_int_t id;
    PyFrameObject *f;
    json_t *list;
    PyObject *locals, *globals;
    int ref;
    CpdbSession *s = d->s;

    if (int_arg(cpdb_dap_args(req), "frameId", 1, 0x7fffffff, 0, &id) != 0
        || (f = cpdb_dap_frame(d, id)) == NULL) {
        cpdb_dap_respond(&d->w, req, NULL, "scopes needs \"frameId\": a "
                         "frame's id from stackTrace at this stop.");
        return;
    }
    list = json_array();
    Py_INCREF(f);
    locals = cpdb_frame_locals(f);
    ref = handle_new(d, HANDLE_LOCALS, (PyObject *)f, 0, 0);
    json_array_append_new(list, json_pack(
        "{s:s, s:s, s:i, s:i, s:b}", "name", "Locals",
        "presentationHint", "locals", "variablesReference", ref,
        "namedVariables", locals ? (int)PyObject_Length(locals) : 0,
        "expensive", 0));
    PyErr_Clear();
    Py_XDECREF(locals);
    Py_INCREF(f);
    globals = cpdb_frame_globals(f);
    ref = handle_new(d, HANDLE_GLOBALS, (PyObject *)f, 0, 0);
    json_array_append_new(list, json_pack(
        "{s:s, s:i, s:i, s:b}", "name", "Globals", "variablesReference", ref,
        "namedVariables", globals ? (int)PyObject_Length(globals) : 0,
        "expensive", 0));
    PyErr_Clear();
    Py_XDECREF(globals);
    if (s->stop_value != NULL && PyExceptionInstance_Check(s->stop_value)) {
        Py_INCREF(s->stop_value);
        ref = handle_new(d, HANDLE_OBJECT, s->stop_value, 0, 0);
        json_array_append_new(list, json_pack(
            "{s:s, s:i, s:b}", "name", "Exception", "variablesReference",
            ref, "expensive", 0));
    }
    cpdb_dap_respond(&d->w, req, json_pack("{s:o}", "scopes", list), NULL);
}

void
cpdb_dap_variables(Dap *d, json_t *req)
{
    json_t *args = cpdb_dap_args(req), *out;
    json_int_t id, start, count;
    const char *filter = json_string_value(json_object_get(args, "filter"));
    DapHandle *h;
    PyObject *o;
    CpdbSession *s = d->s;

    if (int_arg(args, "variablesReference", 1, 0x7fffffff, 0, &id) != 0
        || (h = cpdb_dap_handle(d, id)) == NULL || h->kind == HANDLE_FRAME
        || int_arg(args, "start", 0, 0x7fffffff, 0, &start) < 0
        || int_arg(args, "count", 0, 0x7fffffff, 0, &count) < 0
        || (json_object_get(args, "filter") != NULL
            && (filter == NULL || (strcmp(filter, "indexed") != 0
                                   && strcmp(filter, "named") != 0)))) {
        cpdb_dap_respond(&d->w, req, NULL, "variables needs "
                         "\"variablesReference\" from scopes or variables "
                         "at this stop; \"start\" and \"count\" are "
                         "integers >= 0, \"filter\" \"indexed\" or "
                         "\"named\".");
        return;
    }
    out = json_array();
    cpdb_guard_begin(&s->busy);
    o = Py_NewRef(h->obj);
    if (h->kind == HANDLE_LOCALS) {
        PyObject *m = cpdb_frame_locals((PyFrameObject *)o);
        if (m != NULL) {
            mapping_vars(d, out, m, NULL, 0);
            Py_DECREF(m);
        }
    }
    else if (h->kind == HANDLE_GLOBALS) {
        PyObject *m = cpdb_frame_globals((PyFrameObject *)o);
        if (m != NULL) {
            mapping_vars(d, out, m, NULL, 1);
            Py_DECREF(m);
        }
    }
    else {
        char *parent = h->expr != NULL ? cpdb_xstrdup(h->expr) : NULL;
        /* h may move: handles are added below. */
        if (PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o)
            || PyAnySet_Check(o)) {
            if (filter == NULL || strcmp(filter, "named") != 0) {
                item_vars(d, out, o, parent, (Py_ssize_t)start,
                          (Py_ssize_t)count);
            }
        }
        else if (filter == NULL || strcmp(filter, "indexed") != 0) {
            PyObject *dict = PyObject_GetAttrString(o, "__dict__");
            if (dict != NULL) {
                mapping_vars(d, out, dict, parent, 0);
            }
            PyErr_Clear();
            Py_XDECREF(dict);
            if (PyExceptionInstance_Check(o)) {
                PyObject *a = PyObject_GetAttrString(o, "args");
                char *expr = parent ? cpdb_xasprintf("%s.args", parent)
                                    : NULL;
                if (a != NULL) {
                    json_array_append_new(out, variable(d, "args", a, expr));
                }
                PyErr_Clear();
                Py_XDECREF(a);
                free(expr);
            }
        }
        free(parent);
    }
    Py_DECREF(o);
    PyErr_Clear();
    cpdb_guard_end(&s->busy);
    cpdb_dap_respond(&d->w, req, json_pack("{s:o}", "variables", out), NULL);
}

/* The frame a request names (frameId), the selected one when it names
   none, or NULL when there is none.  Return: 0, or -1 when frameId is
   given and is not a frame of this stop. */
static int
request_frame(Dap *d, json_t *args, PyFrameObject **f)
{
    json_int_t id;
    int rc = int_arg(args, "frameId", 1, 0x7fffffff, 0, &id);
    *f = NULL;
    if (rc < 0 || (rc == 0 && (*f = cpdb_dap_frame(d, id)) == NULL)) {
        return -1;
    }
    if (rc == 1 && d->s->at_stop) {
        *f = cpdb_session_frame(d->s);
    }
    return 0;
}

/* Whether name is a Python identifier. */
static int
is_identifier(const char *name)
{
    PyObject *u = PyUnicode_FromString(name);
    int ok = u != NULL && PyUnicode_IsIdentifier(u);
    Py_XDECREF(u);
    PyErr_Clear();
    return ok;
}

/* The frame a handle's values belong to (for evaluating a new value),
   or NULL: the selected one. */
static PyFrameObject *
handle_frame(Dap *d, DapHandle *h)
{
    if (h->kind == HANDLE_LOCALS || h->kind == HANDLE_GLOBALS) {
        return (PyFrameObject *)h->obj;
    }
    return d->s->at_stop ? cpdb_session_frame(d->s) : NULL;
}

/* Set child name of h's object (a dict key shown as its repr, an index,
   an attribute) to v.  Return 0, or -1 with an exception set. */
static int
set_child(DapHandle *h, const char *name, PyObject *v)
{
    PyObject *o = h->obj;
    if (PyDict_Check(o)) {
        Py_ssize_t pos = 0;
        PyObject *k, *val;
        while (PyDict_Next(o, &pos, &k, &val)) {
            char *r = cpdb_repr(k, 200);
            int same = strcmp(r, name) == 0;
            free(r);
            if (same) {
                return PyDict_SetItem(o, k, v);
            }
        }
        PyErr_Format(PyExc_KeyError, "no key shown as %s", name);
        return -1;
    }
    if (PyList_Check(o)) {
        char *end;
        long i = strtol(name, &end, 10);
        if (*end != '\0') {
            PyErr_SetString(PyExc_IndexError, "an index is expected");
            return -1;
        }
        return PySequence_SetItem(o, i, v);
    }
    if (PyTuple_Check(o) || PyAnySet_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "its items cannot be replaced");
        return -1;
    }
    return PyObject_SetAttrString(o, name, v);
}

void
cpdb_dap_set_variable(Dap *d, json_t *req)
{
    json_t *args = cpdb_dap_args(req), *body;
    const char *name = json_string_value(json_object_get(args, "name"));
    const char *value = json_string_value(json_object_get(args, "value"));
    json_int_t id;
    DapHandle *h;
    PyFrameObject *f;
    PyObject *v = NULL;
    CpdbSession *s = d->s;
    int rc;

    if (int_arg(args, "variablesReference", 1, 0x7fffffff, 0, &id) != 0
        || (h = cpdb_dap_handle(d, id)) == NULL || h->kind == HANDLE_FRAME
        || name == NULL || value == NULL) {
        cpdb_dap_respond(&d->w, req, NULL, "setVariable needs "
                         "\"variablesReference\" of this stop, \"name\" and "
                         "\"value\" (an expression).");
        return;
    }
    f = handle_frame(d, h);
    if (h->kind == HANDLE_LOCALS) {
        char *line;
        PyObject *none = NULL;      /* an assignment has no value */
        PyObject *check;
        if (!is_identifier(name)) {
            cpdb_dap_respondf(&d->w, req, "\"%.100s\" is not a variable's "
                              "name.", name);
            return;
        }
        /* The value must be an expression on its own: spliced into the
           assignment, "1)(" would make a call of it. */
        check = cpdb_eval_compile(s, value, 1);
        rc = -1;
        if (check != NULL) {
            Py_DECREF(check);
            /* As "set var" does: the assignment sticks in the frame. */
            line = cpdb_xasprintf("%s = (%s)\n", name, value);
            rc = cpdb_eval_line(s, f, line, &none);
            Py_XDECREF(none);
            free(line);
        }
        v = rc == 0 ? cpdb_eval_expr(s, f, name) : NULL;
    }
    else {
        v = cpdb_eval_expr(s, f, value);
        if (v != NULL) {
            int set;
            cpdb_guard_begin(&s->busy);
            if (h->kind == HANDLE_GLOBALS) {
                PyObject *g = cpdb_frame_globals(f);
                PyObject *key = g != NULL ? PyUnicode_FromString(name)
                                          : NULL;
                set = key != NULL ? PyObject_SetItem(g, key, v) : -1;
                Py_XDECREF(key);
                Py_XDECREF(g);
            }
            else {
                set = set_child(h, name, v);
            }
            cpdb_guard_end(&s->busy);
            if (set < 0) {
                Py_CLEAR(v);
            }
        }
    }
    if (v == NULL) {
        respond_exception(d, req);
        return;
    }
    body = json_object();
    describe(d, body, "value", v, NULL, VALUE_LIMIT);
    Py_DECREF(v);
    cpdb_dap_respond(&d->w, req, body, NULL);
}

/* --- evaluation ------------------------------------------------------------ */

/* Whether word is the name or an alias of one of cpdb's commands. */
static int
is_command_word(const char *word)
{
    const CmdDef *c;
    for (c = cpdb_command_next(cpdb_command_tables, NULL); c != NULL;
         c = cpdb_command_next(cpdb_command_tables, c)) {
        if (cpdb_command_has_name(c, word)) {
            return 1;
        }
    }
    return 0;
}

/* Whether name is bound in frame (locals, globals, builtins). */
static int
is_bound(PyFrameObject *f, const char *name)
{
    PyObject *g, *l = NULL, *b = NULL, *key = PyUnicode_FromString(name);
    int bound = 0;
    if (key == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (cpdb_eval_namespaces(f, &g, &l) == 0) {
        bound = PyMapping_HasKey(l, key) || PyMapping_HasKey(g, key);
        b = f != NULL ? cpdb_frame_builtins(f) : NULL;
        if (!bound && b != NULL) {
            bound = PyMapping_HasKey(b, key);
        }
        Py_XDECREF(b);
        Py_XDECREF(l);
        Py_XDECREF(g);
    }
    PyErr_Clear();
    Py_DECREF(key);
    return bound;
}

/* Whether the debug console line text is one of cpdb's commands (as
   docs/dap.md says): not Python, and led by a command's name; or a bare
   command name that names nothing in the frame. */
static int
is_console_command(Dap *d, PyFrameObject *f, const char *text)
{
    char word[64];
    const char *rest;
    PyObject *code;
    if (cpdb_command_split(text, word, sizeof word, &rest) < 0
        || !is_command_word(word)) {
        return 0;
    }
    code = cpdb_eval_compile(d->s, text, 0);
    if (code == NULL) {
        PyErr_Clear();
        return 1;
    }
    Py_DECREF(code);
    return *cpdb_skip_space(rest) == '\0' && !is_bound(f, word);
}

/* Run a cpdb command for the debug console. */
static void
console_command(Dap *d, json_t *req, const char *line)
{
    CpdbSession *s = d->s;
    char *out = NULL;
    size_t n;
    int rc = cpdb_session_command_output(s, line, &out);
    n = out != NULL ? strlen(out) : 0;
    while (n > 0 && out[n - 1] == '\n') {
        out[--n] = '\0';
    }
    if (rc < 0 && rc != CPDB_E_COMMAND) {
        cpdb_dap_respond(&d->w, req, NULL, cpdb_session_errmsg(s));
    }
    else if (rc == CPDB_E_COMMAND) {
        cpdb_dap_respond(&d->w, req, NULL, n > 0 ? out
                                                 : cpdb_session_errmsg(s));
    }
    else {
        cpdb_dap_respond(&d->w, req, json_pack("{s:o, s:i}", "result",
                                               text_json(out),
                                               "variablesReference", 0),
                         NULL);
    }
    free(out);
    if (cpdb_session_should_resume(s)) {
        d->resumed = 1;
        d->resumed_by_console = 1;
    }
}

void
cpdb_dap_evaluate(Dap *d, json_t *req)
{
    json_t *args = cpdb_dap_args(req), *body;
    const char *text = json_string_value(json_object_get(args, "expression"));
    const char *context = json_string_value(json_object_get(args, "context"));
    PyFrameObject *f;
    PyObject *v = NULL;
    CpdbSession *s = d->s;
    int repl = context != NULL && strcmp(context, "repl") == 0;
    long limit = context != NULL && strcmp(context, "clipboard") == 0
                     ? 0 : VALUE_LIMIT * 10;

    if (text == NULL || (context == NULL
                         && !json_is_null(json_object_get(args, "context"))
                         && json_object_get(args, "context") != NULL)) {
        cpdb_dap_respond(&d->w, req, NULL, "evaluate needs \"expression\" "
                         "(a string), and \"context\" is a string.");
        return;
    }
    if (request_frame(d, args, &f) < 0) {
        cpdb_dap_respond(&d->w, req, NULL, "\"frameId\" is not a frame of "
                         "this stop.");
        return;
    }
    if (!s->at_stop) {
        cpdb_dap_respond(&d->w, req, NULL, "The program is running: pause "
                         "it to evaluate.");
        return;
    }
    if (repl && text[0] == '`') {
        console_command(d, req, text + 1);
        return;
    }
    if (repl && text[0] != '!' && is_console_command(d, f, text)) {
        console_command(d, req, text);
        return;
    }
    if (repl) {
        int rc = cpdb_eval_line(s, f, text[0] == '!' ? text + 1 : text, &v);
        cpdb_session_flush_program(s);
        cpdb_dap_output_drain(d);
        if (rc == 0 && v == NULL) {
            cpdb_dap_respond(&d->w, req, json_pack(
                "{s:s, s:i}", "result", "", "variablesReference", 0), NULL);
            return;
        }
    }
    else {
        v = cpdb_eval_expr(s, f, text);
    }
    if (v == NULL) {
        respond_exception(d, req);
        return;
    }
    body = json_object();
    cpdb_guard_begin(&s->busy);
    describe(d, body, "result", v, repl ? NULL : text, limit);
    cpdb_guard_end(&s->busy);
    Py_DECREF(v);
    cpdb_dap_respond(&d->w, req, body, NULL);
}

/* --- completion ------------------------------------------------------------ */

static void
add_targets(json_t *targets, char **words, long start, size_t len,
            int type_command)
{
    size_t i, k;
    for (i = 0; words != NULL && words[i] != NULL; i++) {
        int dup = 0;
        for (k = 0; k < json_array_size(targets); k++) {
            const char *l = json_string_value(json_object_get(
                json_array_get(targets, k), "label"));
            if (l != NULL && strcmp(l, words[i]) == 0) {
                dup = 1;
            }
        }
        if (!dup) {
            json_t *t = json_string(words[i]);
            if (t != NULL) {
                json_array_append_new(targets, json_pack(
                    "{s:o, s:s, s:I, s:I}", "label", t,
                    "type", type_command ? "keyword" : "variable",
                    "start", (json_int_t)start, "length", (json_int_t)len));
            }
        }
        free(words[i]);
    }
    free(words);
}

void
cpdb_dap_completions(Dap *d, json_t *req)
{
    json_t *args = cpdb_dap_args(req), *targets;
    const char *text = json_string_value(json_object_get(args, "text"));
    json_int_t column;
    char *line, *py;
    size_t start, cut, skip = 0;
    int words;
    PyFrameObject *f;

    if (text == NULL
        || int_arg(args, "column", 1, 0x7fffffff, 0, &column) != 0
        || request_frame(d, args, &f) < 0) {
        cpdb_dap_respond(&d->w, req, NULL, "completions needs \"text\" and "
                         "\"column\" (>= 1), and \"frameId\" if given "
                         "must be a frame of this stop.");
        return;
    }
    cut = strlen(text);
    if ((size_t)column - 1 < cut) {
        cut = (size_t)column - 1;
    }
    line = cpdb_xstrndup(text, cut);
    if (line[0] == '`' || line[0] == '!') {
        skip = 1;
    }
    start = cut;
    while (start > skip && (line[start - 1] == '_' || line[start - 1] == '.'
                            || (line[start - 1] >= '0'
                                && line[start - 1] <= '9')
                            || ((line[start - 1] | 0x20) >= 'a'
                                && (line[start - 1] | 0x20) <= 'z'))) {
        start--;
    }
    targets = json_array();
    cpdb_guard_begin(&d->s->busy);
    if (line[0] != '`') {
        py = cpdb_xasprintf("!%s", line + skip);
        add_targets(targets, cpdb_complete(d->s, py, (int)(start - skip + 1),
                                           line + start, &words),
                    (long)start + 1, cut - start, 0);
        free(py);
    }
    if (line[0] != '!') {
        add_targets(targets, cpdb_complete(d->s, line + skip,
                                           (int)(start - skip),
                                           line + start, &words),
                    (long)start + 1, cut - start, 1);
    }
    cpdb_guard_end(&d->s->busy);
    PyErr_Clear();
    free(line);
    cpdb_dap_respond(&d->w, req, json_pack("{s:o}", "targets", targets),
                     NULL);
}

/* --- the exception of the stop ------------------------------------------------- */

/* "Traceback" lines of exc, innermost last.  Return: malloc'd. */
static char *
traceback_text(PyObject *exc)
{
    PyObject *tb = PyException_GetTraceback(exc);
    CpdbBuf b;
    cpdb_buf_init(&b);
    while (tb != NULL && PyTraceBack_Check(tb)) {
        PyObject *frame = PyObject_GetAttrString(tb, "tb_frame");
        PyObject *lineno = PyObject_GetAttrString(tb, "tb_lineno");
        PyObject *next = PyObject_GetAttrString(tb, "tb_next");
        if (frame != NULL && PyFrame_Check(frame)) {
            PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)frame);
            char *path = cpdb_code_path(code);
            const char *name = PyUnicode_AsUTF8(code->co_name);
            cpdb_buf_printf(&b, "  File \"%s\", line %ld, in %s\n", path,
                            lineno ? PyLong_AsLong(lineno) : 0,
                            name ? name : "?");
            free(path);
            Py_DECREF(code);
        }
        PyErr_Clear();
        Py_XDECREF(frame);
        Py_XDECREF(lineno);
        Py_DECREF(tb);
        tb = next != Py_None ? next : NULL;
        if (next == Py_None) {
            Py_DECREF(next);
        }
    }
    Py_XDECREF(tb);
    return cpdb_buf_take(&b);
}

void
cpdb_dap_exception_info(Dap *d, json_t *req)
{
    CpdbSession *s = d->s;
    PyObject *exc = s->stop_value;
    PyTypeObject *t;
    PyObject *mod;
    char *line, *str, *tb, *full;
    const char *mode;

    if (exc == NULL || !PyExceptionInstance_Check(exc)) {
        cpdb_dap_respond(&d->w, req, NULL, "This stop has no exception.");
        return;
    }
    cpdb_guard_begin(&s->busy);
    t = Py_TYPE(exc);
    mod = PyObject_GetAttrString((PyObject *)t, "__module__");
    full = mod != NULL && PyUnicode_Check(mod)
               && strcmp(PyUnicode_AsUTF8(mod), "builtins") != 0
           ? cpdb_xasprintf("%s.%s", PyUnicode_AsUTF8(mod), t->tp_name)
           : cpdb_xstrdup(t->tp_name);
    PyErr_Clear();
    Py_XDECREF(mod);
    line = cpdb_exc_line(exc);
    str = cpdb_str(exc, VALUE_LIMIT);
    tb = traceback_text(exc);
    mode = s->state == CPDB_PROG_POST_MORTEM ? "unhandled" : "always";
    cpdb_dap_respond(&d->w, req, json_pack(
        "{s:o, s:o, s:s, s:{s:o, s:o, s:o, s:o}}",
        "exceptionId", text_json(full), "description", text_json(line),
        "breakMode", mode, "details", "message", text_json(str),
        "typeName", text_json(t->tp_name), "fullTypeName", text_json(full),
        "stackTrace", text_json(tb)), NULL);
    cpdb_guard_end(&s->busy);
    free(full);
    free(line);
    free(str);
    free(tb);
}

/* --- logpoints ------------------------------------------------------------ */

char *
cpdb_dap_format_log(Dap *d, PyFrameObject *frame, const char *msg)
{
    CpdbBuf b;
    const char *p = msg;
    cpdb_buf_init(&b);
    while (*p != '\0') {
        const char *close;
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            cpdb_buf_addc(&b, p[0]);
            p += 2;
            continue;
        }
        if (p[0] != '{' || (close = strchr(p, '}')) == NULL) {
            cpdb_buf_addc(&b, *p++);
            continue;
        }
        {
            char *expr = cpdb_xstrndup(p + 1, (size_t)(close - p - 1));
            PyObject *v = cpdb_eval_expr(d->s, frame, expr);
            char *text;
            if (v != NULL) {
                cpdb_guard_begin(&d->s->busy);
                text = cpdb_str(v, VALUE_LIMIT);
                cpdb_guard_end(&d->s->busy);
                Py_DECREF(v);
            }
            else {
                char *why = cpdb_exc_take_line();
                text = cpdb_xasprintf("<%s>", why);
                free(why);
            }
            cpdb_buf_add(&b, text);
            free(text);
            free(expr);
        }
        p = close + 1;
    }
    return cpdb_buf_take(&b);
}
