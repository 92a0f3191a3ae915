/* A tiny agent for the injector's tests: loaded into a running Python by
   tests/helpers/cpdb_inject_test, it appends one line to the file named by
   its argument ("FILE" or "FILE SIGNUM") from a thread of its own, then
   that thread ends.  With SIGNUM, the entry also sends that signal to the
   thread that calls it, while the injector holds that thread.

   Built against one Python's headers and linked without libpython: its
   Py* symbols bind to the target's own at dlopen time. */
#include <Python.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define AGENT_API __attribute__((visibility("default")))

int test_agent_start(const char *arg) AGENT_API;
int test_agent_crash(const char *arg) AGENT_API;

/* How many times the entry ran in this process: a second dlopen of the
   same file reuses the mapping, and the count goes on. */
static int n_starts;

/* Never import threading from here: imported first by a thread that is
   not the main one, it would take that thread for the main thread. */
static const char CODE[] =
    "import os, sys\n"
    "t = sys.modules.get('threading')\n"
    "with open(path, 'a') as f:\n"
    "    f.write('agent n=%d pid=%d threads=%d\\n' % (n, os.getpid(),\n"
    "            t.active_count() if t else 0))\n";

typedef struct Job {
    char *path;
    int n;
} Job;

static void *
run(void *p)
{
    Job *job = p;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *globals = PyDict_New(), *v = NULL, *r = NULL;

    if (globals != NULL
        && PyDict_SetItemString(globals, "__builtins__",
                                PyEval_GetBuiltins()) == 0
        && (v = PyUnicode_DecodeFSDefault(job->path)) != NULL
        && PyDict_SetItemString(globals, "path", v) == 0) {
        Py_DECREF(v);
        v = PyLong_FromLong(job->n);
        if (v != NULL && PyDict_SetItemString(globals, "n", v) == 0) {
            r = PyRun_String(CODE, Py_file_input, globals, globals);
        }
    }
    if (r == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(r);
    Py_XDECREF(v);
    Py_XDECREF(globals);
    PyGILState_Release(g);
    free(job->path);
    free(job);
    return NULL;
}

/* Start the writer thread (all signals blocked in it: the program's
   signals must never land on a thread of ours) and return at once.
   Return: the number of starts so far, or -1. */
int
test_agent_start(const char *arg)
{
    pthread_attr_t attr;
    pthread_t th;
    sigset_t all, old;
    Job *job = malloc(sizeof *job);
    const char *space = strrchr(arg, ' ');
    int rc, n, sig = 0;

    if (job == NULL || (job->path = strdup(arg)) == NULL) {
        free(job);
        return -1;
    }
    if (space != NULL) {
        job->path[space - arg] = '\0';
        sig = atoi(space + 1);
    }
    job->n = n = ++n_starts;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&th, &attr, run, job);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        free(job->path);
        free(job);
        return -1;
    }
    if (sig > 0) {
        raise(sig);
    }
    return n;                   /* job belongs to the thread now */
}

/* An entry that faults: the injector must give the thread back as it
   was, and the program go on. */
int
test_agent_crash(const char *arg)
{
    volatile int *volatile nowhere = NULL;

    (void)arg;
    return *nowhere;
}
