/* One debugger attached to one interpreter: the program, the stop it is
   at, breakpoints, the stepper, value history, and the run loop.  The
   engine reports each stop to the front-end's callbacks and is driven
   through resume operations; it never prints and never reads a line. */
#ifndef CPDB_SRC_SESSION_H
#define CPDB_SRC_SESSION_H

#include "cpdb/cpdb.h"
#include "base/compat.h"
#include "base/util.h"
#include "core/attach.h"
#include "core/breakpoints.h"
#include "core/frames.h"
#include "core/hooks.h"
#include "core/process.h"
#include "core/program.h"
#include "core/source.h"
#include "core/stepper.h"
#include "core/threads.h"
#include "core/tasks.h"
#include "heap/heap.h"
#include "trace/trace.h"

typedef enum {
    CPDB_PROG_IDLE,         /* not started, or ended */
    CPDB_PROG_RUNNING,      /* running or stopped at a live frame */
    CPDB_PROG_POST_MORTEM,  /* ended by an exception; its frames kept */
    CPDB_PROG_TRACEBACK     /* running, and stopped to show a traceback it
                               handed over (pdb.post_mortem): the stack is
                               the traceback's, and it goes on after */
} CpdbProgState;

typedef enum {
    CPDB_REQ_NONE,
    CPDB_REQ_KILL,          /* unwind the program, keep the session */
    CPDB_REQ_RUN,           /* unwind, then start it again */
    CPDB_REQ_QUIT           /* unwind, then leave */
} CpdbRequest;

/* The command interpreter a front-end attaches (cli/cli.h); the engine
   never looks inside. */
typedef struct CpdbCli CpdbCli;

struct CpdbSession {
    CpdbOptions opts;
    CpdbCallbacks cb;       /* the front-end's; every member set */
    CpdbCli *cli;           /* owned by the front-end that attached it */
    char *errmsg;           /* why the last public call failed (malloc) */

    CpdbProgram prog;
    CpdbProgState state;
    CpdbRequest request;
    int exit_status;        /* -1 until the program ends once */
    int exit_sigint;        /* that end was an uncaught KeyboardInterrupt
                               (python3 dies of SIGINT then) */

    CpdbBpTable bps;        /* and the file table, by file id */
    CpdbSourceCache sources;
    CpdbStepper step;
    const CpdbTraceBackend *backend;
    int tracing;            /* backend started */
    CpdbTraceClient trace;  /* what the backend asks; its event counts */

    CpdbStack stack;        /* at the current stop */
    CpdbStopReason stop_reason;
    int stop_bp;            /* breakpoint of the current stop, or 0 */
    PyObject *stop_value;   /* strong: return value at --Return--, or the
                               exception at an exception stop; or NULL */
    PyObject *stop_old_value;   /* strong: the value before, at a
                                   watchpoint stop; or NULL */
    PyObject *exc_chain;    /* strong list: in post-mortem, the chain of
                               the exception that ended the program
                               (__cause__, else __context__), oldest
                               first; or NULL */
    Py_ssize_t exc_selected;    /* the one whose traceback is the stack */
    int catch_uncaught;     /* post-mortem when an exception ends the
                               program ("catch uncaught", on by
                               default) */
    int at_stop;            /* a stop is being handled */
    int resumed;            /* a resume operation was chosen at it */

    PyObject *history;      /* strong list: $1, $2, ...; untracked by
                               the collector */
    PyObject *convenience;  /* strong dict: $name -> value (eval.c) */
    long stop_serial;       /* counts stops */
    long eval_serial;       /* counts the Python run at a stop: the heap
                               snapshot is retaken after it */
    int gc_paused;          /* the engine turned automatic collection off
                               while the program is stopped */
    int gc_pause_depth;

    CpdbThreadTable threads;    /* numbers, the stopped and selected
                                   thread, all-stop (threads.c) */
    CpdbGuard busy;         /* the debugger runs Python of its own: the
                               trace functions must not react */
    unsigned long py_thread;    /* the thread that runs it (at a stop,
                                   the stopped one) */
    int async_interrupt;    /* Ctrl-C was sent to py_thread as an
                               asynchronous KeyboardInterrupt */
    PyObject *sigint_saved; /* strong: the program's SIGINT handler while
                               the debugger has the prompt, or NULL */
    int detached;           /* this is a child the program forked: the
                               debugger is the parent's */
    int fork_handler_registered;
    PyObject *kill_exc;     /* strong: exception class that unwinds */
    PyObject *trace_marker; /* strong: put in f_trace of followed frames */
    CpdbHeap heap;          /* snapshot of the current stop, if taken */
    CpdbTaskTable tasks;    /* numbers of asyncio tasks (tasks.c) */

    /* Ending and restarting (process.c). */
    CpdbHooks hooks;        /* installed for the run under way */
    int hooks_on;
    CpdbProcess process;    /* the process at start (own_process) */
    CpdbRedirects redir;    /* the program's standard streams */
    long history_dropped;   /* $1..$N belonged to an earlier run */
    long history_cleared;   /* $1..$N were dropped by the user */
    int restarted;          /* this process was made by "run" */
    /* Set by the front-end of an own_process session: its state as
       commands for the process a restart makes (malloc'd text), and
       the exit status of cpdb when it quits (given the program's). */
    /* Attached (opts.attached, attach.c): CPDB_DETACH or
       CPDB_DETACH_KILL once quit, kill or the end of input asked to
       detach (no stop is made after that), else 0; on_detach tells the
       agent, from the thread at the stop. */
    int detach;
    PyObject *capsule;      /* strong, or NULL: the session in the
                               functions cpdb gives Python (hooks); when
                               the session goes it is renamed, so that a
                               function the program kept fails with an
                               exception instead of reaching freed
                               memory (an attached process runs on) */
    PyObject *eval_output;  /* strong, or NULL: a file object that writes
                               to the front-end; sys.stdout and
                               sys.stderr are it while Python typed at a
                               stop runs (attached: the process's own
                               streams are not the user's terminal) */
    void (*on_detach)(CpdbSession *s, void *ctx);
    void *detach_ctx;
    char *(*save_state)(CpdbSession *s);
    int (*final_status)(CpdbSession *s, int status);
};

/* A session without a front-end: the caller sets s->cb (every member)
   and may attach s->cli.  Return: NULL if out of memory. */
CpdbSession *cpdb_session_create(const CpdbOptions *opts);
void cpdb_session_destroy(CpdbSession *s);

/* Record why a public call failed.  Return: code. */
int cpdb_session_fail(CpdbSession *s, int code, const char *fmt, ...)
    CPDB_PRINTF(3, 4);
/* A notice for the front-end (on_message). */
void cpdb_session_message(CpdbSession *s, const char *fmt, ...)
    CPDB_PRINTF(2, 3);

/* Stop the program at frame and hand the stop to the front-end until it
   chooses how to go on.  value: return value or exception for RETURN /
   EXCEPTION stops; cond_error: why a breakpoint's condition failed, or
   NULL.  Return 0 to resume, or -1 with the kill exception set to
   unwind. */
int cpdb_session_stop(CpdbSession *s, PyFrameObject *frame,
                      CpdbStopReason reason, int bp_number, PyObject *value,
                      const char *cond_error);

/* Post-mortem: the program raised exc and it was not caught.  The
   front-end looks at its frames until it continues (the program has
   ended), runs it again or quits. */
CpdbRunOutcome cpdb_session_post_mortem(CpdbSession *s, PyObject *exc);

/* pdb.post_mortem(), pdb.pm(): the running program hands over a
   traceback tb (exc: its exception, or NULL) to look at.  The front-end
   sees its frames (on_post_mortem, CPDB_STOP_TRACEBACK) until it
   continues; then the program goes on after the call.  Return 0, or -1
   with the kill exception set to unwind (kill, run, quit). */
int cpdb_session_traceback_stop(CpdbSession *s, PyObject *tb,
                                PyObject *exc);

/* The convenience values of a stop: $_exception at an exception,
   catchpoint or post-mortem stop (value: the exception), $_retval at a
   --Return-- stop (value: the return value; finish stops there).  They
   live while the stop does (cleared when it ends), so that they never
   keep the program's objects alive while it runs. */
void cpdb_session_stop_values_set(CpdbSession *s, CpdbStopReason reason,
                                  PyObject *value);
void cpdb_session_stop_values_clear(CpdbSession *s);

/* Post-mortem on a chained exception: look at exception n of
   s->exc_chain instead (its traceback becomes the stack, and it becomes
   the stop's exception and $_exception).  Return 0, or -1 with *why
   (static text) when there is no chain, no such exception, or it has
   no traceback. */
int cpdb_session_select_exception(CpdbSession *s, Py_ssize_t n,
                                  const char **why);

/* Why the stopped program cannot step (at_stop at a live frame is
   needed), or NULL when it can.  Return: static text. */
const char *cpdb_session_live_error(const CpdbSession *s);

/* Run the program set in s->prog, and again after cpdb_exec_run, until
   the front-end quits; with CPDB_RUN_KEEP_PROMPT on_idle follows its
   end.  Return: CPDB_OK, CPDB_E_QUIT, or CPDB_E_NOFILE. */
int cpdb_session_run(CpdbSession *s, unsigned flags);

/* Whether the front-end has chosen how the stopped program goes on (or
   asked to end or restart it): the prompt stops reading then. */
int cpdb_session_should_resume(const CpdbSession *s);

/* own_process: the program's code must never run again (kill, quit,
   run, os._exit): tracing and hooks go off right here, how the program
   ended is reported (how: CPDB_STOP_KILLED, or CPDB_STOP_EXITED with
   status), and the front-end's idle prompt runs nested until it quits
   (cpdb_session_leave) or runs the program again
   (cpdb_session_reexec).  Never returns. */
_Noreturn void cpdb_session_end_here(CpdbSession *s, CpdbStopReason how,
                                     int status);

/* Raise the kill exception so the program unwinds.  Return -1. */
int cpdb_session_raise_kill(CpdbSession *s);

/* Make the trace backend see changed breakpoints or stepper state. */
void cpdb_session_refresh_trace(CpdbSession *s);
/* Use backend b from now on (the running program switches over).
   Return 0, or -1 with *why (malloc'd). */
int cpdb_session_set_backend(CpdbSession *s, const CpdbTraceBackend *b,
                             char **why);

/* Automatic collection is off while the program is stopped; Python run
   at a stop runs between cpdb_session_gc_program (the program's setting
   back) and cpdb_session_gc_debugger (off again, unless that Python
   turned it off itself).  gc_enabled: the program's setting. */
void cpdb_session_gc_program(CpdbSession *s);
void cpdb_session_gc_debugger(CpdbSession *s);
int cpdb_session_gc_enabled(CpdbSession *s);

/* Flush the program's sys.stdout and sys.stderr (and C's stdout), so
   that what the debugger says next comes after it. */
void cpdb_session_flush_program(CpdbSession *s);

/* The heap snapshot of the current stop, taken when first needed (and
   again after Python ran at the stop).  Return: borrowed, or NULL with
   an exception set. */
CpdbHeap *cpdb_session_heap(CpdbSession *s);
/* Forget it: the program ran, or collected. */
void cpdb_session_heap_forget(CpdbSession *s);
/* Return: 1 when the snapshot of this stop is fresh and has its reverse
   edges built (a chain from it costs a walk of the few objects on the
   way), else 0. */
int cpdb_session_heap_has_back(const CpdbSession *s);
/* What the heap analysis must know of the engine (cpdb's own objects,
   the stopped frames), valid until the stop ends. */
void cpdb_session_heap_context(CpdbSession *s, CpdbHeapContext *ctx);
/* Call visit on each tracked object but cpdb's own: the snapshot's when
   it is fresh, else the collector's lists walked without making one.
   visit must not run Python code.  Return 0, or -1 when the collector is
   running. */
int cpdb_session_heap_walk(CpdbSession *s,
                           int (*visit)(PyObject *o, void *arg), void *arg);

/* A census of the tracked objects but cpdb's own: from the snapshot
   when it is fresh, else walking the collector's lists without making
   one.  Return: malloc'd, or NULL when out of memory. */
CpdbTypeCount *cpdb_session_census(CpdbSession *s, long *n_types);

/* The selected frame at a stop, or NULL. */
PyFrameObject *cpdb_session_frame(CpdbSession *s);

#endif /* CPDB_SRC_SESSION_H */
