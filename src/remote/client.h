/* The console's end of the control channel: cpdb --connect, and cpdb -p
   in front of its agent.  This process keeps the terminal (libedit,
   history, Ctrl-C); the engine at the other end runs the commands. */
#ifndef CPDB_SRC_REMOTE_CLIENT_H
#define CPDB_SRC_REMOTE_CLIENT_H

#include <stddef.h>

/* Run a session over fd (a connected socket; not closed here): send
   HELLO with token (NULL: none) and this terminal's width, whether it
   is one and whether it wants colour (not with NO_COLOR), then show
   what the engine writes and answer its prompts with lines read from
   the console (Tab asks the engine for candidates).  Ctrl-C while the
   engine runs sends INTERRUPT; end of input at a prompt sends EOF.
   Return: the exit status BYE gave
   (*action: its action, CPDB_BYE_*), or -1 with a one-line reason in
   err (refused, the connection lost, a malformed message). */
int cpdb_remote_console_run(int fd, const char *token, int *action,
                            char *err, size_t errlen);

#endif /* CPDB_SRC_REMOTE_CLIENT_H */
