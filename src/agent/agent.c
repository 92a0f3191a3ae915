/* The agent: what "cpdb -p PID" loads into a running Python process.

   cpdb's injector (src/attach) calls cpdb_agent_start() once, in one of
   the process's threads at a safe point, with the path of a socket cpdb
   listens on.  That call only starts the agent's own thread; the thread
   connects to cpdb, takes the GIL, and runs the engine and the command
   interpreter here, with the prompt's lines and output going over the
   socket (src/remote).  cpdb's process is only the console.

   The agent's thread:
   1. begins the session (core/attach.c) and asks for a stop at the next
      line any thread runs;
   2. lets go of the GIL for up to STOP_WAIT_MS; when no thread stopped
      (every one sleeping or waiting in C), it takes the GIL back and
      stops itself on the main thread's behalf (the prompt then holds the
      GIL: all-stop);
   3. waits for Ctrl-C (an INTERRUPT message: step 1 again), a detach
      (quit, kill, detach or the end of input at any stop) or the loss of
      the connection (cpdb killed: the same as detach);
   4. detaching, takes everything out of the process again, says BYE, and
      ends.  The library stays mapped (it is never unloaded: frames
      already running may still return through its code), and the next
      attach calls cpdb_agent_start() again. */
#include "cpdb/cpdb.h"
#include "agent/agent.h"
#include "cli/cli.h"
#include "core/attach.h"
#include "core/session.h"
#include "dap/dap_main.h"
#include "remote/engine.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* How long the threads may take to reach a line before the agent stops
   in their place: a thread running Python reaches one within a switch
   interval (5 ms); longer means it waits in C. */
#define STOP_WAIT_MS 300

typedef struct Agent {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    uid_t uid;              /* the attaching user's */
    char backend[16];       /* "default", or the one to use */
    int dap;                /* the socket speaks DAP (cpdb --dap) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Under mu: what woke the agent's thread. */
    int interrupt;          /* Ctrl-C came */
    int hangup;             /* the connection is gone */
    int detach;             /* a stop asked to detach */
} Agent;

static Agent agent = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .cv = PTHREAD_COND_INITIALIZER,
};
static atomic_int live;     /* a session is on (or starting) */

static void
wake(int *flag)
{
    pthread_mutex_lock(&agent.mu);
    *flag = 1;
    pthread_cond_broadcast(&agent.cv);
    pthread_mutex_unlock(&agent.mu);
}

static void
on_interrupt(void *ctx)
{
    (void)ctx;
    wake(&agent.interrupt);
}

static void
on_hangup(void *ctx)
{
    (void)ctx;
    wake(&agent.hangup);
}

static void
on_detach(CpdbSession *s, void *ctx)
{
    (void)s;
    (void)ctx;
    wake(&agent.detach);
}

/* --- the connection ------------------------------------------------------- */

/* --- a child the program forks ------------------------------------------- */

/* The session and its socket while one is on (else NULL and -1): what a
   child forked meanwhile must let go of.  The child runs free, without
   the debugger (gdb's follow-fork-mode parent): no stop there could
   reach the console, whose reader thread is the parent's. */
static CpdbSession *volatile live_session;
static volatile int live_fd = -1;

/* In the child, right after fork (async-signal-safe: no Python, no
   lock): no stop from now on, and the parent's socket closed, so that
   the console hears when the parent goes. */
static void
child_after_fork(void)
{
    CpdbSession *s = live_session;
    if (s != NULL) {
        s->detach = CPDB_DETACH;
        if (live_fd >= 0) {
            close(live_fd);
        }
    }
    live_session = NULL;
    live_fd = -1;
}

/* os.register_at_fork's after_in_child, with the GIL: the child's
   events stop too.  s was the live session when the child forked. */
static CpdbSession *forked_session;

static void
child_before_python(void)
{
    forked_session = live_session;
}

static PyObject *
child_stop_tracing(PyObject *self, PyObject *unused)
{
    CpdbSession *s = forked_session;
    (void)self;
    (void)unused;
    forked_session = NULL;
    if (s != NULL && s->tracing) {
        s->backend->stop(&s->trace);
        s->tracing = 0;
    }
    PyErr_Clear();
    Py_RETURN_NONE;
}

static PyMethodDef child_stop_tracing_def = {
    "cpdb_agent_after_fork", child_stop_tracing, METH_NOARGS, NULL};

/* Once per process (the handlers outlive sessions: neither C's nor
   Python's can be taken back, so they do nothing without one).  With
   the GIL. */
static void
watch_forks(void)
{
    static int done;
    PyObject *os, *fn, *r = NULL;
    if (done) {
        return;
    }
    done = 1;
    pthread_atfork(child_before_python, NULL, child_after_fork);
    os = PyImport_ImportModule("os");
    fn = PyCFunction_New(&child_stop_tracing_def, NULL);
    if (os != NULL && fn != NULL) {
        PyObject *reg = PyObject_GetAttrString(os, "register_at_fork");
        PyObject *args = PyTuple_New(0);
        PyObject *kw = Py_BuildValue("{sO}", "after_in_child", fn);
        if (reg != NULL && args != NULL && kw != NULL) {
            r = PyObject_Call(reg, args, kw);
        }
        Py_XDECREF(kw);
        Py_XDECREF(args);
        Py_XDECREF(reg);
    }
    Py_XDECREF(r);
    Py_XDECREF(fn);
    Py_XDECREF(os);
    PyErr_Clear();
}

/* Connect to cpdb's socket; its owner must be the attaching user or
   root.  Return: the socket, or -1. */
static int
connect_cpdb(void)
{
    struct sockaddr_un addr;
    struct ucred cred;
    socklen_t len = sizeof cred;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, agent.path, sizeof addr.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0
        || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0
        || (cred.uid != agent.uid && cred.uid != 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Wait, without the GIL, until flag... of the agent is set or ms passed
   (ms < 0: no limit).  Return: 1 when one of them is set. */
static int
wait_event(long ms)
{
    struct timespec until;
    int any;
    clock_gettime(CLOCK_REALTIME, &until);
    if (ms >= 0) {
        until.tv_sec += ms / 1000;
        until.tv_nsec += (ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&agent.mu);
    for (;;) {
        any = agent.interrupt || agent.hangup || agent.detach;
        if (any) {
            break;
        }
        if (ms < 0) {
            pthread_cond_wait(&agent.cv, &agent.mu);
        }
        else if (pthread_cond_timedwait(&agent.cv, &agent.mu, &until)
                 == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&agent.mu);
    return any;
}

/* Whether the connection is gone (under the lock: the reader thread
   sets it). */
static int
hung_up(void)
{
    int h;
    pthread_mutex_lock(&agent.mu);
    h = agent.hangup;
    pthread_mutex_unlock(&agent.mu);
    return h;
}

/* Ask for a stop at the next line of any thread and let the threads
   run; when none stopped within STOP_WAIT_MS, stop here for them.  With
   the GIL. */
static void
stop_somewhere(CpdbSession *s)
{
    long serial = s->stop_serial;
    PyThreadState *save;
    int i;
    cpdb_attach_interrupt(s);
    save = PyEval_SaveThread();
    for (i = 0; i < STOP_WAIT_MS / 10; i++) {
        if (wait_event(10) || s->stop_serial != serial) {
            break;
        }
    }
    PyEval_RestoreThread(save);
    if (s->stop_serial == serial && !s->at_stop && !s->detach
        && !hung_up()) {
        cpdb_attach_stop_here(s);
    }
}

/* Run the session until it detaches.  With the GIL. */
static int
serve(CpdbSession *s)
{
    stop_somewhere(s);
    for (;;) {
        PyThreadState *save;
        int interrupt;
        if (s->detach) {
            break;
        }
        save = PyEval_SaveThread();
        wait_event(-1);
        PyEval_RestoreThread(save);
        /* A stop in another thread may still be ending: the GIL came
           back between two of its lines. */
        pthread_mutex_lock(&agent.mu);
        interrupt = agent.interrupt;
        agent.interrupt = 0;
        pthread_mutex_unlock(&agent.mu);
        if (s->detach) {
            break;
        }
        if (hung_up()) {
            if (!s->at_stop) {
                cpdb_attach_request(s, CPDB_DETACH);
                break;
            }
            continue;   /* the prompt there reads the end of input */
        }
        if (interrupt && !s->at_stop) {
            stop_somewhere(s);
        }
    }
    return s->detach;
}

/* A stop in another thread that is still under way ends before the
   session goes: wait for it with the GIL let go. */
static void
wait_no_stop(CpdbSession *s)
{
    while (s->at_stop || s->threads.engine != 0) {
        PyThreadState *save = PyEval_SaveThread();
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
        PyEval_RestoreThread(save);
    }
}

/* What runs here, for the console's greeting: the process's command
   line, its arguments separated by spaces (cut to size). */
static void
command_line(char *out, size_t size)
{
    FILE *f = fopen("/proc/self/cmdline", "r");
    size_t n = f ? fread(out, 1, size - 1, f) : 0, i;
    if (f != NULL) {
        fclose(f);
    }
    out[n] = '\0';
    for (i = 0; i + 1 < n; i++) {
        if (out[i] == '\0') {
            out[i] = ' ';
        }
    }
}

/* --- waiting for the GIL ---------------------------------------------------- */

/* How long the agent waits for the GIL before it says why nothing
   comes: a thread of the program holds it in a long C call. */
#define GIL_WAIT_NOTICE_MS 1000

static atomic_int have_gil;     /* the agent's thread got it */

/* A thread of its own, since the agent's waits in PyGILState_Ensure():
   after GIL_WAIT_NOTICE_MS without the GIL, tell the console why. */
static void *
gil_watch(void *arg)
{
    CpdbIo *io = arg;
    int i;
    static const char notice[] =
        "A thread of the process holds the GIL in C code (a long call); "
        "cpdb stops it once it lets go.\n";
    for (i = 0; i < GIL_WAIT_NOTICE_MS / 10; i++) {
        struct timespec ts = {0, 10000000L};
        if (atomic_load(&have_gil)) {
            return NULL;
        }
        nanosleep(&ts, NULL);
    }
    if (!atomic_load(&have_gil)) {
        io->write(io->ctx, CPDB_STREAM_ERR, notice, sizeof notice - 1);
    }
    return NULL;
}

/* Take the GIL, with the notice above when it takes long.  io: the
   console's (copied by the watch: it lives as long as this call). */
static PyGILState_STATE
take_gil(CpdbRemote *r)
{
    CpdbIo io;
    pthread_t th;
    PyGILState_STATE gil;
    int watching;
    cpdb_remote_engine_io(r, &io);
    atomic_store(&have_gil, 0);
    watching = pthread_create(&th, NULL, gil_watch, &io) == 0;
    gil = PyGILState_Ensure();
    atomic_store(&have_gil, 1);
    if (watching) {
        pthread_join(th, NULL);
    }
    return gil;
}

/* The last words of a session, at the console. */
static void
say_detached(CpdbRemote *r, int how)
{
    CpdbIo io;
    char text[128];
    int n = snprintf(text, sizeof text, how == CPDB_DETACH_KILL
                     ? "Detached from process %ld, which is killed now.\n"
                     : "Detached from process %ld.\n", (long)getpid());
    cpdb_remote_engine_io(r, &io);
    io.write(io.ctx, CPDB_STREAM_OUT, text, (size_t)n);
}

/* The session of the debug adapter mode begins (s) or ends (NULL). */
static void
dap_live(CpdbSession *s, void *ctx)
{
    int fd = *(int *)ctx;
    if (s != NULL) {
        watch_forks();
        live_fd = fd;
        live_session = s;
    }
    else {
        live_session = NULL;
        live_fd = -1;
    }
}

/* The debug adapter mode: the client's requests come through cpdb
   --dap on fd. */
static void
dap_main(int fd)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    int how = cpdb_dap_agent(fd, strcmp(agent.backend, "default") != 0
                                     ? agent.backend : NULL,
                             dap_live, &fd);
    (void)how;      /* cpdb --dap ends the process for terminate */
    PyGILState_Release(gil);
    atomic_store(&live, 0);
}

static void *
agent_main(void *arg)
{
    CpdbRemoteHooks hooks = {on_interrupt, on_hangup, NULL};
    CpdbOptions opts;
    CpdbRemote *r;
    CpdbSession *s;
    PyGILState_STATE gil;
    char err[256], info[256];
    int fd, how = CPDB_DETACH, status;
    (void)arg;

    fd = connect_cpdb();
    if (fd < 0) {
        atomic_store(&live, 0);
        return NULL;
    }
    if (agent.dap) {
        dap_main(fd);
        return NULL;
    }
    command_line(info, sizeof info);
    r = cpdb_remote_engine_new(fd, NULL, info, &hooks, err, sizeof err);
    if (r == NULL) {
        close(fd);
        atomic_store(&live, 0);
        return NULL;
    }
    gil = take_gil(r);
    memset(&opts, 0, sizeof opts);
    opts.quiet = 1;
    opts.no_init_files = 1;
    opts.attached = 1;
    if (strcmp(agent.backend, "default") != 0) {
        opts.backend = agent.backend;
    }
    s = cpdb_session_new_remote(&opts, r);
    if (s != NULL && cpdb_attach_begin(s) == 0) {
        s->on_detach = on_detach;
        cpdb_session_queue_command(s, "info threads");
        watch_forks();
        live_fd = cpdb_remote_engine_fd(r);
        live_session = s;
        how = serve(s);
        wait_no_stop(s);
        live_session = NULL;
        live_fd = -1;
        cpdb_attach_end(s);
    }
    else {
        PyErr_Clear();
    }
    /* As --batch says: 1 when a command failed. */
    status = s != NULL && cpdb_session_failed_commands(s) > 0;
    cpdb_session_free(s);
    PyErr_Clear();
    PyGILState_Release(gil);
    say_detached(r, how);
    cpdb_remote_engine_bye(r, status, how == CPDB_DETACH_KILL
                                 ? CPDB_BYE_KILL_TARGET : CPDB_BYE_NONE);
    cpdb_remote_engine_free(r);
    atomic_store(&live, 0);
    return NULL;
}

/* arg: "VERSION UID BACKEND MODE PATH": the argument's version, the
   attaching user, the trace backend ("default", or a name as
   CPDB_BACKEND gives it), "console" or "dap", and the socket cpdb
   listens on.  Return 0, or
   -1. */
static int
parse_arg(const char *arg)
{
    unsigned version;
    unsigned long uid;
    char mode[16];
    int used = 0;
    if (arg == NULL
        || sscanf(arg, "%u %lu %15s %15s %n", &version, &uid, agent.backend,
                  mode, &used) < 4
        || (strcmp(mode, "console") != 0 && strcmp(mode, "dap") != 0)
        || version != CPDB_AGENT_ARG_VERSION || used == 0
        || strlen(arg + used) >= sizeof agent.path
        || arg[used] != '/') {
        return -1;
    }
    strcpy(agent.path, arg + used);
    agent.dap = strcmp(mode, "dap") == 0;
    agent.uid = (uid_t)uid;
    return 0;
}

/* The one entry point.  It runs in a thread of the program interrupted
   at a safe point: it starts the agent's thread and returns at once,
   without touching Python. */
CPDB_API int cpdb_agent_start(const char *arg);

int
cpdb_agent_start(const char *arg)
{
    pthread_attr_t attr;
    pthread_t th;
    sigset_t all, old;
    int expected = 0, rc;
    char want[16];
    /* Built for one minor version: its structures differ from the
       others'. */
    snprintf(want, sizeof want, "%d.%d.", PY_MAJOR_VERSION,
             PY_MINOR_VERSION);
    if (strncmp(Py_GetVersion(), want, strlen(want)) != 0) {
        return CPDB_AGENT_E_VERSION;
    }
    if (!Py_IsInitialized()) {
        return CPDB_AGENT_E_PYTHON;
    }
    if (!atomic_compare_exchange_strong(&live, &expected, 1)) {
        return CPDB_AGENT_E_BUSY;
    }
    if (parse_arg(arg) < 0) {
        atomic_store(&live, 0);
        return CPDB_AGENT_E_ARGS;
    }
    agent.interrupt = agent.hangup = agent.detach = 0;
    /* The program's signals are never delivered to the agent's thread. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&th, &attr, agent_main, NULL);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        atomic_store(&live, 0);
        return CPDB_AGENT_E_THREAD;
    }
    return 0;
}
