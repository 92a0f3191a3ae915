/* cpdb: a debugger for Python programs, as a library for programs that
   embed CPython.  The cpdb command is the first user of this API.

   Every function needs an initialized interpreter and the GIL held by
   the calling thread.  Functions return CPDB_OK or a negative CPDB_E_*
   and leave no Python exception pending. */
#ifndef CPDB_CPDB_H
#define CPDB_CPDB_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CPDB_BUILDING_LIBRARY)
#define CPDB_API __attribute__((visibility("default")))
#else
#define CPDB_API
#endif

typedef struct CpdbSession CpdbSession;

enum {
    CPDB_OK = 0,
    CPDB_E_ARGS = -1,       /* an argument is malformed or out of range */
    CPDB_E_NOFILE = -2,     /* the script or module cannot be found */
    CPDB_E_PYTHON = -3,     /* Python failed; the error was reported */
    CPDB_E_COMMAND = -4,    /* a debugger command failed */
    CPDB_E_STATE = -5,      /* not possible now (no program, no frame) */
    CPDB_E_QUIT = -6        /* the user asked to quit */
};

/* Flags for the cpdb_run_* functions. */
enum {
    CPDB_RUN_STOP_AT_FIRST = 1 << 0,  /* stop before the first line */
    CPDB_RUN_KEEP_PROMPT = 1 << 1     /* prompt again when the program ends;
                                         "run" starts it again */
};

/* Options for cpdb_session_new(); zero means the default. */
typedef struct CpdbOptions {
    int quiet;             /* no banner */
    int batch;             /* run queued commands, then quit */
    int no_init_files;     /* skip ~/.cpdbrc and ./.cpdbrc */
} CpdbOptions;

/* Return: a new session attached to the running interpreter, or NULL if
   out of memory.  opts may be NULL. */
CPDB_API CpdbSession *cpdb_session_new(const CpdbOptions *opts);
CPDB_API void cpdb_session_free(CpdbSession *s);

/* Queue a command to run at the first prompt, before reading input
   (as gdb's -ex). */
CPDB_API int cpdb_session_queue_command(CpdbSession *s, const char *line);
/* Queue every line of a command file (as gdb's -x). */
CPDB_API int cpdb_session_queue_file(CpdbSession *s, const char *path);

/* Run one debugger command now, as if typed at the prompt. */
CPDB_API int cpdb_session_command(CpdbSession *s, const char *line);

/* Run a script as __main__ (sys.argv = [path, argv...]) under the
   debugger, or a module as "python -m" does.  Return: CPDB_OK when the
   program ran (its exit status from cpdb_session_exit_status()),
   CPDB_E_QUIT when the user quit, or another CPDB_E_*. */
CPDB_API int cpdb_run_file(CpdbSession *s, const char *path,
                           int argc, char *const argv[], unsigned flags);
CPDB_API int cpdb_run_module(CpdbSession *s, const char *module,
                             int argc, char *const argv[], unsigned flags);

/* Add a breakpoint at FILE:LINE (FILE matched by path suffix), with an
   optional condition.  Return: the breakpoint number (> 0) or CPDB_E_*. */
CPDB_API int cpdb_break_insert(CpdbSession *s, const char *file, int line,
                               const char *cond);

/* Stop at the Python line running now (the innermost Python frame of
   this thread) and give the prompt; returns when the user resumes. */
CPDB_API int cpdb_break_here(CpdbSession *s);

/* The exit status of the last program run: 0..255, or -1 if it never
   finished. */
CPDB_API int cpdb_session_exit_status(const CpdbSession *s);

/* Number of commands that failed so far (for --batch exit status). */
CPDB_API int cpdb_session_failed_commands(const CpdbSession *s);

CPDB_API const char *cpdb_version(void);

#ifdef __cplusplus
}
#endif
#endif /* CPDB_CPDB_H */
