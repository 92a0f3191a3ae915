/* Drives src/attach for the end-to-end tests (tests/e2e/
   test_attach_inject.py):

     cpdb_inject_test probe PID
     cpdb_inject_test inject [-t MS] [-n TIMES] PID AGENT ENTRY ARG
     cpdb_inject_test can-ptrace

   probe prints what cpdb_target_probe found; inject loads AGENT into PID
   TIMES times in a row and prints one line per load (result, strategy,
   time); can-ptrace says whether this process may trace a child of its
   own.  Errors: "cpdb: " and the error line on stderr, exit status 1. */
#include "attach/attach.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int
usage(void)
{
    fprintf(stderr, "usage: cpdb_inject_test probe PID | inject [-t MS] "
            "[-n TIMES] PID AGENT ENTRY ARG | can-ptrace\n");
    return 2;
}

static int
can_ptrace(void)
{
    pid_t child = fork();
    int rc = 0, st;

    if (child == 0) {
        pause();
        _exit(0);
    }
    if (ptrace(PTRACE_SEIZE, child, 0, 0) < 0) {
        printf("no: PTRACE_SEIZE of a child: %s\n", strerror(errno));
        rc = 1;
    }
    else {
        ptrace(PTRACE_DETACH, child, 0, 0);
        printf("yes\n");
    }
    kill(child, SIGKILL);
    waitpid(child, &st, 0);
    return rc;
}

static int
probe(pid_t pid)
{
    CpdbTarget t;
    char err[512];

    if (cpdb_target_probe(pid, &t, err, sizeof err) < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        return 1;
    }
    printf("pid=%d comm=%s version=%s major=%d minor=%d static=%d "
           "agent=%d path=%s\n", (int)t.pid, t.comm, t.version, t.major,
           t.minor, t.static_python, t.has_agent, t.python_path);
    return 0;
}

static int
inject(int argc, char **argv)
{
    int timeout = 1000, times = 1, i = 0;
    pid_t pid;

    while (i + 1 < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-t") == 0) {
            timeout = atoi(argv[i + 1]);
        }
        else if (strcmp(argv[i], "-n") == 0) {
            times = atoi(argv[i + 1]);
        }
        else {
            return usage();
        }
        i += 2;
    }
    if (argc - i != 4) {
        return usage();
    }
    pid = (pid_t)atoi(argv[i]);
    for (int k = 0; k < times; k++) {
        CpdbInjectStats st;
        char err[512];
        int result = 0;

        if (cpdb_attach_inject(pid, argv[i + 1], argv[i + 2], argv[i + 3],
                               timeout, &result, &st, err, sizeof err) < 0) {
            fprintf(stderr, "cpdb: %s\n", err);
            return 1;
        }
        printf("ok result=%d strategy=%c tid=%d syscall=%ld woken=%d "
               "ms=%.3f reused=%d copied=%d\n", result, st.strategy,
               (int)st.tid, st.syscall_nr, st.woken, st.ms, st.reused,
               st.copied);
        fflush(stdout);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "can-ptrace") == 0) {
        return can_ptrace();
    }
    if (argc == 3 && strcmp(argv[1], "probe") == 0) {
        return probe((pid_t)atoi(argv[2]));
    }
    if (argc >= 2 && strcmp(argv[1], "inject") == 0) {
        return inject(argc - 2, argv + 2);
    }
    return usage();
}
