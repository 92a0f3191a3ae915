/* A C program that embeds Python and debugs the Python it runs with
   libcpdb: the example of docs/embedding.md.

   Usage: host SCRIPT.py [FILE:LINE]
   The script may call host.checkpoint() to stop in the debugger at that
   line; FILE:LINE sets a breakpoint before the script starts. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cpdb/cpdb.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static CpdbSession *session;

/* host.checkpoint(): give the debugger prompt at the calling line. */
static PyObject *
checkpoint(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    if (cpdb_break_here(session) == CPDB_E_QUIT) {
        PyErr_SetString(PyExc_SystemExit, "debugger quit");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef host_methods[] = {
    {"checkpoint", checkpoint, METH_NOARGS, "Stop in the debugger here."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef host_module = {
    PyModuleDef_HEAD_INIT, "host", "Services of the host program.", -1,
    host_methods, NULL, NULL, NULL, NULL
};

static PyObject *
init_host(void)
{
    return PyModule_Create(&host_module);
}

int
main(int argc, char **argv)
{
    CpdbOptions opts = {1, 0, 1};   /* quiet, not batch, no init files */
    int status;

    if (argc < 2) {
        fprintf(stderr, "usage: host SCRIPT.py [FILE:LINE]\n");
        return 2;
    }
    PyImport_AppendInittab("host", init_host);
    Py_Initialize();
    session = cpdb_session_new(&opts);
    if (session == NULL) {
        return 1;
    }
    if (argc > 2) {
        char *spec = strdup(argv[2]);
        char *colon = spec ? strrchr(spec, ':') : NULL;
        if (colon == NULL) {
            fprintf(stderr, "host: FILE:LINE expected\n");
            return 2;
        }
        *colon = '\0';
        if (cpdb_break_insert(session, spec, atoi(colon + 1), NULL) < 0) {
            fprintf(stderr, "host: cannot set a breakpoint at %s\n",
                    argv[2]);
        }
        free(spec);
    }
    /* Stop only at breakpoints and checkpoints, not at the first line. */
    cpdb_run_file(session, argv[1], 0, NULL, 0);
    status = cpdb_session_exit_status(session);
    cpdb_session_free(session);
    if (Py_FinalizeEx() < 0) {
        status = 120;
    }
    printf("host: script finished with status %d\n", status);
    return status < 0 ? 0 : status;
}
