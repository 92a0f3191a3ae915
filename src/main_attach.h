/* cpdb -p PID: attach to a running Python process (main_attach.c). */
#ifndef CPDB_SRC_MAIN_ATTACH_H
#define CPDB_SRC_MAIN_ATTACH_H

#include <sys/types.h>

/* Load the agent into process pid, be its console until the session
   ends, and return cpdb's exit status (0 after a detach; 1 with a
   one-line error on stderr when the process could not be attached:
   it is left running).  lfd >= 0 (--listen): the console is a cpdb
   --connect that gives token on that listening socket; the process is
   attached once one has, and cpdb relays between the two.  script:
   the first lines to answer the prompt with (-ex, -x, --batch), for the
   console here. */
struct CpdbConsoleScript;
int cpdb_attach_main(pid_t pid, int lfd, const char *token,
                     const struct CpdbConsoleScript *script);

/* cpdb --dap's attach to process pid: the checks, then the agent loaded
   in its debug adapter mode.  Return: the socket it speaks DAP on, or
   -1 with a one-line reason in err (the process is left as it was). */
int cpdb_attach_dap(pid_t pid, char *err, size_t size);

#endif /* CPDB_SRC_MAIN_ATTACH_H */
