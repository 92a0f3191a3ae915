/* The one writer.  cpdb writes with C stdio to its own copies of the
   process's stdout/stderr (session.in/out/err); the program writes
   through Python's own buffered sys.stdout.  Before cpdb says anything,
   the program's buffers are flushed so that a transcript reads in time
   order. */
#include "cli/output.h"
#include "core/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
flush_stream(const char *name)
{
    PyObject *stream = PySys_GetObject(name);      /* borrowed */
    PyObject *r;
    if (stream == NULL || stream == Py_None) {
        return;
    }
    r = PyObject_CallMethod(stream, "flush", NULL);
    if (r == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(r);
}

void
cpdb_out_sync(CpdbSession *s)
{
    CpdbExcState st;
    int busy = s->busy;
    s->busy = 1;
    cpdb_exc_save(&st);
    flush_stream("stdout");
    flush_stream("stderr");
    cpdb_exc_restore(&st);
    s->busy = busy;
    fflush(stdout);
    fflush(s->out);
}

/* Colour on stream f: only on a terminal that is not "dumb" (Emacs runs
   debuggers on a dumb terminal and reads their output), never with
   NO_COLOR set, and only as "set color" says. */
static int
color_on(CpdbSession *s, FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (!s->set.color || (nc != NULL && *nc != '\0')
        || term == NULL || strcmp(term, "dumb") == 0) {
        return 0;
    }
    return isatty(fileno(f));
}

void
cpdb_out(CpdbSession *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(s->out, fmt, ap);
    va_end(ap);
}

void
cpdb_error(CpdbSession *s, const char *fmt, ...)
{
    va_list ap;
    int color = color_on(s, s->err);
    fflush(s->out);
    if (color) {
        fputs("\033[31m", s->err);        /* red */
    }
    va_start(ap, fmt);
    vfprintf(s->err, fmt, ap);
    va_end(ap);
    fputs(color ? "\033[0m\n" : "\n", s->err);
    fflush(s->err);
}

void
cpdb_error_exc(CpdbSession *s, const char *prefix)
{
    char *line = cpdb_exc_take_line();
    if (prefix != NULL && *prefix != '\0') {
        cpdb_error(s, "%s%s", prefix, line);
    }
    else {
        cpdb_error(s, "%s", line);
    }
    free(line);
}

/* Cut text to limit code points, marking the cut. */
static char *
utf8_cut(const char *text, long limit)
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
        out = utf8_cut(u, limit);
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
    CpdbExcState st;
    PyObject *value;
    char *line;

    cpdb_exc_save(&st);
#if PY_VERSION_HEX < 0x030C0000
    PyErr_NormalizeException(&st.type, &st.value, &st.tb);
#endif
    value = st.value;
    if (value == NULL) {
        line = cpdb_xstrdup("unknown error");
    }
    else {
        line = cpdb_exc_line(value);
    }
    Py_XDECREF(st.type);
    Py_XDECREF(st.value);
    Py_XDECREF(st.tb);
    PyErr_Clear();
    return line;
}

int
cpdb_out_color(CpdbSession *s)
{
    return color_on(s, s->out);
}
