/* The engine's end of the control channel: the session's CpdbIo when
   its console is elsewhere (cpdb --listen, the attach agent).  A reader
   thread takes every message off the socket as it comes, so that an
   INTERRUPT is seen while the program runs and the peer's hang-up is
   noticed at once; the thread that reads a command line waits for what
   it queued. */
#ifndef CPDB_SRC_REMOTE_ENGINE_H
#define CPDB_SRC_REMOTE_ENGINE_H

#include "cpdb/cpdb.h"
#include "console/console.h"
#include "remote/proto.h"

#include <stddef.h>

typedef struct CpdbRemote CpdbRemote;

typedef struct CpdbRemoteHooks {
    /* INTERRUPT came while no line is being read: called in the reader
       thread (without the GIL: it must not call Python). */
    void (*on_interrupt)(void *ctx);
    /* The connection ended (closed, failed, or a malformed message):
       the reader thread, without the GIL. */
    void (*on_hangup)(void *ctx);
    void *ctx;
} CpdbRemoteHooks;

/* How long the peer has for its HELLO. */
#define CPDB_REMOTE_HELLO_SECONDS 10

/* Take over fd, a connected socket: read the console's HELLO, check
   token when it is not NULL (compared in constant time), answer
   HELLO_OK with this process's pid, versions and hello_info (one line
   saying what runs here), and start the reader thread (every signal
   blocked in it).  h NULL: an INTERRUPT is a Ctrl-C of this process's
   own (cpdb_interrupt_raise: the program stops at its next line) and a
   hang-up does the same, so that a running program reaches the prompt,
   whose read then ends the input.  Return: the channel, or NULL with a
   one-line reason in err (fd is closed then; a wrong token gets an
   ERROR message first and the reason "wrong token"). */
CpdbRemote *cpdb_remote_engine_new(int fd, const char *token,
                                   const char *hello_info,
                                   const CpdbRemoteHooks *h, char *err,
                                   size_t errlen);
/* A channel on fd after cpdb re-executed itself ("run"): the handshake
   was made by the process before, which gave columns and color; no
   message is exchanged.  Return: the channel, or NULL (fd is not an
   open socket). */
CpdbRemote *cpdb_remote_engine_resume(int fd, int columns, int color,
                                      const CpdbRemoteHooks *h);
/* The socket (for a restart to hand over). */
int cpdb_remote_engine_fd(const CpdbRemote *r);
/* Let the socket survive the exec of a restart (it is close-on-exec
   otherwise, so that the program's children do not inherit it). */
void cpdb_remote_engine_keep_on_exec(CpdbRemote *r);

/* Read the console's HELLO from fd (within CPDB_REMOTE_HELLO_SECONDS)
   and check token when it is not NULL; a wrong one is told to the peer
   (ERROR).  For a relay (cpdb -p --listen) that hands the HELLO on.
   Return: 0 with *hello (cpdb_msg_fini it), or -1 with a one-line
   reason in err ("wrong token", ...). */
int cpdb_remote_take_hello(int fd, const char *token, CpdbMsg *hello,
                           char *err, size_t errlen);
/* The channel as the session's I/O: read_line sends PROMPT and waits
   for LINE (the line), EOF or a hang-up (NULL), answering COMPLETE with
   the completer meanwhile (called in the thread that reads); write
   sends OUT.  Neither calls Python; one thread at a time. */
void cpdb_remote_engine_io(CpdbRemote *r, CpdbIo *io);
void cpdb_remote_engine_set_completer(CpdbRemote *r, CpdbCompleter fn,
                                      void *ctx);
/* What the console's HELLO said: its terminal's width (0: unknown), and
   whether it wants colour. */
int cpdb_remote_engine_columns(const CpdbRemote *r);
int cpdb_remote_engine_color(const CpdbRemote *r);
/* Whether the connection has ended. */
int cpdb_remote_engine_hung_up(CpdbRemote *r);
/* Tell the console the session ended (once): the exit status, and an
   action (CPDB_BYE_*, remote/proto.h). */
void cpdb_remote_engine_bye(CpdbRemote *r, int status, int action);
/* Shut the socket down, join the reader, free.  NULL is ignored. */
void cpdb_remote_engine_free(CpdbRemote *r);

#endif /* CPDB_SRC_REMOTE_ENGINE_H */
