/* The program's threads.

   All-stop: the GIL serializes the threads, and the stopped thread keeps
   it while the prompt waits for a line (reading a line does not release
   it), so no other thread runs Python then.  Python run at the stop
   (print, a condition) shares the GIL as any Python does, every switch
   interval: another thread may run a few milliseconds then.  Raising
   the switch interval for the stop's length does not stop that (a
   thread already waiting for the GIL still forces one switch, with the
   interval it read when it began to wait) and turns it into a hang: the
   stopped thread then waits the raised interval to get the GIL back
   from a thread that runs pure Python.  So the interval is left alone;
   what keeps other threads from running the program past its
   breakpoints is cpdb_threads_hold: a thread that reaches the engine (a
   trace event, breakpoint()) while another is stopped waits there,
   without the GIL, until the stop is over, then is served: two threads
   reaching breakpoints at once are reported one after the other.
   Threads blocked in C stay blocked. */
#include "core/threads.h"
#include "core/frames.h"
#include "core/session.h"
#include "core/source.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long a held thread sleeps between looks (the stop is a person
   typing: a millisecond is nothing to them and little to the CPU). */
#define HOLD_POLL_NS 1000000L

/* The key of a thread's number in its thread state's dict. */
#define NUMBER_KEY "cpdb.thread_number"

/* Let go of what heap contexts borrowed during the stop. */
static void
drop_held(CpdbThreadTable *t)
{
    size_t i;
    for (i = 0; i < t->held_frames.n; i++) {
        Py_DECREF(t->held_frames.items[i]);
    }
    for (i = 0; i < t->held_labels.n; i++) {
        free(t->held_labels.items[i]);
    }
    free(t->held_frames.items);
    free(t->held_labels.items);
    memset(&t->held_frames, 0, sizeof t->held_frames);
    memset(&t->held_labels, 0, sizeof t->held_labels);
}

void
cpdb_threads_fini(CpdbThreadTable *t)
{
    drop_held(t);
    Py_CLEAR(t->stop_frame);
    Py_CLEAR(t->var);
    memset(t, 0, sizeof *t);
}

void
cpdb_threads_hold(CpdbSession *s)
{
    CpdbThreadTable *t = &s->threads;
    unsigned long me;
    if (t->engine == 0) {
        return;         /* the common case: nobody is stopped */
    }
    me = PyThread_get_thread_ident();
    while (t->engine != 0 && t->engine != me) {
        struct timespec ts = {0, HOLD_POLL_NS};
        Py_BEGIN_ALLOW_THREADS
        nanosleep(&ts, NULL);
        Py_END_ALLOW_THREADS
    }
}

unsigned long
cpdb_threads_enter(CpdbSession *s)
{
    unsigned long before = s->threads.engine;
    s->threads.engine = PyThread_get_thread_ident();
    return before;
}

void
cpdb_threads_leave(CpdbSession *s, unsigned long before)
{
    s->threads.engine = before;
}

int
cpdb_threads_busy_here(CpdbSession *s)
{
    unsigned long me = PyThread_get_thread_ident();
    /* The main thread is never held while the engine runs Python in
       another one: Python runs signal handlers there only, and Ctrl-C
       must reach the Python typed at a stop in another thread. */
    return s->threads.engine == 0 || s->threads.engine == me
           || me == s->threads.main_ident;
}

/* $_thread follows the selected thread: made again when read. */
static void
set_thread_var(CpdbSession *s)
{
    Py_CLEAR(s->threads.var);
}

PyObject *
cpdb_threads_var(CpdbSession *s)
{
    CpdbThreadTable *t = &s->threads;
    if (t->var == NULL) {
        int n = t->selected_number ? t->selected_number
                                   : cpdb_threads_current(s);
        t->var = PyLong_FromLong(n);
    }
    return t->var;
}

void
cpdb_threads_start(CpdbSession *s)
{
    s->threads.main_ident = PyThread_get_thread_ident();
    cpdb_threads_current(s);
}

/* Give every thread that has none a number, oldest first (the
   interpreter lists the newest first), so that "thread N" can name any
   thread at a stop.  The agent's thread gets none. */
static void
number_all(CpdbSession *s)
{
    CPDB_ARRAY(PyThreadState *) all = {NULL, 0, 0};
    PyThreadState *ts;
    size_t i;
    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        if (s->threads.agent == 0 || ts->thread_id != s->threads.agent) {
            cpdb_array_push(&all, ts);
        }
    }
    for (i = all.n; i > 0; i--) {
        cpdb_threads_number(s, all.items[i - 1]);
    }
    free(all.items);
}

/* Return: the thread state of the thread ident, or NULL (borrowed). */
static PyThreadState *
state_of(unsigned long ident)
{
    PyThreadState *ts;
    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        if (ts->thread_id == ident) {
            return ts;
        }
    }
    return NULL;
}

void
cpdb_threads_adopt(CpdbSession *s)
{
    PyThreadState *ts, *oldest = NULL;
    s->threads.agent = PyThread_get_thread_ident();
    /* The interpreter's first thread state is its main thread's: the
       list has the newest first. */
    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        if (ts->thread_id != s->threads.agent) {
            oldest = ts;
        }
    }
    s->threads.main_ident = oldest != NULL ? oldest->thread_id : 0;
    number_all(s);
}

void
cpdb_threads_forget(CpdbSession *s)
{
    PyThreadState *ts;
    CpdbExcState st;
    (void)s;
    cpdb_exc_save(&st);
    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        PyObject *d = cpdb_thread_dict(ts);             /* borrowed */
        if (d != NULL && PyDict_GetItemString(d, NUMBER_KEY) != NULL
            && PyDict_DelItemString(d, NUMBER_KEY) < 0) {
            PyErr_Clear();
        }
        PyErr_Clear();
    }
    cpdb_exc_restore(&st);
}

void
cpdb_threads_stop_begin(CpdbSession *s, PyFrameObject *frame)
{
    CpdbThreadTable *t = &s->threads;
    PyThreadState *as = t->stop_as ? state_of(t->stop_as) : NULL;
    t->stopped = as ? as->thread_id : PyThread_get_thread_ident();
    t->selected = t->stopped;
    number_all(s);
    t->stopped_number = as ? cpdb_threads_number(s, as)
                           : cpdb_threads_current(s);
    t->selected_number = t->stopped_number;
    Py_XSETREF(t->stop_frame, (PyFrameObject *)Py_XNewRef(frame));
    set_thread_var(s);
}

void
cpdb_threads_stop_end(CpdbSession *s)
{
    CpdbThreadTable *t = &s->threads;
    t->stopped = 0;
    t->selected = 0;
    t->stopped_number = 0;
    t->selected_number = 0;
    Py_CLEAR(t->stop_frame);
    Py_CLEAR(t->var);
    drop_held(t);
}


int
cpdb_threads_number(CpdbSession *s, PyThreadState *ts)
{
    PyObject *d = cpdb_thread_dict(ts);                 /* borrowed */
    PyObject *v;
    CpdbExcState st;
    long n = 0;
    if (d == NULL) {
        PyErr_Clear();
        return 0;
    }
    cpdb_exc_save(&st);
    v = PyDict_GetItemString(d, NUMBER_KEY);            /* borrowed */
    if (v != NULL && PyLong_Check(v)) {
        n = PyLong_AsLong(v);
    }
    else {
        n = ++s->threads.n_numbers;
        v = PyLong_FromLong(n);
        if (v == NULL || PyDict_SetItemString(d, NUMBER_KEY, v) < 0) {
            n = 0;
        }
        Py_XDECREF(v);
    }
    PyErr_Clear();
    cpdb_exc_restore(&st);
    return (int)n;
}

int
cpdb_threads_current(CpdbSession *s)
{
    return cpdb_threads_number(s, PyThreadState_Get());
}

/* A field of threading's Thread object of a thread (from
   threading._active; the field, not a property, so that reading it runs
   no code).  A thread threading never saw (_thread.start_new_thread) has
   none.  Return: new reference, or NULL (no exception left). */
static PyObject *
thread_field(CpdbSession *s, unsigned long ident, const char *field)
{
    PyObject *mod, *active = NULL, *key = NULL, *th, *r = NULL;
    CpdbExcState st;

    cpdb_exc_save(&st);
    cpdb_guard_begin(&s->busy);
    mod = PyDict_GetItemString(PyImport_GetModuleDict(),
                               "threading");            /* borrowed */
    if (mod != NULL) {
        active = PyObject_GetAttrString(mod, "_active");
        key = PyLong_FromUnsignedLong(ident);
    }
    th = active && key && PyDict_Check(active)
         ? PyDict_GetItemWithError(active, key) : NULL;  /* borrowed */
    r = th ? PyObject_GetAttrString(th, field) : NULL;
    Py_XDECREF(key);
    Py_XDECREF(active);
    PyErr_Clear();
    cpdb_guard_end(&s->busy);
    cpdb_exc_restore(&st);
    return r;
}

char *
cpdb_threads_name(CpdbSession *s, unsigned long ident)
{
    PyObject *name = thread_field(s, ident, "_name");
    char *result = NULL;
    if (name != NULL && PyUnicode_Check(name)) {
        const char *u = PyUnicode_AsUTF8(name);
        result = u ? cpdb_xstrdup(u) : NULL;
    }
    else if (ident == s->threads.main_ident) {
        /* before the program imports threading: the name it will give */
        result = cpdb_xstrdup("MainThread");
    }
    PyErr_Clear();
    Py_XDECREF(name);
    return result;
}

/* The C function a thread whose top frame stands on a call is in, as
   the call is written: "time.sleep" in "time.sleep(0.1)".  Where Python
   keeps columns the call's own; else the first call written on the
   line.  Return: malloc'd; "?" when the line does not show it. */
static char *
called_name(CpdbSession *s, PyFrameObject *f)
{
    PyCodeObject *code = PyFrame_GetCode(f);
    char *path = cpdb_code_path(code);
    const char *line = cpdb_source_line(&s->sources, path,
                                        PyFrame_GetLineNumber(f));
    int col = cpdb_frame_column(f);
    const char *p, *start = NULL;
    char *r = NULL;

    Py_DECREF(code);
    if (line != NULL && col >= 0 && (size_t)col < strlen(line)) {
        p = line + col;
        start = p;
        while (*p == '_' || *p == '.' || isalnum((unsigned char)*p)) {
            p++;
        }
        if (*p != '(' || p == start) {
            start = NULL;
        }
    }
    else if (line != NULL) {
        /* the first NAME( on the line, NAME dotted */
        for (p = line; *p != '\0' && start == NULL; p++) {
            const char *q = p;
            if (!(isalpha((unsigned char)*p) || *p == '_')
                || (p > line && (isalnum((unsigned char)p[-1])
                                 || p[-1] == '_' || p[-1] == '.'))) {
                continue;
            }
            while (*q == '_' || *q == '.' || isalnum((unsigned char)*q)) {
                q++;
            }
            if (*q == '(') {
                start = p;
            }
        }
    }
    if (start != NULL) {
        size_t n = 0;
        while (start[n] != '(') {
            n++;
        }
        r = cpdb_xmalloc(n + 1);
        memcpy(r, start, n);
        r[n] = '\0';
    }
    free(path);
    return r ? r : cpdb_xstrdup("?");
}

CpdbThreadInfo *
cpdb_threads_list(CpdbSession *s, size_t *n)
{
    CPDB_ARRAY(CpdbThreadInfo) out = {NULL, 0, 0};
    PyThreadState *ts;
    size_t i, j;

    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        CpdbThreadInfo info;
        memset(&info, 0, sizeof info);
        info.frame = PyThreadState_GetFrame(ts);        /* new or NULL */
        if (info.frame == NULL) {
            continue;   /* no Python code running: not a Python thread */
        }
        info.ident = ts->thread_id;
        info.number = cpdb_threads_number(s, ts);
        info.native_id = cpdb_thread_native_id(ts);
        cpdb_array_push(&out, info);
    }
    /* Python may run below (names): the thread states are not touched
       after this point. */
    for (i = 0; i < out.n; i++) {
        CpdbThreadInfo *e = &out.items[i];
        e->is_stopped = e->number == s->threads.stopped_number;
        e->is_selected = e->number == s->threads.selected_number;
        e->name = cpdb_threads_name(s, e->ident);
        if (e->native_id == 0) {
            PyObject *nid = thread_field(s, e->ident, "_native_id");
            if (nid != NULL && PyLong_Check(nid)) {
                e->native_id = PyLong_AsUnsignedLong(nid);
            }
            Py_XDECREF(nid);
            PyErr_Clear();
        }
        if (e->is_stopped) {
            /* where it stopped, not where the engine runs */
            Py_XSETREF(e->frame,
                       (PyFrameObject *)Py_XNewRef(s->threads.stop_frame
                                                   ? s->threads.stop_frame
                                                   : e->frame));
        }
        else if (cpdb_frame_in_call(e->frame)) {
            e->in_c = called_name(s, e->frame);
        }
    }
    /* by number: insertion sort, the list is short */
    for (i = 1; i < out.n; i++) {
        CpdbThreadInfo v = out.items[i];
        for (j = i; j > 0 && out.items[j - 1].number > v.number; j--) {
            out.items[j] = out.items[j - 1];
        }
        out.items[j] = v;
    }
    *n = out.n;
    return out.items;
}

void
cpdb_threads_list_free(CpdbThreadInfo *list, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        Py_XDECREF(list[i].frame);
        free(list[i].name);
        free(list[i].in_c);
    }
    free(list);
}

int
cpdb_threads_select(CpdbSession *s, int number, const char **why)
{
    CpdbThreadTable *t = &s->threads;
    PyThreadState *ts;
    PyFrameObject *top = NULL;
    unsigned long ident = 0;

    if (!s->at_stop || t->stopped == 0) {
        *why = "The program is not stopped.";
        return -1;
    }
    if (number < 1 || number > t->n_numbers) {
        *why = "No thread with that number: \"info threads\" lists them.";
        return -1;
    }
    if (number == t->stopped_number) {
        ident = t->stopped;
        if (t->stop_frame == NULL) {
            goto selected;  /* a traceback's stack: kept as is */
        }
        top = (PyFrameObject *)Py_NewRef(t->stop_frame);
    }
    else {
        if (t->stop_frame == NULL) {
            *why = "Only the stopped thread can be selected here.";
            return -1;
        }
        for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
             ts != NULL; ts = PyThreadState_Next(ts)) {
            if (cpdb_threads_number(s, ts) == number) {
                top = PyThreadState_GetFrame(ts);
                ident = ts->thread_id;
                break;
            }
        }
        if (top == NULL) {
            *why = "That thread has ended or runs no Python code.";
            return -1;
        }
    }
    cpdb_session_heap_forget(s);
    cpdb_stack_from_frame(s, top);
    Py_DECREF(top);
selected:
    t->selected = ident;
    t->selected_number = number;
    set_thread_var(s);
    return 0;
}

void
cpdb_threads_heap_frames(CpdbSession *s, CpdbHeapContext *ctx)
{
    CpdbThreadTable *t = &s->threads;
    CPDB_ARRAY(PyFrameObject *) tops = {NULL, 0, 0};
    CPDB_ARRAY(int) numbers = {NULL, 0, 0};
    CPDB_ARRAY(unsigned long) idents = {NULL, 0, 0};
    PyThreadState *ts;
    size_t i, n = (size_t)ctx->n_frames, cap;

    if (!s->at_stop || t->stop_frame == NULL) {
        return;     /* a traceback's stop: its frames only */
    }
    /* The thread states first, untouched once Python may run. */
    for (ts = PyInterpreterState_ThreadHead(PyInterpreterState_Get());
         ts != NULL; ts = PyThreadState_Next(ts)) {
        int number = cpdb_threads_number(s, ts);
        PyFrameObject *top;
        if (number == t->selected_number) {
            continue;   /* its frames are the stack */
        }
        top = number == t->stopped_number
              ? (PyFrameObject *)Py_NewRef(t->stop_frame)
              : PyThreadState_GetFrame(ts);
        if (top == NULL) {
            continue;
        }
        cpdb_array_push(&tops, top);
        cpdb_array_push(&numbers, number);
        cpdb_array_push(&idents, (unsigned long)ts->thread_id);
    }
    cap = n + 1;
    ctx->depths = cpdb_xmalloc(sizeof(int) * cap);
    ctx->threads = cpdb_xmalloc(sizeof(char *) * cap);
    for (i = 0; i < n; i++) {
        ctx->depths[i] = (int)i;
        ctx->threads[i] = NULL;
    }
    for (i = 0; i < tops.n; i++) {
        PyFrameObject *f = tops.items[i];
        char *name = cpdb_threads_name(s, idents.items[i]);
        char *label = name ? cpdb_xasprintf("thread %d \"%s\"",
                                            numbers.items[i], name)
                           : cpdb_xasprintf("thread %d", numbers.items[i]);
        int depth = 0;
        free(name);
        cpdb_array_push(&t->held_labels, label);
        while (f != NULL) {
            PyFrameObject *back = PyFrame_GetBack(f);   /* new or NULL */
            if (n + 1 > cap) {
                cap *= 2;
                ctx->frames = cpdb_xrealloc(ctx->frames,
                                            sizeof(PyFrameObject *) * cap);
                ctx->depths = cpdb_xrealloc(ctx->depths, sizeof(int) * cap);
                ctx->threads = cpdb_xrealloc((void *)ctx->threads,
                                             sizeof(char *) * cap);
            }
            cpdb_array_push(&t->held_frames, f);        /* owns it */
            ctx->frames[n] = f;
            ctx->depths[n] = depth++;
            ctx->threads[n] = label;
            n++;
            f = back;
        }
    }
    ctx->n_frames = (int)n;
    free(tops.items);
    free(numbers.items);
    free(idents.items);
}
