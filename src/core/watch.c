/* Watchpoints: a snapshot of the value of an expression in one frame,
   taken again at each line event of that frame.  The stepper asks for
   line events of the watched frame only (the trace backends keep every
   other frame as fast as without a watchpoint) and calls
   cpdb_watch_check() at each; see watch.h for how change is found. */
#include "core/watch.h"
#include "core/eval.h"
#include "core/session.h"
#include "base/text.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

void
cpdb_watch_free(CpdbWatch *w)
{
    if (w == NULL) {
        return;
    }
    free(w->expr);
    free(w->error);
    Py_XDECREF(w->code);
    Py_XDECREF(w->frame);
    Py_XDECREF(w->frame_code);
    Py_XDECREF(w->value);
    Py_XDECREF(w->copy);
    free(w);
}

/* A shallow copy of a container the program can change in place, kept
   out of the collector's lists so that no heap command counts it as a
   referrer of the program's objects.  Return: new reference, or NULL
   (no exception) for other values. */
static PyObject *
shallow_copy(PyObject *v)
{
    PyObject *copy = NULL;
    if (PyList_CheckExact(v) || PyList_Check(v)) {
        copy = PyList_GetSlice(v, 0, PyList_GET_SIZE(v));
    }
    else if (PyDict_Check(v)) {
        copy = PyDict_Copy(v);
    }
    else if (PyAnySet_Check(v)) {
        copy = PySet_New(v);
    }
    else if (PyByteArray_Check(v)) {
        copy = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(v),
                                         PyByteArray_GET_SIZE(v));
    }
    if (copy == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (PyObject_IS_GC(copy) && PyObject_GC_IsTracked(copy)) {
        PyObject_GC_UnTrack(copy);
    }
    return copy;
}

/* What a snapshot compares: the copy of a container, else the value. */
static PyObject *
compared(PyObject *value, PyObject *copy)
{
    return copy != NULL ? copy : value;
}

/* Whether two values differ: not the same object and not equal (a
   comparison that raises counts as a difference).  __eq__ may be the
   program's code: it runs as debugger work (no events). */
static int
differ(CpdbSession *s, PyObject *a, PyObject *b)
{
    int eq;
    if (a == b) {
        return 0;
    }
    if (PyByteArray_Check(b) && PyBytes_Check(a)) {
        eq = PyBytes_GET_SIZE(a) == PyByteArray_GET_SIZE(b)
             && memcmp(PyBytes_AS_STRING(a), PyByteArray_AS_STRING(b),
                       (size_t)PyBytes_GET_SIZE(a)) == 0;
        return !eq;
    }
    cpdb_guard_begin(&s->busy);
    eq = PyObject_RichCompareBool(a, b, Py_EQ);
    cpdb_guard_end(&s->busy);
    if (eq < 0) {
        PyErr_Clear();
        return 1;
    }
    return !eq;
}

/* Evaluate w in its frame.  Return: new reference, or NULL with *error
   (malloc'd) saying why. */
static PyObject *
evaluate(CpdbSession *s, CpdbWatch *w, char **error)
{
    PyObject *v = cpdb_eval_code(s, (PyFrameObject *)w->frame, w->code);
    *error = NULL;
    if (v == NULL) {
        char *raw = cpdb_exc_take_line();
        *error = cpdb_eval_public_names(raw);
        free(raw);
    }
    return v;
}

/* Replace w's snapshot with v (reference stolen, or NULL with error
   stolen). */
static void
take_snapshot(CpdbWatch *w, PyObject *v, char *error)
{
    Py_XSETREF(w->value, v);
    Py_XSETREF(w->copy, v != NULL ? shallow_copy(v) : NULL);
    free(w->error);
    w->error = error;
}

CpdbBreakpoint *
cpdb_watch_insert(CpdbSession *s, PyFrameObject *frame, const char *expr,
                  PyObject *code)
{
    CpdbWatch *w;
    char *error;
    PyObject *v;

    w = cpdb_xcalloc(1, sizeof *w);
    w->expr = cpdb_xstrdup(expr);
    w->code = Py_NewRef(code);
    w->frame = Py_NewRef((PyObject *)frame);
    w->frame_code = (PyObject *)PyFrame_GetCode(frame);
    v = evaluate(s, w, &error);
    take_snapshot(w, v, error);
    return cpdb_bp_add_watch(&s->bps, w);
}

void
cpdb_watch_enable(CpdbSession *s, CpdbBreakpoint *bp)
{
    char *error;
    PyObject *v;
    if (bp->watch != NULL && !bp->enabled) {
        v = evaluate(s, bp->watch, &error);
        take_snapshot(bp->watch, v, error);
    }
    bp->enabled = 1;
    cpdb_bp_changed(&s->bps);
}

/* Whether an enabled watchpoint is on frame (when not NULL) and on
   frames of code (when not NULL). */
static int
any_watch(CpdbBpTable *t, PyObject *frame, PyObject *code)
{
    size_t i;
    for (i = 0; t->n_watches > 0 && i < t->n; i++) {
        CpdbWatch *w = t->items[i]->watch;
        if (w != NULL && t->items[i]->enabled
            && (frame == NULL || w->frame == frame)
            && (code == NULL || w->frame_code == code)) {
            return 1;
        }
    }
    return 0;
}

int
cpdb_watch_active(CpdbBpTable *t)
{
    return any_watch(t, NULL, NULL);
}

int
cpdb_watch_wants_code(CpdbBpTable *t, PyCodeObject *code)
{
    return any_watch(t, NULL, (PyObject *)code);
}

int
cpdb_watch_wants_frame(CpdbBpTable *t, PyFrameObject *frame)
{
    return any_watch(t, (PyObject *)frame, NULL);
}

/* Whether a changed watchpoint stops: its condition (evaluated in its
   frame; one that raises stops, as a breakpoint's does) and its ignore
   count, as for a breakpoint. */
static int
passes(CpdbSession *s, CpdbBreakpoint *bp)
{
    if (bp->cond_code != NULL) {
        PyObject *c = cpdb_eval_code(s, (PyFrameObject *)bp->watch->frame,
                                     bp->cond_code);
        int truth;
        cpdb_guard_begin(&s->busy);
        truth = c != NULL ? PyObject_IsTrue(c) : 1;
        cpdb_guard_end(&s->busy);
        Py_XDECREF(c);
        PyErr_Clear();
        if (truth == 0) {
            return 0;
        }
    }
    bp->hits++;
    if (bp->ignore > 0) {
        bp->ignore--;
        return 0;
    }
    return 1;
}

int
cpdb_watch_check(CpdbSession *s, PyFrameObject *frame, PyObject **old,
                 PyObject **now)
{
    CpdbBpTable *t = &s->bps;
    size_t i;
    int number = 0;

    *old = *now = NULL;
    for (i = 0; i < t->n && number == 0; i++) {
        CpdbBreakpoint *bp = t->items[i];
        CpdbWatch *w = bp->watch;
        PyObject *v, *before;
        char *error;
        int changed;
        if (w == NULL || !bp->enabled || w->frame != (PyObject *)frame) {
            continue;
        }
        v = evaluate(s, w, &error);
        if (v == NULL || w->value == NULL) {
            changed = (v == NULL) != (w->value == NULL)
                      || (v == NULL && strcmp(error, w->error) != 0);
        }
        else if (v == w->value) {
            /* The same object: changed in place, if at all. */
            changed = w->copy != NULL && differ(s, w->copy, v);
            if (!changed) {
                Py_DECREF(v);
                continue;
            }
        }
        else {
            changed = differ(s, compared(w->value, w->copy), v);
        }
        if (!changed) {
            take_snapshot(w, v, error);
            continue;
        }
        before = Py_XNewRef(w->value != NULL ? compared(w->value, w->copy)
                                             : NULL);
        take_snapshot(w, v, error);
        if (!passes(s, bp)) {
            Py_XDECREF(before);
            continue;
        }
        number = bp->number;
        *old = before;
        *now = Py_XNewRef(w->value);
    }
    return number;
}

void
cpdb_watch_drop_all(CpdbSession *s)
{
    int first = cpdb_watch_leave(s, NULL);
    if (first != 0) {
        cpdb_session_message(s, CPDB_WATCH_GONE_TEXT, first);
    }
}

int
cpdb_watch_leave(CpdbSession *s, PyFrameObject *frame)
{
    CpdbBpTable *t = &s->bps;
    int first = 0;
    size_t i = 0;
    while (t->n_watches > 0 && i < t->n) {
        CpdbBreakpoint *bp = t->items[i];
        if (bp->watch != NULL
            && (frame == NULL || bp->watch->frame == (PyObject *)frame)) {
            if (first == 0 && bp->enabled) {
                first = bp->number;
            }
            else {
                cpdb_session_message(s, CPDB_WATCH_GONE_TEXT, bp->number);
            }
            cpdb_bp_delete(t, bp->number);
            continue;
        }
        i++;
    }
    return first;
}
