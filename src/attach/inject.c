/* Loading a shared object into a running process with ptrace alone
   (docs/attach.md, "How cpdb -p loads its agent safely").

   Every thread is seized and stopped; one thread at a safe point (A: in an
   allow-listed blocking system call; B: at the entry of a libpython
   function that is only called with no libc lock held, reached by a
   one-shot breakpoint) makes the calls mmap, dlopen, dlsym, entry(arg),
   munmap on a stack of its own, each returning to address 0 where the
   SIGSEGV hands control back to us.  The other threads run meanwhile, so
   that a lock one of them holds is released.  The chosen thread's
   registers (general and extended state) are then put back as they were
   and every thread is detached: the process is not traced after this.
   Linux x86-64 only. */
#include "attach/attach.h"
#include "attach/elfsym.h"
#include "attach/maps.h"
#include "attach/target.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)

#define STACK_SIZE (256 * 1024)     /* the calls' own stack */
#define ARG_OFFSET 4096             /* the strings at its bottom: path and
                                       entry name, then from here arg */
#define ARG_MAX_LEN 4096
#define RED_ZONE 128                /* below rsp, the ABI lets code write */
#define XSTATE_MAX 16384            /* NT_X86_XSTATE (AMX needs ~11 KB) */
#define MAX_HELD 16                 /* signals held back for the thread */
#define POLL_NS 100000              /* between waitpid polls */
#define SI_KERNEL_CODE 0x80         /* si_code of the int3 trap */
#define WAKE_AFTER_MS 100           /* B: when lock waiters are woken */
#define REAP_MS 2000                /* at most, for the exits to reap */

/* Return values the kernel leaves in rax of a thread stopped inside an
   interruptible system call that it will restart. */
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516

enum { TH_RUNNING, TH_STOPPED, TH_GONE };

typedef struct Thread {
    pid_t tid;
    int state;
} Thread;

/* What one stop of a thread was, after the common handling. */
enum {
    EV_GONE,        /* the thread exited */
    EV_STOPPED,     /* PTRACE_EVENT_STOP: our interrupt, a new thread's
                       first stop, or a group-stop */
    EV_CLONE,       /* it made a thread (added to the list, stopped) */
    EV_SIGNAL,      /* a signal is about to be delivered: sig */
    EV_BREAK        /* it hit one of our breakpoints (rip set back) */
};

typedef struct Breakpoint {
    uint64_t addr;
    unsigned char orig;         /* the byte the int3 replaced */
    int armed;
} Breakpoint;

/* The names of the functions strategy B breaks on: called by the
   interpreter with the GIL held, never from inside libc or the loader,
   and at their entry no allocator lock is held.  Never malloc/free
   themselves: the loader calls them with its own lock held. */
static const char *const BREAK_AT[] = {
    "PyEval_SaveThread", "PyMem_Malloc", "PyObject_Malloc", "PyMem_Free",
    "PyObject_Free",
};
#define N_BREAK (sizeof BREAK_AT / sizeof BREAK_AT[0])

#define MAX_TEXT 8

typedef struct Inj {
    pid_t pid;
    Thread **th;                /* owned, each owned: a Thread never
                                   moves, callers keep pointers to it */
    size_t n_th, cap_th;
    Breakpoint bp[N_BREAK];
    size_t n_bp;
    /* Strategy C: the executable mappings of the file that holds
       libpython. */
    struct { uint64_t start, end; } text[MAX_TEXT];
    size_t n_text;
    int bp_used;                /* breakpoints were written at some time */
    pid_t t;                    /* the thread that runs our calls, or 0 */
    int held[MAX_HELD];         /* signals for t held during our calls */
    int n_held;
    char *err;
    size_t errlen;
} Inj;

/* --- threads ------------------------------------------------------------ */

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static Thread *
find_thread(Inj *in, pid_t tid)
{
    for (size_t i = 0; i < in->n_th; i++) {
        if (in->th[i]->tid == tid) {
            return in->th[i];
        }
    }
    return NULL;
}

/* Return: the new entry (state RUNNING), or NULL when out of memory. */
static Thread *
add_thread(Inj *in, pid_t tid)
{
    Thread *th;

    if (in->n_th == in->cap_th) {
        size_t cap = in->cap_th ? 2 * in->cap_th : 16;
        Thread **all = realloc(in->th, cap * sizeof *all);

        if (all == NULL) {
            return NULL;
        }
        in->th = all;
        in->cap_th = cap;
    }
    if ((th = malloc(sizeof *th)) == NULL) {
        return NULL;
    }
    th->tid = tid;
    th->state = TH_RUNNING;
    in->th[in->n_th++] = th;
    return th;
}

static int
n_alive(const Inj *in)
{
    int n = 0;

    for (size_t i = 0; i < in->n_th; i++) {
        n += in->th[i]->state != TH_GONE;
    }
    return n;
}

static void
exited_error(Inj *in)
{
    snprintf(in->err, in->errlen, "process %d exited while cpdb was "
             "attaching to it", (int)in->pid);
}

/* Wait for the next stop or exit of any of our threads, polling each
   (waitpid(-1) would also reap the caller's own children).
   Return: 0 with the thread and status, 1 when deadline (ms, 0 = none)
   passed, -1 when no thread is left. */
static int
wait_any(Inj *in, double deadline, Thread **out, int *status)
{
    struct timespec pause = {0, POLL_NS};

    for (;;) {
        int alive = 0;

        for (size_t i = 0; i < in->n_th; i++) {
            Thread *th = in->th[i];
            pid_t r;

            if (th->state == TH_GONE) {
                continue;
            }
            alive++;
            if (th->state == TH_STOPPED) {
                continue;
            }
            r = waitpid(th->tid, status, WNOHANG | __WALL);
            if (r == th->tid) {
                *out = th;
                return 0;
            }
            if (r < 0 && errno == ECHILD) {
                th->state = TH_GONE;    /* reaped elsewhere, or untraced */
            }
        }
        if (alive == 0) {
            return -1;
        }
        if (deadline > 0 && now_ms() > deadline) {
            return 1;
        }
        nanosleep(&pause, NULL);
    }
}

static int
is_our_break(Inj *in, uint64_t addr)
{
    for (size_t i = 0; i < in->n_bp; i++) {
        if (in->bp[i].addr == addr) {
            return 1;
        }
    }
    return 0;
}

/* The common reading of a stop: mark the thread, record new threads, and
   recognise our breakpoint traps (setting rip back onto the restored
   instruction).  *sig gets the signal of an EV_SIGNAL.
   Return: EV_*. */
static int
classify(Inj *in, Thread *th, int status, int *sig)
{
    int event = status >> 16;

    *sig = 0;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        th->state = TH_GONE;
        return EV_GONE;
    }
    th->state = TH_STOPPED;
    if (event == PTRACE_EVENT_STOP) {
        return EV_STOPPED;
    }
    if (event == PTRACE_EVENT_CLONE) {
        unsigned long tid = 0;

        if (ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &tid) == 0
            && find_thread(in, (pid_t)tid) == NULL) {
            add_thread(in, (pid_t)tid);   /* it starts with an event stop */
        }
        return EV_CLONE;
    }
    if (event != 0) {
        return EV_STOPPED;      /* an event we did not ask for */
    }
    *sig = WSTOPSIG(status);
    if (*sig == SIGTRAP && in->bp_used) {
        siginfo_t si;
        struct user_regs_struct r;

        if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) == 0
            && si.si_code == SI_KERNEL_CODE
            && ptrace(PTRACE_GETREGS, th->tid, 0, &r) == 0
            && is_our_break(in, r.rip - 1)) {
            r.rip -= 1;
            ptrace(PTRACE_SETREGS, th->tid, 0, &r);
            return EV_BREAK;
        }
    }
    return EV_SIGNAL;
}

/* Let a stopped thread go on, with signal sig (0: none).  A thread the
   kernel says is not there (ESRCH) is exiting: it stays ours to wait for,
   as its exit must be reaped by us before its process can end. */
static void
resume(Thread *th, int sig)
{
    if (ptrace(PTRACE_CONT, th->tid, 0, (void *)(long)sig) == 0
        || errno == ESRCH) {
        th->state = TH_RUNNING;
    }
}

/* A stop of a thread that is running the program's code while we work:
   let it go on, with its signal delivered as it would have been. */
static void
let_run(Thread *th, int ev, int sig)
{
    if (ev == EV_GONE) {
        return;
    }
    resume(th, ev == EV_SIGNAL ? sig : 0);
}

/* Stop every running thread (PTRACE_INTERRUPT) and wait until each is in
   a ptrace-stop, delivering the signals that arrive meanwhile.
   Return: 0, or -1 when the process is gone. */
static int
stop_all(Inj *in)
{
    for (;;) {
        Thread *th;
        int status, sig, ev, running = 0;

        for (size_t i = 0; i < in->n_th; i++) {
            if (in->th[i]->state == TH_RUNNING) {
                running++;
                ptrace(PTRACE_INTERRUPT, in->th[i]->tid, 0, 0);
            }
        }
        if (running == 0) {
            return 0;
        }
        if (wait_any(in, 0, &th, &status) < 0) {
            return -1;
        }
        ev = classify(in, th, status, &sig);
        if (ev == EV_SIGNAL || ev == EV_BREAK || ev == EV_CLONE) {
            /* Our interrupt is still pending: it stops the thread as
               soon as the signal has gone its way. */
            let_run(th, ev, sig);
        }
        for (;;) {
            /* Take every stop already there before interrupting again. */
            int got = 0;

            for (size_t i = 0; i < in->n_th; i++) {
                Thread *o = in->th[i];

                if (o->state == TH_RUNNING
                    && waitpid(o->tid, &status, WNOHANG | __WALL)
                           == o->tid) {
                    got = 1;
                    ev = classify(in, o, status, &sig);
                    if (ev == EV_SIGNAL || ev == EV_BREAK
                        || ev == EV_CLONE) {
                        let_run(o, ev, sig);
                    }
                }
            }
            if (!got) {
                break;
            }
        }
    }
}

/* --- memory and registers of the stopped thread ------------------------ */

static int
poke(pid_t tid, uint64_t addr, uint64_t word)
{
    return ptrace(PTRACE_POKEDATA, tid, (void *)addr, (void *)word) < 0
        ? -1 : 0;
}

static int
peek(pid_t tid, uint64_t addr, uint64_t *word)
{
    long v;

    errno = 0;
    v = ptrace(PTRACE_PEEKDATA, tid, (void *)addr, 0);
    if (v == -1 && errno != 0) {
        return -1;
    }
    *word = (uint64_t)v;
    return 0;
}

/* Write n bytes at addr (a region of ours: whole words are written). */
static int
write_mem(pid_t tid, uint64_t addr, const void *buf, size_t n)
{
    for (size_t k = 0; k < n; k += 8) {
        uint64_t w = 0;

        memcpy(&w, (const char *)buf + k, n - k < 8 ? n - k : 8);
        if (poke(tid, addr + k, w) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Read a NUL-terminated string of at most size - 1 bytes at addr. */
static void
read_str(pid_t tid, uint64_t addr, char *buf, size_t size)
{
    size_t k = 0;

    while (k + 1 < size) {
        uint64_t w;

        if (peek(tid, addr + k, &w) < 0) {
            break;
        }
        for (int b = 0; b < 8 && k + 1 < size; b++, k++) {
            buf[k] = (char)(w >> (8 * b));
            if (buf[k] == '\0') {
                return;
            }
        }
    }
    buf[k] = '\0';
}

/* Replace the byte at addr, keeping the 7 after it.  Return: 0 or -1. */
static int
set_byte(pid_t tid, uint64_t addr, unsigned char byte, unsigned char *old)
{
    uint64_t w;

    if (peek(tid, addr, &w) < 0) {
        return -1;
    }
    if (old != NULL) {
        *old = (unsigned char)(w & 0xff);
    }
    w = (w & ~(uint64_t)0xff) | byte;
    return poke(tid, addr, w);
}

typedef struct Saved {
    struct user_regs_struct regs;
    unsigned char *xstate;      /* owned; NULL: the FP registers instead */
    size_t xstate_len;
    struct user_fpregs_struct fp;
    int valid;
} Saved;

static int
save_thread(pid_t tid, Saved *s)
{
    struct iovec iov;

    memset(s, 0, sizeof *s);
    if (ptrace(PTRACE_GETREGS, tid, 0, &s->regs) < 0) {
        return -1;
    }
    s->xstate = malloc(XSTATE_MAX);
    iov.iov_base = s->xstate;
    iov.iov_len = XSTATE_MAX;
    if (s->xstate != NULL
        && ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) == 0) {
        s->xstate_len = iov.iov_len;
    }
    else {
        /* A processor without XSAVE: the legacy FP/SSE area is all. */
        free(s->xstate);
        s->xstate = NULL;
        if (ptrace(PTRACE_GETFPREGS, tid, 0, &s->fp) < 0) {
            return -1;
        }
    }
    s->valid = 1;
    return 0;
}

/* Put the thread back exactly as it was: with the saved rax and orig_rax
   a system call it was in restarts as if never interrupted. */
static int
restore_thread(pid_t tid, Saved *s)
{
    struct iovec iov = {s->xstate, s->xstate_len};
    int rc = 0;

    if (!s->valid) {
        return 0;
    }
    if (ptrace(PTRACE_SETREGS, tid, 0, &s->regs) < 0) {
        rc = -1;
    }
    if (s->xstate != NULL) {
        if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0) {
            rc = -1;
        }
    }
    else if (ptrace(PTRACE_SETFPREGS, tid, 0, &s->fp) < 0) {
        rc = -1;
    }
    free(s->xstate);
    s->xstate = NULL;
    s->valid = 0;
    return rc;
}

static void
hold_signal(Inj *in, int sig)
{
    for (int i = 0; i < in->n_held; i++) {
        if (in->held[i] == sig && sig < SIGRTMIN) {
            return;             /* standard signals do not queue */
        }
    }
    if (in->n_held < MAX_HELD) {
        in->held[in->n_held++] = sig;
    }
}

/* Return: 1 when the signal sig that stopped thread tid is a fault of
   its own code (the kernel's SIGSEGV, SIGBUS, SIGILL or SIGFPE), not one
   sent by someone. */
static int
is_fault(pid_t tid, int sig)
{
    siginfo_t si;

    if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE) {
        return 0;
    }
    return ptrace(PTRACE_GETSIGINFO, tid, 0, &si) == 0 && si.si_code > 0;
}

/* Call fn(args...) in the stopped thread in->t, with registers from base,
   on the stack that ends at stack_top; the call returns to address 0.
   The other threads keep running.  name names the call in errors.
   Return: 0 with rax in *ret, or -1 with err set (the thread is stopped
   again, or the process is gone). */
static int
remote_call(Inj *in, const struct user_regs_struct *base,
            uint64_t stack_top, uint64_t fn, const uint64_t *args,
            int n_args, const char *name, uint64_t *ret)
{
    struct user_regs_struct r = *base;
    Thread *t = find_thread(in, in->t);
    uint64_t sp = (stack_top & ~(uint64_t)15) - 8;
    uint64_t *const slots[] = {
        (uint64_t *)&r.rdi, (uint64_t *)&r.rsi, (uint64_t *)&r.rdx,
        (uint64_t *)&r.rcx, (uint64_t *)&r.r8, (uint64_t *)&r.r9,
    };

    if (poke(in->t, sp, 0) < 0) {
        snprintf(in->err, in->errlen, "cannot write the stack of thread %d "
                 "of process %d: %s", (int)in->t, (int)in->pid,
                 strerror(errno));
        return -1;
    }
    for (int i = 0; i < n_args && i < 6; i++) {
        *slots[i] = args[i];
    }
    /* At a function's entry rsp + 8 is 16-byte aligned (the SysV ABI). */
    r.rsp = sp;
    r.rip = fn;
    r.rax = 0;
    /* The thread may sit in a system call: orig_rax >= 0 would make the
       kernel restart it at our new rip on resume. */
    r.orig_rax = (uint64_t)-1;
    r.eflags &= ~(uint64_t)0x400;   /* DF clear, as the ABI wants */
    if (ptrace(PTRACE_SETREGS, in->t, 0, &r) < 0) {
        snprintf(in->err, in->errlen, "cannot set the registers of thread "
                 "%d of process %d: %s", (int)in->t, (int)in->pid,
                 strerror(errno));
        return -1;
    }
    resume(t, 0);
    for (;;) {
        Thread *th;
        int status, sig, ev;

        if (wait_any(in, 0, &th, &status) < 0) {
            exited_error(in);
            return -1;
        }
        ev = classify(in, th, status, &sig);
        if (th != t) {
            let_run(th, ev, sig);
            continue;
        }
        if (ev == EV_GONE) {
            exited_error(in);
            return -1;
        }
        if (ev == EV_SIGNAL && is_fault(in->t, sig)) {
            if (ptrace(PTRACE_GETREGS, in->t, 0, &r) < 0) {
                exited_error(in);
                return -1;
            }
            if (sig == SIGSEGV && r.rip == 0) {
                *ret = r.rax;
                return 0;
            }
            /* Resumed, it would fault again: give the thread back. */
            snprintf(in->err, in->errlen, "%s crashed in thread %d of "
                     "process %d (%s at 0x%llx); the thread was put back",
                     name, (int)in->t, (int)in->pid, strsignal(sig),
                     (unsigned long long)r.rip);
            return -1;
        }
        if (ev == EV_SIGNAL) {
            /* Not now: the program's handler would run on our frame. */
            hold_signal(in, sig);
        }
        resume(t, 0);
    }
}

/* --- where things are in the target ------------------------------------ */

/* Return: 0 with the run-time address of symbol name of the ELF file e
   mapped as file in maps, or -1. */
static int
symbol_address(const CpdbElf *e, const CpdbMaps *maps, const CpdbMap *file,
               const char *name, uint64_t *addr)
{
    uint64_t value, off;
    const CpdbMap *m;

    if (cpdb_elf_symbol(e, name, &value, NULL) < 0
        || cpdb_elf_file_offset(e, value, &off) < 0
        || (m = cpdb_maps_find_offset(maps, file, off)) == NULL) {
        return -1;
    }
    *addr = m->start + (off - m->offset);
    return 0;
}

/* Open the ELF file of mapping m. */
static int
open_mapped_elf(pid_t pid, const CpdbMap *m, CpdbElf *e, char *why,
                size_t whylen)
{
    char path[4200];

    cpdb_maps_file_path(pid, m, path, sizeof path);
    return cpdb_elf_open(path, e, why, whylen);
}

typedef struct LibcFuncs {
    uint64_t mmap, munmap, dlopen, dlsym;
    uint64_t dlerror;           /* 0: none to ask */
} LibcFuncs;

/* Fill the dl* functions of f from the file of mapping m under the names
   given.  Return: 0, or -1 when one is missing. */
static int
find_dl(pid_t pid, const CpdbMaps *maps, const CpdbMap *m,
        const char *open_name, const char *sym_name, const char *err_name,
        LibcFuncs *f)
{
    char why[128];
    CpdbElf e;
    int rc = -1;

    if (m == NULL || open_mapped_elf(pid, m, &e, why, sizeof why) < 0) {
        return -1;
    }
    if (symbol_address(&e, maps, m, open_name, &f->dlopen) == 0
        && symbol_address(&e, maps, m, sym_name, &f->dlsym) == 0) {
        if (err_name == NULL
            || symbol_address(&e, maps, m, err_name, &f->dlerror) < 0) {
            f->dlerror = 0;
        }
        rc = 0;
    }
    cpdb_elf_close(&e);
    return rc;
}

/* Find mmap, munmap, dlopen, dlsym and dlerror in the target's own libc:
   glibc 2.34+ and musl have the dl* functions in libc itself, older glibc
   in libdl.so.2 (when the program loaded it) or, privately, as
   __libc_dlopen_mode and __libc_dlsym. */
static int
find_libc(Inj *in, const CpdbMaps *maps, LibcFuncs *f)
{
    const CpdbMap *libc = cpdb_maps_find_base(maps, "libc.so.");
    char why[128];
    CpdbElf e;
    int rc = 0;

    if (libc == NULL) {
        libc = cpdb_maps_find_base(maps, "libc.musl-");
    }
    if (libc == NULL) {
        libc = cpdb_maps_find_base(maps, "libc-2.");
    }
    if (libc == NULL) {
        snprintf(in->err, in->errlen, "process %d has no C library mapped "
                 "(statically linked?); cpdb cannot load its agent there",
                 (int)in->pid);
        return -1;
    }
    if (open_mapped_elf(in->pid, libc, &e, why, sizeof why) < 0) {
        snprintf(in->err, in->errlen, "cannot read %s of process %d: %s",
                 libc->path, (int)in->pid, why);
        return -1;
    }
    if (symbol_address(&e, maps, libc, "mmap", &f->mmap) < 0
        || symbol_address(&e, maps, libc, "munmap", &f->munmap) < 0) {
        rc = -1;
    }
    cpdb_elf_close(&e);
    if (rc == 0
        && find_dl(in->pid, maps, libc, "dlopen", "dlsym", "dlerror", f) < 0
        && find_dl(in->pid, maps, cpdb_maps_find_base(maps, "libdl.so."),
                   "dlopen", "dlsym", "dlerror", f) < 0
        && find_dl(in->pid, maps, libc, "__libc_dlopen_mode",
                   "__libc_dlsym", NULL, f) < 0) {
        rc = -1;
    }
    if (rc < 0) {
        snprintf(in->err, in->errlen, "cannot find mmap/dlopen/dlsym in the "
                 "C library of process %d (%s); it cannot load cpdb's agent",
                 (int)in->pid, libc->path);
    }
    return rc;
}

/* Find the entries of the functions of BREAK_AT in the file that holds
   libpython. */
static int
find_breakpoints(Inj *in, const CpdbMaps *maps)
{
    const CpdbMap *py;
    char why[128];
    CpdbElf e;
    int is_static;

    in->n_bp = 0;
    py = cpdb_target_python_map(in->pid, maps, &is_static);
    if (py == NULL) {
        return -1;
    }
    in->n_text = 0;
    for (size_t i = 0; i < maps->n && in->n_text < MAX_TEXT; i++) {
        const CpdbMap *m = &maps->items[i];
        if (m->perms[2] == 'x' && m->inode == py->inode
            && m->dev_major == py->dev_major && m->dev_minor == py->dev_minor) {
            in->text[in->n_text].start = m->start;
            in->text[in->n_text].end = m->end;
            in->n_text++;
        }
    }
    if (open_mapped_elf(in->pid, py, &e, why, sizeof why) < 0) {
        return -1;
    }
    for (size_t i = 0; i < N_BREAK; i++) {
        uint64_t addr;

        if (symbol_address(&e, maps, py, BREAK_AT[i], &addr) == 0) {
            in->bp[in->n_bp].addr = addr;
            in->bp[in->n_bp].armed = 0;
            in->n_bp++;
        }
    }
    cpdb_elf_close(&e);
    return in->n_bp > 0 ? 0 : -1;
}

/* --- choosing the thread ----------------------------------------------- */

/* Return: 1 when fd of the process is a socket, a pipe or a terminal:
   a blocking read of those is a wait, not the loader reading a file. */
static int
fd_is_stream(pid_t pid, long fd)
{
    char path[96], target[256];
    ssize_t n;

    snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)pid, fd);
    n = readlink(path, target, sizeof target - 1);
    if (n <= 0) {
        return 0;
    }
    target[n] = '\0';
    return strncmp(target, "socket:", 7) == 0
        || strncmp(target, "pipe:", 5) == 0
        || strncmp(target, "/dev/pts/", 9) == 0
        || strncmp(target, "/dev/tty", 8) == 0;
}

/* Return: 1 when regs show a thread stopped inside a blocking system call
   that the C library never makes with one of its locks held (futex is not
   one: malloc's and the loader's lock waits are futexes too). */
static int
in_safe_syscall(pid_t pid, const struct user_regs_struct *r)
{
    long rax = (long)r->rax;

    /* Inside the call, to be restarted; or one that never restarts
       (epoll_wait, poll after a stop) on its way out with EINTR. */
    if ((rax > -ERESTARTSYS || rax < -ERESTART_RESTARTBLOCK)
        && rax != -EINTR) {
        return 0;
    }
    switch ((long)r->orig_rax) {
    case SYS_clock_nanosleep:
    case SYS_nanosleep:
    case SYS_select:
    case SYS_pselect6:
    case SYS_poll:
    case SYS_ppoll:
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
    case SYS_accept:
    case SYS_accept4:
    case SYS_recvfrom:
    case SYS_recvmsg:
    case SYS_wait4:
    case SYS_waitid:
    case SYS_pause:
    case SYS_rt_sigtimedwait:
        return 1;
    case SYS_read:
        return fd_is_stream(pid, (long)r->rdi);
    default:
        return 0;
    }
}

/* Strategy A: a stopped thread in a safe system call, the main thread
   first.  Return: its tid, or 0. */
static pid_t
pick_in_syscall(Inj *in, long *nr)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < in->n_th; i++) {
            Thread *th = in->th[i];
            struct user_regs_struct r;

            if (th->state != TH_STOPPED || (pass == 0) != (th->tid == in->pid)
                || ptrace(PTRACE_GETREGS, th->tid, 0, &r) < 0) {
                continue;
            }
            if (in_safe_syscall(in->pid, &r)) {
                *nr = (long)r.orig_rax;
                return th->tid;
            }
        }
    }
    return 0;
}

static void
disarm_breakpoints(Inj *in, pid_t via)
{
    for (size_t i = 0; i < in->n_bp; i++) {
        if (in->bp[i].armed
            && set_byte(via, in->bp[i].addr, in->bp[i].orig, NULL) == 0) {
            in->bp[i].armed = 0;
        }
    }
}

/* Every thread stopped: make the futex waits among them return EINTR
   when resumed, instead of restarting, as a signal with a handler does.
   Every user of futex waits again on a spurious wake-up; a Python thread
   waiting on a lock comes back through PyEval_SaveThread on its way to
   waiting again.  Return: how many threads were woken. */
static int
wake_lock_waiters(Inj *in)
{
    int n = 0;

    for (size_t i = 0; i < in->n_th; i++) {
        Thread *th = in->th[i];
        struct user_regs_struct r;

        /* A futex wait with a timeout that was stopped before goes on
           as restart_syscall. */
        if (th->state != TH_STOPPED
            || ptrace(PTRACE_GETREGS, th->tid, 0, &r) < 0
            || ((long)r.orig_rax != SYS_futex
                && (long)r.orig_rax != SYS_restart_syscall)
            || (long)r.rax > -ERESTARTSYS
            || (long)r.rax < -ERESTART_RESTARTBLOCK) {
            continue;
        }
        r.rax = (uint64_t)-EINTR;
        r.orig_rax = (uint64_t)-1;
        n += ptrace(PTRACE_SETREGS, th->tid, 0, &r) == 0;
    }
    return n;
}

static void
resume_stopped(Inj *in)
{
    for (size_t i = 0; i < in->n_th; i++) {
        if (in->th[i]->state == TH_STOPPED) {
            resume(in->th[i], 0);
        }
    }
}

/* Strategy B: break at the entry of the BREAK_AT functions, let every
   thread run, and take the first that gets there.  When none has come
   after a quarter of the time (at most WAKE_AFTER_MS), every thread may
   be waiting on a lock: those are woken once (wake_lock_waiters).
   *woken gets how many were.  Return: the tid of the chosen thread
   (stopped at the function's entry, the breakpoints gone), 0 when none
   came before deadline (every thread is stopped again), -1 when the
   process is gone. */
static pid_t
pick_at_breakpoint(Inj *in, double deadline, int *woken)
{
    double wake_at = now_ms() + (deadline - now_ms()) / 4;
    pid_t via = 0, chosen = 0;

    *woken = -1;
    if (wake_at > now_ms() + WAKE_AFTER_MS) {
        wake_at = now_ms() + WAKE_AFTER_MS;
    }
    for (size_t i = 0; i < in->n_th && via == 0; i++) {
        if (in->th[i]->state == TH_STOPPED) {
            via = in->th[i]->tid;
        }
    }
    in->bp_used = 1;
    for (size_t i = 0; i < in->n_bp; i++) {
        if (set_byte(via, in->bp[i].addr, 0xcc, &in->bp[i].orig) == 0) {
            in->bp[i].armed = 1;
        }
    }
    resume_stopped(in);
    while (chosen == 0) {
        Thread *th;
        int status, sig, ev;
        int w = wait_any(in, *woken < 0 ? wake_at : deadline, &th, &status);

        if (w < 0) {
            return -1;
        }
        if (w > 0 && *woken < 0 && now_ms() < deadline) {
            if (stop_all(in) < 0) {
                return -1;
            }
            *woken = wake_lock_waiters(in);
            resume_stopped(in);
            continue;
        }
        if (w > 0) {
            break;
        }
        ev = classify(in, th, status, &sig);
        if (ev == EV_BREAK) {
            chosen = th->tid;
            disarm_breakpoints(in, chosen);
        }
        else {
            let_run(th, ev, sig);
        }
    }
    if (*woken < 0) {
        *woken = 0;
    }
    if (chosen == 0) {
        if (stop_all(in) < 0) {
            return -1;
        }
        for (size_t i = 0; i < in->n_th; i++) {
            if (in->th[i]->state == TH_STOPPED) {
                disarm_breakpoints(in, in->th[i]->tid);
                break;
            }
        }
    }
    return chosen;
}

/* Return: the signals a thread blocks and those the process catches,
   from /proc (0 when unknown). */
static uint64_t
status_mask(pid_t pid, pid_t tid, const char *name)
{
    char buf[64];
    return cpdb_proc_status(pid, tid, name, buf, sizeof buf) == 0
           ? strtoull(buf, NULL, 16) : 0;
}

/* Strategy C, for a thread that runs Python code and never calls one of
   BREAK_AT's functions (a loop that allocates nothing): a stopped thread
   interrupted in the interpreter's own code (the executable mappings of
   the file that holds libpython), not in a system call, and not in a
   signal handler (no signal the process catches is blocked in it, as a
   handler's own signal is while it runs).  Code there holds no lock of
   the C library: libc calls none of the interpreter's functions with
   one held.  Return: the thread, or 0. */
static pid_t
pick_in_interpreter(Inj *in)
{
    uint64_t caught = status_mask(in->pid, in->pid, "SigCgt");
    for (size_t i = 0; i < in->n_th; i++) {
        struct user_regs_struct r;
        pid_t tid = in->th[i]->tid;
        int inside = 0;
        if (in->th[i]->state != TH_STOPPED
            || ptrace(PTRACE_GETREGS, tid, 0, &r) < 0
            || (long)r.orig_rax >= 0) {
            continue;
        }
        for (size_t k = 0; k < in->n_text; k++) {
            inside |= r.rip >= in->text[k].start && r.rip < in->text[k].end;
        }
        if (inside && (status_mask(in->pid, tid, "SigBlk") & caught) == 0) {
            return tid;
        }
    }
    return 0;
}

/* --- seizing and letting go -------------------------------------------- */

/* Return: 1 when thread tid of pid is traced by this process. */
static int
traced_by_us(pid_t pid, pid_t tid)
{
    char buf[32];

    return cpdb_proc_status(pid, tid, "TracerPid", buf, sizeof buf) == 0
        && (pid_t)atol(buf) == getpid();
}

/* Return: 1 when thread tid of pid is still there. */
static int
task_exists(pid_t pid, pid_t tid)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/task/%d", (int)pid, (int)tid);
    return access(path, F_OK) == 0;
}

/* Seize every thread of the process (again until no new one appears) and
   interrupt it.  Return: 0, or -1 with err set. */
static int
seize_all(Inj *in)
{
    for (int round = 0; round < 100; round++) {
        char path[64];
        DIR *d;
        struct dirent *de;
        int added = 0;

        snprintf(path, sizeof path, "/proc/%d/task", (int)in->pid);
        d = opendir(path);
        if (d == NULL) {
            exited_error(in);
            return -1;
        }
        while ((de = readdir(d)) != NULL) {
            pid_t tid = (pid_t)atoi(de->d_name);
            Thread *th;

            if (tid <= 0 || find_thread(in, tid) != NULL) {
                continue;
            }
            if (ptrace(PTRACE_SEIZE, tid, 0,
                       (void *)(long)PTRACE_O_TRACECLONE) < 0) {
                if (errno == ESRCH && tid != in->pid) {
                    continue;   /* a thread that just ended */
                }
                if (errno == EPERM && tid != in->pid) {
                    int mine = traced_by_us(in->pid, tid);

                    if (mine || !task_exists(in->pid, tid)) {
                        /* Made by a thread seized already, so attached
                           with its clone (its first stop or its exit is
                           on its way), or ended since. */
                        if (mine && add_thread(in, tid) == NULL) {
                            snprintf(in->err, in->errlen, "out of memory");
                            closedir(d);
                            return -1;
                        }
                        added += mine;
                        continue;
                    }
                }
                if (errno == ESRCH) {
                    exited_error(in);
                }
                else if (!cpdb_target_traced(in->pid, tid, in->err,
                                             in->errlen)) {
                    cpdb_target_denied(in->pid, in->err, in->errlen);
                }
                closedir(d);
                return -1;
            }
            th = add_thread(in, tid);
            if (th == NULL) {
                ptrace(PTRACE_DETACH, tid, 0, 0);
                snprintf(in->err, in->errlen, "out of memory");
                closedir(d);
                return -1;
            }
            added++;
        }
        closedir(d);
        if (added == 0) {
            return 0;
        }
    }
    return 0;
}

/* Return: 1 when thread tid has a SIGTRAP pending (reported after our
   interrupt stop: an int3 it hit just before the stop). */
static int
trap_pending(pid_t pid, pid_t tid)
{
    char buf[64];

    if (cpdb_proc_status(pid, tid, "SigPnd", buf, sizeof buf) < 0) {
        return 0;
    }
    return (strtoull(buf, NULL, 16) >> (SIGTRAP - 1)) & 1;
}

/* Every thread stopped: take the traps of our breakpoints that are still
   pending, so that none reaches the program after the detach. */
static void
drain_traps(Inj *in)
{
    for (size_t i = 0; i < in->n_th; i++) {
        Thread *th = in->th[i];
        struct user_regs_struct r;

        if (th->state != TH_STOPPED || !trap_pending(in->pid, th->tid)
            || ptrace(PTRACE_GETREGS, th->tid, 0, &r) < 0
            || !is_our_break(in, r.rip - 1)) {
            continue;
        }
        resume(th, 0);
        while (th->state == TH_RUNNING) {
            Thread *o;
            int status, sig, ev;

            if (wait_any(in, 0, &o, &status) < 0) {
                return;
            }
            ev = classify(in, o, status, &sig);
            if (o == th) {
                if (ev == EV_SIGNAL || ev == EV_CLONE) {
                    /* Not ours after all: deliver, and stop it again. */
                    resume(th, ev == EV_SIGNAL ? sig : 0);
                    ptrace(PTRACE_INTERRUPT, th->tid, 0, 0);
                }
            }
            else {
                let_run(o, ev, sig);
                ptrace(PTRACE_INTERRUPT, o->tid, 0, 0);
            }
        }
    }
}

/* Wait for the exits of the threads still ours after the detach (an
   exiting process: until we reap them, its parent cannot), detaching any
   that stops instead.  Bounded: the kernel reports them at once. */
static void
reap_exiting(Inj *in)
{
    double deadline = now_ms() + REAP_MS;
    Thread *th;
    int status;

    while (wait_any(in, deadline, &th, &status) == 0) {
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            th->state = TH_GONE;
        }
        else {
            ptrace(PTRACE_DETACH, th->tid, 0, 0);
            th->state = TH_GONE;
        }
    }
}

/* Stop everything, then detach every thread; the signals held for the
   calling thread are delivered to it. */
static void
release_all(Inj *in)
{
    int first = 1;

    if (stop_all(in) == 0 && in->bp_used) {
        drain_traps(in);
        stop_all(in);
    }
    for (size_t i = 0; i < in->n_th; i++) {
        Thread *th = in->th[i];
        int sig = 0;

        if (th->state != TH_STOPPED) {
            continue;
        }
        if (th->tid == in->t && in->n_held > 0) {
            sig = in->held[0];
            first = 0;
        }
        /* ESRCH: killed meanwhile (the process exits); its exit is ours
           to reap, below. */
        th->state = ptrace(PTRACE_DETACH, th->tid, 0, (void *)(long)sig) < 0
                    && errno == ESRCH ? TH_RUNNING : TH_GONE;
    }
    reap_exiting(in);
    for (int i = first ? 0 : 1; i < in->n_held; i++) {
        syscall(SYS_tgkill, (int)in->pid, (int)in->t, in->held[i]);
    }
}

/* --- the agent's file --------------------------------------------------- */

/* Copy the file from to the new file to, mode 0500.  Return: 0 or -1. */
static int
copy_file(const char *from, const char *to)
{
    char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
    ssize_t n;

    if (in < 0) {
        return -1;
    }
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0500);
    if (out < 0) {
        goto done;
    }
    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, (size_t)n) != n) {
            goto done;
        }
    }
    rc = n == 0 ? 0 : -1;
done:
    if (out >= 0 && close(out) < 0) {
        rc = -1;
    }
    close(in);
    return rc;
}

/* Return: 1 when the files at paths a and b have the same bytes. */
static int
same_contents(const char *a, const char *b)
{
    char ba[65536], bb[65536];
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
    int same = fa >= 0 && fb >= 0;

    while (same) {
        ssize_t na = read(fa, ba, sizeof ba), nb;

        if (na <= 0) {
            same = na == 0 && read(fb, bb, 1) == 0;
            break;
        }
        nb = read(fb, bb, (size_t)na);
        same = nb == na && memcmp(ba, bb, (size_t)na) == 0;
    }
    if (fa >= 0) {
        close(fa);
    }
    if (fb >= 0) {
        close(fb);
    }
    return same;
}

/* A copy of the agent made by an earlier attach (unlinked since, still
   mapped): the loader knows it by that name, so that dlopen of the name
   returns the loaded object without opening a file.  Return: 1 with the
   name in in_target when maps hold one with the same bytes as agent. */
static int
find_copy(pid_t pid, const CpdbMaps *maps, const char *agent,
          char *in_target, size_t size)
{
    const char *base = strrchr(agent, '/');

    for (size_t i = 0; i < maps->n; i++) {
        const CpdbMap *m = &maps->items[i];
        const char *mbase = strrchr(m->path, '/');
        char path[128];

        if (!m->deleted || m->offset != 0 || mbase == NULL
            || strncmp(m->path, "/tmp/cpdb-", 10) != 0
            || strcmp(mbase, base) != 0) {
            continue;
        }
        snprintf(path, sizeof path, "/proc/%d/map_files/%llx-%llx",
                 (int)pid, (unsigned long long)m->start,
                 (unsigned long long)m->end);
        if (same_contents(path, agent)) {
            snprintf(in_target, size, "%s", m->path);
            return 1;
        }
    }
    return 0;
}

/* Give the copy of the agent and its folder to the target's user, so that
   a target running as another user can read it. */
static void
give_to_target(pid_t pid, const char *dir, const char *file)
{
    char uid[64], gid[64];
    uid_t u;
    gid_t g = (gid_t)-1;

    /* Uid: real, effective, saved, fs: the effective one opens files. */
    if (cpdb_proc_status(pid, 0, "Uid", uid, sizeof uid) < 0) {
        return;
    }
    u = (uid_t)strtoul(uid + strcspn(uid, " \t"), NULL, 10);
    if (cpdb_proc_status(pid, 0, "Gid", gid, sizeof gid) == 0) {
        g = (gid_t)strtoul(gid + strcspn(gid, " \t"), NULL, 10);
    }
    if (u != geteuid() && (chown(dir, u, g) < 0 || chown(file, u, g) < 0)) {
        /* Then dlopen says it cannot open the file: that is the error. */
    }
}

/* Where the target finds the agent: its path as given when the target sees
   the same file there; an earlier copy still mapped; else a new copy in a
   fresh 0700 directory of the target's /tmp (copy_dir and copy_path then
   name them as cpdb sees them, to be removed once dlopen is done).
   *reused is set when the agent is mapped already.
   Return: 0, or -1 with err set. */
static int
place_agent(Inj *in, const CpdbMaps *maps, const char *agent,
            char *in_target, size_t size, char *copy_dir, char *copy_path,
            size_t copy_size, int *reused)
{
    char seen[PATH_MAX + 64], root[64];
    struct stat ours, theirs;

    copy_dir[0] = copy_path[0] = '\0';
    *reused = 0;
    if (stat(agent, &ours) < 0) {
        snprintf(in->err, in->errlen, "cannot read the agent %s: %s", agent,
                 strerror(errno));
        return -1;
    }
    snprintf(root, sizeof root, "/proc/%d/root", (int)in->pid);
    snprintf(seen, sizeof seen, "%s%s", root, agent);
    if (stat(seen, &theirs) == 0 && theirs.st_dev == ours.st_dev
        && theirs.st_ino == ours.st_ino) {
        snprintf(in_target, size, "%s", agent);
        for (size_t i = 0; i < maps->n; i++) {
            *reused |= maps->items[i].inode == ours.st_ino
                && strcmp(maps->items[i].path, agent) == 0;
        }
        return 0;
    }
    if (find_copy(in->pid, maps, agent, in_target, size)) {
        *reused = 1;
        return 0;
    }
    snprintf(copy_dir, copy_size, "%s/tmp/cpdb-XXXXXX", root);
    if (mkdtemp(copy_dir) == NULL) {
        snprintf(in->err, in->errlen, "the agent %s is not visible in "
                 "process %d and cannot be copied to its /tmp: %s", agent,
                 (int)in->pid, strerror(errno));
        copy_dir[0] = '\0';
        return -1;
    }
    snprintf(copy_path, copy_size, "%s%s", copy_dir, strrchr(agent, '/'));
    if (copy_file(agent, copy_path) < 0) {
        snprintf(in->err, in->errlen, "cannot copy the agent into %s: %s",
                 copy_dir, strerror(errno));
        unlink(copy_path);
        rmdir(copy_dir);
        copy_dir[0] = copy_path[0] = '\0';
        return -1;
    }
    give_to_target(in->pid, copy_dir, copy_path);
    snprintf(in_target, size, "%s", copy_path + strlen(root));
    return 0;
}

/* --- the whole injection ------------------------------------------------ */

/* The calls in the chosen thread: mmap a stack, dlopen, dlsym, entry(arg),
   munmap.  Return: 0 with entry's value in *result, or -1 with err set. */
static int
run_calls(Inj *in, const LibcFuncs *f, const char *path,
          const char *copy_path, const char *entry, const char *arg,
          int *result)
{
    Saved saved;
    uint64_t stack = 0, ret = 0, handle, fn, a[6];
    uint64_t small_top;
    size_t lp = strlen(path) + 1, le = strlen(entry) + 1;
    size_t la = strlen(arg) + 1;
    int rc = -1;

    if (lp + le + 8 > ARG_OFFSET || la > ARG_MAX_LEN) {
        snprintf(in->err, in->errlen, "the agent's path and argument are "
                 "too long");
        return -1;
    }
    if (save_thread(in->t, &saved) < 0) {
        snprintf(in->err, in->errlen, "cannot read the registers of thread "
                 "%d of process %d: %s", (int)in->t, (int)in->pid,
                 strerror(errno));
        return -1;
    }
    /* mmap and munmap need a few words of stack: the thread's own, below
       the red zone that the interrupted code may use. */
    small_top = saved.regs.rsp - RED_ZONE - 256;
    a[0] = 0;
    a[1] = STACK_SIZE;
    a[2] = PROT_READ | PROT_WRITE;
    a[3] = MAP_PRIVATE | MAP_ANONYMOUS;
    a[4] = (uint64_t)-1;
    a[5] = 0;
    if (remote_call(in, &saved.regs, small_top, f->mmap, a, 6, "mmap",
                    &ret) < 0) {
        goto restore;
    }
    if (ret == (uint64_t)MAP_FAILED || ret == 0) {
        snprintf(in->err, in->errlen, "mmap of a stack in process %d "
                 "failed (error %d)", (int)in->pid, -(int)(int64_t)ret);
        goto restore;
    }
    stack = ret;
    if (write_mem(in->t, stack, path, lp) < 0
        || write_mem(in->t, stack + ((lp + 7) & ~(size_t)7), entry, le) < 0
        || write_mem(in->t, stack + ARG_OFFSET, arg, la) < 0) {
        snprintf(in->err, in->errlen, "cannot write into process %d: %s",
                 (int)in->pid, strerror(errno));
        goto unmap;
    }
    a[0] = stack;
    a[1] = RTLD_NOW;
    rc = remote_call(in, &saved.regs, stack + STACK_SIZE, f->dlopen, a, 2,
                     "dlopen", &handle);
    if (copy_path[0] != '\0') {
        unlink(copy_path);      /* mapped now (or failed): not needed */
    }
    if (rc < 0) {
        goto unmap;
    }
    rc = -1;
    if (handle == 0) {
        char msg[512];

        if (f->dlerror != 0
            && remote_call(in, &saved.regs, stack + STACK_SIZE, f->dlerror,
                           a, 0, "dlerror", &ret) == 0 && ret != 0) {
            read_str(in->t, ret, msg, sizeof msg);
        }
        else {
            snprintf(msg, sizeof msg, "no reason given");
        }
        snprintf(in->err, in->errlen, "process %d could not load %s: %s",
                 (int)in->pid, path, msg);
        goto unmap;
    }
    a[0] = handle;
    a[1] = stack + ((lp + 7) & ~(size_t)7);
    if (remote_call(in, &saved.regs, stack + STACK_SIZE, f->dlsym, a, 2,
                    "dlsym", &fn) < 0) {
        goto unmap;
    }
    if (fn == 0) {
        snprintf(in->err, in->errlen, "%s has no function %s", path, entry);
        goto unmap;
    }
    a[0] = stack + ARG_OFFSET;
    if (remote_call(in, &saved.regs, stack + STACK_SIZE, fn, a, 1, entry,
                    &ret) < 0) {
        goto unmap;
    }
    *result = (int)(int32_t)(uint32_t)ret;
    rc = 0;
unmap:
    if (stack != 0) {
        a[0] = stack;
        a[1] = STACK_SIZE;
        if (remote_call(in, &saved.regs, small_top, f->munmap, a, 2,
                        "munmap", &ret) < 0 && rc == 0) {
            rc = -1;
        }
    }
restore:
    if (restore_thread(in->t, &saved) < 0 && rc == 0) {
        snprintf(in->err, in->errlen, "cannot restore the registers of "
                 "thread %d of process %d", (int)in->t, (int)in->pid);
        rc = -1;
    }
    return rc;
}

int
cpdb_attach_inject(pid_t pid, const char *agent_path, const char *entry,
                   const char *arg, int timeout_ms, int *result,
                   CpdbInjectStats *stats, char *err, size_t errlen)
{
    CpdbTarget target;
    CpdbMaps maps = {0};
    LibcFuncs libc;
    Inj in;
    CpdbInjectStats st;
    sigset_t block, old;
    char agent[PATH_MAX], in_target[PATH_MAX], copy_dir[PATH_MAX + 64];
    char copy_path[PATH_MAX + 64];
    double t0;
    long nr = -1;
    int rc = -1;

    memset(&in, 0, sizeof in);
    memset(&st, 0, sizeof st);
    if (errlen > 0) {
        err[0] = '\0';
    }
    if (agent_path == NULL || entry == NULL || result == NULL) {
        snprintf(err, errlen, "no agent or entry to load");
        return -1;
    }
    if (arg == NULL) {
        arg = "";
    }
    if (timeout_ms <= 0) {
        timeout_ms = 1000;
    }
    in.pid = pid;
    in.err = err;
    in.errlen = errlen;
    copy_dir[0] = copy_path[0] = '\0';
    if (cpdb_target_probe(pid, &target, err, errlen) < 0) {
        return -1;
    }
    if (realpath(agent_path, agent) == NULL) {
        snprintf(err, errlen, "cannot find the agent %s: %s", agent_path,
                 strerror(errno));
        return -1;
    }
    if (cpdb_maps_read(pid, &maps) < 0) {
        cpdb_target_denied(pid, err, errlen);
        goto not_started;
    }
    if (find_libc(&in, &maps, &libc) < 0) {
        goto not_started;
    }
    find_breakpoints(&in, &maps);
    if (place_agent(&in, &maps, agent, in_target, sizeof in_target,
                    copy_dir, copy_path, sizeof copy_path, &st.reused) < 0) {
        goto not_started;
    }
    cpdb_maps_free(&maps);
    st.copied = copy_dir[0] != '\0';

    /* Killed while a thread runs our call, cpdb would leave it returning
       to address 0: hold the usual "please stop" signals until done. */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGPIPE);
    sigprocmask(SIG_BLOCK, &block, &old);
    t0 = now_ms();
    if (seize_all(&in) < 0 || stop_all(&in) < 0) {
        if (n_alive(&in) == 0 && err[0] == '\0') {
            exited_error(&in);
        }
        goto done;
    }
    in.t = pick_in_syscall(&in, &nr);
    if (in.t != 0) {
        st.strategy = 'A';
        st.syscall_nr = nr;
        for (size_t i = 0; i < in.n_th; i++) {
            if (in.th[i]->tid != in.t && in.th[i]->state == TH_STOPPED) {
                resume(in.th[i], 0);
            }
        }
    }
    else if (in.n_bp > 0) {
        pid_t t = pick_at_breakpoint(&in, now_ms() + timeout_ms,
                                     &st.woken);

        if (t < 0) {
            exited_error(&in);
            goto done;
        }
        in.t = t;
        st.strategy = 'B';
        if (t == 0) {
            in.t = pick_in_interpreter(&in);
            st.strategy = 'C';
        }
    }
    if (in.t != 0 && st.strategy == 'C') {
        for (size_t i = 0; i < in.n_th; i++) {
            if (in.th[i]->tid != in.t && in.th[i]->state == TH_STOPPED) {
                resume(in.th[i], 0);
            }
        }
    }
    if (in.t == 0) {
        snprintf(err, errlen, "no safe point in process %d within %d ms "
                 "(its threads run C code, or wait in system calls that cpdb "
                 "does not interrupt); try again", (int)pid, timeout_ms);
        goto done;
    }
    st.tid = in.t;
    if (run_calls(&in, &libc, in_target, copy_path, entry, arg, result)
        == 0) {
        rc = 0;
    }
done:
    if (copy_dir[0] != '\0') {
        unlink(copy_path);
        rmdir(copy_dir);
    }
    if (rc < 0 && cpdb_target_gone(pid)) {
        exited_error(&in);
    }
    if (n_alive(&in) > 0) {
        release_all(&in);
    }
    st.ms = now_ms() - t0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (size_t i = 0; i < in.n_th; i++) {
        free(in.th[i]);
    }
    free(in.th);
    if (stats != NULL) {
        *stats = st;
    }
    return rc;
not_started:
    /* A process that ends while we read it fails any step: say so. */
    cpdb_maps_free(&maps);
    if (cpdb_target_gone(pid)) {
        exited_error(&in);
    }
    return -1;
}

#else /* not x86-64 */

int
cpdb_attach_inject(pid_t pid, const char *agent_path, const char *entry,
                   const char *arg, int timeout_ms, int *result,
                   CpdbInjectStats *stats, char *err, size_t errlen)
{
    (void)pid, (void)agent_path, (void)entry, (void)arg, (void)timeout_ms;
    (void)result, (void)stats;
    snprintf(err, errlen, "attaching to a process is supported on Linux "
             "x86-64 only");
    return -1;
}

#endif
