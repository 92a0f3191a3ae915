/* cpdb as a debug adapter (the Debug Adapter Protocol): a front-end of
   the engine, as the prompt is.  See docs/dap.md.

   Threads:
   - the wire's reader (wire.c) queues the client's requests;
   - at a stop, the stopped thread takes them, holding the GIL (all-stop:
     nothing of the program runs while the editor looks at it);
   - while the program runs, the service thread takes them, with the
     GIL taken for each (setBreakpoints, threads, pause, ...); it is the
     engine's "agent" thread, never listed as one of the program's;
   - the output thread turns the program's stdout and stderr (pipes)
     into output events. */
#ifndef CPDB_SRC_DAP_DAP_H
#define CPDB_SRC_DAP_DAP_H

#include "cpdb/cpdb.h"
#include "base/compat.h"
#include "base/util.h"
#include "dap/wire.h"
#include "dap/dap_main.h"

typedef struct CpdbSession CpdbSession;

/* What a variablesReference or frameId stands for, for one stop. */
typedef enum {
    HANDLE_FRAME,           /* obj: the frame; line: where it stands */
    HANDLE_LOCALS,          /* obj: the frame */
    HANDLE_GLOBALS,         /* obj: the frame */
    HANDLE_OBJECT           /* obj: a value whose children are shown */
} DapHandleKind;

typedef struct DapHandle {
    DapHandleKind kind;
    PyObject *obj;          /* strong */
    int line;
    int thread;             /* FRAME: the thread's number */
    char *expr;             /* OBJECT: how to evaluate it again in frame,
                               or NULL (malloc) */
    int frame_id;           /* OBJECT: the frame it was found from, or 0 */
} DapHandle;

/* A breakpoint the client set, as cpdb's table knows it (number) and
   what only the adapter knows of it. */
typedef struct DapBreak {
    int number;             /* in s->bps, or 0 when it was refused */
    int id;                 /* the client's id for it */
    int function;           /* from setFunctionBreakpoints */
    char *source;           /* the path the client gave (malloc), or
                               NULL for a function breakpoint */
    int line;               /* where it stands */
    int verified;           /* told to the client */
    char *hit_condition;    /* malloc, or NULL */
    char *log_message;      /* malloc, or NULL */
} DapBreak;

typedef struct Dap {
    CpdbDapWire w;
    const CpdbDapConfig *cfg;
    CpdbSession *s;         /* once launched or attached */
    int launched;
    int configured;         /* configurationDone came */
    int stop_on_entry;
    int just_my_code;
    int attached;           /* the session runs in an attached process */
    int token_refused;      /* launch or attach gave a wrong token */

    /* Under w.mu. */
    int at_stop;            /* a thread serves requests at a stop (or
                               the end): the service thread waits */
    int ended;              /* the service thread must end */
    int disconnecting;      /* disconnect or the end of input came */
    int detaching;          /* attached: the session asked to detach */
    int service_busy;       /* the service thread answers a request */

    /* At a stop (with the GIL). */
    int resumed;            /* a request resumed the program */
    int resumed_by_console; /* ... from the debug console */
    int kill_at_stop;       /* terminate came while it ran */
    int pause_asked;        /* pause came: the next stop is "pause" */
    int hide_top;           /* innermost frames of the stopped thread
                               not shown (a returning one) */
    CPDB_ARRAY(DapHandle) handles;
    int handle_base;        /* the ids of this stop start here */
    long stops;

    /* Breakpoints (with the GIL). */
    CPDB_ARRAY(DapBreak) breaks;
    int next_break_id;
    int catch_raised;       /* catchpoint number for "raised", or 0 */
    int catch_user_uncaught;    /* ... for "userUncaught", or 0 */
    int filter_uncaught;

    /* Ending. */
    int exit_status;
    int exited_sent;
    int terminated_sent;

    /* The program's output (output.c). */
    int out_pipe, err_pipe; /* read ends, or -1 */
    pthread_t out_thread;
    int out_started;
    pthread_mutex_t out_mu;
    long out_busy;          /* bytes taken but not yet sent */

    CPDB_ARRAY(int) known_threads;  /* told to the client (thread
                                       events), by number */

    pthread_t service;
    int service_started;
    unsigned long service_ident;
} Dap;

/* server.c */
/* Answer one request (with the GIL once launched). */
void cpdb_dap_dispatch(Dap *d, json_t *req);
/* Tell the client of threads that started or ended since the last
   time (thread events).  With the GIL. */
void cpdb_dap_threads_diff(Dap *d);

/* vars.c: stack frames, scopes, variables, evaluation. */
void cpdb_dap_handles_clear(Dap *d);
/* Return: the handle of id, or NULL. */
DapHandle *cpdb_dap_handle(Dap *d, json_int_t id);
/* The frame of frameId id (borrowed), or NULL. */
PyFrameObject *cpdb_dap_frame(Dap *d, json_int_t id);
void cpdb_dap_stack_trace(Dap *d, json_t *req);
void cpdb_dap_scopes(Dap *d, json_t *req);
void cpdb_dap_variables(Dap *d, json_t *req);
void cpdb_dap_set_variable(Dap *d, json_t *req);
void cpdb_dap_evaluate(Dap *d, json_t *req);
void cpdb_dap_completions(Dap *d, json_t *req);
void cpdb_dap_exception_info(Dap *d, json_t *req);
/* Whether code in path is library code (justMyCode leaves it out). */
int cpdb_dap_is_library(const char *path);
/* "{expr}" parts of a logpoint's message evaluated in frame.  Return:
   malloc'd. */
char *cpdb_dap_format_log(Dap *d, PyFrameObject *frame, const char *msg);

/* breaks.c */
void cpdb_dap_set_breakpoints(Dap *d, json_t *req);
void cpdb_dap_set_function_breakpoints(Dap *d, json_t *req);
void cpdb_dap_set_exception_breakpoints(Dap *d, json_t *req);
/* A breakpoint stop: 1 when the adapter goes on without showing it (a
   logpoint, a hit condition not met), else 0; *function whether it is a
   function breakpoint. */
int cpdb_dap_break_passes(Dap *d, int number, PyFrameObject *frame,
                          int *function);
/* Tell the client of breakpoints whose files got imported. */
void cpdb_dap_breaks_bind(Dap *d);

/* output.c */
/* Give the process's fds 1 and 2 to pipes read by the output thread,
   and fd 0 to /dev/null.  Return 0, or -1 with errno. */
int cpdb_dap_output_start(Dap *d);
/* Wait (up to a bound) until what the program wrote so far was sent. */
void cpdb_dap_output_drain(Dap *d);

#endif /* CPDB_SRC_DAP_DAP_H */
