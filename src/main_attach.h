/* cpdb -p PID: attach to a running Python process (main_attach.c). */
#ifndef CPDB_SRC_MAIN_ATTACH_H
#define CPDB_SRC_MAIN_ATTACH_H

#include <sys/types.h>

/* Load the agent into process pid, be its console until the session
   ends, and return cpdb's exit status (0 after a detach; 1 with a
   one-line error on stderr when the process could not be attached:
   it is left running).  lfd >= 0 (--listen): the console is a cpdb
   --connect that gives token on that listening socket; the process is
   attached once one has, and cpdb relays between the two. */
int cpdb_attach_main(pid_t pid, int lfd, const char *token);

#endif /* CPDB_SRC_MAIN_ATTACH_H */
