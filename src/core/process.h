/* The process the cpdb program owns (CpdbOptions.own_process): what it
   was like at start, so that "run" re-executes it as a new process, and
   the two ways out that never return into the program's code: leaving
   with _exit() and re-executing.  Also os._exit() in the program, which
   becomes an exit like any other. */
#ifndef CPDB_SRC_PROCESS_H
#define CPDB_SRC_PROCESS_H

#include "base/compat.h"
#include "base/util.h"

#include <signal.h>

typedef struct CpdbSession CpdbSession;

typedef struct CpdbProcess {
    char *start_dir;            /* working directory at start (malloc) */
    char **start_environ;       /* environment at start (malloc'd) */
    sigset_t start_mask;        /* blocked signals at start */
    sigset_t start_ignored;     /* signals ignored at start */
    CPDB_ARRAY(int) inherited;  /* fds >= 3 open without close-on-exec at
                                   start: the program's, kept */
    PyObject *real_exit;        /* strong: os._exit while cpdb's stands in
                                   for it, else NULL */
} CpdbProcess;

/* Record what the process is like now (cpdb_session_create). */
void cpdb_process_init(CpdbProcess *p);
void cpdb_process_fini(CpdbProcess *p);

/* Flush the program's streams and cpdb's, and end the process with the
   status the front-end gives (s->final_status), else the program's
   exit status, or 0 if it never finished.  Nothing of the program runs
   (for quit while its frames are running). */
_Noreturn void cpdb_session_leave(CpdbSession *s);

/* Re-execute the process for "run": the front-end's state
   (s->save_state) goes to a private file (mkstemp in a mkdtemp
   directory) named on the new command line; fds 0-2 are cpdb's again,
   the working directory, environment, signal dispositions and mask are
   those of the start, and only the fds inherited at start stay open.
   finalize: the program has ended (none of its frames is running), so
   the interpreter is finalized first, as python3 ends (its files
   flushed, its finalizers run); then a failed exec ends the process.
   Return: only when it failed: -1, after telling the front-end why
   (on_message). */
int cpdb_session_reexec(CpdbSession *s, int finalize);

/* The state file a restart left: checked (a regular file of ours in a
   directory only we can use), read, and deleted with its directory.
   Return: malloc'd text, or NULL with *why (malloc'd). */
char *cpdb_process_take_state(const char *path, char **why);

/* Stand in for os._exit (and posix._exit) while the program runs: the
   program's output is flushed, "exited with status N" is reported, and
   the session stays at the prompt (cpdb_session_end_here).  A child the
   program forked, and Python run at a stop, get the real one. */
void cpdb_process_hook_exit(CpdbSession *s);
void cpdb_process_unhook_exit(CpdbSession *s);

#endif /* CPDB_SRC_PROCESS_H */
