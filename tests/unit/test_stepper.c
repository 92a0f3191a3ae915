/* The stepper's rules (bdb's), event by event: made-up CALL / LINE /
   RETURN / EXCEPTION events on real frames (suspended generators and a
   finished function), fed straight to the stepper of a bare engine with
   no program running, no trace backend and no front-end; a stop is
   recorded by the callback and nothing else happens. */
#include "core/session.h"
#include "core/stepper.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char source[] =
    "import sys\n"              /* 1 */
    "def work(n):\n"            /* 2 */
    "    total = 0\n"           /* 3 */
    "    for i in range(n):\n"  /* 4 */
    "        total += i\n"      /* 5 */
    "        yield total\n"     /* 6 */
    "    return total\n"        /* 7 */
    "\n"                        /* 8 */
    "def other():\n"            /* 9 */
    "    x = 1\n"               /* 10 */
    "    yield x\n"             /* 11 */
    "\n"                        /* 12 */
    "def keep():\n"             /* 13 */
    "    return sys._getframe()\n";   /* 14 */

static struct {
    int n;
    CpdbStopReason reason;
    int breakpoint, finished;
    PyObject *frame;            /* identity only */
} seen;

static void
record_stop(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    (void)ctx;
    seen.n++;
    seen.reason = stop->reason;
    seen.breakpoint = stop->breakpoint;
    seen.finished = stop->finished;
    seen.frame = stop->frame;
    cpdb_exec_continue(s);
}

/* Deliver one event; return the reason of the stop it made, or NONE. */
static CpdbStopReason
event(CpdbSession *s, PyObject *frame, CpdbEvent ev, PyObject *arg)
{
    int before = seen.n;
    if (cpdb_step_on_event(s, (PyFrameObject *)frame, ev, arg) < 0) {
        PyErr_Clear();
        return CPDB_STOP_NONE;
    }
    return seen.n > before ? seen.reason : CPDB_STOP_NONE;
}

/* The argument of an exception event: (type, value, traceback None). */
static PyObject *
exc_arg(PyObject *type)
{
    PyObject *value = PyObject_CallNoArgs(type);
    PyObject *arg = PyTuple_Pack(3, type, value, Py_None);
    Py_DECREF(value);
    return arg;
}

/* A suspended generator's frame, after one next(). */
static PyObject *
suspended(PyObject *ns, const char *fn, PyObject **gen)
{
    *gen = PyObject_CallFunction(PyDict_GetItemString(ns, fn), fn[0] == 'w'
                                 ? "i" : "", 3);
    Py_XDECREF(PyIter_Next(*gen));
    return PyObject_GetAttrString(*gen, "gi_frame");
}

int
main(void)
{
    char path[] = "/tmp/cpdb-test-step-XXXXXX.py";
    int fd = mkstemps(path, 3);
    CpdbSession *s;
    PyObject *code, *ns, *gen_a, *gen_b, *a, *b, *f, *arg;
    CpdbBreakpoint *bp;

    if (fd < 0 || write(fd, source, sizeof source - 1) < 0) {
        printf("Bail out! cannot write %s\n", path);
        return 1;
    }
    close(fd);
    Py_Initialize();
    s = cpdb_session_create(NULL);
    s->cb.on_stop = record_stop;
    code = Py_CompileString(source, path, Py_file_input);
    ns = PyDict_New();
    PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins());
    Py_XDECREF(PyEval_EvalCode(code, ns, ns));
    a = suspended(ns, "work", &gen_a);      /* stands at line 6 */
    b = suspended(ns, "other", &gen_b);     /* stands at line 11 */
    f = PyObject_CallNoArgs(PyDict_GetItemString(ns, "keep"));

    cpdb_step_set_continue(s);
    cpdb_frame_mark((PyFrameObject *)a, s->trace_marker);
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_NONE,
       "continue: a line of a followed frame does not stop");

    cpdb_step_set_step(s);
    OK(event(s, b, CPDB_EV_LINE, Py_None) == CPDB_STOP_NONE,
       "step: a frame pdb does not follow gives no stop");
    cpdb_step_set_step(s);
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_STEP
       && seen.frame == a, "step: a followed frame's line stops");

    cpdb_frame_mark((PyFrameObject *)b, s->trace_marker);
    cpdb_step_set_next(s, (PyFrameObject *)a);
    OK(event(s, b, CPDB_EV_LINE, Py_None) == CPDB_STOP_NONE,
       "next: another frame's line does not stop");
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_STEP,
       "next: its own frame's line stops");

    cpdb_step_set_until(s, (PyFrameObject *)a, 7);
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_NONE,
       "until 7: line 6 is below the floor");
    cpdb_step_set_until(s, (PyFrameObject *)a, 6);
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_STEP,
       "until 6: line 6 stops");

    cpdb_step_set_return(s, (PyFrameObject *)a);
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_NONE,
       "finish in a generator: its lines do not stop");
    OK(event(s, a, CPDB_EV_RETURN, Py_None) == CPDB_STOP_NONE,
       "finish in a generator: a yield (return event) passes");
    cpdb_step_set_step(s);
    OK(event(s, a, CPDB_EV_RETURN, Py_None) == CPDB_STOP_RETURN,
       "step: a generator's return event stops (--Return--)");

    cpdb_frame_mark((PyFrameObject *)f, s->trace_marker);
    cpdb_step_set_return(s, (PyFrameObject *)f);
    OK(event(s, f, CPDB_EV_RETURN, Py_None) == CPDB_STOP_RETURN
       && seen.finished, "finish: the frame's return stops, as the end of "
       "the finish");
    cpdb_step_set_step(s);
    OK(event(s, f, CPDB_EV_RETURN, Py_None) == CPDB_STOP_RETURN
       && !seen.finished, "step: a return stops, not as a finish");

    cpdb_step_set_step(s);
    OK(event(s, f, CPDB_EV_CALL, Py_None) == CPDB_STOP_CALL,
       "step: a call stops (--Call--)");
    cpdb_step_set_next(s, (PyFrameObject *)a);
    OK(event(s, f, CPDB_EV_CALL, Py_None) == CPDB_STOP_NONE,
       "next: a call elsewhere does not");

    cpdb_step_set_step(s);
    arg = exc_arg(PyExc_StopIteration);
    OK(event(s, a, CPDB_EV_EXCEPTION, arg) == CPDB_STOP_NONE,
       "step: the StopIteration a generator gets from yield from passes");
    Py_DECREF(arg);
    cpdb_step_set_step(s);
    arg = exc_arg(PyExc_ValueError);
    OK(event(s, a, CPDB_EV_EXCEPTION, arg) == CPDB_STOP_EXCEPTION,
       "step: an exception stops");
    Py_DECREF(arg);
    cpdb_step_set_next(s, (PyFrameObject *)a);
    arg = exc_arg(PyExc_StopIteration);
    OK(event(s, b, CPDB_EV_EXCEPTION, arg) == CPDB_STOP_EXCEPTION,
       "next in a generator: the StopIteration that ends it in the sender "
       "stops");
    Py_DECREF(arg);

    cpdb_step_set_continue(s);
    s->step.interrupt = 1;
    OK(event(s, b, CPDB_EV_LINE, Py_None) == CPDB_STOP_INTERRUPT
       && !s->step.interrupt, "Ctrl-C: the next line stops, once");

    s->step.wait_for_main = 1;
    s->step.main_path = "/elsewhere/main.py";
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_NONE
       && s->step.wait_for_main, "the start waits for the main file");
    s->step.main_path = path;
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_START
       && !s->step.wait_for_main, "its first line is the start");

    cpdb_step_set_continue(s);
    bp = cpdb_bp_add(&s->bps, path, 6, NULL, NULL, NULL, 0);
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_BREAK
       && seen.breakpoint == bp->number, "continue: a breakpoint stops");
    cpdb_bp_delete(&s->bps, bp->number);
    bp = cpdb_bp_add(&s->bps, path, 6, NULL, NULL, NULL, 1);
    OK(event(s, a, CPDB_EV_LINE, Py_None) == CPDB_STOP_BREAK_TEMP
       && cpdb_bp_find(&s->bps, seen.breakpoint) == NULL,
       "a temporary breakpoint stops once and is deleted");
    bp = cpdb_bp_add(&s->bps, path, 11, "other", NULL, NULL, 0);
    OK(event(s, b, CPDB_EV_LINE, Py_None) == CPDB_STOP_NONE,
       "a function breakpoint needs the frame's entry");
    event(s, b, CPDB_EV_CALL, Py_None);
    OK(event(s, b, CPDB_EV_LINE, Py_None) == CPDB_STOP_BREAK,
       "after the call event, its first line stops");

    Py_DECREF(f);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(gen_a);
    Py_DECREF(gen_b);
    Py_DECREF(ns);
    Py_DECREF(code);
    cpdb_session_destroy(s);
    unlink(path);
    Py_FinalizeEx();
    return tap_done();
}
