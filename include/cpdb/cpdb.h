/* cpdb: a debugger for Python programs, as a library for programs that
   embed CPython.  The cpdb command is the first user of this API.

   Rules for every function:
   - Call it from the thread that holds the GIL, after Py_Initialize().
   - It returns CPDB_OK (0) or a negative CPDB_E_*, and leaves no Python
     exception pending.  After a failure, cpdb_session_errmsg() says why
     in one line.
   - Text it returns in a char * is allocated with malloc: free it with
     cpdb_free().  A PyObject it returns is a new reference.
   - The library never calls exit() and never prints to the process's
     streams unless the session uses the terminal (cpdb_session_new()).

   A Python object appears as "struct _object *", which is PyObject *:
   the header needs no Python header before it. */
#ifndef CPDB_CPDB_H
#define CPDB_CPDB_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CPDB_BUILDING_LIBRARY)
#define CPDB_API __attribute__((visibility("default")))
#else
#define CPDB_API
#endif

typedef struct CpdbSession CpdbSession;
struct _object;

enum {
    CPDB_OK = 0,
    CPDB_E_ARGS = -1,       /* an argument is malformed or out of range */
    CPDB_E_NOFILE = -2,     /* the script, module or file cannot be found */
    CPDB_E_PYTHON = -3,     /* Python raised; the message says what */
    CPDB_E_COMMAND = -4,    /* a debugger command failed */
    CPDB_E_STATE = -5,      /* not possible now (no program, not stopped) */
    CPDB_E_QUIT = -6        /* the user asked to quit */
};

/* Flags for the cpdb_run_* functions. */
enum {
    CPDB_RUN_STOP_AT_FIRST = 1 << 0,  /* stop before the first line */
    CPDB_RUN_KEEP_PROMPT = 1 << 1     /* after the program ends, call
                                         on_idle; "run" starts it again */
};

/* Options for cpdb_session_new(); zero means the default. */
typedef struct CpdbOptions {
    int quiet;             /* no banner */
    int batch;             /* run queued commands, then quit */
    int no_init_files;     /* skip ~/.cpdbrc and ./.cpdbrc */
    const char *backend;   /* how the program is watched: "monitoring"
                              (3.12+) or "legacy"; NULL or one this
                              Python lacks: the default */
    /* Whether the session owns its process.  0 (library hosts): kill,
       run and quit unwind the program with the cpdb.Kill exception, so
       its finally blocks and except clauses run (and may catch it).
       1 (the cpdb program): the program's code never runs again after
       kill or quit (no unwinding); quit flushes and ends the process
       with _exit(); run re-executes the process (restart_argv) with the
       session's state; os._exit() in the program is an exit like any
       other.  See docs/embedding.md. */
    int own_process;
    /* own_process: the command line to re-execute for run, without the
       program (cpdb and its options: NULL-terminated, borrowed for the
       session's life); the program and its arguments are added. */
    char *const *restart_argv;
    /* own_process: the state file a restart left (restored once, then
       deleted), or NULL. */
    const char *restore_state;
    /* The session was loaded into a process that was running without it
       (cpdb -p PID): quit and the end of input detach and leave the
       program running, kill ends the process from outside (the front-end
       does it), run is refused; the program's SIGINT handler, pdb and
       fork handlers are left alone. */
    int attached;
} CpdbOptions;

/* --- sessions ----------------------------------------------------------- */

/* Return: a new session attached to the running interpreter, talking to
   the process's terminal (libedit on a terminal, plain lines on a pipe;
   copies of fds 0-2 made now), its stops handled by the prompt; NULL if
   out of memory.  opts may be NULL. */
CPDB_API CpdbSession *cpdb_session_new(const CpdbOptions *opts);

/* Where a session's command lines come from and its text goes. */
enum { CPDB_STREAM_OUT = 1, CPDB_STREAM_ERR = 2 };
typedef struct CpdbIo {
    /* Show prompt and read one command line.  Return: the line without
       its newline, allocated with malloc (cpdb frees it with free()), or
       NULL at end of input. */
    char *(*read_line)(void *ctx, const char *prompt);
    /* Show len bytes of text on CPDB_STREAM_OUT or CPDB_STREAM_ERR (an
       error line, newline included). */
    void (*write)(void *ctx, int stream, const char *text, size_t len);
    void *ctx;
} CpdbIo;

/* As cpdb_session_new(), but the prompt reads and writes through io
   (copied; io->ctx must outlive the session): a host's own console. */
CPDB_API CpdbSession *cpdb_session_new_io(const CpdbOptions *opts,
                                          const CpdbIo *io);
CPDB_API void cpdb_session_free(CpdbSession *s);

/* The engine's end of a cpdb control channel (docs/protocol.md), made
   inside cpdb (cpdb --listen, the attach agent); opaque to hosts. */
struct CpdbRemote;
/* As cpdb_session_new(), but the console is at the other end of r: the
   prompt reads and writes through it, Tab completes there with this
   session's names, and the width and colour are its terminal's.  r is
   borrowed: free it after the session.  Return: NULL if r is NULL or
   out of memory. */
CPDB_API CpdbSession *cpdb_session_new_remote(const CpdbOptions *opts,
                                              struct CpdbRemote *r);

/* The one-line reason of the last call on s that failed ("" if none).
   Borrowed: valid until the next call on s. */
CPDB_API const char *cpdb_session_errmsg(const CpdbSession *s);

/* Free what the library returned. */
CPDB_API void cpdb_free(void *p);

CPDB_API const char *cpdb_version(void);

/* --- stops and the front-end's callbacks --------------------------------- */

typedef enum CpdbStopReason {
    CPDB_STOP_NONE,
    CPDB_STOP_START,        /* before the program's first line */
    CPDB_STOP_STEP,         /* step, next or until ended on a line */
    CPDB_STOP_BREAK,        /* a breakpoint: .breakpoint */
    CPDB_STOP_BREAK_TEMP,   /* a temporary breakpoint, now deleted */
    CPDB_STOP_CALL,         /* --Call--: a function was entered */
    CPDB_STOP_RETURN,       /* --Return--: .value is the return value */
    CPDB_STOP_EXCEPTION,    /* raised while stepping: .value */
    CPDB_STOP_POST_MORTEM,  /* uncaught: .value; the program is over */
    CPDB_STOP_HERE,         /* breakpoint(), pdb.set_trace(), the
                               first line of pdb.run*(),
                               cpdb_break_here() */
    CPDB_STOP_INTERRUPT,    /* Ctrl-C (SIGINT) */
    CPDB_STOP_EXITED,       /* the program ended: .exit_status */
    CPDB_STOP_KILLED,       /* kill, run or quit ended it */
    CPDB_STOP_TRACEBACK,    /* pdb.post_mortem(), pdb.pm(): the frames of
                               a traceback the running program handed
                               over (on_post_mortem; .value: its
                               exception if known); continue returns to
                               the program */
    CPDB_STOP_WATCH,        /* watchpoint .breakpoint changed: .value is
                               the new value, .old_value the old one
                               (each NULL when the expression raised) */
    CPDB_STOP_WATCH_SCOPE,  /* the frame of watchpoint .breakpoint
                               returned: it was deleted, and the program
                               stopped in the caller */
    CPDB_STOP_CATCH,        /* catchpoint .breakpoint: .value was raised
                               in .frame ("catch raise") */
    CPDB_STOP_ATTACHED      /* attached (cpdb -p) while every thread was
                               in C code (sleeping, waiting): the stack
                               is the main thread's, where it waits;
                               step and next stop at the next line any
                               thread runs */
} CpdbStopReason;

/* What a stop is.  Valid during the callback it is given to. */
typedef struct CpdbStop {
    CpdbStopReason reason;
    int breakpoint;             /* BREAK, BREAK_TEMP, WATCH, CATCH: its
                                   number; else 0 */
    unsigned long thread_id;    /* the thread that stopped, as
                                   threading.get_ident() gives it */
    struct _object *frame;      /* borrowed: the frame it stopped in
                                   (level 0 of cpdb_stack_frame()); the
                                   innermost frame of the traceback for
                                   POST_MORTEM; NULL for EXITED, KILLED */
    struct _object *value;      /* borrowed: the return value (RETURN) or
                                   the exception (EXCEPTION, CATCH,
                                   POST_MORTEM); else NULL */
    int finished;               /* RETURN that ends cpdb_exec_finish() */
    const char *condition_error;    /* the breakpoint's condition raised
                                       (the program stops, as gdb does):
                                       "Error in testing condition ...";
                                       else NULL */
    int exit_status;            /* EXITED: 0..255, as python3 gives it */
    struct _object *old_value;  /* borrowed: WATCH: the value before (for
                                   a container changed in place, a
                                   shallow copy of it); else NULL */
} CpdbStop;

/* The front-end's side of a session.  Each function is called with the
   GIL held, from the thread that stopped; NULL keeps the prompt's own.
   While on_stop or on_post_mortem runs, the program is stopped: look at
   the stack, evaluate, change breakpoints, run commands, then choose how
   it goes on with one cpdb_exec_* call and return.  Returning without a
   choice continues. */
typedef struct CpdbCallbacks {
    void (*on_stop)(CpdbSession *s, const CpdbStop *stop, void *ctx);
    void (*on_post_mortem)(CpdbSession *s, const CpdbStop *stop, void *ctx);
    /* The program ended (EXITED) or was ended (KILLED). */
    void (*on_exit)(CpdbSession *s, const CpdbStop *stop, void *ctx);
    /* No program runs (CPDB_RUN_KEEP_PROMPT, after the end): return after
       cpdb_exec_run() to start it again, else the run ends. */
    void (*on_idle)(CpdbSession *s, void *ctx);
    /* A one-line notice that answers no call: the program cannot be
       started again, tracing failed. */
    void (*on_message)(CpdbSession *s, const char *text, void *ctx);
    void *ctx;
} CpdbCallbacks;

/* Use cb's functions (copied; NULL members: the prompt's).  cb NULL
   gives the prompt back. */
CPDB_API int cpdb_session_set_callbacks(CpdbSession *s,
                                        const CpdbCallbacks *cb);

/* --- running ------------------------------------------------------------- */

/* Run a script as __main__ (sys.argv = [path, argv...]) under the
   debugger, or a module as "python -m" does.  Return: CPDB_OK when the
   program ran (its exit status from cpdb_session_exit_status()),
   CPDB_E_QUIT when the user quit, or another CPDB_E_*. */
CPDB_API int cpdb_run_file(CpdbSession *s, const char *path,
                           int argc, char *const argv[], unsigned flags);
CPDB_API int cpdb_run_module(CpdbSession *s, const char *module,
                             int argc, char *const argv[], unsigned flags);

/* Stop at the Python line running now (the innermost Python frame of
   this thread): on_stop with CPDB_STOP_HERE.  Return when the program
   goes on: CPDB_OK, or CPDB_E_QUIT when the user quit or killed it. */
CPDB_API int cpdb_break_here(CpdbSession *s);

/* The exit status of the last program run, as python3 gives it
   (0..255: 1 for an uncaught exception, 2 for a script that cannot be
   opened), or -1 while no run has ended. */
CPDB_API int cpdb_session_exit_status(const CpdbSession *s);
/* The signal python3 would have died of at the end of that run: SIGINT
   after an uncaught KeyboardInterrupt (exit status 130), else 0.  A
   program that wants to end as python3 ends kills itself with it after
   finalizing Python. */
CPDB_API int cpdb_session_exit_signal(const CpdbSession *s);

/* How the stopped program goes on.  Only while it is stopped (in
   on_stop or on_post_mortem), else CPDB_E_STATE.  next, finish and
   until act on the selected frame. */
CPDB_API int cpdb_exec_continue(CpdbSession *s);
CPDB_API int cpdb_exec_step(CpdbSession *s);
CPDB_API int cpdb_exec_next(CpdbSession *s);
CPDB_API int cpdb_exec_finish(CpdbSession *s);
/* Until a line >= line of the selected frame (0: after the current). */
CPDB_API int cpdb_exec_until(CpdbSession *s, int line);
/* Make line the next line of the innermost frame; it stays stopped. */
CPDB_API int cpdb_exec_jump(CpdbSession *s, int line);
/* End the program (on_exit with KILLED follows); run starts it again;
   quit ends it and the run functions return CPDB_E_QUIT.  With
   CpdbOptions.own_process the program is not unwound: run re-executes
   the process, and quit at a stop ends it. */
CPDB_API int cpdb_exec_kill(CpdbSession *s);
CPDB_API int cpdb_exec_run(CpdbSession *s);
CPDB_API int cpdb_exec_quit(CpdbSession *s);

/* --- the stopped thread --------------------------------------------------- */

/* One frame of the stop.  file and function are allocated; release them
   with cpdb_frame_info_fini(). */
typedef struct CpdbFrameInfo {
    char *file;             /* absolute path, or "<string>" and the like */
    int line;
    char *function;         /* the code's name: "main", "<module>" */
} CpdbFrameInfo;

/* Return: the number of frames of the stop (0 when not stopped). */
CPDB_API int cpdb_stack_depth(CpdbSession *s);
/* Describe frame level (0 is the innermost). */
CPDB_API int cpdb_stack_frame(CpdbSession *s, int level, CpdbFrameInfo *info);
CPDB_API void cpdb_frame_info_fini(CpdbFrameInfo *info);
/* Select the frame that next, finish, until, commands and evaluation
   use; return: the selected level, or CPDB_E_*. */
CPDB_API int cpdb_stack_select(CpdbSession *s, int level);
CPDB_API int cpdb_stack_selected(CpdbSession *s);
/* Return: new reference to a dict copying frame level's local
   variables, or NULL (cpdb_session_errmsg() says why). */
CPDB_API struct _object *cpdb_stack_locals(CpdbSession *s, int level);
/* Evaluate a Python expression in frame level ($N history references
   allowed).  *value receives a new reference.  Return: CPDB_OK, or
   CPDB_E_PYTHON with the exception in cpdb_session_errmsg(). */
CPDB_API int cpdb_evaluate(CpdbSession *s, int level, const char *expr,
                           struct _object **value);

/* --- breakpoints ------------------------------------------------------- */

/* Add a breakpoint at FILE:LINE (FILE matched by path suffix, as the
   break command does), with an optional condition.  Return: the
   breakpoint number (> 0) or CPDB_E_*. */
CPDB_API int cpdb_break_insert(CpdbSession *s, const char *file, int line,
                               const char *cond);
CPDB_API int cpdb_break_delete(CpdbSession *s, int number);

/* --- commands ------------------------------------------------------------- */

/* Queue a command to run at the first prompt, before reading input
   (as gdb's -ex). */
CPDB_API int cpdb_session_queue_command(CpdbSession *s, const char *line);
/* Queue every line of a command file (as gdb's -x).  A file that is not
   a regular text file (a folder, a device, a NUL byte, a line over 64
   KiB, over 4 MiB in all) is refused whole: CPDB_E_NOFILE, with the
   reason in the error message. */
CPDB_API int cpdb_session_queue_file(CpdbSession *s, const char *path);

/* Run one debugger command now, as if typed at the prompt; its text goes
   to the session's output.  A command that resumes (next, continue)
   chooses how a stopped program goes on; "next 3" shows the stops it
   passes over on the output, and on_stop sees the last. */
CPDB_API int cpdb_session_command(CpdbSession *s, const char *line);
/* The same, with everything the command says (output and errors, in
   order) returned in *output instead. */
CPDB_API int cpdb_session_command_output(CpdbSession *s, const char *line,
                                         char **output);

/* Number of commands that failed so far, at the prompt or through
   cpdb_session_command() (for --batch exit status). */
CPDB_API int cpdb_session_failed_commands(const CpdbSession *s);

#ifdef __cplusplus
}
#endif
#endif /* CPDB_CPDB_H */
