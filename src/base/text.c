/* Text of Python objects for people: repr and str cut to a length,
   and exceptions as one line.  Never fails: what cannot be shown says
   why in its place. */
#include "base/text.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

char *
cpdb_cut_text(const char *text, long limit)
{
    long count = 0;
    const unsigned char *p = (const unsigned char *)text;
    if (limit <= 0) {
        return cpdb_xstrdup(text);
    }
    while (*p) {
        if ((*p & 0xC0) != 0x80) {
            if (count == limit) {
                size_t keep = (size_t)((const char *)p - text);
                size_t rest = strlen((const char *)p);
                CpdbBuf b;
                if (rest <= 3) {
                    break;      /* cutting would not make it shorter */
                }
                cpdb_buf_init(&b);
                cpdb_buf_addn(&b, text, keep);
                if (limit < 200) {
                    cpdb_buf_add(&b, "...");
                }
                else {
                    cpdb_buf_printf(&b, "...<%zu more bytes>", rest);
                }
                return cpdb_buf_take(&b);
            }
            count++;
        }
        p++;
    }
    return cpdb_xstrdup(text);
}

static char *
text_of(PyObject *o, long limit, int use_repr)
{
    PyObject *r;
    const char *u;
    char *out;
    CpdbExcState st;

    cpdb_exc_save(&st);
    r = use_repr ? PyObject_Repr(o) : PyObject_Str(o);
    if (r == NULL) {
        char *why = cpdb_exc_take_line();
        out = cpdb_xasprintf("<%s failed: %s>", use_repr ? "repr" : "str",
                             why);
        free(why);
        cpdb_exc_restore(&st);
        return out;
    }
    u = PyUnicode_AsUTF8(r);
    if (u == NULL) {
        PyErr_Clear();
        out = cpdb_xstrdup("<unprintable>");
    }
    else {
        out = cpdb_cut_text(u, limit);
    }
    Py_DECREF(r);
    cpdb_exc_restore(&st);
    return out;
}

char *
cpdb_repr(PyObject *o, long limit)
{
    return text_of(o, limit, 1);
}

char *
cpdb_str(PyObject *o, long limit)
{
    return text_of(o, limit, 0);
}

char *
cpdb_exc_line(PyObject *value)
{
    PyObject *type = (PyObject *)Py_TYPE(value);
    PyObject *module = NULL, *qualname = NULL;
    CpdbBuf b;
    char *msg;

    cpdb_buf_init(&b);
    module = PyObject_GetAttrString(type, "__module__");
    qualname = PyObject_GetAttrString(type, "__qualname__");
    PyErr_Clear();
    if (module != NULL && PyUnicode_Check(module)
        && PyUnicode_CompareWithASCIIString(module, "builtins") != 0
        && PyUnicode_CompareWithASCIIString(module, "__main__") != 0) {
        cpdb_buf_printf(&b, "%s.", PyUnicode_AsUTF8(module));
    }
    if (qualname != NULL && PyUnicode_Check(qualname)) {
        cpdb_buf_add(&b, PyUnicode_AsUTF8(qualname));
    }
    else {
        cpdb_buf_add(&b, ((PyTypeObject *)type)->tp_name);
    }
    PyErr_Clear();
    Py_XDECREF(module);
    Py_XDECREF(qualname);
    msg = cpdb_str(value, 0);
    if (*msg != '\0') {
        cpdb_buf_printf(&b, ": %s", msg);
    }
    free(msg);
    return cpdb_buf_take(&b);
}

char *
cpdb_exc_take_line(void)
{
    PyObject *value = cpdb_exc_take();
    char *line = value ? cpdb_exc_line(value) : cpdb_xstrdup("unknown error");
    Py_XDECREF(value);
    PyErr_Clear();
    return line;
}
