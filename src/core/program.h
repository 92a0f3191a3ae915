/* The debugged program: what to run (a script or a module), its
   arguments, running it as __main__ and turning its end into an exit
   status as python3 would. */
#ifndef CPDB_SRC_PROGRAM_H
#define CPDB_SRC_PROGRAM_H

#include "base/compat.h"
#include "base/util.h"

typedef struct CpdbSession CpdbSession;

typedef enum { CPDB_PROG_NONE, CPDB_PROG_FILE, CPDB_PROG_MODULE } CpdbProgKind;

typedef struct CpdbProgram {
    CpdbProgKind kind;
    char *target;           /* script path or module name (malloc) */
    char *main_path;        /* absolute path of the code run as __main__ */
    char **argv;            /* sys.argv[1:] (malloc'd strings) */
    int argc;
    int path0_done;         /* sys.path[0] inserted */
    int is_dir;             /* the script is a folder (or a zip file) run
                               by its __main__.py */
} CpdbProgram;

/* One shell redirection of the program's standard streams, as "run"
   takes them: "< in.txt", "> out.txt", ">> log", "2> err", "2>&1". */
typedef struct CpdbRedirect {
    int fd;                 /* 0, 1 or 2: the program's stream */
    int from_fd;            /* 1 or 2 for "N>&M" (a copy of that fd as
                               redirected so far); -1 for a file */
    char *path;             /* absolute file name (malloc), or NULL */
    int append;             /* ">>" */
} CpdbRedirect;

/* The redirections of each run, applied in order as a shell does. */
typedef struct CpdbRedirects {
    CPDB_ARRAY(CpdbRedirect) ops;
    char *text;             /* as the user wrote them (malloc), or NULL */
    int saved[3];           /* cpdb's fds 0-2 while applied, else -1 */
} CpdbRedirects;

void cpdb_program_fini(CpdbProgram *p);
void cpdb_program_set(CpdbProgram *p, CpdbProgKind kind, const char *target,
                      int argc, char *const argv[]);
void cpdb_program_set_args(CpdbProgram *p, int argc, char *const argv[]);

/* Outcome of one run of the program. */
typedef enum {
    CPDB_RUN_EXITED,        /* ended; status in the result */
    CPDB_RUN_KILLED,        /* unwound by kill / run / quit */
    CPDB_RUN_NOT_STARTED    /* could not start: why in the result */
} CpdbRunOutcome;

typedef struct CpdbRunResult {
    CpdbRunOutcome outcome;
    int status;             /* exit status as python3 gives it */
    PyObject *uncaught;     /* strong: the exception that ended a running
                               program, for post-mortem; or NULL */
    char *why;              /* why it did not start (malloc), or NULL */
    int error;              /* and the CPDB_E_* it answers */
} CpdbRunResult;

/* Run the program once under the session's trace backend (flags:
   CPDB_RUN_STOP_AT_FIRST).  An uncaught exception is shown (as python3
   shows it) and returned in r->uncaught for post-mortem; release it and
   r->why. */
void cpdb_program_run(CpdbSession *s, unsigned flags, CpdbRunResult *r);

/* Redirections for the runs to come (ops moved in, text copied); an
   empty list with text NULL gives the program cpdb's own streams. */
void cpdb_redirects_init(CpdbRedirects *r);
void cpdb_redirects_fini(CpdbRedirects *r);
void cpdb_redirects_clear(CpdbRedirects *r);
void cpdb_redirects_add(CpdbRedirects *r, int fd, int from_fd,
                        const char *path, int append);
/* Give fds 0-2 back to cpdb (the program's run ended, or the process is
   re-executed), after flushing what the program wrote. */
void cpdb_program_unredirect(CpdbSession *s);

/* What python3 does when the main code has ended: wait for the threads
   that are not daemons, then call the atexit functions.  The cpdb
   program does it at the end of each run, before saying the program
   exited, since a restart re-executes the process. */
void cpdb_program_exit_work(CpdbSession *s);

#endif /* CPDB_SRC_PROGRAM_H */
