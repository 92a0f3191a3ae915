/* The SIGINT wrapper: it chains to the handler it replaced, and counts
   each signal by sender (the process itself, or someone else). */
#include "base/interrupt.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t chained_calls;

/* Stands for Python's C handler. */
static void
python_like_handler(int sig)
{
    (void)sig;
    chained_calls++;
}

/* Send SIGINT to the parent from another process and wait for it. */
static void
sigint_from_child(void)
{
    sig_atomic_t before = chained_calls;
    pid_t parent = getpid(), child = fork();
    if (child == 0) {
        kill(parent, SIGINT);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    while (chained_calls == before) {   /* delivered by now, or soon */
        usleep(1000);
    }
}

int
main(void)
{
    struct sigaction sa = {0};

    signal(SIGINT, SIG_DFL);
    OK(cpdb_interrupt_wrap() == 0, "SIG_DFL is left alone");
    OK(!cpdb_interrupt_is_wrapped(), "no wrapper over SIG_DFL");

    sa.sa_handler = python_like_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    OK(cpdb_interrupt_wrap() == 1, "a handler function gets the wrapper");
    OK(cpdb_interrupt_wrap() == 1 && cpdb_interrupt_is_wrapped(),
       "wrapping again keeps one wrapper");

    raise(SIGINT);
    OK(chained_calls == 1, "the replaced handler still runs");
    OK(cpdb_interrupt_take_self() == 1 && !cpdb_interrupt_pending(),
       "raise() counts as sent by the process itself");
    kill(getpid(), SIGINT);
    OK(chained_calls == 2 && cpdb_interrupt_take_self() == 1
       && !cpdb_interrupt_pending(), "so does kill(getpid())");

    sigint_from_child();
    OK(cpdb_interrupt_pending() && cpdb_interrupt_take_self() == 0,
       "another process's SIGINT is for the debugger");
    OK(cpdb_interrupt_unanswered() == 1, "not answered yet");
    cpdb_interrupt_answer();
    OK(cpdb_interrupt_unanswered() == 0 && cpdb_interrupt_pending(),
       "answered, and still pending for the command's loops");
    OK(cpdb_interrupt_take_external() == 0 && !cpdb_interrupt_pending(),
       "taking gives only the unanswered ones, and forgets all");
    sigint_from_child();
    cpdb_interrupt_clear();
    OK(!cpdb_interrupt_pending(), "clear forgets");

    cpdb_interrupt_raise();
    OK(chained_calls == 5 && cpdb_interrupt_take_self() == 0
       && cpdb_interrupt_take_external() == 1,
       "a Ctrl-C from a console elsewhere counts as one from outside");
    raise(SIGINT);
    OK(cpdb_interrupt_take_self() == 1 && cpdb_interrupt_take_external() == 0,
       "and the next raise() is the process's own again");

    OK(cpdb_interrupt_poll_due(0) && cpdb_interrupt_poll_due(4096)
       && !cpdb_interrupt_poll_due(4095), "polls every 4096 steps");

    cpdb_interrupt_unwrap();
    OK(!cpdb_interrupt_is_wrapped(), "unwrap puts the handler back");
    raise(SIGINT);
    OK(chained_calls == 7 && cpdb_interrupt_take_self() == 0,
       "which runs alone");
    cpdb_interrupt_raise();
    OK(chained_calls == 7, "no wrapper: a console's Ctrl-C sends nothing");
    return tap_done();
}
