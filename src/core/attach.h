/* The engine in a process that was running without it (cpdb -p PID).

   The front-end's agent thread, holding the GIL, begins the session
   (cpdb_attach_begin), asks for a stop at the next line any thread runs
   (cpdb_attach_interrupt), and, when no thread ran Python within its
   wait (every one sleeping or waiting in C), stops in its own thread on
   the main thread's behalf (cpdb_attach_stop_here).  quit, kill and the
   end of input do not unwind the program: they ask to detach
   (s->detach), and the agent then takes everything out again
   (cpdb_attach_end), so that the process runs as if never attached. */
#ifndef CPDB_SRC_ATTACH_H
#define CPDB_SRC_ATTACH_H

#include "base/compat.h"

typedef struct CpdbSession CpdbSession;

/* What s->detach says. */
enum {
    CPDB_DETACH_NONE,
    CPDB_DETACH,            /* detach, quit, end of input */
    CPDB_DETACH_KILL        /* kill: detach, then the process is ended
                               from outside */
};

/* Start following every thread of the running program from the calling
   (agent) thread, which is never shown as one of the program's.  Needs
   the GIL.  Return 0, or -1 with an exception set. */
int cpdb_attach_begin(CpdbSession *s);

/* The next line any thread runs stops there; frames already running,
   in every thread, get their line events.  Needs the GIL. */
void cpdb_attach_interrupt(CpdbSession *s);

/* Stop in the calling thread, on behalf of the main thread (or the
   oldest with Python frames): every thread is in C code.  Returns when
   the front-end resumes.  Needs the GIL. */
void cpdb_attach_stop_here(CpdbSession *s);

/* quit, kill or the end of input at a stop of an attached session:
   record how (CPDB_DETACH or CPDB_DETACH_KILL), stop nowhere from now
   on, and tell the agent (s->on_detach). */
void cpdb_attach_request(CpdbSession *s, int how);

/* Take out everything the session put into the process: breakpoints,
   trace functions and monitoring events of every thread, hooks, the
   marks on frames and the threads' numbers.  Needs the GIL, and no stop
   under way.  The session may then be freed. */
void cpdb_attach_end(CpdbSession *s);

#endif /* CPDB_SRC_ATTACH_H */
