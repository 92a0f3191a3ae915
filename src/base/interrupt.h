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

#include <stddef.h>

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

/* A Ctrl-C typed elsewhere (a remote console): the same as one typed
   at this terminal.  SIGINT goes to the process, marked so that the
   wrapper counts it as one from outside although the process sent it,
   and Python's handler then runs as for a real one (a blocking call
   returns EINTR, the program stops at its next line).  When the
   wrapper is not in place (SIGINT ignored, as for a program started in
   the background, or not Python's), the fallback runs instead, as a
   pending call: in the main thread, with the GIL, between two
   bytecodes.  Any thread, no GIL needed; not from a signal handler. */
void cpdb_interrupt_raise(void);
/* Set the fallback of cpdb_interrupt_raise (NULL: none).  fn gets a
   NULL argument; it returns 0, or -1 with an exception set (raised in
   the main thread). */
void cpdb_interrupt_set_fallback(int (*fn)(void *));

/* Whether a SIGINT came from the terminal or another process since the
   counts were cleared or taken (answered or not). */
int cpdb_interrupt_pending(void);
/* Say that the debugger has answered the SIGINTs counted so far (a heap
   query stopped): Python's handler, which runs later, then has none to
   answer, while cpdb_interrupt_pending() stays true for the rest of the
   command. */
void cpdb_interrupt_answer(void);
/* How many SIGINTs from outside are not answered yet. */
int cpdb_interrupt_unanswered(void);
/* Return: the count not answered yet of SIGINTs from the terminal or
   another process (for the debugger), or of those the process sent
   itself (for the program), and forget them. */
int cpdb_interrupt_take_external(void);
int cpdb_interrupt_take_self(void);
/* Forget both counts (a new command starts). */
void cpdb_interrupt_clear(void);

/* The way out of Python run at a stop that never looks at signals: a
   single long C call (p sum(range(10**12))) cannot be interrupted safely,
   so while such code runs (armed), the third unanswered Ctrl-C says so on
   fd, and the fifth ends cpdb by SIGINT, as python3 would end.  fd: the
   console's error stream, or -1 (a host without a terminal: no way
   out). */
void cpdb_interrupt_set_escape_fd(int fd);
/* Python run at a stop begins (on = 1) or ends (on = 0); nests. */
void cpdb_interrupt_escape_arm(int on);

/* What a command stopped by Ctrl-C says. */
#define CPDB_INTERRUPTED "Interrupted."

/* Long loops ask every CPDB_INTERRUPT_POLL steps: a Ctrl-C is then
   answered within milliseconds, at no measurable cost. */
#define CPDB_INTERRUPT_POLL 4096

/* Whether step i of a loop is one to ask cpdb_interrupt_pending() at. */
static inline int
cpdb_interrupt_poll_due(size_t i)
{
    return (i & (CPDB_INTERRUPT_POLL - 1)) == 0;
}

#endif /* CPDB_SRC_INTERRUPT_H */
