/* The smallest host: built by the install test against an installed
   libcpdb found with pkg-config.  It makes a session with a console of
   its own, evaluates, runs a command, and says "ok" when all worked. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cpdb/cpdb.h>

#include <stdio.h>
#include <string.h>

static char *
no_input(void *ctx, const char *prompt)
{
    (void)ctx;
    (void)prompt;
    return NULL;
}

static void
discard(void *ctx, int stream, const char *text, size_t len)
{
    (void)ctx;
    (void)stream;
    (void)text;
    (void)len;
}

int
main(void)
{
    CpdbOptions opts = {1, 0, 1, NULL};
    CpdbIo io = {no_input, discard, NULL};
    CpdbSession *s;
    PyObject *v = NULL;
    char *text = NULL;
    int ok;

    Py_Initialize();
    s = cpdb_session_new_io(&opts, &io);
    ok = s != NULL && cpdb_evaluate(s, 0, "6 * 7", &v) == CPDB_OK
         && PyLong_AsLong(v) == 42
         && cpdb_session_command_output(s, "info breakpoints", &text)
            == CPDB_OK
         && strstr(text, "No breakpoints") != NULL;
    Py_XDECREF(v);
    cpdb_free(text);
    cpdb_session_free(s);
    if (Py_FinalizeEx() < 0) {
        ok = 0;
    }
    printf("%s cpdb %s\n", ok ? "ok" : "failed", cpdb_version());
    return ok ? 0 : 1;
}
