/* Running the debugged program as __main__, the way python3 runs a
   script or "python3 -m module": same sys.argv, sys.path[0], __file__,
   module attributes and exit status. */
#include "core/program.h"
#include "base/text.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
cpdb_program_fini(CpdbProgram *p)
{
    int i;
    free(p->target);
    free(p->main_path);
    for (i = 0; i < p->argc; i++) {
        free(p->argv[i]);
    }
    free(p->argv);
    memset(p, 0, sizeof *p);
}

void
cpdb_program_set_args(CpdbProgram *p, int argc, char *const argv[])
{
    int i;
    for (i = 0; i < p->argc; i++) {
        free(p->argv[i]);
    }
    free(p->argv);
    p->argv = cpdb_xcalloc((size_t)argc + 1, sizeof(char *));
    for (i = 0; i < argc; i++) {
        p->argv[i] = cpdb_xstrdup(argv[i]);
    }
    p->argc = argc;
}

void
cpdb_program_set(CpdbProgram *p, CpdbProgKind kind, const char *target,
                 int argc, char *const argv[])
{
    cpdb_program_fini(p);
    p->kind = kind;
    p->target = cpdb_xstrdup(target);
    cpdb_program_set_args(p, argc, argv);
}

/* sys.argv = [argv0] + the program's arguments. */
static int
set_sys_argv(CpdbProgram *p, const char *argv0)
{
    PyObject *list = PyList_New(0);
    int i, rc = -1;
    if (list == NULL) {
        return -1;
    }
    for (i = -1; i < p->argc; i++) {
        const char *a = i < 0 ? argv0 : p->argv[i];
        PyObject *s = PyUnicode_DecodeFSDefault(a);
        if (s == NULL || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            goto done;
        }
        Py_DECREF(s);
    }
    rc = PySys_SetObject("argv", list);
done:
    Py_DECREF(list);
    return rc;
}

/* Put dir at the front of sys.path, once per session. */
static int
set_sys_path0(CpdbProgram *p, const char *dir)
{
    PyObject *path = PySys_GetObject("path");           /* borrowed */
    PyObject *d;
    int rc;
    if (p->path0_done) {
        return 0;
    }
    if (path == NULL || !PyList_Check(path)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
        return -1;
    }
    d = PyUnicode_DecodeFSDefault(dir);
    if (d == NULL) {
        return -1;
    }
    rc = PyList_Insert(path, 0, d);
    Py_DECREF(d);
    p->path0_done = (rc == 0);
    return rc;
}

static int
set_str(PyObject *d, const char *key, const char *value)
{
    PyObject *v = PyUnicode_DecodeFSDefault(value);
    int rc;
    if (v == NULL) {
        return -1;
    }
    rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}

/* Empty __main__ and fill in what python3 puts there.
   Return: borrowed __main__ dict, or NULL with an exception set. */
static PyObject *
reset_main(void)
{
    PyObject *main = PyImport_AddModule("__main__");    /* borrowed */
    PyObject *d, *builtins, *annotations;
    if (main == NULL) {
        return NULL;
    }
    d = PyModule_GetDict(main);
    PyDict_Clear(d);
    builtins = PyImport_ImportModule("builtins");
    if (builtins == NULL) {
        return NULL;
    }
    annotations = PyDict_New();
    if (annotations == NULL || set_str(d, "__name__", "__main__") < 0
        || PyDict_SetItemString(d, "__annotations__", annotations) < 0
        || PyDict_SetItemString(d, "__builtins__", builtins) < 0
        || PyDict_SetItemString(d, "__doc__", Py_None) < 0
        || PyDict_SetItemString(d, "__package__", Py_None) < 0
        || PyDict_SetItemString(d, "__spec__", Py_None) < 0
        || PyDict_SetItemString(d, "__cached__", Py_None) < 0) {
        Py_XDECREF(annotations);
        Py_DECREF(builtins);
        return NULL;
    }
    Py_DECREF(annotations);
    Py_DECREF(builtins);
    return d;
}

/* Make __main__ the module runpy found: details is runpy's (name,
   spec, code); sys.argv[0] becomes argv0, or the module's file when
   argv0 is NULL.  Return: new reference to the code, or NULL with an
   exception set. */
static PyObject *
main_from_details(CpdbSession *s, PyObject *details, const char *argv0,
                  PyObject **globals)
{
    CpdbProgram *p = &s->prog;
    PyObject *spec, *code = NULL, *d, *origin = NULL, *attr;
    const char *origin_s;

    if (!PyTuple_Check(details) || PyTuple_GET_SIZE(details) != 3) {
        PyErr_SetString(PyExc_RuntimeError, "unexpected module details");
        return NULL;
    }
    spec = PyTuple_GET_ITEM(details, 1);
    origin = PyObject_GetAttrString(spec, "origin");
    if (origin == NULL || (origin_s = PyUnicode_AsUTF8(origin)) == NULL) {
        goto done;
    }
    free(p->main_path);
    p->main_path = cpdb_path_absolute(origin_s);
    if (set_sys_argv(p, argv0 != NULL ? argv0 : origin_s) < 0
        || (d = reset_main()) == NULL
        || PyDict_SetItemString(d, "__file__", origin) < 0
        || PyDict_SetItemString(d, "__spec__", spec) < 0) {
        goto done;
    }
    if ((attr = PyObject_GetAttrString(spec, "loader")) != NULL) {
        PyDict_SetItemString(d, "__loader__", attr);
        Py_DECREF(attr);
    }
    if ((attr = PyObject_GetAttrString(spec, "parent")) != NULL) {
        PyDict_SetItemString(d, "__package__", attr);
        Py_DECREF(attr);
    }
    if ((attr = PyObject_GetAttrString(spec, "cached")) != NULL) {
        PyDict_SetItemString(d, "__cached__", attr);
        Py_DECREF(attr);
    }
    PyErr_Clear();
    *globals = d;
    code = Py_NewRef(PyTuple_GET_ITEM(details, 2));
done:
    Py_XDECREF(origin);
    return code;
}

/* Prepare "-m module" with runpy's module lookup (the code python3 -m
   itself uses): sys.argv[0] becomes the module's file, sys.path[0] the
   current directory.  Return as prepare_file(). */
static PyObject *
prepare_module(CpdbSession *s, PyObject **globals, char **why)
{
    CpdbProgram *p = &s->prog;
    PyObject *runpy = NULL, *details = NULL, *code = NULL;
    char cwd[PATH_MAX];

    if (getcwd(cwd, sizeof cwd) == NULL || set_sys_path0(p, cwd) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetFromErrno(PyExc_OSError);
        }
        return NULL;
    }
    runpy = PyImport_ImportModule("runpy");
    if (runpy == NULL) {
        return NULL;
    }
    details = PyObject_CallMethod(runpy, "_get_module_details", "s",
                                  p->target);
    if (details == NULL) {
        char *line = cpdb_exc_take_line();
        *why = cpdb_xasprintf("Error while finding module specification "
                              "for '%s' (%s)", p->target, line);
        free(line);
        goto done;
    }
    code = main_from_details(s, details, NULL, globals);
done:
    Py_XDECREF(details);
    Py_XDECREF(runpy);
    return code;
}

/* A folder or a zip file given as the script: python3 runs its
   __main__.py as "python3 -m __main__" would, with the folder (made
   absolute, not normalised) as sys.path[0] and sys.argv[0] as given.
   Return: 1 when path is one (*code set as prepare_file() returns
   it), 0 when it is not, -1 with an exception set. */
static int
prepare_main_dir(CpdbSession *s, const char *abs, PyObject **globals,
                 char **why, PyObject **code)
{
    CpdbProgram *p = &s->prog;
    PyObject *path, *importer, *runpy = NULL, *details = NULL;

    /* python3's own test: does a sys.path_hooks importer take the path?
       (none takes a plain file, so a script is read as one) */
    path = PyUnicode_DecodeFSDefault(abs);
    importer = path != NULL ? PyImport_GetImporter(path) : NULL;
    Py_XDECREF(path);
    if (importer == NULL) {
        return -1;
    }
    p->is_dir = importer != Py_None;
    Py_DECREF(importer);
    if (!p->is_dir) {
        return 0;
    }
    *code = NULL;
    if (set_sys_argv(p, p->target) < 0 || set_sys_path0(p, abs) < 0
        || (runpy = PyImport_ImportModule("runpy")) == NULL) {
        return 1;
    }
    details = PyObject_CallMethod(runpy, "_get_main_module_details", NULL);
    if (details == NULL && PyErr_ExceptionMatches(PyExc_ImportError)) {
        /* "can't find '__main__' module in 'DIR'", as python3 says it;
           anything else (a SyntaxError) is the program's error. */
        PyObject *exc = cpdb_exc_take();
        *why = exc != NULL ? cpdb_str(exc, 0) : cpdb_xstrdup("?");
        (*why)[0] = (char)toupper((unsigned char)(*why)[0]);
        Py_XDECREF(exc);
    }
    else if (details != NULL) {
        *code = main_from_details(s, details, p->target, globals);
    }
    Py_XDECREF(details);
    Py_DECREF(runpy);
    return 1;
}

/* Prepare a script: sys.argv, sys.path[0], __main__.  Return: new code
   object, NULL with an exception set (a SyntaxError is the program's
   error), or NULL with *why set (malloc'd) when the file cannot be
   read. */
static PyObject *
prepare_file(CpdbSession *s, PyObject **globals, char **why)
{
    CpdbProgram *p = &s->prog;
    char *abs, *text, *real, *slash, cwd[PATH_MAX];
    PyObject *code = NULL, *d, *loader, *machinery;
    size_t len;

    /* __file__ as python3 makes it: the working directory joined to a
       relative path, not normalised ("a/../b.py" stays). */
    if (p->target[0] == '/' || getcwd(cwd, sizeof cwd) == NULL) {
        abs = cpdb_xstrdup(p->target);
    }
    else {
        abs = cpdb_xasprintf("%s/%s", cwd, p->target);
    }
    switch (prepare_main_dir(s, abs, globals, why, &code)) {
    case 1:
        free(abs);
        return code;
    case -1:
        free(abs);
        return NULL;
    }
    text = cpdb_read_file(abs, &len);
    if (text == NULL) {
        int err = errno;
        *why = cpdb_xasprintf("Can't open file '%s': [Errno %d] %s", abs,
                              err, strerror(err));
        free(abs);
        return NULL;
    }
    free(p->main_path);
    p->main_path = cpdb_path_absolute(abs);
    real = cpdb_path_canonical(abs);
    slash = strrchr(real, '/');
    if (slash != NULL) {
        *(slash == real ? slash + 1 : slash) = '\0';
    }
    if (set_sys_argv(p, p->target) < 0 || set_sys_path0(p, real) < 0
        || (d = reset_main()) == NULL || set_str(d, "__file__", abs) < 0) {
        goto done;
    }
    /* python3 gives __main__ a source loader (inspect, linecache and
       pkgutil use it); without importlib that is only a nicety. */
    machinery = PyImport_ImportModule("importlib.machinery");
    loader = machinery ? PyObject_CallMethod(machinery, "SourceFileLoader",
                                             "ss", "__main__", abs)
                       : NULL;
    if (loader == NULL || PyDict_SetItemString(d, "__loader__", loader) < 0) {
        PyErr_Clear();
    }
    Py_XDECREF(loader);
    Py_XDECREF(machinery);
    *globals = d;
    code = Py_CompileStringExFlags(text, abs, Py_file_input, NULL, -1);
done:
    free(real);
    free(text);
    free(abs);
    return code;
}

/* The exit status python3 gives for a SystemExit: code None is 0, an
   int is itself, anything else is printed to stderr and gives 1. */
static int
system_exit_status(PyObject *exc)
{
    PyObject *code = PyObject_GetAttrString(exc, "code");
    int status = 1;
    if (code == NULL) {
        PyErr_Clear();
        return 1;
    }
    if (code == Py_None) {
        status = 0;
    }
    else if (PyLong_Check(code)) {
        long v = PyLong_AsLong(code);
        if (v == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            v = -1;
        }
        status = (int)(v & 0xff);
    }
    else {
        PyObject *err = PySys_GetObject("stderr");      /* borrowed */
        if (err != NULL && err != Py_None
            && PyFile_WriteObject(code, err, Py_PRINT_RAW) == 0) {
            PyFile_WriteString("\n", err);
        }
        PyErr_Clear();
    }
    Py_DECREF(code);
    return status;
}

/* The exception that ended the program: SystemExit gives its status;
   anything else is reported as uncaught, and a program that was running
   goes to post-mortem (r->uncaught). */
static void
program_raised(CpdbSession *s, CpdbRunResult *r)
{
    PyObject *value;

    r->outcome = CPDB_RUN_EXITED;
    if (s->kill_exc != NULL && PyErr_ExceptionMatches(s->kill_exc)) {
        PyErr_Clear();
        r->outcome = CPDB_RUN_KILLED;
        return;
    }
    value = cpdb_exc_take();
    if (value == NULL) {
        r->status = 1;
    }
    else if (PyErr_GivenExceptionMatches(value, PyExc_SystemExit)) {
        r->status = system_exit_status(value);
    }
    else {
        r->status = PyErr_GivenExceptionMatches(value,
                                                PyExc_KeyboardInterrupt)
                    ? 130 : 1;
        cpdb_exc_report_uncaught(value);
        s->exit_status = r->status;     /* what end of input in
                                           post-mortem exits with */
        if (s->state == CPDB_PROG_RUNNING && !s->detached) {
            r->uncaught = Py_NewRef(value);
        }
    }
    Py_XDECREF(value);
}

void
cpdb_program_run(CpdbSession *s, unsigned flags, CpdbRunResult *r)
{
    PyObject *code, *globals = NULL, *result;

    memset(r, 0, sizeof *r);
    s->request = CPDB_REQ_NONE;
    if (s->prog.kind == CPDB_PROG_FILE) {
        code = prepare_file(s, &globals, &r->why);
    }
    else if (s->prog.kind == CPDB_PROG_MODULE) {
        code = prepare_module(s, &globals, &r->why);
    }
    else {
        r->why = cpdb_xstrdup("No program to run: give a script or -m "
                              "MODULE.");
        r->error = CPDB_E_STATE;
        r->outcome = CPDB_RUN_NOT_STARTED;
        return;
    }
    if (code == NULL) {
        if (r->why != NULL) {
            PyErr_Clear();
            r->error = CPDB_E_NOFILE;
            /* python3's status: 2 for a script it cannot open, 1 for a
               module or a folder without __main__ */
            r->status = s->prog.kind == CPDB_PROG_FILE && !s->prog.is_dir
                        ? 2 : 1;
            r->outcome = CPDB_RUN_NOT_STARTED;
            return;
        }
        /* A syntax error in the script: python3 reports it and ends. */
        program_raised(s, r);
        return;
    }

    cpdb_step_init(&s->step);
    s->step.main_path = s->prog.main_path;
    s->step.wait_for_main = (flags & CPDB_RUN_STOP_AT_FIRST) != 0;
    s->state = CPDB_PROG_RUNNING;
    memset(s->trace.n_events, 0, sizeof s->trace.n_events);
    if (s->backend->start(&s->trace) < 0) {
        char *line = cpdb_exc_take_line();
        Py_DECREF(code);
        s->state = CPDB_PROG_IDLE;
        r->why = cpdb_xasprintf("Cannot start tracing: %s", line);
        free(line);
        r->error = CPDB_E_PYTHON;
        r->outcome = CPDB_RUN_NOT_STARTED;
        return;
    }
    s->tracing = 1;
    result = PyEval_EvalCode(code, globals, globals);
    if (s->tracing) {
        s->backend->stop(&s->trace);
        s->tracing = 0;
    }
    Py_DECREF(code);
    cpdb_step_fini(&s->step);
    cpdb_step_init(&s->step);

    if (result != NULL) {
        Py_DECREF(result);
        r->outcome = CPDB_RUN_EXITED;
    }
    else {
        program_raised(s, r);
    }
    /* A program that raised stays RUNNING for the post-mortem to take
       its frames; the run loop ends that. */
    if (r->uncaught == NULL) {
        s->state = CPDB_PROG_IDLE;
    }
}
