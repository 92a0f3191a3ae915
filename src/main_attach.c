/* cpdb -p PID: the console side of an attach.

   The engine runs inside the process (src/agent); here are only the
   checks before touching it, the injection (src/attach), a private
   socket for the agent to connect back to, and the console
   (src/remote's client) until the agent says BYE.  Nothing is left
   behind: the socket and its directory go as soon as the agent is
   connected. */
#include "main_attach.h"
#include "agent/agent.h"
#include "attach/attach.h"
#include "attach/maps.h"
#include "attach/target.h"
#include "dap/dap_main.h"
#include "remote/client.h"
#include "remote/engine.h"
#include "remote/net.h"
#include "remote/proto.h"
#include "cpdb_config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* How long the agent may take to connect after the injection (it needs
   the GIL first: a thread holding it in a long C call delays it). */
#define CONNECT_WAIT_MS 10000

/* Find the agent for Python major.minor: in $CPDB_AGENT_DIR, beside the
   cpdb executable (a build tree), then where it is installed.  Return 0
   with path filled, or -1 with *where listing where it looked. */
static int
find_agent(int major, int minor, char *path, size_t size, char *where,
           size_t wsize)
{
    char exe[PATH_MAX], name[64];
    const char *dirs[3];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int i, nd = 0;
    snprintf(name, sizeof name, "cpdb-agent-%d.%d.so", major, minor);
    if (getenv("CPDB_AGENT_DIR") != NULL && *getenv("CPDB_AGENT_DIR")) {
        dirs[nd++] = getenv("CPDB_AGENT_DIR");
    }
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            dirs[nd++] = exe;
        }
    }
    dirs[nd++] = CPDB_AGENT_INSTALL_DIR;
    where[0] = '\0';
    for (i = 0; i < nd; i++) {
        snprintf(path, size, "%s/%s", dirs[i], name);
        if (access(path, R_OK) == 0) {
            return 0;
        }
        snprintf(where + strlen(where), wsize - strlen(where), "%s%s",
                 i ? ", " : "", dirs[i]);
    }
    return -1;
}

/* Whether process pid runs cpdb's engine already: it is a cpdb, or has
   libcpdb loaded.  Two engines in one interpreter would take each
   other's hooks and trace functions. */
static int
runs_cpdb(pid_t pid)
{
    char path[64], exe[PATH_MAX];
    CpdbMaps maps = {0};
    ssize_t n;
    int found = 0;
    snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
    n = readlink(path, exe, sizeof exe - 1);
    if (n > 0) {
        const char *base;
        exe[n] = '\0';
        base = strrchr(exe, '/');
        if (strcmp(base != NULL ? base + 1 : exe, "cpdb") == 0) {
            return 1;
        }
    }
    if (cpdb_maps_read(pid, &maps) == 0) {
        for (size_t i = 0; i < maps.n && !found; i++) {
            found = strstr(maps.items[i].path, "/libcpdb.so") != NULL;
        }
    }
    cpdb_maps_free(&maps);
    return found;
}

/* The effective user of process pid, or -1. */
static long
process_uid(pid_t pid)
{
    char buf[128];
    long real, eff;
    if (cpdb_proc_status(pid, 0, "Uid", buf, sizeof buf) < 0
        || sscanf(buf, "%ld %ld", &real, &eff) != 2) {
        return -1;
    }
    return eff;
}

typedef struct Channel {
    char dir[128];          /* as cpdb sees them */
    char path[160];
    char target_path[64];   /* the socket as the process sees it */
    int fd;                 /* listening */
} Channel;

static void
channel_remove(Channel *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (c->path[0] != '\0') {
        unlink(c->path);
        c->path[0] = '\0';
    }
    if (c->dir[0] != '\0') {
        rmdir(c->dir);
        c->dir[0] = '\0';
    }
}

/* The /tmp the process sees: cpdb's own, or, when the process has
   another (a container, a private mount namespace), the way to it
   through /proc.  Return: static text. */
static const char *
target_tmp(pid_t pid, char *buf, size_t size)
{
    struct stat mine, theirs;
    snprintf(buf, size, "/proc/%ld/root/tmp", (long)pid);
    if (stat("/tmp", &mine) == 0 && stat(buf, &theirs) == 0
        && (mine.st_dev != theirs.st_dev || mine.st_ino != theirs.st_ino)) {
        return buf;
    }
    return "/tmp";
}

/* A listening socket in a fresh directory only its owner can enter,
   under the /tmp the process sees; when cpdb is root and the process is
   not, the process's user owns them (the agent runs as that user).
   Return 0, or -1 with errno. */
static int
channel_open(Channel *c, pid_t pid, long uid)
{
    struct sockaddr_un addr;
    char buf[64];
    const char *tmp = target_tmp(pid, buf, sizeof buf);
    memset(c, 0, sizeof *c);
    c->fd = -1;
    snprintf(c->dir, sizeof c->dir, "%s/cpdb-XXXXXX", tmp);
    if (mkdtemp(c->dir) == NULL) {
        c->dir[0] = '\0';
        return -1;
    }
    snprintf(c->path, sizeof c->path, "%s/sock", c->dir);
    snprintf(c->target_path, sizeof c->target_path, "/tmp/%s/sock",
             strrchr(c->dir, '/') + 1);
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(c->path) >= sizeof addr.sun_path) {
        channel_remove(c);
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, c->path);
    if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0
        || listen(c->fd, 1) < 0) {
        int e = errno;
        channel_remove(c);
        errno = e;
        return -1;
    }
    if (uid >= 0 && (uid_t)uid != geteuid() && geteuid() == 0) {
        if (chown(c->dir, (uid_t)uid, (gid_t)-1) < 0
            || chown(c->path, (uid_t)uid, (gid_t)-1) < 0) {
            int e = errno;
            channel_remove(c);
            errno = e;
            return -1;
        }
    }
    return 0;
}

/* Accept the agent's connection: it must come from process pid.
   Return: the connected socket, or -1. */
static int
channel_accept(Channel *c, pid_t pid)
{
    struct pollfd p = {c->fd, POLLIN, 0};
    int waited = 0;
    while (waited < CONNECT_WAIT_MS) {
        int fd;
        struct ucred cred;
        socklen_t len = sizeof cred;
        if (poll(&p, 1, 100) <= 0) {
            waited += 100;
            if (kill(pid, 0) < 0 && errno == ESRCH) {
                return -1;
            }
            continue;
        }
        fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0
            && cred.pid == pid) {
            return fd;
        }
        close(fd);      /* someone else: not ours to serve */
    }
    return -1;
}

static void
agent_error(pid_t pid, const CpdbTarget *t, int code, char *err,
            size_t size)
{
    switch (code) {
    case CPDB_AGENT_E_BUSY:
        snprintf(err, size, "process %ld already has a cpdb attached; "
                 "detach that one first", (long)pid);
        break;
    case CPDB_AGENT_E_VERSION:
        snprintf(err, size, "process %ld runs Python %s, which the agent "
                 "was not built for", (long)pid, t->version);
        break;
    case CPDB_AGENT_E_PYTHON:
        snprintf(err, size, "Python in process %ld is starting or "
                 "ending; try again", (long)pid);
        break;
    default:
        snprintf(err, size, "the agent could not start in process %ld "
                 "(code %d)", (long)pid, code);
        break;
    }
}

/* --- cpdb -p PID --listen: a relay --------------------------------------- */

static int
attach_dap_pid(long pid, char *err, size_t size)
{
    return cpdb_attach_dap((pid_t)pid, err, size);
}

/* An editor connected to cpdb -p PID --listen: its attach request
   attaches to pid, and the whole session runs here.  Return: cpdb's
   exit status, or CPDB_DAP_REFUSED. */
static int
serve_dap_front(int fd, int lfd, const char *token, pid_t pid)
{
    CpdbDapConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.in_fd = cfg.out_fd = fd;
    cfg.token = token;
    cfg.listen_fd = lfd;
    cfg.attach_pid = attach_dap_pid;
    cfg.preset_pid = (long)pid;
    return cpdb_dap_main(&cfg);
}

/* Wait on lfd for a console that gives token, or for a client that
   speaks the Debug Adapter Protocol (its whole session runs here: *dap
   is then cpdb's exit status + 1, as the session ended).  Return: its
   socket with its HELLO in *hello (*dap 0), or -1 (said) when accepting
   failed. */
static int
accept_front(int lfd, const char *token, CpdbMsg *hello, int *dap,
             pid_t pid)
{
    char peer[128], err[256];
    *dap = 0;
    for (;;) {
        int fd = cpdb_remote_accept(lfd, peer, sizeof peer);
        if (fd < 0) {
            fprintf(stderr, "cpdb: cannot accept a connection: %s\n",
                    strerror(errno));
            return -1;
        }
        if (cpdb_remote_speaks_dap(fd, CPDB_REMOTE_HELLO_SECONDS) == 1) {
            fprintf(stderr, "cpdb: connected to %s (a debug adapter "
                    "client)\n", peer);
            *dap = serve_dap_front(fd, lfd, token, pid);
            if (*dap != CPDB_DAP_REFUSED) {
                *dap += 1;
                return fd;
            }
            fprintf(stderr, "cpdb: refused a connection from %s: wrong "
                    "token\n", peer);
            close(fd);
            continue;
        }
        if (cpdb_remote_take_hello(fd, token, hello, err, sizeof err) == 0) {
            fprintf(stderr, "cpdb: connected to %s\n", peer);
            return fd;
        }
        fprintf(stderr, "cpdb: refused a connection from %s: %s\n", peer,
                err);
        close(fd);
    }
}

/* Hand messages between the console (front) and the agent until one
   side ends; each is read whole and checked before it is passed on.
   Return: the BYE's action, or -1 when the session ended without one
   (*lost says which side: 1 the console, 2 the agent). */
static int
relay(int front, int agent, int *lost)
{
    for (;;) {
        struct pollfd p[2] = {{front, POLLIN, 0}, {agent, POLLIN, 0}};
        int i;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            *lost = 2;
            return -1;
        }
        for (i = 0; i < 2; i++) {
            CpdbMsg m;
            char err[256];
            int action;
            if (p[i].revents == 0) {
                continue;
            }
            if (cpdb_proto_recv(p[i].fd, &m, err, sizeof err)
                != CPDB_PROTO_OK) {
                *lost = i + 1;
                return -1;
            }
            if (cpdb_proto_send(p[1 - i].fd, &m) < 0) {
                cpdb_msg_fini(&m);
                *lost = 2 - i;
                return -1;
            }
            action = (int)m.action;
            if (i == 1 && m.type == CPDB_MSG_BYE) {
                cpdb_msg_fini(&m);
                return action;
            }
            cpdb_msg_fini(&m);
        }
    }
}

/* --- attaching ------------------------------------------------------------ */

/* Load the agent, its socket speaking mode ("console" or "dap"), and
   take its connection.  Return: the connected socket, or -1 with err
   filled. */
static int
load_agent(pid_t pid, const CpdbTarget *t, const char *agent,
           const char *mode, char *err, size_t size)
{
    Channel ch;
    char arg[256];
    const char *backend;
    int result = 0, fd;
    if (channel_open(&ch, pid, process_uid(pid)) < 0) {
        snprintf(err, size, "cannot make a socket for the agent: %s",
                 strerror(errno));
        return -1;
    }
    /* CPDB_BACKEND picks the agent's trace backend too (the tests run
       with each). */
    backend = getenv("CPDB_BACKEND");
    if (backend == NULL || *backend == '\0' || strlen(backend) > 15
        || strchr(backend, ' ') != NULL) {
        backend = "default";
    }
    snprintf(arg, sizeof arg, "%d %ld %s %s %s", CPDB_AGENT_ARG_VERSION,
             (long)geteuid(), backend, mode, ch.target_path);
    if (cpdb_attach_inject(pid, agent, CPDB_AGENT_ENTRY, arg, 1000,
                           &result, NULL, err, size) < 0) {
        channel_remove(&ch);
        return -1;
    }
    if (result != 0) {
        channel_remove(&ch);
        agent_error(pid, t, result, err, size);
        return -1;
    }
    fd = channel_accept(&ch, pid);
    channel_remove(&ch);
    if (fd < 0) {
        snprintf(err, size, "the agent in process %ld did not answer "
                 "within %d s (a thread may hold the GIL in C code)",
                 (long)pid, CONNECT_WAIT_MS / 1000);
    }
    return fd;
}

/* The checks before an attach: the process, cpdb not in it already,
   an agent for its Python.  Return 0 with *t and agent filled, or -1
   with err filled. */
static int
attach_checks(pid_t pid, CpdbTarget *t, char *agent, size_t agent_size,
              char *err, size_t size)
{
    char where[PATH_MAX * 2];
    if (cpdb_target_probe(pid, t, err, size) < 0) {
        return -1;
    }
    if (runs_cpdb(pid)) {
        snprintf(err, size, "process %ld runs cpdb already: debug it at "
                 "that cpdb's prompt", (long)pid);
        return -1;
    }
    if (find_agent(t->major, t->minor, agent, agent_size, where,
                   sizeof where) < 0) {
        snprintf(err, size, "process %ld runs Python %s, and there is no "
                 "cpdb-agent-%d.%d.so for it (looked in %s); build cpdb "
                 "against Python %d.%d too", (long)pid, t->version,
                 t->major, t->minor, where, t->major, t->minor);
        return -1;
    }
    return 0;
}

int
cpdb_attach_dap(pid_t pid, char *err, size_t size)
{
    CpdbTarget t;
    char agent[PATH_MAX];
    if (attach_checks(pid, &t, agent, sizeof agent, err, size) < 0) {
        return -1;
    }
    return load_agent(pid, &t, agent, "dap", err, size);
}

/* The session is over, with the status its BYE gave: kill (action) ends
   the process.  Return: cpdb's exit status. */
static int
ended(pid_t pid, int status, int action)
{
    /* The agent said "Detached from process PID" (at the console). */
    if (action == CPDB_BYE_KILL_TARGET && kill(pid, SIGKILL) < 0
        && errno != ESRCH) {
        fprintf(stderr, "cpdb: cannot kill process %ld: %s\n", (long)pid,
                strerror(errno));
        return 1;
    }
    return status;
}

int
cpdb_attach_main(pid_t pid, int lfd, const char *token,
                 const CpdbConsoleScript *script)
{
    CpdbTarget t;
    CpdbMsg hello;
    char err[PATH_MAX * 3], agent[PATH_MAX];
    int fd, front = -1, action = 0, status, lost = 0;

    if (attach_checks(pid, &t, agent, sizeof agent, err, sizeof err) < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        return 1;
    }
    if (lfd >= 0) {
        int dap;
        /* The process is stopped only once someone is there to see. */
        front = accept_front(lfd, token, &hello, &dap, pid);
        if (front < 0) {
            return 1;
        }
        if (dap) {
            close(front);   /* an editor's session ran (to its end) */
            return dap - 1;
        }
    }
    fd = load_agent(pid, &t, agent, "console", err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        if (front >= 0) {
            cpdb_proto_send_text(front, CPDB_MSG_ERROR, "the process could "
                                 "not be attached (see the listener's "
                                 "terminal)");
            cpdb_msg_fini(&hello);
            close(front);
        }
        return 1;
    }
    if (front >= 0) {
        /* The agent asks no token: its socket is private. */
        if (hello.text != NULL) {
            hello.text[0] = '\0';
        }
        hello.text_len = 0;
        status = cpdb_proto_send(fd, &hello) < 0 ? -1
                 : relay(front, fd, &lost);
        cpdb_msg_fini(&hello);
        close(front);
        close(fd);
        if (status < 0) {
            printf("%s\n", lost == 1 ? "The console went away: the agent "
                   "detaches." : "The connection to the agent was lost.");
            return cpdb_target_gone(pid) ? 0 : (lost == 1 ? 0 : 1);
        }
        return ended(pid, 0, status);
    }
    status = cpdb_remote_console_run_script(fd, NULL, script, &action, err,
                                            sizeof err);
    close(fd);
    if (status < 0 && cpdb_target_gone(pid)) {
        printf("Process %ld exited.\n", (long)pid);
        return 0;
    }
    if (status < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        return 1;
    }
    return ended(pid, status, action);
}
