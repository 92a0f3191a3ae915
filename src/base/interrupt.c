/* cpdb's C handler for SIGINT, in front of Python's.  It only counts and
   chains: a signal handler may not touch Python, and Python's own
   handler (which notes the signal for the interpreter's next check, and
   makes a blocking call return with EINTR) must still run so that the
   Python-level handler (cpdb's, core/hooks_sigint.c, or the program's)
   sees the signal. */
#include "base/interrupt.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static atomic_int n_external;   /* from the terminal or another process */
static atomic_int n_answered;   /* of n_external, answered already */
static atomic_int n_self;       /* the process sent it to itself */
static _Atomic(int (*)(void *)) fallback;
static atomic_int n_forwarded;  /* sent by cpdb_interrupt_raise, not
                                   yet seen by the handler */
static struct sigaction chained;    /* what runs after the count; written
                                       only while the wrapper is not
                                       installed */

/* Whether the process sent this SIGINT to itself: kill(), raise() (a
   tgkill, also from another thread) or sigqueue() with this pid.  A
   Ctrl-C comes from the kernel (si_code SI_KERNEL, no sender pid). */
static int
is_self_sent(const siginfo_t *info)
{
    return info != NULL && info->si_code <= 0
           && info->si_pid == getpid();
}

static atomic_int escape_fd = -1;
static atomic_int escape_armed;

#define ESCAPE_WARN 3       /* unanswered presses before the warning */
#define ESCAPE_END 5        /* ... and before cpdb ends */

static void
say(int fd, const char *text)
{
    ssize_t r = write(fd, text, strlen(text));
    (void)r;
}

/* Python run at a stop has not answered n presses: warn, then end. */
static void
escape(int n)
{
    int fd = atomic_load(&escape_fd);
    struct sigaction dfl;
    if (fd < 0 || atomic_load(&escape_armed) <= 0) {
        return;
    }
    if (n == ESCAPE_WARN) {
        say(fd, "\ncpdb: the Python run at the prompt is inside one C call "
            "that does not look at Ctrl-C.  Press Ctrl-C twice more to end "
            "cpdb and the program.\n");
    }
    else if (n >= ESCAPE_END) {
        say(fd, "\ncpdb: ended by Ctrl-C.\n");
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGINT, &dfl, NULL);
        kill(getpid(), SIGINT);     /* delivered when this handler returns */
    }
}

/* Whether a self-sent SIGINT is one cpdb_interrupt_raise sent for a
   console elsewhere; counts it off. */
static int
take_forwarded(void)
{
    int n = atomic_load(&n_forwarded);
    while (n > 0) {
        if (atomic_compare_exchange_weak(&n_forwarded, &n, n - 1)) {
            return 1;
        }
    }
    return 0;
}

/* Only async-signal-safe calls: getpid, write, sigaction, kill,
   lock-free atomics, and the chained handler, which is itself a signal
   handler. */
static void
on_sigint(int sig, siginfo_t *info, void *uctx)
{
    if (is_self_sent(info) && !take_forwarded()) {
        atomic_fetch_add(&n_self, 1);
    }
    else {
        int n = atomic_fetch_add(&n_external, 1) + 1;
        escape(n - atomic_load(&n_answered));
    }
    if (chained.sa_flags & SA_SIGINFO) {
        chained.sa_sigaction(sig, info, uctx);
    }
    else if (chained.sa_handler != SIG_DFL
             && chained.sa_handler != SIG_IGN) {
        chained.sa_handler(sig);
    }
}

static int
is_wrapper(const struct sigaction *sa)
{
    return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == on_sigint;
}

int
cpdb_interrupt_wrap(void)
{
    struct sigaction cur, mine;
    if (sigaction(SIGINT, NULL, &cur) < 0) {
        return 0;
    }
    if (is_wrapper(&cur)) {
        return 1;
    }
    if (!(cur.sa_flags & SA_SIGINFO)
        && (cur.sa_handler == SIG_DFL || cur.sa_handler == SIG_IGN)) {
        return 0;       /* nobody to chain to: SIGINT is not Python's */
    }
    chained = cur;
    memset(&mine, 0, sizeof mine);
    mine.sa_sigaction = on_sigint;
    mine.sa_mask = cur.sa_mask;
    /* SA_RESTART stays off, as Python has it: a blocking call must
       return EINTR so that Python runs the handlers. */
    mine.sa_flags = (cur.sa_flags & ~SA_RESETHAND) | SA_SIGINFO;
    return sigaction(SIGINT, &mine, NULL) == 0;
}

void
cpdb_interrupt_unwrap(void)
{
    struct sigaction cur;
    if (sigaction(SIGINT, NULL, &cur) == 0 && is_wrapper(&cur)) {
        sigaction(SIGINT, &chained, NULL);
    }
}

int
cpdb_interrupt_is_wrapped(void)
{
    struct sigaction cur;
    return sigaction(SIGINT, NULL, &cur) == 0 && is_wrapper(&cur);
}

void
cpdb_interrupt_set_fallback(int (*fn)(void *))
{
    atomic_store(&fallback, fn);
}

void
cpdb_interrupt_raise(void)
{
    if (!cpdb_interrupt_is_wrapped()) {
        int (*fn)(void *) = atomic_load(&fallback);
        if (fn != NULL) {
            Py_AddPendingCall(fn, NULL);
        }
        return;
    }
    atomic_fetch_add(&n_forwarded, 1);
    /* To the process, not a thread: the kernel gives it to a thread
       that does not block it, the main thread when it can, as it does
       a Ctrl-C. */
    kill(getpid(), SIGINT);
}

int
cpdb_interrupt_pending(void)
{
    return atomic_load_explicit(&n_external, memory_order_relaxed) != 0;
}

void
cpdb_interrupt_answer(void)
{
    atomic_store(&n_answered, atomic_load(&n_external));
}

int
cpdb_interrupt_unanswered(void)
{
    return atomic_load(&n_external) - atomic_load(&n_answered);
}

int
cpdb_interrupt_take_external(void)
{
    int answered = atomic_exchange(&n_answered, 0);
    return atomic_exchange(&n_external, 0) - answered;
}

int
cpdb_interrupt_take_self(void)
{
    return atomic_exchange(&n_self, 0);
}

void
cpdb_interrupt_clear(void)
{
    atomic_store(&n_external, 0);
    atomic_store(&n_answered, 0);
    atomic_store(&n_self, 0);
}

void
cpdb_interrupt_set_escape_fd(int fd)
{
    atomic_store(&escape_fd, fd);
}

void
cpdb_interrupt_escape_arm(int on)
{
    atomic_fetch_add(&escape_armed, on ? 1 : -1);
}
