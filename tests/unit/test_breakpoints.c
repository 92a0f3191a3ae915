/* The breakpoint table on its own (no session): the per-code-object
   decisions the trace hot path asks, their cache, the change hook, and
   the check at a line with conditions, ignore counts, hits and function
   breakpoints, on code objects compiled from a file written here. */
#include "core/breakpoints.h"
#include "core/watch.h"
#include "base/compat.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char source[] =
    "def f(a):\n"           /* 1 */
    "    b = a + 1\n"       /* 2 */
    "    return b\n"        /* 3 */
    "\n"                    /* 4 */
    "def g(x):\n"           /* 5 */
    "    y = x * 2\n"       /* 6 */
    "    yield y\n"         /* 7 */
    "\n"                    /* 8 */
    "top = 1\n";            /* 9 */

static int n_changes;

static void
count_change(void *ctx)
{
    (void)ctx;
    n_changes++;
}

/* Conditions run in the frame's namespaces. */
static PyObject *
eval_in_frame(void *ctx, PyFrameObject *frame, PyObject *code)
{
    PyObject *globals = cpdb_frame_globals(frame);
    PyObject *locals = cpdb_frame_locals(frame);
    PyObject *r = NULL;
    (void)ctx;
    if (globals != NULL && locals != NULL) {
        r = PyEval_EvalCode(code, globals, locals);
    }
    Py_XDECREF(globals);
    Py_XDECREF(locals);
    return r;
}

/* The code object of a function defined in ns. */
static PyCodeObject *
code_of(PyObject *ns, const char *name)
{
    PyObject *fn = PyDict_GetItemString(ns, name);       /* borrowed */
    return (PyCodeObject *)PyObject_GetAttrString(fn, "__code__");
}

static PyObject *
condition(const char *text)
{
    return Py_CompileString(text, "<cond>", Py_eval_input);
}

int
main(void)
{
    char path[] = "/tmp/cpdb-test-bp-XXXXXX.py";
    int fd = mkstemps(path, 3);
    PyObject *module_code, *ns, *gen, *frame;
    PyCodeObject *f, *g;
    CpdbBpTable t;
    CpdbBpEval eval = {eval_in_frame, NULL};
    CpdbBreakpoint *b1, *b2, *b3;
    char *err = NULL;
    int temporary = 0, n;

    if (fd < 0 || write(fd, source, sizeof source - 1) < 0) {
        printf("Bail out! cannot write %s\n", path);
        return 1;
    }
    close(fd);
    Py_Initialize();
    module_code = Py_CompileString(source, path, Py_file_input);
    ns = PyDict_New();
    PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins());
    Py_XDECREF(PyEval_EvalCode(module_code, ns, ns));
    f = code_of(ns, "f");
    g = code_of(ns, "g");

    OK(cpdb_bp_table_init(&t) == 0, "a table gets a code-object slot");
    t.on_change = count_change;
    OK(!cpdb_bp_code_has_breaks(&t, f) && !cpdb_bp_file_has_breaks(&t, f),
       "an empty table: no frame can stop");

    b1 = cpdb_bp_add(&t, path, 2, NULL, NULL, NULL, 0);
    OK(b1->number == 1 && n_changes == 1, "breakpoint 1 added, owner told");
    OK(cpdb_bp_code_has_breaks(&t, f), "f holds line 2");
    OK(!cpdb_bp_code_has_breaks(&t, g), "g does not");
    OK(cpdb_bp_file_has_breaks(&t, g), "but g's file holds a breakpoint");
    OK(!cpdb_bp_code_has_breaks(&t, (PyCodeObject *)module_code),
       "the module's own code does not hold a function's line");
    OK(cpdb_bp_line_has_break(&t, f, 2) && !cpdb_bp_line_has_break(&t, f, 3),
       "line 2 has a break, line 3 none");

    b1->enabled = 0;
    cpdb_bp_changed(&t);
    OK(!cpdb_bp_code_has_breaks(&t, f), "disabled: the cached answer is "
       "decided again");
    OK(cpdb_bp_file_has_breaks(&t, f), "a disabled breakpoint still marks "
       "its file (bdb's break_anywhere)");
    b1->enabled = 1;
    cpdb_bp_changed(&t);

    b2 = cpdb_bp_add(&t, path, 6, "g", NULL, NULL, 1);
    OK(b2->number == 2 && cpdb_bp_code_has_function_break(&t, g)
       && !cpdb_bp_code_has_function_break(&t, f),
       "a function breakpoint in g only");

    /* A suspended generator: its frame stands at line 7, y == 42. */
    gen = PyObject_CallFunction(PyDict_GetItemString(ns, "g"), "i", 21);
    Py_XDECREF(PyIter_Next(gen));
    frame = PyObject_GetAttrString(gen, "gi_frame");
    b3 = cpdb_bp_add(&t, path, 7, NULL, "y == 42", condition("y == 42"), 0);
    n = cpdb_bp_check(&t, (PyFrameObject *)frame, g, 7, 0, &eval, &err,
                      &temporary);
    OK(n == 3 && err == NULL && b3->hits == 1, "a true condition stops "
       "(breakpoint %d, hits %ld)", n, b3->hits);
    cpdb_bp_set_condition(b3, "y == 0", condition("y == 0"));
    n = cpdb_bp_check(&t, (PyFrameObject *)frame, g, 7, 0, &eval, &err,
                      &temporary);
    OK(n == 0 && b3->hits == 1, "a false condition passes, not a hit");
    cpdb_bp_set_condition(b3, "1 / 0", condition("1 / 0"));
    n = cpdb_bp_check(&t, (PyFrameObject *)frame, g, 7, 0, &eval, &err,
                      &temporary);
    OK(n == 3 && err != NULL
       && strstr(err, "Error in testing condition for breakpoint 3: "
                      "ZeroDivisionError") != NULL,
       "a condition that raises stops and says why: %s", err ? err : "");
    free(err);
    err = NULL;
    cpdb_bp_set_condition(b3, NULL, NULL);
    b3->ignore = 1;
    n = cpdb_bp_check(&t, (PyFrameObject *)frame, g, 7, 0, &eval, &err,
                      &temporary);
    OK(n == 0 && b3->ignore == 0 && b3->hits == 3,
       "an ignore count passes one crossing, which still counts as a hit");
    n = cpdb_bp_check(&t, (PyFrameObject *)frame, g, 6, 0, &eval, &err,
                      &temporary);
    OK(n == 0, "a function breakpoint waits for the frame's entry");
    n = cpdb_bp_check(&t, (PyFrameObject *)frame, g, 6, 1, &eval, &err,
                      &temporary);
    OK(n == 2 && temporary, "at entry it stops, and says it is temporary");

    OK(cpdb_bp_delete(&t, 2) == 0 && cpdb_bp_find(&t, 2) == NULL
       && cpdb_bp_delete(&t, 2) < 0, "delete once, then it is gone");
    cpdb_bp_delete(&t, 1);
    cpdb_bp_delete(&t, 3);
    OK(!cpdb_bp_file_has_breaks(&t, f), "no breakpoint left in the file");
    b1 = cpdb_bp_add(&t, path, 3, NULL, NULL, NULL, 0);
    OK(b1->number == 4, "numbers are not reused (got %d)", b1->number);
    OK(cpdb_file_id(&t, path) == cpdb_code_file_id(&t, f)
       && cpdb_file_id(&t, "<other>") != cpdb_file_id(&t, path),
       "one id per file, shared by breakpoints and code objects");
    OK(n_changes == 9, "the owner heard of every change: 4 adds, 3 "
       "deletes, 2 changes (%d)", n_changes);

    /* A function breakpoint fires only in the code of its function
       (co_firstlineno, co_name): not where a one-line def runs. */
    b2 = cpdb_bp_add(&t, path, 6, "g", NULL, NULL, 0);
    cpdb_bp_set_function_code(&t, b2, 5, "g");
    OK(cpdb_bp_code_has_breaks(&t, g)
       && cpdb_bp_code_has_function_break(&t, g),
       "a function breakpoint is in its own code");
    cpdb_bp_set_function_code(&t, b2, 5, "h");
    OK(!cpdb_bp_code_has_breaks(&t, g)
       && cpdb_bp_check(&t, (PyFrameObject *)frame, g, 6, 1, &eval, &err,
                        &temporary) == 0,
       "and in no other code on its line");
    cpdb_bp_delete(&t, b2->number);

    /* A watchpoint is a record without a file: numbered with the
       others, counted, and passed by every location question. */
    {
        CpdbWatch *w = cpdb_xcalloc(1, sizeof *w);
        CpdbBreakpoint *wb = cpdb_bp_add_watch(&t, w);
        OK(wb->number == 6 && t.n_watches == 1 && wb->watch == w
           && cpdb_bp_find(&t, 6) == wb,
           "a watchpoint takes the next number (%d)", wb->number);
        OK(!cpdb_bp_line_has_break(&t, f, 0)
           && cpdb_bp_check(&t, (PyFrameObject *)frame, g, 0, 1, &eval,
                            &err, &temporary) == 0,
           "no location matches a watchpoint");
        OK(cpdb_bp_delete(&t, 6) == 0 && t.n_watches == 0,
           "deleting it frees its watch and counts it out");
    }

    cpdb_bp_table_fini(&t);
    Py_XDECREF(frame);
    Py_XDECREF(gen);
    Py_DECREF(f);
    Py_DECREF(g);
    Py_DECREF(ns);
    Py_DECREF(module_code);
    unlink(path);
    Py_FinalizeEx();
    return tap_done();
}
