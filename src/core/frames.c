/* The stack at a stop.  Frames come from the live chain (f_back) or, in
   post-mortem, from the traceback.  cpdb runs the program's code from C,
   so no frame of cpdb's own is ever on the chain. */
#include "core/frames.h"
#include "base/text.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

void
cpdb_stack_clear(CpdbSession *s)
{
    size_t i;
    for (i = 0; i < s->stack.n; i++) {
        Py_CLEAR(s->stack.items[i].frame);
    }
    free(s->stack.items);
    memset(&s->stack, 0, sizeof s->stack);
}

static void
stack_push(CpdbStack *st, PyFrameObject *f, int lineno)
{
    CpdbFrameEntry e;
    e.frame = (PyFrameObject *)Py_NewRef(f);
    e.lineno = lineno;
    cpdb_array_push(st, e);
}

void
cpdb_stack_from_frame(CpdbSession *s, PyFrameObject *top)
{
    PyFrameObject *f = top ? (PyFrameObject *)Py_NewRef(top) : NULL;
    cpdb_stack_clear(s);
    while (f != NULL) {
        PyFrameObject *back = PyFrame_GetBack(f);       /* new or NULL */
        stack_push(&s->stack, f, PyFrame_GetLineNumber(f));
        Py_DECREF(f);
        f = back;
    }
}

void
cpdb_stack_from_traceback(CpdbSession *s, PyObject *tb)
{
    size_t i;
    cpdb_stack_clear(s);
    /* The traceback runs outermost to innermost; the stack is the
       other way round. */
    while (tb != NULL && PyTraceBack_Check(tb)) {
        PyTracebackObject *t = (PyTracebackObject *)tb;
        /* The attribute, not the field: from 3.12 the field is computed
           on first use. */
        PyObject *ln = PyObject_GetAttrString(tb, "tb_lineno");
        int lineno = ln && PyLong_Check(ln) ? (int)PyLong_AsLong(ln) : -1;
        Py_XDECREF(ln);
        PyErr_Clear();
        stack_push(&s->stack, t->tb_frame, lineno);
        tb = (PyObject *)t->tb_next;
    }
    for (i = 0; i < s->stack.n / 2; i++) {
        size_t j = s->stack.n - 1 - i;
        CpdbFrameEntry tmp = s->stack.items[i];
        s->stack.items[i] = s->stack.items[j];
        s->stack.items[j] = tmp;
    }
}

CpdbFrameEntry *
cpdb_stack_selection(CpdbSession *s)
{
    if (s->stack.n == 0) {
        return NULL;
    }
    return &s->stack.items[s->stack.selected];
}

char *
cpdb_code_path(PyCodeObject *code)
{
    const char *fn = PyUnicode_AsUTF8(code->co_filename);
    if (fn == NULL) {
        PyErr_Clear();
        return cpdb_xstrdup("<unknown>");
    }
    if (fn[0] == '<' && fn[strlen(fn) - 1] == '>') {
        return cpdb_xstrdup(fn);
    }
    return cpdb_path_absolute(fn);
}

char *
cpdb_frame_funcname(PyFrameObject *f)
{
    PyCodeObject *co = PyFrame_GetCode(f);
    const char *name = PyUnicode_AsUTF8(co->co_name);
    char *out = cpdb_xstrdup(name ? name : "?");
    PyErr_Clear();
    Py_DECREF(co);
    return out;
}

PyObject *
cpdb_frame_arg_names(PyFrameObject *f)
{
    PyCodeObject *co = PyFrame_GetCode(f);
    PyObject *varnames = NULL, *result = NULL;
    int n = co->co_argcount + co->co_kwonlyargcount;
    int i;

    if (co->co_flags & CO_VARARGS) {
        n++;
    }
    if (co->co_flags & CO_VARKEYWORDS) {
        n++;
    }
    varnames = PyObject_GetAttrString((PyObject *)co, "co_varnames");
    if (varnames == NULL || !PyTuple_Check(varnames)) {
        goto done;
    }
    if (n > PyTuple_GET_SIZE(varnames)) {
        n = (int)PyTuple_GET_SIZE(varnames);
    }
    result = PyList_New(n);
    if (result == NULL) {
        goto done;
    }
    for (i = 0; i < n; i++) {
        PyList_SET_ITEM(result, i, Py_NewRef(PyTuple_GET_ITEM(varnames, i)));
    }
done:
    Py_XDECREF(varnames);
    Py_DECREF(co);
    return result;
}

char *
cpdb_frame_args(PyFrameObject *f, long limit)
{
    PyObject *names = NULL, *locals = NULL;
    CpdbBuf b;
    Py_ssize_t i;
    CpdbExcState st;

    cpdb_buf_init(&b);
    cpdb_exc_save(&st);
    names = cpdb_frame_arg_names(f);
    locals = names ? cpdb_frame_locals(f) : NULL;
    if (names == NULL || locals == NULL) {
        PyErr_Clear();
        goto done;
    }
    for (i = 0; i < PyList_GET_SIZE(names); i++) {
        PyObject *name = PyList_GET_ITEM(names, i);
        PyObject *v = PyObject_GetItem(locals, name);
        char *r;
        if (i > 0) {
            cpdb_buf_add(&b, ", ");
        }
        if (v == NULL) {
            PyErr_Clear();
            r = cpdb_xstrdup("<unbound>");
        }
        else {
            r = cpdb_repr(v, limit);
            Py_DECREF(v);
        }
        cpdb_buf_printf(&b, "%s=%s", PyUnicode_AsUTF8(name), r);
        free(r);
    }
done:
    Py_XDECREF(names);
    Py_XDECREF(locals);
    cpdb_exc_restore(&st);
    return cpdb_buf_take(&b);
}
