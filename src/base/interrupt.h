/* Who sent SIGINT, and whether a Ctrl-C came since a long job began.

   cpdb puts a C handler of its own in front of the one Python installs
   for SIGINT (Python's still runs after it, so signal.signal() and the
   program's handlers work as before).  It sorts each SIGINT by sender:
   one the process sends itself (signal.raise_signal, os.kill(getpid()),
   raise() in C) belongs to the program; one from the terminal (Ctrl-C)
   or from another process is for the debugger.  Loops that run without
   Python code (the heap queries) poll cpdb_interrupt_pending(), which
   costs one load. */
#ifndef CPDB_SRC_INTERRUPT_H
#define CPDB_SRC_INTERRUPT_H

/* Put the wrapper in front of SIGINT's handler when that handler is a
   function of someone else's (Python's, after a signal.signal() call);
   leave SIG_DFL and SIG_IGN alone.  Cheap (one sigaction call): call it
   whenever Python code may have changed the handler.  Return: 1 when
   the wrapper is in place afterwards, 0 when not. */
int cpdb_interrupt_wrap(void);
/* Give SIGINT back the handler that the wrapper chains to, if the
   wrapper is still the one installed. */
void cpdb_interrupt_unwrap(void);
/* Whether the wrapper is SIGINT's handler now. */
int cpdb_interrupt_is_wrapped(void);

/* SIGINTs counted since they were last taken: from the terminal or
   another process (for the debugger), or sent by the process to itself
   (for the program). */
int cpdb_interrupt_pending(void);
int cpdb_interrupt_take_external(void);
int cpdb_interrupt_take_self(void);
/* Forget both counts (a new command starts). */
void cpdb_interrupt_clear(void);

#endif /* CPDB_SRC_INTERRUPT_H */
