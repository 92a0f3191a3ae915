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

/* Between the hooks*.c files. */

/* Return: new reference to a function object bound to the session. */
PyObject *cpdb_hooks_function(CpdbSession *s, PyMethodDef *def);

/* breakpoint() and pdb.set_trace(): stop at the caller's next line. */
PyObject *cpdb_hooks_stop_hook(PyObject *self, PyObject *args,
                               PyObject *kwargs);
extern PyMethodDef cpdb_hooks_stop_hook_def;
/* sys.breakpointhook: as CPython's, it reads PYTHONBREAKPOINT at each
   call ("0": nothing; "pkg.func": call that); unset or empty, cpdb
   stops as for pdb.set_trace(). */
extern PyMethodDef cpdb_hooks_breakpointhook_def;

/* Return: new reference to an instancemethod (a method of a class) bound
   to the session: def's function gets the instance as first argument,
   and knows it is a method from its capsule (hooks_pdb_entry.c). */
PyObject *cpdb_hooks_method(CpdbSession *s, PyMethodDef *def);

/* What cpdb puts in the pdb module: a function (pdb.X), a method of
   pdb.Pdb (pdb.Pdb.X, which its subclasses inherit), or both. */
enum { CPDB_PDB_FUNCTION = 1, CPDB_PDB_METHOD = 2 };
typedef struct CpdbPdbEntry {
    PyMethodDef *def;
    unsigned where;
} CpdbPdbEntry;
/* Ends with {NULL, 0}. */
extern const CpdbPdbEntry cpdb_pdb_entries[];

/* Patch pdb now if imported, else when the program imports it. */
void cpdb_hooks_redirect_pdb(CpdbSession *s);
/* Take the import finder out if pdb was never imported. */
void cpdb_hooks_remove_pdb_finder(void);

/* Install cpdb's SIGINT handler if SIGINT has Python's default one.
   Return: new reference to the handler replaced (to restore), or NULL. */
PyObject *cpdb_hooks_install_sigint(CpdbSession *s);
/* Give SIGINT the handler old (NULL: Python's default one), unless the
   program changed it from cpdb's since. */
void cpdb_hooks_restore_sigint(PyObject *old);
/* While the debugger has the prompt (a stop, post-mortem, between
   runs), Ctrl-C is its own even when the program set a SIGINT handler
   of its own or SIG_DFL (which would end cpdb): take SIGINT with cpdb's
   handler (main thread only; SIG_IGN stays), and give the program's
   back (unless changed at the prompt since).  Both put cpdb's C wrapper
   back in front of SIGINT's handler (base/interrupt.h). */
void cpdb_hooks_sigint_take(CpdbSession *s);
void cpdb_hooks_sigint_give_back(CpdbSession *s);
/* on: a Ctrl-C from a console elsewhere stops s's program even where
   SIGINT is not Python's (base/interrupt.h's fallback); off: no more
   (if s had it). */
void cpdb_hooks_sigint_fallback(CpdbSession *s, int on);
/* The debugger's Python in s->py_thread has ended: take back a
   KeyboardInterrupt sent to that thread that has not fired, so that it
   never reaches the program. */
void cpdb_hooks_sigint_settle(CpdbSession *s);

#endif /* CPDB_SRC_HOOKS_H */
