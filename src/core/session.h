/* One debugger attached to one interpreter: settings, the program, the
   stop it is at, value history, displays, and the stop/resume loop. */
#ifndef CPDB_SRC_SESSION_H
#define CPDB_SRC_SESSION_H

#include "cpdb/cpdb.h"
#include "base/compat.h"
#include "core/breakpoints.h"
#include "core/frames.h"
#include "heap/heap.h"
#include "core/program.h"
#include "console/repl.h"
#include "core/source.h"
#include "core/stepper.h"
#include "trace/trace.h"

#include <stdio.h>

typedef enum {
    CPDB_PROG_IDLE,         /* not started, or ended */
    CPDB_PROG_RUNNING,      /* running or stopped at a live frame */
    CPDB_PROG_POST_MORTEM   /* ended by an exception; its frames kept */
} CpdbProgState;

typedef enum {
    CPDB_REQ_NONE,
    CPDB_REQ_KILL,          /* unwind the program, keep the prompt */
    CPDB_REQ_RUN,           /* unwind, then start it again */
    CPDB_REQ_QUIT           /* unwind, then leave */
} CpdbRequest;

typedef struct CpdbSettings {
    long width;             /* columns for one-line listings */
    long listsize;          /* lines shown by list */
    long print_limit;       /* characters of a printed repr (0: all) */
    int color;              /* use colour on a terminal */
    int maint_time;         /* report each command's time */
    int maint_space;        /* report each command's memory */
} CpdbSettings;

typedef struct CpdbDisplay {
    int number;
    int enabled;
    char *expr;             /* malloc */
    PyObject *code;         /* strong: compiled expression */
} CpdbDisplay;

struct CpdbSession {
    CpdbOptions opts;
    /* The debugger's own terminal: copies of fds 0, 1 and 2 made when the
       session starts, so that a program that redirects its standard
       streams (pytest's capture, daemons) does not take the prompt with
       them.  Owned; close-on-exec. */
    FILE *in, *out, *err;
    CpdbSettings set;
    CpdbRepl repl;
    CpdbProgram prog;
    CpdbProgState state;
    CpdbRequest request;
    int exit_status;        /* -1 until the program ends once */
    int n_failed;           /* commands that failed */

    CpdbBpTable bps;
    char **files;           /* file table: canonical paths by id */
    int n_files, cap_files;
    CpdbSourceCache sources;
    CpdbStepper step;
    const CpdbTraceBackend *backend;
    int tracing;            /* backend started */
    unsigned long n_events[4];  /* events the backend delivered, by
                                   CpdbEvent, since the program started */
    Py_ssize_t code_extra;  /* code-object extra slot index */

    CpdbStack stack;        /* at the current stop */
    CpdbStopReason stop_reason;
    int stop_bp;            /* breakpoint of the current stop, or 0 */
    PyObject *stop_value;   /* strong: return value at --Return--, or the
                               exception at an exception stop; or NULL */
    int at_stop;            /* the prompt runs inside a stop */

    PyObject *history;      /* strong list: $1, $2, ... */
    CpdbDisplay *displays;
    int n_displays, next_display;

    char *list_path;        /* where "list" continues (malloc) */
    int list_next;          /* next line "list" shows; 0: around current */
    int list_last_stop;     /* stop serial the listing belongs to */
    long stop_serial;       /* counts stops */
    long eval_serial;       /* counts the Python run at the prompt: the
                               heap snapshot is retaken after it */
    int gc_paused;          /* cpdb turned automatic collection off for
                               the prompt */
    int gc_pause_depth;

    int busy;               /* debugger work running Python: the trace
                               functions must not react */
    int detached;           /* this is a child the program forked: the
                               debugger is the parent's */
    int fork_handler_registered;
    PyObject *kill_exc;     /* strong: exception class that unwinds */
    PyObject *trace_marker; /* strong: put in f_trace of followed frames */
    CpdbHeap heap;          /* snapshot of the current stop, if taken */
};

/* Stop the program at frame and run the prompt until a command resumes
   it.  value: return value or exception for RETURN / EXCEPTION stops.
   Return 0 to resume, or -1 with the kill exception set to unwind. */
int cpdb_session_stop(CpdbSession *s, PyFrameObject *frame,
                      CpdbStopReason reason, int bp_number, PyObject *value);

/* The prompt loop with no live frame (before a run, after the end,
   post-mortem).  Return when a command asks to run or quit, or at end
   of input. */
void cpdb_session_idle_prompt(CpdbSession *s);

/* Post-mortem: the program raised exc and it was not caught.  Show
   where, and prompt in its frames until the user continues (the program
   has ended), runs it again or quits. */
CpdbRunOutcome cpdb_session_post_mortem(CpdbSession *s, PyObject *exc);

/* Print the pdb-style location of the selected frame:
   "> /abs/file.py(12)func()" and "-> source". */
void cpdb_session_print_location(CpdbSession *s, const char *suffix);

/* Raise the kill exception so the program unwinds.  Return -1. */
int cpdb_session_raise_kill(CpdbSession *s);

/* Make the trace backend see changed breakpoints or stepper state. */
void cpdb_session_refresh_trace(CpdbSession *s);
/* Automatic collection is off while the prompt is up; Python run at the
   prompt runs between cpdb_session_gc_program (the program's setting
   back) and cpdb_session_gc_debugger (off again, unless that Python
   turned it off itself).  gc_enabled: the program's setting. */
void cpdb_session_gc_program(CpdbSession *s);
void cpdb_session_gc_debugger(CpdbSession *s);
int cpdb_session_gc_enabled(CpdbSession *s);

/* Print the displays (at a stop), or one of them. */
void cpdb_session_show_displays(CpdbSession *s);
void cpdb_session_show_display(CpdbSession *s, const CpdbDisplay *d);

/* Remember that the program ended with status. */
void cpdb_session_program_ended(CpdbSession *s, int status);

#endif /* CPDB_SRC_SESSION_H */
