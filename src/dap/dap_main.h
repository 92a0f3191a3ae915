/* The debug adapter as the cpdb program starts it (cpdb --dap). */
#ifndef CPDB_SRC_DAP_MAIN_H
#define CPDB_SRC_DAP_MAIN_H

#include <stddef.h>

/* The program a launch request names. */
typedef struct CpdbDapLaunch {
    const char *script;     /* or NULL */
    const char *module;     /* or NULL */
    int argc;
    char **argv;            /* its arguments */
} CpdbDapLaunch;

typedef struct CpdbDapConfig {
    int in_fd, out_fd;      /* the client's stream (may be one socket) */
    const char *token;      /* launch and attach must give it, or NULL */
    const char *backend;    /* CpdbOptions.backend */
    /* Start the embedded interpreter for l as python3 would start it.
       Return 0, or -1 with err filled. */
    int (*start_python)(const CpdbDapLaunch *l, char *err, size_t size);
    /* Load the agent into process pid in its debug adapter mode.
       Return: the socket it speaks DAP on, or -1 with err filled (the
       process is left as it was). */
    int (*attach_pid)(long pid, char *err, size_t size);
    /* The program cpdb's command line names (cpdb --listen PORT
       SCRIPT): an attach request without "pid" or "host" starts it; or
       NULL. */
    const CpdbDapLaunch *preset;
    /* The process cpdb's command line names (cpdb -p PID --listen PORT):
       an attach request without "pid" or "port" attaches to it; or 0. */
    long preset_pid;
    /* The listening socket the client came from, or -1: shut once the
       client gave the token (no one else may connect then). */
    int listen_fd;
} CpdbDapConfig;

/* What cpdb_dap_main returns when the client gave a wrong token: drop
   it and take the next connection. */
#define CPDB_DAP_REFUSED (-2)

/* Serve one client until it disconnects.  Return: cpdb's exit status,
   or CPDB_DAP_REFUSED. */
int cpdb_dap_main(const CpdbDapConfig *cfg);

/* The attach agent in its debug adapter mode: serve the client on fd
   (cpdb --dap relays it) from the calling thread, which holds the GIL,
   until it detaches.  live(s, ctx) is told of the session once it runs
   (and of NULL when it ends).  Return: how it detached
   (CPDB_DETACH, or CPDB_DETACH_KILL when the client asked to end the
   process). */
struct CpdbSession;
int cpdb_dap_agent(int fd, const char *backend,
                   void (*live)(struct CpdbSession *s, void *ctx),
                   void *ctx);

#endif /* CPDB_SRC_DAP_MAIN_H */
