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
    /* Attach to process pid: relay the client's stream to an agent in
       it (the client's messages from here on, starting with attach).
       Return: the exit status for cpdb, or -1 with err filled when the
       attach failed before anything was relayed. */
    int (*attach_pid)(long pid, int in_fd, int out_fd, const char *request,
                      long next_seq, char *err, size_t size);
} CpdbDapConfig;

/* Serve one client until it disconnects.  Return: cpdb's exit status. */
int cpdb_dap_main(const CpdbDapConfig *cfg);

#endif /* CPDB_SRC_DAP_MAIN_H */
