/* The debug adapter's requests and the engine's callbacks (dap.h). */
#include "dap/dap.h"
#include "base/text.h"
#include "cli/cli.h"
#include "core/attach.h"
#include "core/breakpoints.h"
#include "core/eval.h"
#include "core/process.h"
#include "core/session.h"
#include "remote/net.h"
#include "trace/trace.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How long the threads may take to reach a line after pause before the
   service thread stops in their place (they all wait in C). */
#define PAUSE_WAIT_MS 300
/* How long a disconnect may take before the process ends anyway (a
   thread that holds the GIL in C for ever must not keep it alive). */
#define LEAVE_GRACE_S 3

static Dap dap;


/* --- ending -------------------------------------------------------------- */

static void *
watchdog_main(void *arg)
{
    (void)arg;
    sleep(LEAVE_GRACE_S);
    dprintf(dap.w.log_fd, "cpdb: the program did not end within %d s of "
            "the disconnect: ending it now\n", LEAVE_GRACE_S);
    _exit(dap.exit_status > 0 ? dap.exit_status : 0);
}

/* The client is gone or asked to go: whatever holds the GIL, the
   process ends within LEAVE_GRACE_S. */
static void
arm_watchdog(Dap *d)
{
    static int armed;
    pthread_t t;
    pthread_mutex_lock(&d->w.mu);
    d->disconnecting = 1;
    pthread_cond_broadcast(&d->w.cv);
    if (!armed && d->launched && !d->attached) {
        armed = 1;
        if (pthread_create(&t, NULL, watchdog_main, NULL) == 0) {
            pthread_detach(t);
        }
    }
    pthread_mutex_unlock(&d->w.mu);
}

static void
on_eof(void *ctx)
{
    arm_watchdog(ctx);
}

static int
early(void *ctx, json_t *req)
{
    if (strcmp(cpdb_dap_command(req), "disconnect") == 0) {
        arm_watchdog(ctx);
    }
    return 0;
}

static void
send_exited(Dap *d, int status)
{
    json_t *body;
    if (d->exited_sent) {
        return;
    }
    d->exited_sent = 1;
    cpdb_dap_output_drain(d);
    body = json_object();
    json_object_set_new(body, "exitCode", json_integer(status));
    cpdb_dap_event(&d->w, "exited", body);
}

static void
send_terminated(Dap *d)
{
    if (!d->terminated_sent) {
        d->terminated_sent = 1;
        cpdb_dap_event(&d->w, "terminated", NULL);
    }
}

/* --- requests that need no program ---------------------------------------- */

static json_t *
filter(const char *id, const char *label, const char *description,
       int on)
{
    return json_pack("{s:s, s:s, s:s, s:b}", "filter", id, "label", label,
                     "description", description, "default", on);
}

static void
do_initialize(Dap *d, json_t *req)
{
    json_t *caps = json_pack(
        "{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b,"
        " s:b, s:b, s:b}",
        "supportsConfigurationDoneRequest", 1,
        "supportsFunctionBreakpoints", 1,
        "supportsConditionalBreakpoints", 1,
        "supportsHitConditionalBreakpoints", 1,
        "supportsLogPoints", 1,
        "supportsSetVariable", 1,
        "supportsEvaluateForHovers", 1,
        "supportsCompletionsRequest", 1,
        "supportsExceptionInfoRequest", 1,
        "supportsTerminateRequest", 1,
        "supportsDelayedStackTraceLoading", 1,
        "supportsRestartRequest", 0,
        "supportsStepBack", 0,
        "supportsExceptionOptions", 0,
        "supportsValueFormattingOptions", 0);
    json_object_set_new(caps, "exceptionBreakpointFilters", json_pack(
        "[o, o, o]",
        filter("raised", "Raised Exceptions",
               "Stop where an exception is raised, caught or not", 0),
        filter("uncaught", "Uncaught Exceptions",
               "Stop when an exception ends the program", 1),
        filter("userUncaught", "User Uncaught Exceptions",
               "Stop where an exception raised in your code leaves it "
               "(the standard library and installed packages left out)",
               0)));
    json_object_set_new(caps, "completionTriggerCharacters",
                        json_pack("[s]", "."));
    cpdb_dap_respond(&d->w, req, caps, NULL);
}

/* Whether the request gives the token the adapter asks for.  A wrong
   one ends the connection (the listener takes the next); a right one
   shuts the listener. */
static int
token_ok(Dap *d, json_t *args)
{
    const char *t;
    if (d->cfg->token != NULL) {
        t = json_string_value(json_object_get(args, "token"));
        if (t == NULL || strcmp(t, d->cfg->token) != 0) {
            d->token_refused = 1;
            return 0;
        }
    }
    if (d->cfg->listen_fd >= 0) {
        /* No one else connects from now on (its owner closes it). */
        shutdown(d->cfg->listen_fd, SHUT_RDWR);
    }
    return 1;
}

/* --- the stop ------------------------------------------------------------- */

static const char *
stop_reason_name(Dap *d, const CpdbStop *stop, int function)
{
    if (d->pause_asked && (stop->reason == CPDB_STOP_INTERRUPT
                           || stop->reason == CPDB_STOP_ATTACHED
                           || stop->reason == CPDB_STOP_STEP)) {
        return "pause";
    }
    switch (stop->reason) {
    case CPDB_STOP_START:
        return "entry";
    case CPDB_STOP_BREAK:
    case CPDB_STOP_BREAK_TEMP:
        return function ? "function breakpoint" : "breakpoint";
    case CPDB_STOP_HERE:
        return "breakpoint";
    case CPDB_STOP_EXCEPTION:
    case CPDB_STOP_POST_MORTEM:
    case CPDB_STOP_CATCH:
    case CPDB_STOP_TRACEBACK:
        return "exception";
    case CPDB_STOP_INTERRUPT:
    case CPDB_STOP_ATTACHED:
        return "pause";
    case CPDB_STOP_WATCH:
    case CPDB_STOP_WATCH_SCOPE:
        return "data breakpoint";
    default:
        return "step";
    }
}

/* The description a stopped event carries for exceptions. */
static char *
stop_text(const CpdbStop *stop)
{
    if (stop->value != NULL && PyExceptionInstance_Check(stop->value)) {
        return cpdb_exc_line(stop->value);
    }
    return NULL;
}

/* The service thread may be in the middle of a request that runs
   Python (a breakpoint's file resolved, a condition compiled), which
   let go of the GIL when this stop took it: let it finish before this
   stop holds the GIL for good, or neither would go on. */
static void
wait_service(Dap *d)
{
    if ((unsigned long)pthread_self() == d->service_ident) {
        return;     /* the stop is the service thread's own (pause) */
    }
    pthread_mutex_lock(&d->w.mu);
    if (d->service_busy) {
        PyThreadState *save;
        pthread_mutex_unlock(&d->w.mu);
        save = PyEval_SaveThread();
        pthread_mutex_lock(&d->w.mu);
        while (d->service_busy) {
            pthread_cond_wait(&d->w.cv, &d->w.mu);
        }
        pthread_mutex_unlock(&d->w.mu);
        PyEval_RestoreThread(save);
        return;
    }
    pthread_mutex_unlock(&d->w.mu);
}

/* Serve requests at this stop until one resumes the program (or the
   client goes).  With the GIL: the program's other threads wait. */
static void
serve_stop(Dap *d)
{
    CpdbSession *s = d->s;
    pthread_mutex_lock(&d->w.mu);
    d->at_stop = 1;
    pthread_mutex_unlock(&d->w.mu);
    d->resumed = 0;
    d->resumed_by_console = 0;
    while (!d->resumed && !cpdb_session_should_resume(s)) {
        json_t *req;
        int gone;
        wait_service(d);
        req = cpdb_dap_next(&d->w, 200);
        if (req != NULL) {
            cpdb_dap_dispatch(d, req);
            json_decref(req);
            continue;
        }
        pthread_mutex_lock(&d->w.mu);
        gone = d->w.eof && d->w.head == NULL;
        pthread_mutex_unlock(&d->w.mu);
        if (gone) {
            /* The client went without a word: as disconnect. */
            if (d->attached) {
                cpdb_attach_request(s, CPDB_DETACH);
            }
            else {
                cpdb_exec_quit(s);
            }
            break;
        }
    }
    cpdb_dap_handles_clear(d);
    if (d->resumed_by_console && !d->w.eof) {
        cpdb_dap_event(&d->w, "continued", json_pack(
            "{s:i, s:b}", "threadId", s->threads.stopped_number,
            "allThreadsContinued", 1));
    }
    pthread_mutex_lock(&d->w.mu);
    d->at_stop = 0;
    pthread_cond_broadcast(&d->w.cv);
    pthread_mutex_unlock(&d->w.mu);
}

/* justMyCode: a step that ended in library code goes on stepping. */
static int
step_into_library(Dap *d, const CpdbStop *stop)
{
    char *path;
    int lib;
    PyCodeObject *code;
    if (!d->just_my_code || stop->frame == NULL || d->pause_asked
        || (stop->reason != CPDB_STOP_STEP
            && stop->reason != CPDB_STOP_CALL
            && stop->reason != CPDB_STOP_RETURN)) {
        return 0;
    }
    code = PyFrame_GetCode((PyFrameObject *)stop->frame);
    path = cpdb_code_path(code);
    Py_DECREF(code);
    lib = cpdb_dap_is_library(path);
    free(path);
    return lib;
}

static PyObject *
eval_condition(void *ctx, PyFrameObject *frame, PyObject *code)
{
    return cpdb_eval_code(ctx, frame, code);
}

/* Whether a breakpoint on the line of the start stop fires (its
   condition and counts applied, as at any line): *out is then that
   stop as a breakpoint's. */
static int
first_line_break(CpdbSession *s, const CpdbStop *stop, CpdbStop *out)
{
    static char *cond_error;
    CpdbBpEval eval = {eval_condition, s};
    PyFrameObject *f = (PyFrameObject *)stop->frame;
    PyCodeObject *code;
    int temporary, bp;
    if (f == NULL) {
        return 0;
    }
    code = PyFrame_GetCode(f);
    free(cond_error);
    cond_error = NULL;
    bp = cpdb_bp_code_has_breaks(&s->bps, code)
         ? cpdb_bp_check(&s->bps, f, code, PyFrame_GetLineNumber(f), 1,
                         &eval, &cond_error, &temporary)
         : 0;
    Py_DECREF(code);
    if (bp <= 0) {
        return 0;
    }
    *out = *stop;
    out->reason = CPDB_STOP_BREAK;
    out->breakpoint = bp;
    out->condition_error = cond_error;
    return 1;
}

static void
on_stop(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    Dap *d = ctx;
    CpdbStop as_break;
    int function = 0;
    const char *reason;
    char *text;
    json_t *body;

    if (d->kill_at_stop) {
        d->kill_at_stop = 0;
        cpdb_exec_kill(s);
        return;
    }
    if (stop->reason == CPDB_STOP_START && !d->configured) {
        /* Breakpoints and filters come now, before the first line. */
        serve_stop(d);
        if (cpdb_session_should_resume(s) || d->w.eof) {
            return;
        }
    }
    if (stop->reason == CPDB_STOP_START && !d->stop_on_entry) {
        /* The start stop is the adapter's own: a breakpoint on the first
           line stops there as it would anywhere. */
        if (!first_line_break(s, stop, &as_break)) {
            return;     /* continue */
        }
        stop = &as_break;
    }
    if ((stop->reason == CPDB_STOP_BREAK
         || stop->reason == CPDB_STOP_BREAK_TEMP)
        && cpdb_dap_break_passes(d, stop->breakpoint,
                                 (PyFrameObject *)stop->frame, &function)) {
        return;
    }
    if (step_into_library(d, stop)) {
        cpdb_exec_step(s);
        return;
    }
    d->hide_top = 0;
    if (stop->reason == CPDB_STOP_CALL) {
        /* An editor's step into a function shows its first line, not
           its def line (pdb's --Call--). */
        cpdb_exec_step(s);
        return;
    }
    if (stop->reason == CPDB_STOP_RETURN) {
        /* ... and a step out of one (stepOut, or the last line's next)
           shows the caller on the line of the call, where it goes on
           (pdb's --Return-- is the returning frame).  Out of the
           program's last frame: it ends. */
        if (s->stack.n < 2) {
            cpdb_exec_continue(s);
            return;
        }
        cpdb_stack_select(s, 1);
        d->hide_top = 1;
    }
    cpdb_session_flush_program(s);
    cpdb_dap_output_drain(d);
    cpdb_dap_breaks_bind(d);
    cpdb_dap_threads_diff(d);
    d->stops++;
    reason = stop_reason_name(d, stop, function);
    d->pause_asked = 0;
    body = json_pack("{s:s, s:i, s:b}", "reason", reason,
                     "threadId", s->threads.stopped_number,
                     "allThreadsStopped", 1);
    if (stop->breakpoint > 0 && stop->reason != CPDB_STOP_CATCH) {
        size_t i;
        for (i = 0; i < d->breaks.n; i++) {
            if (d->breaks.items[i].number == stop->breakpoint) {
                json_object_set_new(body, "hitBreakpointIds",
                                    json_pack("[i]", d->breaks.items[i].id));
            }
        }
    }
    if (stop->condition_error != NULL) {
        json_object_set_new(body, "text",
                            json_string(stop->condition_error));
    }
    else if ((text = stop_text(stop)) != NULL) {
        json_t *t = json_string(text);
        if (t != NULL) {
            json_object_set_new(body, "text", t);
        }
        free(text);
    }
    cpdb_dap_event(&d->w, "stopped", body);
    serve_stop(d);
}

static void
on_post_mortem(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    Dap *d = ctx;
    if (stop->reason == CPDB_STOP_POST_MORTEM && !d->filter_uncaught) {
        return;         /* the program ends */
    }
    on_stop(s, stop, ctx);
}

static void
on_exit_cb(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    Dap *d = ctx;
    (void)s;
    d->exit_status = stop->reason == CPDB_STOP_EXITED ? stop->exit_status
                                                      : 137;
}

/* The program ended and the process must not run any of it again
   (os._exit, terminate): say so, then wait for the client to go. */
static void
on_idle(CpdbSession *s, void *ctx)
{
    Dap *d = ctx;
    cpdb_session_flush_program(s);
    send_exited(d, d->exit_status);
    send_terminated(d);
    serve_stop(d);
    cpdb_exec_quit(s);
}

static void
on_message(CpdbSession *s, const char *text, void *ctx)
{
    char *line = cpdb_xmalloc(strlen(text) + 2);
    (void)s;
    sprintf(line, "%s\n", text);
    cpdb_dap_output(&((Dap *)ctx)->w, "console", line);
    free(line);
}

/* What the command interpreter writes outside a captured command. */
static void
io_write(void *ctx, int stream, const char *text, size_t len)
{
    char *copy = cpdb_xmalloc(len + 1);
    (void)stream;
    memcpy(copy, text, len);
    copy[len] = '\0';
    cpdb_dap_output(&((Dap *)ctx)->w, "console", copy);
    free(copy);
}

static char *
io_read_line(void *ctx, const char *prompt)
{
    (void)ctx;
    (void)prompt;
    return NULL;
}

/* --- while the program runs: the service thread ----------------------------- */

/* Make breakpoints changed while the program runs reach the frames
   already running, in every thread. */
static void
refresh_running(CpdbSession *s)
{
    if (!s->tracing) {
        return;
    }
    s->backend->refresh(&s->trace, NULL);
    if (s->backend == &cpdb_trace_legacy) {
        cpdb_trace_legacy_arm_threads(&s->trace);
    }
}

/* pause (or terminate) while the program runs: the next line any thread
   runs stops; when no thread ran one within PAUSE_WAIT_MS (each waits
   in C), stop here on the main thread's behalf.  With the GIL, in the
   service thread. */
static void
stop_somewhere(Dap *d)
{
    CpdbSession *s = d->s;
    long serial = s->stop_serial;
    PyThreadState *save;
    int i;
    cpdb_attach_interrupt(s);
    save = PyEval_SaveThread();
    for (i = 0; i < PAUSE_WAIT_MS; i++) {
        struct timespec ts = {0, 1000000L};
        if (s->stop_serial != serial) {
            break;
        }
        nanosleep(&ts, NULL);
    }
    PyEval_RestoreThread(save);
    if (s->stop_serial == serial && !s->at_stop
        && s->threads.engine == 0 && s->state == CPDB_PROG_RUNNING) {
        cpdb_attach_stop_here(s);
    }
}

/* How often the service thread looks for new and ended threads while
   no request comes. */
#define THREAD_POLL_MS 200

void
cpdb_dap_threads_diff(Dap *d)
{
    size_t n, i, k;
    CpdbThreadInfo *t = cpdb_threads_list(d->s, &n);
    CPDB_ARRAY(int) now = {NULL, 0, 0};
    for (i = 0; t != NULL && i < n; i++) {
        cpdb_array_push(&now, t[i].number);
    }
    cpdb_threads_list_free(t, n);
    for (i = 0; i < now.n; i++) {
        int known = 0;
        for (k = 0; k < d->known_threads.n; k++) {
            known |= d->known_threads.items[k] == now.items[i];
        }
        if (!known) {
            cpdb_dap_event(&d->w, "thread", json_pack(
                "{s:s, s:i}", "reason", "started", "threadId",
                now.items[i]));
        }
    }
    for (k = 0; k < d->known_threads.n; k++) {
        int alive = 0;
        for (i = 0; i < now.n; i++) {
            alive |= d->known_threads.items[k] == now.items[i];
        }
        if (!alive) {
            cpdb_dap_event(&d->w, "thread", json_pack(
                "{s:s, s:i}", "reason", "exited", "threadId",
                d->known_threads.items[k]));
        }
    }
    free(d->known_threads.items);
    d->known_threads.items = now.items;
    d->known_threads.n = now.n;
    d->known_threads.cap = now.cap;
}

/* Answer requests while no thread is stopped, taking the GIL for each,
   until the adapter ends (or, attached, the session detaches).  Without
   the GIL. */
static void
serve_running(Dap *d)
{
    PyGILState_STATE gil;
    for (;;) {
        json_t *req = NULL;
        int eof, idle = 0;
        pthread_mutex_lock(&d->w.mu);
        while (!d->ended && !d->detaching && !idle
               && (d->at_stop || (d->w.head == NULL && !d->w.eof))) {
            idle = cpdb_dap_wait(&d->w, THREAD_POLL_MS) && !d->at_stop;
        }
        eof = d->w.eof && d->w.head == NULL && !d->at_stop;
        pthread_mutex_unlock(&d->w.mu);
        if (d->ended || d->detaching) {
            break;
        }
        gil = PyGILState_Ensure();
        if (idle) {
            /* Nothing asked for a while: tell of threads that started
               or ended meanwhile. */
            if (!d->s->at_stop && d->s->threads.engine == 0
                && d->s->state == CPDB_PROG_RUNNING) {
                cpdb_dap_threads_diff(d);
            }
            PyGILState_Release(gil);
            continue;
        }
        if (eof && d->attached) {
            /* The client went without a word: as disconnect. */
            if (!d->s->at_stop && d->s->threads.engine == 0) {
                cpdb_attach_request(d->s, CPDB_DETACH);
                PyGILState_Release(gil);
                break;
            }
        }
        else if (eof) {
            /* The client went: the program's code must not run on. */
            cpdb_session_leave(d->s);
        }
        /* A stop may have begun while this thread waited for the GIL:
           the stopped thread takes the requests then. */
        pthread_mutex_lock(&d->w.mu);
        if (!d->ended && !d->at_stop && !d->s->at_stop
            && d->s->threads.engine == 0 && d->w.head != NULL) {
            CpdbDapItem *it = d->w.head;
            d->w.head = it->next;
            if (d->w.head == NULL) {
                d->w.tail = NULL;
            }
            req = it->msg;
            free(it);
            d->service_busy = 1;
        }
        pthread_mutex_unlock(&d->w.mu);
        if (req != NULL) {
            cpdb_dap_dispatch(d, req);
            json_decref(req);
            pthread_mutex_lock(&d->w.mu);
            d->service_busy = 0;
            pthread_cond_broadcast(&d->w.cv);
            pthread_mutex_unlock(&d->w.mu);
        }
        PyGILState_Release(gil);
        if (req == NULL) {
            struct timespec ts = {0, 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

static void *
service_main(void *arg)
{
    Dap *d = arg;
    /* One thread state for the thread's life: made and deleted around
       each request, it would come and go in the interpreter's list while
       the engine walks other threads' frames. */
    PyGILState_STATE gil = PyGILState_Ensure();
    PyThreadState *save = PyEval_SaveThread();
    d->service_ident = (unsigned long)pthread_self();
    serve_running(d);
    PyEval_RestoreThread(save);
    PyGILState_Release(gil);
    return NULL;
}

/* --- dispatch ------------------------------------------------------------- */

/* Whether the program is stopped where the request can look (else it
   was answered with an error). */
static int
require_stop(Dap *d, json_t *req)
{
    if (d->s == NULL || !d->s->at_stop) {
        cpdb_dap_respondf(&d->w, req, "The program is running: pause it "
                          "first (\"%s\" needs a stopped program).",
                          cpdb_dap_command(req));
        return 0;
    }
    return 1;
}

/* Whether the request names a thread (answered with an error if not). */
static int
require_thread_id(Dap *d, json_t *req)
{
    json_t *t = json_object_get(cpdb_dap_args(req), "threadId");
    if (!json_is_integer(t) || json_integer_value(t) < 1
        || json_integer_value(t) > 0x7fffffff) {
        cpdb_dap_respondf(&d->w, req, "\"%s\" needs \"threadId\": a "
                          "thread's id (a positive integer).",
                          cpdb_dap_command(req));
        return 0;
    }
    return 1;
}

/* The threadId of a stepping request must be the stopped thread's. */
static int
require_stopped_thread(Dap *d, json_t *req)
{
    json_t *t = json_object_get(cpdb_dap_args(req), "threadId");
    if (!require_thread_id(d, req) || !require_stop(d, req)) {
        return 0;
    }
    if (d->s->threads.stopped_number != 0
        && json_integer_value(t) != d->s->threads.stopped_number
        && d->s->stop_reason != CPDB_STOP_ATTACHED) {
        cpdb_dap_respondf(&d->w, req, "Thread %lld is held where it waits: "
                          "only the thread that stopped (%d) steps; "
                          "continue, or set a breakpoint in thread %lld.",
                          (long long)json_integer_value(t),
                          d->s->threads.stopped_number,
                          (long long)json_integer_value(t));
        return 0;
    }
    return 1;
}

static void
resume_with(Dap *d, json_t *req, int (*how)(CpdbSession *))
{
    CpdbSession *s = d->s;
    if (s->state == CPDB_PROG_POST_MORTEM && how != cpdb_exec_continue) {
        how = cpdb_exec_continue;   /* the program is over: it ends */
    }
    if (how(s) < 0) {
        cpdb_dap_respond(&d->w, req, NULL, cpdb_session_errmsg(s));
        return;
    }
    d->resumed = 1;
    if (how == cpdb_exec_continue) {
        cpdb_dap_respond(&d->w, req, json_pack("{s:b}",
                                               "allThreadsContinued", 1),
                         NULL);
    }
    else {
        cpdb_dap_respond(&d->w, req, NULL, NULL);
    }
}

static void
do_threads(Dap *d, json_t *req)
{
    json_t *list = json_array();
    if (d->s != NULL && d->s->state != CPDB_PROG_IDLE) {
        size_t n, i;
        CpdbThreadInfo *t = cpdb_threads_list(d->s, &n);
        for (i = 0; t != NULL && i < n; i++) {
            char name[160];
            if (t[i].name != NULL) {
                snprintf(name, sizeof name, "%s", t[i].name);
            }
            else {
                snprintf(name, sizeof name, "Thread %d", t[i].number);
            }
            json_array_append_new(list, json_pack(
                "{s:i, s:s}", "id", t[i].number, "name", name));
        }
        cpdb_threads_list_free(t, n);
    }
    if (json_array_size(list) == 0 && d->s != NULL) {
        json_array_append_new(list, json_pack("{s:i, s:s}", "id", 1,
                                              "name", "MainThread"));
    }
    cpdb_dap_respond(&d->w, req, json_pack("{s:o}", "threads", list), NULL);
}

static void
do_pause(Dap *d, json_t *req)
{
    cpdb_dap_respond(&d->w, req, NULL, NULL);
    if (d->s->at_stop || d->s->state != CPDB_PROG_RUNNING) {
        return;
    }
    d->pause_asked = 1;
    stop_somewhere(d);
}

static void
do_disconnect(Dap *d, json_t *req)
{
    CpdbSession *s = d->s;
    json_t *kill = json_object_get(cpdb_dap_args(req), "terminateDebuggee");
    int detach = d->attached && !json_is_true(kill);
    cpdb_dap_respond(&d->w, req, NULL, NULL);
    pthread_mutex_lock(&d->w.mu);
    d->disconnecting = 1;
    pthread_mutex_unlock(&d->w.mu);
    if (s == NULL) {
        return;
    }
    if (d->attached) {
        cpdb_attach_request(s, detach ? CPDB_DETACH : CPDB_DETACH_KILL);
        d->resumed = 1;
        return;
    }
    if (s->at_stop) {
        cpdb_exec_quit(s);
        d->resumed = 1;
        return;
    }
    /* Running: the program's code must not run again. */
    cpdb_session_leave(s);
}

static void
do_terminate(Dap *d, json_t *req)
{
    CpdbSession *s = d->s;
    cpdb_dap_respond(&d->w, req, NULL, NULL);
    if (s == NULL || s->state == CPDB_PROG_IDLE || d->exited_sent) {
        return;
    }
    if (d->attached) {
        cpdb_attach_request(s, CPDB_DETACH_KILL);
        d->resumed = 1;
        return;
    }
    if (s->at_stop) {
        cpdb_exec_kill(s);
        d->resumed = 1;
        return;
    }
    d->kill_at_stop = 1;
    stop_somewhere(d);
}

static int
exec_step_out(CpdbSession *s)
{
    return cpdb_exec_finish(s);
}

static void
do_configuration_done(Dap *d, json_t *req)
{
    d->configured = 1;
    cpdb_dap_respond(&d->w, req, NULL, NULL);
    if (d->s->at_stop && d->s->stop_reason == CPDB_STOP_START) {
        d->resumed = 1;
    }
}

static void
do_continue(Dap *d, json_t *req)
{
    if (!d->s->at_stop) {
        cpdb_dap_respond(&d->w, req, json_pack(
            "{s:b}", "allThreadsContinued", 1), NULL);
        return;
    }
    d->configured = 1;
    resume_with(d, req, cpdb_exec_continue);
}

static void
do_next(Dap *d, json_t *req)
{
    resume_with(d, req, cpdb_exec_next);
}

static void
do_step_in(Dap *d, json_t *req)
{
    resume_with(d, req, cpdb_exec_step);
}

static void
do_step_out(Dap *d, json_t *req)
{
    resume_with(d, req, exec_step_out);
}

/* What a request needs before its handler runs. */
typedef enum {
    NEEDS_SESSION,          /* a launch or attach came */
    NEEDS_THREAD,           /* ... and a threadId */
    NEEDS_STOP,             /* ... and a stopped program */
    NEEDS_STOPPED_THREAD    /* ... and threadId the stopped thread's */
} DapNeeds;

typedef struct DapRequest {
    const char *command;
    DapNeeds needs;
    void (*handler)(Dap *d, json_t *req);
    int breakpoints;        /* it changes breakpoints */
} DapRequest;

/* The requests of a session, after launch or attach (initialize and
   disconnect are answered before). */
static const DapRequest requests[] = {
    {"configurationDone", NEEDS_SESSION, do_configuration_done, 0},
    {"setBreakpoints", NEEDS_SESSION, cpdb_dap_set_breakpoints, 1},
    {"setFunctionBreakpoints", NEEDS_SESSION,
     cpdb_dap_set_function_breakpoints, 1},
    {"setExceptionBreakpoints", NEEDS_SESSION,
     cpdb_dap_set_exception_breakpoints, 1},
    {"threads", NEEDS_SESSION, do_threads, 0},
    {"terminate", NEEDS_SESSION, do_terminate, 0},
    {"evaluate", NEEDS_SESSION, cpdb_dap_evaluate, 0},
    {"pause", NEEDS_THREAD, do_pause, 0},
    {"continue", NEEDS_THREAD, do_continue, 0},
    {"next", NEEDS_STOPPED_THREAD, do_next, 0},
    {"stepIn", NEEDS_STOPPED_THREAD, do_step_in, 0},
    {"stepOut", NEEDS_STOPPED_THREAD, do_step_out, 0},
    {"stackTrace", NEEDS_STOP, cpdb_dap_stack_trace, 0},
    {"scopes", NEEDS_STOP, cpdb_dap_scopes, 0},
    {"variables", NEEDS_STOP, cpdb_dap_variables, 0},
    {"setVariable", NEEDS_STOP, cpdb_dap_set_variable, 0},
    {"completions", NEEDS_STOP, cpdb_dap_completions, 0},
    {"exceptionInfo", NEEDS_STOP, cpdb_dap_exception_info, 0},
};

void
cpdb_dap_dispatch(Dap *d, json_t *req)
{
    const char *c = cpdb_dap_command(req);
    const DapRequest *r = NULL;
    size_t i;

    if (strcmp(c, "initialize") == 0) {
        do_initialize(d, req);
        return;
    }
    if (strcmp(c, "disconnect") == 0) {
        do_disconnect(d, req);
        return;
    }
    if (strcmp(c, "launch") == 0 || strcmp(c, "attach") == 0) {
        cpdb_dap_respond(&d->w, req, NULL, "A program is being debugged "
                         "already: one launch or attach per adapter.");
        return;
    }
    for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        if (strcmp(c, requests[i].command) == 0) {
            r = &requests[i];
        }
    }
    if (r == NULL) {
        cpdb_dap_respondf(&d->w, req, "Unknown or unsupported request "
                          "\"%.100s\".", c);
        return;
    }
    if (d->s == NULL) {
        cpdb_dap_respondf(&d->w, req, "\"%s\" comes after launch or "
                          "attach.", c);
        return;
    }
    if ((r->needs == NEEDS_THREAD && !require_thread_id(d, req))
        || (r->needs == NEEDS_STOP && !require_stop(d, req))
        || (r->needs == NEEDS_STOPPED_THREAD
            && !require_stopped_thread(d, req))) {
        return;
    }
    r->handler(d, req);
    /* Breakpoints changed while the program runs: frames already
       running get their line events (at a stop the engine's refresh
       sees to every thread's). */
    if (r->breakpoints && !d->s->at_stop) {
        refresh_running(d->s);
    }
}

/* --- launch ------------------------------------------------------------- */

/* Copy a JSON array of strings into argv (malloc'd, NULL-terminated).
   Return 0, or -1 when it is not one. */
static int
string_array(json_t *a, char ***argv, int *argc)
{
    size_t i;
    *argv = NULL;
    *argc = 0;
    if (a == NULL || json_is_null(a)) {
        *argv = cpdb_xcalloc(1, sizeof(char *));
        return 0;
    }
    if (!json_is_array(a)) {
        return -1;
    }
    for (i = 0; i < json_array_size(a); i++) {
        if (!json_is_string(json_array_get(a, i))) {
            return -1;
        }
    }
    *argv = cpdb_xcalloc(json_array_size(a) + 1, sizeof(char *));
    for (i = 0; i < json_array_size(a); i++) {
        (*argv)[i] = cpdb_xstrdup(json_string_value(json_array_get(a, i)));
    }
    *argc = (int)json_array_size(a);
    return 0;
}

/* Set the launch's environment: a string value sets, null unsets.
   Return: NULL, or what is wrong (static). */
static const char *
apply_env(json_t *env)
{
    const char *key;
    json_t *v;
    if (env == NULL || json_is_null(env)) {
        return NULL;
    }
    if (!json_is_object(env)) {
        return "\"env\" must be an object of names and strings.";
    }
    json_object_foreach(env, key, v) {
        if (!json_is_string(v) && !json_is_null(v)) {
            return "\"env\" values must be strings (or null to unset).";
        }
        if (*key == '\0' || strchr(key, '=') != NULL) {
            return "\"env\" names must be non-empty and without '='.";
        }
    }
    json_object_foreach(env, key, v) {
        if (json_is_null(v)) {
            unsetenv(key);
        }
        else {
            setenv(key, json_string_value(v), 1);
        }
    }
    return NULL;
}

static const char *
bool_arg(json_t *args, const char *name, int dflt, int *out)
{
    json_t *v = json_object_get(args, name);
    if (v == NULL || json_is_null(v)) {
        *out = dflt;
        return NULL;
    }
    if (!json_is_boolean(v)) {
        return "must be true or false";
    }
    *out = json_is_true(v);
    return NULL;
}

/* The launch request: check it, then start Python and the program.
   Return: 1 when the program ran (the session ended), 0 when the
   request was refused (answered). */
static int
do_launch(Dap *d, json_t *req, const CpdbDapLaunch *preset, int *status)
{
    json_t *args = cpdb_dap_args(req);
    json_t *program = json_object_get(args, "program");
    json_t *module = json_object_get(args, "module");
    json_t *cwd = json_object_get(args, "cwd");
    CpdbDapLaunch l;
    CpdbOptions opts;
    CpdbCallbacks cb;
    CpdbIo io;
    char err[512], *resolved = NULL;
    const char *why, *which;
    int rc;
    struct stat st;

    memset(&l, 0, sizeof l);
    if (!token_ok(d, args)) {
        cpdb_dap_respond(&d->w, req, NULL, "Wrong or missing \"token\": "
                         "give the one cpdb printed when it began to listen.");
        return 0;
    }
    if (preset != NULL) {
        program = preset->script != NULL ? json_string(preset->script)
                                         : NULL;
        module = preset->module != NULL ? json_string(preset->module)
                                        : NULL;
        cwd = NULL;
        /* Borrowed like the request's members: the request keeps them. */
        json_object_set_new(req, "cpdb-program", program ? program
                                                         : json_null());
        json_object_set_new(req, "cpdb-module", module ? module
                                                       : json_null());
    }
    if ((program != NULL && !json_is_string(program))
        || (module != NULL && !json_is_string(module))
        || (program == NULL) == (module == NULL)) {
        cpdb_dap_respond(&d->w, req, NULL, "launch needs \"program\" (a "
                         "script's path) or \"module\" (a module name), "
                         "one of them, as a string.");
        return 0;
    }
    if (cwd != NULL && !json_is_null(cwd) && !json_is_string(cwd)) {
        cpdb_dap_respond(&d->w, req, NULL, "\"cwd\" must be a folder's "
                         "path.");
        return 0;
    }
    if ((why = bool_arg(args, "stopOnEntry", 0, &d->stop_on_entry)) != NULL
        || (why = bool_arg(args, "justMyCode", 1, &d->just_my_code))
               != NULL) {
        which = json_object_get(args, "stopOnEntry") != NULL
                && !json_is_boolean(json_object_get(args, "stopOnEntry"))
                    ? "stopOnEntry" : "justMyCode";
        cpdb_dap_respondf(&d->w, req, "\"%s\" %s.", which, why);
        return 0;
    }
    if (preset != NULL) {
        int i;
        l.argc = preset->argc;
        l.argv = cpdb_xcalloc((size_t)preset->argc + 1, sizeof(char *));
        for (i = 0; i < preset->argc; i++) {
            l.argv[i] = cpdb_xstrdup(preset->argv[i]);
        }
    }
    else if (string_array(json_object_get(args, "args"), &l.argv, &l.argc)
             < 0) {
        cpdb_dap_respond(&d->w, req, NULL, "\"args\" must be an array of "
                         "strings.");
        return 0;
    }
    if (json_is_string(cwd) && chdir(json_string_value(cwd)) < 0) {
        cpdb_dap_respondf(&d->w, req, "Cannot use \"%.300s\" as the working "
                          "folder: %s.", json_string_value(cwd),
                          strerror(errno));
        goto refused;
    }
    if (preset == NULL
        && (why = apply_env(json_object_get(args, "env"))) != NULL) {
        cpdb_dap_respond(&d->w, req, NULL, why);
        goto refused;
    }
    if (program != NULL) {
        l.script = json_string_value(program);
        if (stat(l.script, &st) < 0 || !S_ISREG(st.st_mode)
            || access(l.script, R_OK) < 0) {
            cpdb_dap_respondf(&d->w, req, "Cannot run \"%.300s\": %s.",
                              l.script, stat(l.script, &st) < 0
                                  ? strerror(errno)
                                  : "it is not a readable file");
            goto refused;
        }
        resolved = realpath(l.script, NULL);
        if (resolved != NULL) {
            l.script = resolved;
        }
    }
    else {
        l.module = json_string_value(module);
    }
    if (cpdb_dap_output_start(d) < 0) {
        cpdb_dap_respondf(&d->w, req, "Cannot take the program's output: "
                          "%s.", strerror(errno));
        goto refused;
    }
    if (d->cfg->start_python(&l, err, sizeof err) < 0) {
        cpdb_dap_respond(&d->w, req, NULL, err);
        goto refused;
    }
    memset(&opts, 0, sizeof opts);
    opts.quiet = 1;
    opts.no_init_files = 1;
    opts.own_process = 1;
    opts.backend = d->cfg->backend;
    io.read_line = io_read_line;
    io.write = io_write;
    io.ctx = d;
    d->s = cpdb_session_new_io(&opts, &io);
    if (d->s == NULL) {
        cpdb_dap_respond(&d->w, req, NULL, "Cannot create the debugger "
                         "session.");
        goto refused;
    }
    d->s->cli->set.color = 0;
    memset(&cb, 0, sizeof cb);
    cb.on_stop = on_stop;
    cb.on_post_mortem = on_post_mortem;
    cb.on_exit = on_exit_cb;
    cb.on_idle = on_idle;
    cb.on_message = on_message;
    cb.ctx = d;
    cpdb_session_set_callbacks(d->s, &cb);
    d->launched = 1;
    d->filter_uncaught = 1;
    cpdb_dap_respond(&d->w, req, NULL, NULL);
    cpdb_dap_event(&d->w, "initialized", NULL);
    /* The service thread answers while the program runs; until the
       stop before its first line, where the program is known to the
       engine (breakpoints on its functions resolve there), the main
       thread answers. */
    pthread_mutex_lock(&d->w.mu);
    d->at_stop = 1;
    pthread_mutex_unlock(&d->w.mu);
    {
        PyThreadState *save = PyEval_SaveThread();
        if (pthread_create(&d->service, NULL, service_main, d) == 0) {
            d->service_started = 1;
        }
        while (d->service_started && d->service_ident == 0) {
            struct timespec ts = {0, 100000L};
            nanosleep(&ts, NULL);
        }
        PyEval_RestoreThread(save);
    }
    d->s->threads.agent = d->service_ident;
    if (l.script != NULL) {
        rc = cpdb_run_file(d->s, l.script, l.argc, l.argv,
                           CPDB_RUN_STOP_AT_FIRST);
    }
    else {
        rc = cpdb_run_module(d->s, l.module, l.argc, l.argv,
                             CPDB_RUN_STOP_AT_FIRST);
    }
    *status = cpdb_session_exit_status(d->s);
    if (*status < 0) {
        *status = rc == CPDB_E_QUIT ? 0 : 1;
    }
    if (rc < 0 && rc != CPDB_E_QUIT) {
        char line[600];
        snprintf(line, sizeof line, "%s\n", cpdb_session_errmsg(d->s));
        cpdb_dap_output(&d->w, "stderr", line);
    }
    if (l.argv != NULL) {
        int i;
        for (i = 0; i < l.argc; i++) {
            free(l.argv[i]);
        }
        free(l.argv);
    }
    free(resolved);
    return 1;
refused:
    if (l.argv != NULL) {
        int i;
        for (i = 0; i < l.argc; i++) {
            free(l.argv[i]);
        }
        free(l.argv);
    }
    free(resolved);
    return 0;
}

/* After the program: no Python runs any more; answer until the client
   goes. */
static void
serve_after(Dap *d)
{
    for (;;) {
        json_t *req;
        const char *c;
        pthread_mutex_lock(&d->w.mu);
        if (d->w.eof && d->w.head == NULL) {
            pthread_mutex_unlock(&d->w.mu);
            return;
        }
        pthread_mutex_unlock(&d->w.mu);
        req = cpdb_dap_next(&d->w, 200);
        if (req == NULL) {
            continue;
        }
        c = cpdb_dap_command(req);
        if (strcmp(c, "disconnect") == 0) {
            cpdb_dap_respond(&d->w, req, NULL, NULL);
            json_decref(req);
            return;
        }
        if (strcmp(c, "threads") == 0) {
            cpdb_dap_respond(&d->w, req, json_pack("{s:[]}", "threads"),
                             NULL);
        }
        else if (strcmp(c, "initialize") == 0) {
            do_initialize(d, req);
        }
        else if (strcmp(c, "terminate") == 0
                 || strcmp(c, "setBreakpoints") == 0
                 || strcmp(c, "setFunctionBreakpoints") == 0
                 || strcmp(c, "setExceptionBreakpoints") == 0
                 || strcmp(c, "configurationDone") == 0) {
            cpdb_dap_respond(&d->w, req, NULL, NULL);
        }
        else {
            cpdb_dap_respondf(&d->w, req, "The program has ended "
                              "(\"%.100s\" needs a running one).", c);
        }
        json_decref(req);
    }
}

/* The program ran to its end (cpdb_run_* returned): end Python as
   python3 ends, then report. */
static int
finish_launch(Dap *d, int status)
{
    PyThreadState *save;
    pthread_mutex_lock(&d->w.mu);
    d->ended = 1;
    pthread_cond_broadcast(&d->w.cv);
    pthread_mutex_unlock(&d->w.mu);
    save = PyEval_SaveThread();
    if (d->service_started) {
        pthread_join(d->service, NULL);
    }
    PyEval_RestoreThread(save);
    cpdb_session_free(d->s);
    d->s = NULL;
    if (Py_FinalizeEx() < 0 && status == 0) {
        status = 120;
    }
    fflush(stdout);
    fflush(stderr);
    send_exited(d, status);
    send_terminated(d);
    serve_after(d);
    return status;
}

/* --- attach: relaying to an agent or another cpdb -------------------------- */

typedef struct Relay {
    Dap *d;
    int fd;
    int gone;               /* under d->w.mu: the other end closed */
} Relay;

/* Pass each message of the other end to the client, whole. */
static void *
relay_back(void *arg)
{
    Relay *r = arg;
    char *body;
    size_t len;
    while ((body = cpdb_dap_read_frame(r->fd, &len)) != NULL) {
        cpdb_dap_send_raw(&r->d->w, body, len);
        free(body);
    }
    pthread_mutex_lock(&r->d->w.mu);
    r->gone = 1;
    pthread_cond_broadcast(&r->d->w.cv);
    pthread_mutex_unlock(&r->d->w.mu);
    return NULL;
}

/* Wait up to ms for the other end to close.  Return: whether it did. */
static int
relay_wait_gone(Relay *r, long ms)
{
    int gone;
    long i;
    for (i = 0; i < ms; i += 10) {
        struct timespec ts = {0, 10000000L};
        pthread_mutex_lock(&r->d->w.mu);
        gone = r->gone;
        pthread_mutex_unlock(&r->d->w.mu);
        if (gone) {
            return 1;
        }
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Be the pipe between the client and fd (an agent in process pid, or a
   cpdb --listen when pid is 0), starting with the attach request first.
   terminate, and disconnect with terminateDebuggee, kill process pid
   once its agent has detached.  Return: cpdb's exit status. */
static int
relay(Dap *d, int fd, json_t *first, long pid)
{
    Relay r = {d, fd, 0};
    pthread_t th;
    int kill_it = 0, told = 0;

    if (pthread_create(&th, NULL, relay_back, &r) != 0) {
        cpdb_dap_respond(&d->w, first, NULL, "Cannot start the relay's "
                         "thread.");
        close(fd);
        return 1;
    }
    if (cpdb_dap_write_frame(fd, first) < 0) {
        cpdb_dap_respond(&d->w, first, NULL, "The debugged process closed "
                         "the connection.");
    }
    for (;;) {
        json_t *req = cpdb_dap_next(&d->w, 200);
        int gone, eof;
        const char *c;
        pthread_mutex_lock(&d->w.mu);
        gone = r.gone;
        eof = d->w.eof && d->w.head == NULL;
        pthread_mutex_unlock(&d->w.mu);
        if (gone && !told) {
            told = 1;
            if (kill_it && pid > 0) {
                kill((pid_t)pid, SIGKILL);
            }
            send_terminated(d);
        }
        if (req == NULL) {
            if (eof) {
                break;
            }
            continue;
        }
        c = cpdb_dap_command(req);
        if (gone) {
            if (strcmp(c, "disconnect") == 0) {
                cpdb_dap_respond(&d->w, req, NULL, NULL);
                json_decref(req);
                break;
            }
            cpdb_dap_respondf(&d->w, req, "The debugged process is gone "
                              "(detached or ended): \"%.100s\" cannot be "
                              "done.", c);
            json_decref(req);
            continue;
        }
        if (strcmp(c, "terminate") == 0) {
            kill_it = 1;
        }
        if (strcmp(c, "disconnect") == 0) {
            kill_it = kill_it || json_is_true(json_object_get(
                cpdb_dap_args(req), "terminateDebuggee"));
            cpdb_dap_write_frame(fd, req);
            json_decref(req);
            relay_wait_gone(&r, 5000);
            break;
        }
        cpdb_dap_write_frame(fd, req);
        json_decref(req);
    }
    /* The other end detaches when its client goes. */
    shutdown(fd, SHUT_RDWR);
    pthread_join(th, NULL);
    close(fd);
    if (kill_it && pid > 0 && !told) {
        kill((pid_t)pid, SIGKILL);
    }
    return 0;
}

/* The attach request: to a process (pid), to a cpdb --listen
   (host and port), or, given cpdb's own program (cpdb --listen PORT
   SCRIPT), start it.  Return: 1 when the session ran (*status is cpdb's
   exit status), 0 when the request was refused (answered). */
static int
do_attach(Dap *d, json_t *req, int *status)
{
    json_t *args = cpdb_dap_args(req);
    json_t *pid = json_object_get(args, "pid");
    json_t *host = json_object_get(args, "host");
    json_t *port = json_object_get(args, "port");
    char err[512];
    int fd;

    /* A listener's own program or process: what the client attaches
       to, whatever address it came through. */
    if (pid == NULL && d->cfg->preset != NULL) {
        return do_launch(d, req, d->cfg->preset, status);
    }
    if (!token_ok(d, args)) {
        cpdb_dap_respond(&d->w, req, NULL, "Wrong or missing \"token\": "
                         "give the one cpdb printed when it began to "
                         "listen.");
        return 0;
    }
    if (pid == NULL && d->cfg->preset_pid > 0) {
        json_object_set_new(args, "pid", json_integer(d->cfg->preset_pid));
        pid = json_object_get(args, "pid");
    }
    if (pid != NULL) {
        if (!json_is_integer(pid) || json_integer_value(pid) <= 0
            || json_integer_value(pid) > 0x3fffffff) {
            cpdb_dap_respond(&d->w, req, NULL, "\"pid\" must be the "
                             "process id of a running python (a positive "
                             "integer).");
            return 0;
        }
        if (d->cfg->attach_pid == NULL) {
            cpdb_dap_respond(&d->w, req, NULL, "This cpdb cannot attach to "
                             "a process.");
            return 0;
        }
        fd = d->cfg->attach_pid((long)json_integer_value(pid), err,
                                sizeof err);
        if (fd < 0) {
            cpdb_dap_respond(&d->w, req, NULL, err);
            return 0;
        }
        *status = relay(d, fd, req, (long)json_integer_value(pid));
        return 1;
    }
    if (port != NULL) {
        char port_text[16];
        if (!json_is_integer(port) || json_integer_value(port) < 1
            || json_integer_value(port) > 65535
            || (host != NULL && !json_is_string(host))) {
            cpdb_dap_respond(&d->w, req, NULL, "\"port\" must be a TCP "
                             "port (1-65535) and \"host\" a host name or "
                             "address.");
            return 0;
        }
        snprintf(port_text, sizeof port_text, "%lld",
                 (long long)json_integer_value(port));
        fd = cpdb_remote_connect(host != NULL ? json_string_value(host)
                                              : "127.0.0.1",
                                 port_text, err, sizeof err);
        if (fd < 0) {
            cpdb_dap_respond(&d->w, req, NULL, err);
            return 0;
        }
        *status = relay(d, fd, req, 0);
        return 1;
    }
    cpdb_dap_respond(&d->w, req, NULL, "attach needs \"pid\" (a running "
                     "python's process id), or \"port\" (and \"host\") "
                     "of a cpdb --listen.");
    return 0;
}

/* --- the agent ------------------------------------------------------------ */

/* The session asked to detach (disconnect, terminate, or the client
   gone at a stop): the agent's thread stops serving. */
static void
agent_on_detach(CpdbSession *s, void *ctx)
{
    Dap *d = ctx;
    (void)s;
    pthread_mutex_lock(&d->w.mu);
    d->detaching = 1;
    pthread_cond_broadcast(&d->w.cv);
    pthread_mutex_unlock(&d->w.mu);
}

/* Wait (a bounded time) for the reader thread to see the end of the
   client's stream. */
static void
wait_reader(Dap *d)
{
    int i, eof = 0;
    for (i = 0; i < 2000 && !eof; i++) {
        struct timespec ts = {0, 1000000L};
        pthread_mutex_lock(&d->w.mu);
        eof = d->w.eof;
        pthread_mutex_unlock(&d->w.mu);
        if (!eof) {
            nanosleep(&ts, NULL);
        }
    }
}

/* Close the client's stream and wait for the reader to end, so that the
   next attach can use the adapter's state again. */
static void
wire_close(Dap *d, int fd)
{
    int i, eof = 0;
    shutdown(fd, SHUT_RDWR);
    for (i = 0; i < 2000 && !eof; i++) {
        struct timespec ts = {0, 1000000L};
        pthread_mutex_lock(&d->w.mu);
        eof = d->w.eof;
        pthread_mutex_unlock(&d->w.mu);
        if (!eof) {
            nanosleep(&ts, NULL);
        }
    }
    while (d->w.head != NULL) {
        CpdbDapItem *it = d->w.head;
        d->w.head = it->next;
        json_decref(it->msg);
        free(it);
    }
    d->w.tail = NULL;
    close(fd);
}

int
cpdb_dap_agent(int fd, const char *backend,
               void (*live)(CpdbSession *s, void *ctx), void *ctx)
{
    static CpdbDapConfig agent_cfg;
    Dap *d = &dap;
    CpdbOptions opts;
    CpdbCallbacks cb;
    CpdbIo io;
    PyThreadState *save;
    json_t *req;
    int how = CPDB_DETACH;
    size_t i;

    memset(d, 0, sizeof *d);
    memset(&agent_cfg, 0, sizeof agent_cfg);
    agent_cfg.in_fd = agent_cfg.out_fd = fd;
    d->cfg = &agent_cfg;
    d->attached = 1;
    d->out_pipe = d->err_pipe = -1;
    d->next_break_id = 1;
    d->filter_uncaught = 1;
    d->w.on_eof = on_eof;
    d->w.ctx = d;
    if (cpdb_dap_wire_start(&d->w, fd, fd) < 0) {
        close(fd);
        return CPDB_DETACH;
    }
    /* The first request is the client's attach, which cpdb passed on. */
    save = PyEval_SaveThread();
    req = cpdb_dap_next(&d->w, 10000);
    PyEval_RestoreThread(save);
    if (req == NULL || strcmp(cpdb_dap_command(req), "attach") != 0) {
        if (req != NULL) {
            cpdb_dap_respond(&d->w, req, NULL, "attach is expected first.");
            json_decref(req);
        }
        wire_close(d, fd);
        return CPDB_DETACH;
    }
    if (bool_arg(cpdb_dap_args(req), "justMyCode", 1, &d->just_my_code)
        != NULL) {
        d->just_my_code = 1;
    }
    memset(&opts, 0, sizeof opts);
    opts.quiet = 1;
    opts.no_init_files = 1;
    opts.attached = 1;
    opts.backend = backend;
    io.read_line = io_read_line;
    io.write = io_write;
    io.ctx = d;
    d->s = cpdb_session_new_io(&opts, &io);
    if (d->s == NULL || cpdb_attach_begin(d->s) < 0) {
        char *why = PyErr_Occurred() ? cpdb_exc_take_line()
                                     : cpdb_xstrdup("out of memory");
        cpdb_dap_respondf(&d->w, req, "Cannot begin the session: %s.", why);
        free(why);
        json_decref(req);
        cpdb_session_free(d->s);
        d->s = NULL;
        wire_close(d, fd);
        return CPDB_DETACH;
    }
    d->s->cli->set.color = 0;
    memset(&cb, 0, sizeof cb);
    cb.on_stop = on_stop;
    cb.on_post_mortem = on_post_mortem;
    cb.on_exit = on_exit_cb;
    cb.on_idle = on_idle;
    cb.on_message = on_message;
    cb.ctx = d;
    cpdb_session_set_callbacks(d->s, &cb);
    d->s->on_detach = agent_on_detach;
    d->s->detach_ctx = d;
    d->launched = 1;
    d->configured = 1;
    d->service_ident = (unsigned long)pthread_self();
    if (live != NULL) {
        live(d->s, ctx);
    }
    cpdb_dap_respond(&d->w, req, NULL, NULL);
    json_decref(req);
    cpdb_dap_event(&d->w, "initialized", NULL);
    save = PyEval_SaveThread();
    serve_running(d);
    PyEval_RestoreThread(save);
    /* A stop in another thread may still be ending. */
    while (d->s->at_stop || d->s->threads.engine != 0) {
        struct timespec ts = {0, 1000000L};
        save = PyEval_SaveThread();
        nanosleep(&ts, NULL);
        PyEval_RestoreThread(save);
    }
    how = d->s->detach == CPDB_DETACH_KILL ? CPDB_DETACH_KILL : CPDB_DETACH;
    if (live != NULL) {
        live(NULL, ctx);
    }
    cpdb_dap_handles_clear(d);
    cpdb_attach_end(d->s);
    cpdb_session_free(d->s);
    d->s = NULL;
    PyErr_Clear();
    for (i = 0; i < d->breaks.n; i++) {
        free(d->breaks.items[i].source);
        free(d->breaks.items[i].hit_condition);
        free(d->breaks.items[i].log_message);
    }
    free(d->breaks.items);
    free(d->handles.items);
    free(d->known_threads.items);
    save = PyEval_SaveThread();
    wire_close(d, fd);
    PyEval_RestoreThread(save);
    return how;
}

int
cpdb_dap_main(const CpdbDapConfig *cfg)
{
    Dap *d = &dap;
    int status = 0;

    memset(d, 0, sizeof *d);
    d->cfg = cfg;
    d->out_pipe = d->err_pipe = -1;
    d->next_break_id = 1;
    d->w.early = early;
    d->w.on_eof = on_eof;
    d->w.ctx = d;
    signal(SIGPIPE, SIG_IGN);
    if (cpdb_dap_wire_start(&d->w, cfg->in_fd, cfg->out_fd) < 0) {
        fprintf(stderr, "cpdb: cannot start the adapter's thread\n");
        return 1;
    }
    for (;;) {
        json_t *req = cpdb_dap_next(&d->w, -1);
        const char *c;
        if (req == NULL) {
            return 0;       /* the client went before a launch */
        }
        c = cpdb_dap_command(req);
        if (strcmp(c, "initialize") == 0) {
            do_initialize(d, req);
        }
        else if (strcmp(c, "disconnect") == 0) {
            cpdb_dap_respond(&d->w, req, NULL, NULL);
            json_decref(req);
            return 0;
        }
        else if (strcmp(c, "launch") == 0) {
            if (do_launch(d, req, NULL, &status)) {
                json_decref(req);
                return finish_launch(d, status);
            }
        }
        else if (strcmp(c, "attach") == 0) {
            int done = do_attach(d, req, &status);
            if (done) {
                json_decref(req);
                return d->launched && !d->attached
                           ? finish_launch(d, status) : status;
            }
        }
        else {
            cpdb_dap_respondf(&d->w, req, "\"%.100s\" comes after launch "
                              "or attach.", c);
        }
        json_decref(req);
        if (d->token_refused) {
            pthread_mutex_lock(&d->w.mu);
            d->w.closed = 1;
            pthread_mutex_unlock(&d->w.mu);
            shutdown(cfg->in_fd, SHUT_RDWR);
            wait_reader(d);
            return CPDB_DAP_REFUSED;
        }
    }
}
