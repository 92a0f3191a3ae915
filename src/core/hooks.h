/* The ways a running program hands control to the debugger by itself:
   breakpoint(), pdb.set_trace(), and Ctrl-C. */
#ifndef CPDB_SRC_HOOKS_H
#define CPDB_SRC_HOOKS_H

#include "base/compat.h"

typedef struct CpdbSession CpdbSession;

typedef struct CpdbHooks {
    PyObject *old_breakpointhook;   /* strong, or NULL */
    PyObject *old_sigint;           /* strong, or NULL: not replaced */
} CpdbHooks;

/* Install for one run of the program: sys.breakpointhook, pdb.set_trace
   (now, or when the program imports pdb), and a SIGINT handler when the
   program has Python's default one. */
void cpdb_hooks_install(CpdbSession *s, CpdbHooks *h);
/* Undo what the program did not change since. */
void cpdb_hooks_remove(CpdbSession *s, CpdbHooks *h);

#endif /* CPDB_SRC_HOOKS_H */
