/* pdb's entry points, done by cpdb: what pdb.post_mortem(), pdb.pm(),
   pdb.run*() and the methods of pdb.Pdb that start debugging (set_trace,
   interaction, run, runeval, runctx, runcall) become once the program
   imports pdb (hooks_pdb.c puts them there).  pytest's --pdb and --trace,
   and any subclass of pdb.Pdb that keeps these methods, reach cpdb
   through them.

   Each function serves both as a module function and, wrapped in an
   instancemethod, as a method of pdb.Pdb: the capsule a method is bound
   to carries a context, and its first argument (the Pdb instance) is
   dropped. */
#include "core/hooks.h"
#include "core/session.h"
#include "core/stepper.h"

#include <stdlib.h>
#include <string.h>

/* The capsule context that marks the method form. */
static const char method_form[] = "pdb.Pdb method";

PyObject *
cpdb_hooks_method(CpdbSession *s, PyMethodDef *def)
{
    PyObject *cap = PyCapsule_New(s, "cpdb.session", NULL);
    PyObject *fn = NULL, *m = NULL;
    if (cap != NULL
        && PyCapsule_SetContext(cap, (void *)method_form) == 0) {
        fn = PyCFunction_New(def, cap);
    }
    if (fn != NULL) {
        m = PyInstanceMethod_New(fn);
    }
    Py_XDECREF(fn);
    Py_XDECREF(cap);
    return m;
}

/* The session of an entry point and its arguments, without the Pdb
   instance of the method form (a slice of args: the objects in it are
   args', and live as long as the call).  While the program is being unwound
   (kill, run, quit), the kill exception is raised again, so that no
   handler that calls pdb (pytest's INTERNALERROR hook) stops it.
   Return: new reference to the arguments, or NULL with an exception
   set. */
static PyObject *
entry_args(PyObject *self, PyObject *args, CpdbSession **s)
{
    *s = PyCapsule_GetPointer(self, "cpdb.session");
    if (*s == NULL) {
        return NULL;
    }
    if ((*s)->request != CPDB_REQ_NONE && !(*s)->detached) {
        cpdb_session_raise_kill(*s);
        return NULL;
    }
    if (PyCapsule_GetContext(self) != method_form) {
        return Py_NewRef(args);
    }
    if (PyTuple_GET_SIZE(args) < 1) {
        PyErr_SetString(PyExc_TypeError, "a pdb.Pdb method needs the "
                        "instance as its first argument");
        return NULL;
    }
    return PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
}

static int
is_method_form(PyObject *self)
{
    return PyCapsule_GetContext(self) == method_form;
}

/* Whether a stop may be made now: the program runs under this session's
   tracing, is not at a stop (Python typed at the prompt), and this is
   not a child it forked. */
static int
may_stop(CpdbSession *s)
{
    return s->tracing && !s->at_stop && !s->detached && s->busy.depth == 0
           && s->state == CPDB_PROG_RUNNING;
}

/* --- set_trace and interaction ------------------------------------------ */

/* Pdb().set_trace(frame=None): as pdb.set_trace(), from frame (the
   caller when None). */
static PyObject *
entry_set_trace(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"frame", NULL};
    CpdbSession *s;
    PyObject *rest = entry_args(self, args, &s), *frame = Py_None;
    int ok;

    if (rest == NULL) {
        return NULL;
    }
    ok = PyArg_ParseTupleAndKeywords(rest, kwargs, "|O:set_trace", kwlist,
                                     &frame);
    Py_DECREF(rest);
    if (!ok) {
        return NULL;
    }
    if (frame != Py_None && !PyFrame_Check(frame)) {
        PyErr_Format(PyExc_TypeError, "set_trace() expects a frame or "
                     "None, not %.100s", Py_TYPE(frame)->tp_name);
        return NULL;
    }
    if (may_stop(s)) {
        cpdb_step_set_trace(s, frame != Py_None ? (PyFrameObject *)frame
                                                : PyEval_GetFrame());
    }
    Py_RETURN_NONE;
}

/* The traceback of t (a traceback or an exception) and the exception
   when it is known: t itself, or the one being handled if it owns that
   traceback.  Return 0 with new references in *tb and *exc (*exc may be
   NULL), or -1 when t holds no traceback (nothing set). */
static int
traceback_of(PyObject *t, PyObject **tb, PyObject **exc)
{
    *tb = NULL;
    *exc = NULL;
    if (PyExceptionInstance_Check(t)) {
        *exc = Py_NewRef(t);
        *tb = PyException_GetTraceback(t);
    }
    else if (PyTraceBack_Check(t)) {
        PyObject *type, *value, *handled_tb;
        *tb = Py_NewRef(t);
        PyErr_GetExcInfo(&type, &value, &handled_tb);
        if (handled_tb == t && value != NULL) {
            *exc = Py_NewRef(value);
        }
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(handled_tb);
    }
    if (*tb == NULL || !PyTraceBack_Check(*tb)) {
        Py_CLEAR(*tb);
        Py_CLEAR(*exc);
        return -1;
    }
    return 0;
}

/* Look at t's traceback in cpdb.  Return: None, or NULL with an
   exception set (the kill exception to unwind). */
static PyObject *
show_traceback(CpdbSession *s, PyObject *t)
{
    PyObject *tb, *exc;
    int rc = 0;
    if (traceback_of(t, &tb, &exc) < 0) {
        PyErr_SetString(PyExc_ValueError, "A valid traceback must be "
                        "passed if no exception is being handled");
        return NULL;
    }
    if (may_stop(s)) {
        rc = cpdb_session_traceback_stop(s, tb, exc);
    }
    Py_DECREF(tb);
    Py_XDECREF(exc);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Pdb().interaction(frame, traceback): pytest's --pdb calls it with a
   traceback (post-mortem); with only a frame it is a stop at that
   frame, as pdb's own stops are. */
static PyObject *
entry_interaction(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"frame", "traceback", NULL};
    CpdbSession *s;
    PyObject *rest = entry_args(self, args, &s);
    PyObject *frame = Py_None, *t = Py_None;
    int ok;

    if (rest == NULL) {
        return NULL;
    }
    ok = PyArg_ParseTupleAndKeywords(rest, kwargs, "OO:interaction", kwlist,
                                     &frame, &t);
    Py_DECREF(rest);
    if (!ok) {
        return NULL;
    }
    if (t != Py_None) {
        return show_traceback(s, t);
    }
    if (!PyFrame_Check(frame)) {
        PyErr_SetString(PyExc_TypeError, "interaction() expects a frame or "
                        "a traceback");
        return NULL;
    }
    if (may_stop(s)) {
        /* Follow the frames, as set_trace does, so that step works. */
        cpdb_step_set_trace(s, (PyFrameObject *)frame);
        if (cpdb_session_stop(s, (PyFrameObject *)frame, CPDB_STOP_HERE, 0,
                              NULL, NULL) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

/* --- post_mortem and pm -------------------------------------------------- */

/* pdb.post_mortem(t=None): t a traceback, or an exception (as 3.13
   takes); None: the exception being handled. */
static PyObject *
entry_post_mortem(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"t", NULL};
    CpdbSession *s;
    PyObject *rest = entry_args(self, args, &s), *t = Py_None, *r;
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    int ok;

    if (rest == NULL) {
        return NULL;
    }
    ok = PyArg_ParseTupleAndKeywords(rest, kwargs, "|O:post_mortem", kwlist,
                                     &t);
    Py_DECREF(rest);
    if (!ok) {
        return NULL;
    }
    if (t == Py_None) {
        PyErr_GetExcInfo(&type, &value, &tb);
        if (value != NULL && value != Py_None) {
            t = value;
        }
    }
    r = show_traceback(s, t);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return r;
}

/* pdb.pm(): the last uncaught exception (sys.last_exc from 3.12, else
   sys.last_value and sys.last_traceback); AttributeError when there is
   none, as pdb gives. */
static PyObject *
entry_pm(PyObject *self, PyObject *args)
{
    CpdbSession *s;
    PyObject *rest = entry_args(self, args, &s), *sys, *last = NULL, *r;

    if (rest == NULL) {
        return NULL;
    }
    Py_DECREF(rest);
    sys = PyImport_ImportModule("sys");
    if (sys == NULL) {
        return NULL;
    }
    if (PyObject_HasAttrString(sys, "last_exc")) {
        last = PyObject_GetAttrString(sys, "last_exc");
    }
    else {
        PyObject *value = PyObject_GetAttrString(sys, "last_value");
        PyErr_Clear();
        last = PyObject_GetAttrString(sys, "last_traceback");
        /* The exception, when it goes with that traceback. */
        if (last != NULL && value != NULL
            && PyExceptionInstance_Check(value)) {
            PyObject *vtb = PyException_GetTraceback(value);
            if (vtb == last) {
                Py_SETREF(last, Py_NewRef(value));
            }
            Py_XDECREF(vtb);
        }
        Py_XDECREF(value);
    }
    Py_DECREF(sys);
    if (last == NULL) {
        return NULL;
    }
    if (last == Py_None) {
        /* as pdb: post_mortem(None) takes the exception being handled */
        PyObject *none = PyTuple_New(0);
        r = none ? entry_post_mortem(self, none, NULL) : NULL;
        Py_XDECREF(none);
    }
    else {
        r = show_traceback(s, last);
    }
    Py_DECREF(last);
    return r;
}

/* --- run, runeval, runctx, runcall -------------------------------------- */

/* Call fn(*args, **kwargs), stopping at the first line it runs, as bdb's
   run functions do.  Return: new reference to what it returned, or NULL
   with an exception set. */
static PyObject *
call_stopping(CpdbSession *s, PyObject *fn, PyObject *args,
              PyObject *kwargs)
{
    PyObject *r;
    int stops = may_stop(s);
    if (stops) {
        cpdb_step_set_first_line(s);
    }
    r = PyObject_Call(fn, args, kwargs);
    if (stops) {
        /* Code with no line of Python (a builtin) leaves the wait set;
           pdb stops tracing here. */
        cpdb_step_end_first_line(s);
    }
    return r;
}

/* exec or eval (builtin_name) of source or a code object, as bdb's run
   and runeval: globals default to __main__'s, locals to globals. */
static PyObject *
run_code(CpdbSession *s, const char *builtin_name, PyObject *code,
         PyObject *globals, PyObject *locals)
{
    PyObject *builtins = PyEval_GetBuiltins();          /* borrowed */
    PyObject *fn = builtins ? PyDict_GetItemString(builtins, builtin_name)
                            : NULL;                     /* borrowed */
    PyObject *main = NULL, *args = NULL, *r = NULL;

    if (fn == NULL) {
        PyErr_Format(PyExc_RuntimeError, "no builtin %s()", builtin_name);
        return NULL;
    }
    Py_INCREF(fn);      /* the code run may change builtins */
    if (globals == Py_None) {
        main = PyImport_ImportModule("__main__");
        if (main == NULL) {
            goto done;
        }
        globals = PyModule_GetDict(main);               /* borrowed */
    }
    if (locals == Py_None) {
        locals = globals;
    }
    args = PyTuple_Pack(3, code, globals, locals);
    r = args ? call_stopping(s, fn, args, NULL) : NULL;
done:
    Py_XDECREF(args);
    Py_XDECREF(main);
    Py_DECREF(fn);
    return r;
}

/* run (exec) or runeval (eval), from the arguments of either form: the
   module's names them (statement, globals, locals), the method's (cmd,
   globals, locals).  Return: what eval gave, None for exec. */
static PyObject *
entry_run_code(PyObject *self, PyObject *args, PyObject *kwargs,
               const char *builtin_name, int need_namespaces)
{
    static char *module_run[] = {"statement", "globals", "locals", NULL};
    static char *module_eval[] = {"expression", "globals", "locals", NULL};
    static char *method_run[] = {"cmd", "globals", "locals", NULL};
    static char *method_eval[] = {"expr", "globals", "locals", NULL};
    int is_eval = strcmp(builtin_name, "eval") == 0;
    char **kwlist = is_method_form(self)
                    ? (is_eval ? method_eval : method_run)
                    : (is_eval ? module_eval : module_run);
    const char *format = need_namespaces ? "OOO:runctx"
                         : is_eval ? "O|OO:runeval" : "O|OO:run";
    CpdbSession *s;
    PyObject *rest = entry_args(self, args, &s), *r;
    PyObject *code, *globals = Py_None, *locals = Py_None;
    int ok;

    if (rest == NULL) {
        return NULL;
    }
    ok = PyArg_ParseTupleAndKeywords(rest, kwargs, format, kwlist, &code,
                                     &globals, &locals);
    Py_DECREF(rest);
    if (!ok) {
        return NULL;
    }
    r = run_code(s, builtin_name, code, globals, locals);
    if (r != NULL && !is_eval) {
        Py_SETREF(r, Py_NewRef(Py_None));
    }
    return r;
}

static PyObject *
entry_run(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return entry_run_code(self, args, kwargs, "exec", 0);
}

static PyObject *
entry_runctx(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return entry_run_code(self, args, kwargs, "exec", 1);
}

static PyObject *
entry_runeval(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return entry_run_code(self, args, kwargs, "eval", 0);
}

/* runcall(func, *args, **kwds): func's result. */
static PyObject *
entry_runcall(PyObject *self, PyObject *args, PyObject *kwargs)
{
    CpdbSession *s;
    PyObject *rest = entry_args(self, args, &s), *fn, *fn_args, *r;

    if (rest == NULL) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(rest) < 1) {
        Py_DECREF(rest);
        PyErr_SetString(PyExc_TypeError, "runcall() missing 1 required "
                        "positional argument: 'func'");
        return NULL;
    }
    fn = PyTuple_GET_ITEM(rest, 0);                     /* borrowed */
    fn_args = PyTuple_GetSlice(rest, 1, PyTuple_GET_SIZE(rest));
    r = fn_args ? call_stopping(s, fn, fn_args, kwargs) : NULL;
    Py_XDECREF(fn_args);
    Py_DECREF(rest);
    return r;
}

/* --- the table ----------------------------------------------------------- */

#define ENTRY(name, fn, flags, doc) \
    {name, (PyCFunction)(void (*)(void))fn, flags, doc}

static PyMethodDef set_trace_def = ENTRY("set_trace", entry_set_trace,
    METH_VARARGS | METH_KEYWORDS,
    "Stop in cpdb at the next line of frame (installed by cpdb).");
static PyMethodDef interaction_def = ENTRY("interaction", entry_interaction,
    METH_VARARGS | METH_KEYWORDS,
    "Stop in cpdb at frame, or show a traceback (installed by cpdb).");
static PyMethodDef post_mortem_def = ENTRY("post_mortem", entry_post_mortem,
    METH_VARARGS | METH_KEYWORDS,
    "Show a traceback in cpdb (installed by cpdb).");
static PyMethodDef pm_def = ENTRY("pm", entry_pm, METH_VARARGS,
    "Show the last uncaught exception in cpdb (installed by cpdb).");
static PyMethodDef run_def = ENTRY("run", entry_run,
    METH_VARARGS | METH_KEYWORDS,
    "Run a statement, stopping in cpdb at its first line (installed by "
    "cpdb).");
static PyMethodDef runctx_def = ENTRY("runctx", entry_runctx,
    METH_VARARGS | METH_KEYWORDS,
    "Run a statement, stopping in cpdb at its first line (installed by "
    "cpdb).");
static PyMethodDef runeval_def = ENTRY("runeval", entry_runeval,
    METH_VARARGS | METH_KEYWORDS,
    "Evaluate an expression, stopping in cpdb at its first line "
    "(installed by cpdb).");
static PyMethodDef runcall_def = ENTRY("runcall", entry_runcall,
    METH_VARARGS | METH_KEYWORDS,
    "Call a function, stopping in cpdb at its first line (installed by "
    "cpdb).");

/* pdb.X functions and pdb.Pdb.X methods that cpdb replaces.
   pdb.set_trace is the breakpoint hook's (hooks_pdb.c). */
const CpdbPdbEntry cpdb_pdb_entries[] = {
    {&post_mortem_def, CPDB_PDB_FUNCTION},
    {&pm_def, CPDB_PDB_FUNCTION},
    {&set_trace_def, CPDB_PDB_METHOD},
    {&interaction_def, CPDB_PDB_METHOD},
    {&run_def, CPDB_PDB_FUNCTION | CPDB_PDB_METHOD},
    {&runctx_def, CPDB_PDB_FUNCTION | CPDB_PDB_METHOD},
    {&runeval_def, CPDB_PDB_FUNCTION | CPDB_PDB_METHOD},
    {&runcall_def, CPDB_PDB_FUNCTION | CPDB_PDB_METHOD},
    {NULL, 0}
};
