/* Attaching to a running CPython process: the checks made before any
   ptrace call, and loading a shared object (cpdb's agent) into the process
   at a safe point (docs/attach.md).  Linux x86-64.  Used by the cpdb
   program only (src/main.c); nothing here needs Python.

   Error lines are one sentence without the "cpdb: " prefix and without a
   newline: the caller prints "cpdb: " + err. */
#ifndef CPDB_SRC_ATTACH_ATTACH_H
#define CPDB_SRC_ATTACH_ATTACH_H

#include <stddef.h>
#include <sys/types.h>

typedef struct CpdbTarget {
    pid_t pid;
    char comm[32];          /* /proc/PID/comm */
    char version[16];       /* "3.11.2" when known, else "3.11" */
    int major, minor;       /* 3, 11 */
    int static_python;      /* libpython is linked into the executable */
    /* The file that holds libpython's symbols (the executable or
       libpython3.X.so) as cpdb can open it: /proc/PID/root/... */
    char python_path[4096];
    int has_agent;          /* a cpdb-agent-*.so is mapped already */
} CpdbTarget;

/* The Python versions the injector and agents serve. */
#define CPDB_ATTACH_MIN_MINOR 10
#define CPDB_ATTACH_MAX_MINOR 13

/* Pre-flight checks, without ptrace: fill *t.  Errors: no such process; a
   thread id; an exited or stopped (SIGSTOP) process; already traced (names the
   tracer); not permitted to read the process; not a CPython process; a
   Python older than 3.10 or newer than 3.13 (names it).
   Return: 0, or -1 with the error line in err. */
int cpdb_target_probe(pid_t pid, CpdbTarget *t, char *err, size_t errlen);

/* How the last successful cpdb_attach_inject went (for tests and
   benchmarks). */
typedef struct CpdbInjectStats {
    char strategy;          /* 'A': a thread in a blocking system call;
                               'B': a thread at a breakpoint in libpython;
                               'C': a thread running the interpreter's
                               own code (a loop that calls none of B's) */
    pid_t tid;              /* the thread that ran the calls */
    long syscall_nr;        /* A: the system call it was in */
    int woken;              /* B: how many threads waiting on a lock
                               (futex) were woken to come by */
    double ms;              /* from the first ptrace call to the detach */
    int reused;             /* the agent was mapped already */
    int copied;             /* the agent was copied into the target's /tmp */
} CpdbInjectStats;

/* Load the shared object agent_path into the running process pid at a
   safe point (dlopen RTLD_NOW; a copy of it under the target's /tmp when
   the path is not visible in the target's mount namespace; the mapping is
   reused when it is loaded already), call its function entry(arg) once in
   the chosen thread, restore that thread exactly and detach from every
   thread.  *result gets entry's int return value.  timeout_ms bounds the
   wait for a safe point (1000 is a good value).  stats may be NULL.
   SIGINT, SIGTERM, SIGHUP and SIGPIPE are held back in the calling process
   while the target is stopped (they are delivered after).
   Return: 0, or -1 with the error line in err (not permitted, already
   traced, no safe point in time, dlopen's error, the process exited...);
   the target keeps running in every error case. */
int cpdb_attach_inject(pid_t pid, const char *agent_path, const char *entry,
                       const char *arg, int timeout_ms, int *result,
                       CpdbInjectStats *stats, char *err, size_t errlen);

#endif
