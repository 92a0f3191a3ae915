/* The debugged program: what to run (a script or a module), its
   arguments, running it as __main__ and turning its end into an exit
   status as python3 would. */
#ifndef CPDB_SRC_PROGRAM_H
#define CPDB_SRC_PROGRAM_H

#include "base/compat.h"

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

#endif /* CPDB_SRC_PROGRAM_H */
