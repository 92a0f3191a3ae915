/* The session: the state of one debugger, a stop (the front-end's
   callback inside a trace event), post-mortem, and the run loop that
   starts the program again on request.  What the user sees of a stop is
   the front-end's business; here it is an event handed over. */
#include "core/session.h"
#include "core/watch.h"
#include "core/eval.h"
#include "core/hooks.h"
#include "base/interrupt.h"
#include "base/text.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Breakpoints changed: the tracer must see it. */
static void
breaks_changed(void *ctx)
{
    cpdb_session_refresh_trace(ctx);
}

/* Until a front-end says otherwise, a stop continues and nothing is
   said. */
static void
quiet_stop(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    (void)s;
    (void)stop;
    (void)ctx;
}

static void
quiet_idle(CpdbSession *s, void *ctx)
{
    (void)s;
    (void)ctx;
}

static void
quiet_message(CpdbSession *s, const char *text, void *ctx)
{
    (void)s;
    (void)text;
    (void)ctx;
}

CpdbSession *
cpdb_session_create(const CpdbOptions *opts)
{
    CpdbSession *s = cpdb_xcalloc(1, sizeof *s);
    if (opts != NULL) {
        s->opts = *opts;
    }
    s->cb.on_stop = quiet_stop;
    s->cb.on_post_mortem = quiet_stop;
    s->cb.on_exit = quiet_stop;
    s->cb.on_idle = quiet_idle;
    s->cb.on_message = quiet_message;
    s->exit_status = -1;
    s->catch_uncaught = 1;
    s->heap.stop_serial = -1;
    cpdb_step_init(&s->step);
    cpdb_step_client_init(s, &s->trace);
    s->backend = cpdb_trace_default();
    if (s->opts.backend != NULL) {
        const CpdbTraceBackend *b = cpdb_trace_find(s->opts.backend);
        if (b != NULL && cpdb_trace_available(b)) {
            s->backend = b;
        }
        s->opts.backend = NULL;     /* not kept: the caller's string */
    }
    s->history = PyList_New(0);
    if (s->history != NULL) {
        /* Out of the program's reach (gc.get_objects, get_referrers): an
           untracked list still holds its values, and to the collector it
           is a root outside the heap, so they stay alive. */
        PyObject_GC_UnTrack(s->history);
    }
    s->convenience = PyDict_New();
    s->kill_exc = PyErr_NewException("cpdb.Kill", PyExc_BaseException,
                                     NULL);
    s->trace_marker = cpdb_step_new_marker();
    if (s->history == NULL || s->convenience == NULL || s->kill_exc == NULL
        || s->trace_marker == NULL || cpdb_bp_table_init(&s->bps) < 0) {
        PyErr_Clear();
        cpdb_session_destroy(s);
        return NULL;
    }
    cpdb_process_init(&s->process);
    s->restarted = s->opts.restore_state != NULL;
    cpdb_redirects_init(&s->redir);
    s->bps.on_change = breaks_changed;
    s->bps.change_ctx = s;
    s->sources.busy = &s->busy;
    return s;
}

void
cpdb_session_destroy(CpdbSession *s)
{
    if (s == NULL) {
        return;
    }
    if (s->tracing) {
        s->backend->stop(&s->trace);
    }
    cpdb_interrupt_unwrap();    /* SIGINT is Python's alone again */
    cpdb_stack_clear(s);
    cpdb_heap_clear(&s->heap);
    Py_CLEAR(s->stop_value);
    Py_CLEAR(s->exc_chain);
    Py_CLEAR(s->sigint_saved);
    Py_CLEAR(s->eval_output);
    if (s->capsule != NULL) {
        /* PyCapsule_GetPointer() with "cpdb.session" now fails. */
        if (PyCapsule_SetName(s->capsule, "cpdb.session (ended)") < 0) {
            PyErr_Clear();
        }
        Py_CLEAR(s->capsule);
    }
    cpdb_step_fini(&s->step);
    cpdb_threads_fini(&s->threads);
    cpdb_bp_table_fini(&s->bps);
    cpdb_source_cache_fini(&s->sources);
    cpdb_program_fini(&s->prog);
    cpdb_redirects_fini(&s->redir);
    cpdb_process_fini(&s->process);
    Py_XDECREF(s->history);
    Py_XDECREF(s->convenience);
    Py_XDECREF(s->kill_exc);
    Py_XDECREF(s->trace_marker);
    cpdb_task_table_fini(&s->tasks);
    free(s->errmsg);
    free(s);
}

int
cpdb_session_fail(CpdbSession *s, int code, const char *fmt, ...)
{
    va_list ap;
    free(s->errmsg);
    va_start(ap, fmt);
    s->errmsg = cpdb_xvasprintf(fmt, ap);
    va_end(ap);
    return code;
}

void
cpdb_session_message(CpdbSession *s, const char *fmt, ...)
{
    va_list ap;
    char *text;
    va_start(ap, fmt);
    text = cpdb_xvasprintf(fmt, ap);
    va_end(ap);
    s->cb.on_message(s, text, s->cb.ctx);
    free(text);
}

int
cpdb_session_raise_kill(CpdbSession *s)
{
    PyErr_SetString(s->kill_exc, "the debugger ended the program");
    return -1;
}

void
cpdb_session_refresh_trace(CpdbSession *s)
{
    PyFrameObject *top = NULL;
    if (!s->tracing || (s->state != CPDB_PROG_RUNNING
                        && s->state != CPDB_PROG_TRACEBACK)) {
        return;
    }
    /* At a traceback's stop the frames that run on are the caller's. */
    if (s->at_stop && s->stack.n > 0 && s->state == CPDB_PROG_RUNNING) {
        top = s->stack.items[0].frame;
    }
    else {
        top = PyEval_GetFrame();                        /* borrowed */
    }
    if (top != NULL) {
        s->backend->refresh(&s->trace, top);
    }
}

int
cpdb_session_set_backend(CpdbSession *s, const CpdbTraceBackend *b,
                         char **why)
{
    *why = NULL;
    if (b == s->backend) {
        return 0;
    }
    if (!s->tracing) {
        s->backend = b;
        return 0;
    }
    /* Switch while the program is stopped: the new backend takes over
       the frames that are running. */
    s->backend->stop(&s->trace);
    s->backend = b;
    if (b->start(&s->trace) < 0) {
        char *line = cpdb_exc_take_line();
        *why = cpdb_xasprintf("Cannot start the backend: %s", line);
        free(line);
        s->backend = &cpdb_trace_legacy;
        if (s->backend->start(&s->trace) < 0) {
            PyErr_Clear();
        }
        return -1;
    }
    cpdb_session_refresh_trace(s);
    return 0;
}

/* --- the collector while stopped ----------------------------------------- */

/* While the program is stopped, the collector does not run by itself:
   the debugger's own allocations would otherwise set off collections of
   the program's heap, freeing the very garbage being looked at (and
   taking seconds on big heaps).  Python run at the stop sees the
   program's setting (cpdb_session_gc_program / _debugger). */
static void
gc_pause(CpdbSession *s)
{
    if (s->gc_pause_depth++ == 0) {
        s->gc_paused = PyGC_Disable();
    }
}

static void
gc_resume(CpdbSession *s)
{
    if (--s->gc_pause_depth == 0 && s->gc_paused) {
        PyGC_Enable();
        s->gc_paused = 0;
    }
}

void
cpdb_session_gc_program(CpdbSession *s)
{
    if (s->gc_paused) {
        PyGC_Enable();
    }
}

void
cpdb_session_gc_debugger(CpdbSession *s)
{
    if (s->gc_paused) {
        /* the program's code may have turned it off: then it stays off */
        s->gc_paused = PyGC_Disable();
    }
}

int
cpdb_session_gc_enabled(CpdbSession *s)
{
    return s->gc_paused || PyGC_IsEnabled();
}

/* --- output of the program ----------------------------------------------- */

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
cpdb_session_flush_program(CpdbSession *s)
{
    CpdbExcState st;
    cpdb_guard_begin(&s->busy);
    cpdb_exc_save(&st);
    flush_stream("stdout");
    flush_stream("stderr");
    cpdb_exc_restore(&st);
    cpdb_guard_end(&s->busy);
    fflush(stdout);
}

/* --- the heap at a stop -------------------------------------------------- */

/* Whether the snapshot is of this stop, with no Python run at it since. */
static int
snapshot_fresh(const CpdbSession *s)
{
    return s->heap.list != NULL && s->heap.stop_serial == s->stop_serial
           && s->heap.eval_serial == s->eval_serial && s->at_stop;
}

void
cpdb_session_heap_context(CpdbSession *s, CpdbHeapContext *ctx)
{
    size_t i;
    memset(ctx, 0, sizeof *ctx);
    ctx->own[ctx->n_own++] = s->history;
    ctx->own[ctx->n_own++] = s->convenience;
    ctx->own[ctx->n_own++] = s->kill_exc;
    ctx->own[ctx->n_own++] = s->trace_marker;
    if (s->heap.list != NULL) {
        ctx->own[ctx->n_own++] = s->heap.list;
    }
    if (s->exc_chain != NULL) {
        ctx->own[ctx->n_own++] = s->exc_chain;
    }
    if (s->eval_output != NULL) {
        ctx->own[ctx->n_own++] = s->eval_output;
    }
    if (s->tracing && s->backend->own_object != NULL
        && s->backend->own_object() != NULL) {
        ctx->own[ctx->n_own++] = s->backend->own_object();
    }
    ctx->frames = cpdb_xmalloc(sizeof(PyFrameObject *) * (s->stack.n + 1));
    for (i = 0; i < s->stack.n; i++) {
        ctx->frames[i] = s->stack.items[i].frame;
    }
    ctx->n_frames = (int)s->stack.n;
    cpdb_threads_heap_frames(s, ctx);   /* the other threads' frames */
    ctx->busy = &s->busy;
    ctx->history = s->history;
}

CpdbHeap *
cpdb_session_heap(CpdbSession *s)
{
    CpdbHeapContext ctx;
    int rc;
    if (snapshot_fresh(s)) {
        return &s->heap;
    }
    cpdb_heap_clear(&s->heap);
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_heap_take(&s->heap, &ctx);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        return NULL;
    }
    s->heap.stop_serial = s->stop_serial;
    s->heap.eval_serial = s->eval_serial;
    return &s->heap;
}

void
cpdb_session_heap_forget(CpdbSession *s)
{
    cpdb_heap_clear(&s->heap);
}

int
cpdb_session_heap_has_back(const CpdbSession *s)
{
    return snapshot_fresh(s) && s->heap.have_back;
}

int
cpdb_session_heap_walk(CpdbSession *s, int (*visit)(PyObject *o, void *arg),
                       void *arg)
{
    CpdbHeapContext ctx;
    int rc;
    if (snapshot_fresh(s)) {
        uint32_t i;
        for (i = 0; i < s->heap.n; i++) {
            if (!visit(s->heap.objs[i], arg)) {
                break;
            }
        }
        return 0;
    }
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_heap_walk(&ctx, visit, arg);
    cpdb_heap_context_fini(&ctx);
    return rc;
}

CpdbTypeCount *
cpdb_session_census(CpdbSession *s, long *n_types)
{
    CpdbHeapContext ctx;
    CpdbTypeCount *out;
    int running;
    if (snapshot_fresh(s)) {
        return cpdb_heap_census(&s->heap, n_types);     /* have one */
    }
    cpdb_session_heap_context(s, &ctx);
    out = cpdb_heap_census_live(&ctx, n_types, &running);
    cpdb_heap_context_fini(&ctx);
    if (running) {
        /* the collector is running: count a snapshot instead */
        CpdbHeap *h = cpdb_session_heap(s);
        PyErr_Clear();
        return h ? cpdb_heap_census(h, n_types) : NULL;
    }
    return out;
}

PyFrameObject *
cpdb_session_frame(CpdbSession *s)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
    return e ? e->frame : NULL;
}

/* --- stops --------------------------------------------------------------- */

void
cpdb_session_stop_values_set(CpdbSession *s, CpdbStopReason reason,
                             PyObject *value)
{
    const char *name = NULL;
    CpdbExcState st;
    switch (reason) {
    case CPDB_STOP_EXCEPTION:
    case CPDB_STOP_CATCH:
    case CPDB_STOP_POST_MORTEM:
    case CPDB_STOP_TRACEBACK:
        name = "_exception";
        break;
    case CPDB_STOP_RETURN:
        name = "_retval";
        break;
    default:
        break;
    }
    if (name == NULL || value == NULL) {
        return;
    }
    cpdb_exc_save(&st);
    if (cpdb_conv_set(s, name, value) < 0) {
        PyErr_Clear();
    }
    cpdb_exc_restore(&st);
}

void
cpdb_session_stop_values_clear(CpdbSession *s)
{
    static const char *const names[] = {"_exception", "_retval"};
    CpdbExcState st;
    size_t i;
    cpdb_exc_save(&st);
    for (i = 0; i < CPDB_ARRAY_LEN(names); i++) {
        if (PyDict_DelItemString(s->convenience, names[i]) < 0) {
            PyErr_Clear();
        }
    }
    cpdb_exc_restore(&st);
}

/* Most exceptions of a chain looked at, as pdb's limit. */
#define MAX_CHAIN 999

/* pdb's chain of exc: each exception's __cause__, else its __context__
   unless suppressed ("raise ... from None"), until one repeats.
   Return: new list, oldest first, or NULL (no exception set). */
static PyObject *
exception_chain(PyObject *exc)
{
    PyObject *chain = PyList_New(0), *cur = Py_XNewRef(exc);
    while (chain != NULL && cur != NULL && cur != Py_None
           && PyExceptionInstance_Check(cur)
           && PyList_GET_SIZE(chain) < MAX_CHAIN
           && PySequence_Contains(chain, cur) == 0) {
        PyObject *next = PyException_GetCause(cur);     /* new or NULL */
        if (next == NULL
            && !((PyBaseExceptionObject *)cur)->suppress_context) {
            next = PyException_GetContext(cur);
        }
        if (PyList_Insert(chain, 0, cur) < 0) {
            Py_CLEAR(chain);
        }
        Py_SETREF(cur, next);
    }
    Py_XDECREF(cur);
    PyErr_Clear();
    return chain;
}

/* A post-mortem stop on exc: its chain, the last one selected. */
static void
take_chain(CpdbSession *s, PyObject *exc)
{
    Py_XSETREF(s->exc_chain, exc ? exception_chain(exc) : NULL);
    if (s->exc_chain != NULL) {
        /* cpdb's own, out of the program's reach as the history is */
        PyObject_GC_UnTrack(s->exc_chain);
    }
    s->exc_selected = s->exc_chain ? PyList_GET_SIZE(s->exc_chain) - 1 : 0;
}

int
cpdb_session_select_exception(CpdbSession *s, Py_ssize_t n,
                              const char **why)
{
    PyObject *exc, *tb;
    if (!s->at_stop || s->exc_chain == NULL
        || (s->state != CPDB_PROG_POST_MORTEM
            && s->state != CPDB_PROG_TRACEBACK)) {
        *why = "No exception chain: \"exceptions\" works in post-mortem.";
        return -1;
    }
    if (n < 0 || n >= PyList_GET_SIZE(s->exc_chain)) {
        *why = "No exception with that number: \"exceptions\" lists them.";
        return -1;
    }
    exc = PyList_GET_ITEM(s->exc_chain, n);             /* borrowed */
    tb = PyException_GetTraceback(exc);                 /* new or NULL */
    if (tb == NULL || tb == Py_None) {
        Py_XDECREF(tb);
        *why = "That exception has no traceback: it cannot be selected.";
        return -1;
    }
    cpdb_session_heap_forget(s);
    cpdb_stack_from_traceback(s, tb);
    Py_DECREF(tb);
    Py_XSETREF(s->stop_value, Py_NewRef(exc));
    s->exc_selected = n;
    cpdb_session_stop_values_set(s, CPDB_STOP_POST_MORTEM, exc);
    return 0;
}

int
cpdb_session_should_resume(const CpdbSession *s)
{
    return s->resumed || s->request != CPDB_REQ_NONE;
}

/* The stop event of the current stop. */
static void
stop_event(CpdbSession *s, CpdbStop *ev, CpdbStopReason reason, int bp,
           PyObject *value)
{
    memset(ev, 0, sizeof *ev);
    ev->reason = reason;
    ev->breakpoint = bp;
    ev->thread_id = PyThread_get_thread_ident();
    ev->frame = s->stack.n > 0 ? (PyObject *)s->stack.items[0].frame : NULL;
    ev->value = value;
}

/* kill, run or quit was chosen at a stop.  In the cpdb program
   (own_process) the program's code never runs again: unwinding would run
   its except and finally clauses, which could catch the kill and go on.
   A library host's program is unwound.  Return: -1 with the kill
   exception set. */
static int
end_or_unwind(CpdbSession *s)
{
    if (s->opts.attached) {
        /* Not this session's program: it runs on, without the
           debugger. */
        cpdb_attach_request(s, s->request == CPDB_REQ_KILL
                               ? CPDB_DETACH_KILL : CPDB_DETACH);
        return 0;
    }
    if (s->opts.own_process) {
        cpdb_session_end_here(s, CPDB_STOP_KILLED, 0);
    }
    return cpdb_session_raise_kill(s);
}

int
cpdb_session_stop(CpdbSession *s, PyFrameObject *frame,
                  CpdbStopReason reason, int bp, PyObject *value,
                  const char *cond_error)
{
    CpdbExcState st;
    CpdbStop ev;

    if (s->busy.depth > 0 || s->at_stop || s->detach) {
        return 0;
    }
    cpdb_exc_save(&st);
    gc_pause(s);                /* before the debugger makes any object */
    s->at_stop = 1;
    s->resumed = 0;
    cpdb_threads_stop_begin(s, frame);
    cpdb_hooks_sigint_take(s);  /* Ctrl-C at the stop is the debugger's */
    s->py_thread = PyThread_get_thread_ident();
    s->stop_serial++;
    s->stop_reason = reason;
    s->stop_bp = bp;
    cpdb_stack_from_frame(s, frame);
    cpdb_step_mark_stack(s);
    if (reason == CPDB_STOP_BREAK_TEMP) {
        cpdb_bp_delete(&s->bps, bp);    /* after marking: it counted */
    }
    Py_XSETREF(s->stop_value, Py_XNewRef(value));
    cpdb_session_stop_values_set(s, reason, value);
    stop_event(s, &ev, reason, bp, value);
    ev.finished = reason == CPDB_STOP_RETURN && s->step.finishing;
    ev.condition_error = cond_error;
    ev.old_value = reason == CPDB_STOP_WATCH ? s->stop_old_value : NULL;
    s->cb.on_stop(s, &ev, s->cb.ctx);
    if (!cpdb_session_should_resume(s)) {
        cpdb_step_set_continue(s);      /* no choice made: go on */
    }
    s->at_stop = 0;
    cpdb_threads_stop_end(s);
    cpdb_hooks_sigint_settle(s);
    cpdb_hooks_sigint_give_back(s);
    cpdb_session_heap_forget(s);
    cpdb_stack_clear(s);
    Py_CLEAR(s->stop_value);
    Py_CLEAR(s->stop_old_value);
    cpdb_session_stop_values_clear(s);
    gc_resume(s);
    cpdb_exc_restore(&st);
    if (s->request != CPDB_REQ_NONE) {
        return end_or_unwind(s);
    }
    return 0;
}

CpdbRunOutcome
cpdb_session_post_mortem(CpdbSession *s, PyObject *exc)
{
    PyObject *tb = PyException_GetTraceback(exc);
    CpdbStop ev;
    unsigned long before;
    if (tb == NULL || tb == Py_None) {
        Py_XDECREF(tb);
        s->state = CPDB_PROG_IDLE;
        return CPDB_RUN_EXITED;
    }
    gc_pause(s);
    s->state = CPDB_PROG_POST_MORTEM;
    cpdb_stack_from_traceback(s, tb);
    Py_DECREF(tb);
    Py_XSETREF(s->stop_value, Py_NewRef(exc));
    take_chain(s, exc);
    cpdb_session_stop_values_set(s, CPDB_STOP_POST_MORTEM, exc);
    s->stop_reason = CPDB_STOP_POST_MORTEM;
    s->stop_bp = 0;
    s->stop_serial++;
    s->at_stop = 1;
    s->resumed = 0;
    before = cpdb_threads_enter(s);
    cpdb_threads_stop_begin(s, NULL);
    cpdb_hooks_sigint_take(s);
    s->py_thread = PyThread_get_thread_ident();
    stop_event(s, &ev, CPDB_STOP_POST_MORTEM, 0, exc);
    s->cb.on_post_mortem(s, &ev, s->cb.ctx);
    s->at_stop = 0;
    cpdb_threads_stop_end(s);
    cpdb_threads_leave(s, before);
    cpdb_hooks_sigint_give_back(s);
    cpdb_session_heap_forget(s);
    cpdb_stack_clear(s);
    Py_CLEAR(s->stop_value);
    Py_CLEAR(s->exc_chain);
    cpdb_session_stop_values_clear(s);
    s->state = CPDB_PROG_IDLE;
    gc_resume(s);
    if (s->request == CPDB_REQ_RUN || s->request == CPDB_REQ_QUIT) {
        return CPDB_RUN_KILLED;
    }
    s->request = CPDB_REQ_NONE;
    return CPDB_RUN_EXITED;
}

/* The stop of pdb.post_mortem(): the frames are the traceback's, the
   program waits in the call that handed it over.  The state says so
   while the front-end looks, so that step and the like, which need a
   live frame, are refused, and continue returns to the program. */
int
cpdb_session_traceback_stop(CpdbSession *s, PyObject *tb, PyObject *exc)
{
    CpdbExcState st;
    CpdbStop ev;
    CpdbProgState state = s->state;
    unsigned long before;

    cpdb_threads_hold(s);
    if (s->busy.depth > 0 || s->at_stop || state != CPDB_PROG_RUNNING) {
        return 0;
    }
    cpdb_exc_save(&st);
    gc_pause(s);
    s->state = CPDB_PROG_TRACEBACK;
    cpdb_stack_from_traceback(s, tb);
    Py_XSETREF(s->stop_value, Py_XNewRef(exc));
    take_chain(s, exc);
    cpdb_session_stop_values_set(s, CPDB_STOP_TRACEBACK, exc);
    s->stop_reason = CPDB_STOP_TRACEBACK;
    s->stop_bp = 0;
    s->stop_serial++;
    s->at_stop = 1;
    s->resumed = 0;
    before = cpdb_threads_enter(s);
    cpdb_threads_stop_begin(s, NULL);
    stop_event(s, &ev, CPDB_STOP_TRACEBACK, 0, exc);
    s->cb.on_post_mortem(s, &ev, s->cb.ctx);
    s->at_stop = 0;
    cpdb_threads_stop_end(s);
    cpdb_threads_leave(s, before);
    s->state = state;
    cpdb_session_heap_forget(s);
    cpdb_stack_clear(s);
    Py_CLEAR(s->stop_value);
    Py_CLEAR(s->exc_chain);
    cpdb_session_stop_values_clear(s);
    gc_resume(s);
    cpdb_exc_restore(&st);
    if (s->request != CPDB_REQ_NONE) {
        return end_or_unwind(s);
    }
    return 0;
}

const char *
cpdb_session_live_error(const CpdbSession *s)
{
    switch (s->state) {
    case CPDB_PROG_POST_MORTEM:
        return "The program has ended (post-mortem): only \"continue\", "
               "\"run\" and \"quit\" move on.";
    case CPDB_PROG_TRACEBACK:
        return "This is a traceback the program handed over "
               "(pdb.post_mortem): only \"continue\" (back to the "
               "program), \"kill\", \"run\" and \"quit\" move on.";
    case CPDB_PROG_RUNNING:
        return s->at_stop && s->stack.n > 0
               ? NULL : "The program is not being run.";
    case CPDB_PROG_IDLE:
    default:
        return "The program is not being run.";
    }
}

/* The program ended (EXITED, with status) or was ended (KILLED). */
static void
report_exit(CpdbSession *s, CpdbStopReason reason, int status)
{
    CpdbStop ev;
    if (s->bps.n_watches > 0) {
        cpdb_watch_drop_all(s);
    }
    s->step.watch_gone = 0;     /* its stop will not come */
    stop_event(s, &ev, reason, 0, NULL);
    ev.exit_status = status;
    s->cb.on_exit(s, &ev, s->cb.ctx);
}

/* No program runs: the front-end may start it again or quit. */
static void
idle(CpdbSession *s)
{
    s->request = CPDB_REQ_NONE;
    s->resumed = 0;
    gc_pause(s);
    cpdb_hooks_sigint_take(s);
    s->py_thread = PyThread_get_thread_ident();
    s->cb.on_idle(s, s->cb.ctx);
    cpdb_hooks_sigint_give_back(s);
    gc_resume(s);
}

/* --- running ------------------------------------------------------------ */

static void
hooks_on(CpdbSession *s)
{
    cpdb_hooks_install(s, &s->hooks);
    if (s->opts.own_process) {
        cpdb_process_hook_exit(s);
    }
    s->hooks_on = 1;
}

static void
hooks_off(CpdbSession *s)
{
    if (s->hooks_on) {
        cpdb_process_unhook_exit(s);
        cpdb_hooks_remove(s, &s->hooks);
        s->hooks_on = 0;
    }
}

void
cpdb_session_end_here(CpdbSession *s, CpdbStopReason how, int status)
{
    PyErr_Clear();      /* what the program was raising: it is over */
    if (s->tracing) {
        s->backend->stop(&s->trace);
        s->tracing = 0;
    }
    hooks_off(s);
    cpdb_program_unredirect(s);
    s->state = CPDB_PROG_IDLE;
    /* The program's objects stay as they are until the process ends:
       no collection frees them behind the prompt's back. */
    gc_pause(s);
    if (how == CPDB_STOP_EXITED) {
        s->exit_status = status;
        report_exit(s, CPDB_STOP_EXITED, status);
    }
    else if (s->request == CPDB_REQ_KILL) {
        report_exit(s, CPDB_STOP_KILLED, 0);
    }
    for (;;) {
        if (s->request == CPDB_REQ_RUN) {
            cpdb_session_reexec(s, 0);  /* returns only when it failed */
        }
        else if (s->request == CPDB_REQ_QUIT) {
            cpdb_session_leave(s);
        }
        idle(s);
        if (s->request == CPDB_REQ_NONE) {
            s->request = CPDB_REQ_QUIT;     /* a host's on_idle is done */
        }
    }
}

int
cpdb_session_run(CpdbSession *s, unsigned flags)
{
    /* after a restart, a program that cannot start (its file is gone)
       leaves the prompt, as it did before the restart */
    int started_once = s->restarted;
    for (;;) {
        int status;
        CpdbRunOutcome outcome;
        CpdbRunResult r;

        hooks_on(s);
        cpdb_threads_start(s);
        cpdb_program_run(s, flags, &r);
        outcome = r.outcome;
        status = r.status;
        if (r.uncaught != NULL && s->catch_uncaught) {
            outcome = cpdb_session_post_mortem(s, r.uncaught);
        }
        Py_CLEAR(r.uncaught);
        hooks_off(s);
        if (r.why != NULL) {
            /* Why it did not start: the front-end hears of it now, and a
               host that called cpdb_run_file reads it after. */
            cpdb_session_fail(s, r.error, "%s", r.why);
            cpdb_session_message(s, "%s", r.why);
            free(r.why);
        }
        if (outcome == CPDB_RUN_NOT_STARTED) {
            if (!started_once && status != 0) {
                s->exit_status = status;
                return CPDB_E_NOFILE;
            }
        }
        else if (outcome == CPDB_RUN_EXITED && s->detached) {
            /* A child the program forked reached the end of the main
               code: it ends as it would under python3, without a word. */
            s->exit_status = status;
            return CPDB_E_QUIT;
        }
        else if (outcome == CPDB_RUN_EXITED) {
            if (s->opts.own_process) {
                cpdb_program_exit_work(s);
            }
            s->exit_status = status;
            report_exit(s, CPDB_STOP_EXITED, status);
        }
        started_once = 1;
        if (outcome == CPDB_RUN_KILLED && s->request == CPDB_REQ_KILL) {
            report_exit(s, CPDB_STOP_KILLED, 0);
        }
        for (;;) {
            /* The program has ended: quitting finalizes the interpreter
               (main.c), as the end of python3 does, and so does a
               restart before it executes cpdb again. */
            if (s->request == CPDB_REQ_QUIT) {
                return CPDB_E_QUIT;
            }
            if (s->request == CPDB_REQ_RUN) {
                if (!s->opts.own_process) {
                    /* Again in this process: the values of this run
                       must not keep its objects alive in the next. */
                    cpdb_history_drop(s, 1);
                    break;
                }
                cpdb_session_reexec(s, 1);  /* returns only if it failed */
            }
            else if (!(flags & CPDB_RUN_KEEP_PROMPT)) {
                return CPDB_OK;
            }
            idle(s);
            if (s->request == CPDB_REQ_NONE) {
                s->request = CPDB_REQ_QUIT;     /* on_idle is done */
            }
        }
        s->request = CPDB_REQ_NONE;
    }
}
