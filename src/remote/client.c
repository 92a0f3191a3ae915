/* The console's end of the control channel.  One loop waits on the
   socket and on a self-pipe that the SIGINT handler writes: a Ctrl-C
   while the engine runs becomes an INTERRUPT message, a Ctrl-C at the
   prompt is the console's (it cancels the line). */
#include "remote/client.h"
#include "remote/proto.h"
#include "console/console.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef struct Client {
    int fd;
    CpdbConsole *console;
    char err[256];
    int failed;             /* the connection is lost: err says why */
    int unanswered;         /* INTERRUPTs sent since the engine last
                               said anything */
} Client;

/* The way out when the engine does not answer (a thread of the process
   holds the GIL in a C call that never ends): after this many Ctrl-C
   without a word from it, the console says so, and two more leave. */
#define UNANSWERED_WARN 3
#define UNANSWERED_LEAVE (UNANSWERED_WARN + 2)

/* The self-pipe: the handler only writes a byte (async-signal-safe). */
static int sigint_pipe[2] = {-1, -1};

static void
on_sigint(int sig)
{
    int saved = errno;
    char c = 1;
    ssize_t w = write(sigint_pipe[1], &c, 1);
    (void)sig;
    (void)w;
    errno = saved;
}

/* SA_RESTART off: a read at the prompt returns EINTR, which the
   console takes as "cancel this line". */
static int
catch_sigint(struct sigaction *old)
{
    struct sigaction sa;
    int i;
    if (pipe(sigint_pipe) < 0) {
        return -1;
    }
    for (i = 0; i < 2; i++) {
        fcntl(sigint_pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(sigint_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGINT, &sa, old);
}

static void
release_sigint(const struct sigaction *old)
{
    sigaction(SIGINT, old, NULL);
    close(sigint_pipe[0]);
    close(sigint_pipe[1]);
    sigint_pipe[0] = sigint_pipe[1] = -1;
}

/* Return: whether Ctrl-C was pressed since the last call. */
static int
take_sigints(void)
{
    char buf[64];
    int any = 0;
    while (read(sigint_pipe[0], buf, sizeof buf) > 0) {
        any = 1;
    }
    return any;
}

/* --- this terminal ------------------------------------------------------ */

static int
terminal_columns(CpdbConsole *c)
{
    struct winsize ws;
    int cols = cpdb_console_columns(c);
    if (cols > 0) {
        return cols;
    }
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        return ws.ws_col;
    }
    return 0;
}

/* Colour as a local session would have it (cli/output.c): a terminal
   that is not "dumb", and NO_COLOR unset. */
static int
wants_color(CpdbConsole *c)
{
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    return cpdb_console_is_terminal(c, CPDB_STREAM_OUT)
           && (nc == NULL || *nc == '\0') && term != NULL
           && strcmp(term, "dumb") != 0;
}

/* --- messages ----------------------------------------------------------- */

static void
lost(Client *cl, const char *why)
{
    if (!cl->failed) {
        cl->failed = 1;
        snprintf(cl->err, sizeof cl->err, "the connection to the debugger "
                 "was lost: %s", why);
    }
}

static int
send_msg(Client *cl, const CpdbMsg *m)
{
    if (cpdb_proto_send(cl->fd, m) < 0) {
        lost(cl, strerror(errno));
        return -1;
    }
    return 0;
}

/* Read the next message.  Return: 0, or -1 (lost; err set). */
static int
recv_msg(Client *cl, CpdbMsg *m)
{
    char why[200];
    if (cpdb_proto_recv(cl->fd, m, why, sizeof why) != CPDB_PROTO_OK) {
        lost(cl, why);
        return -1;
    }
    return 0;
}

static void
show_error(Client *cl, const char *text)
{
    char *line = cpdb_xasprintf("cpdb: the debugger says: %s\n", text);
    cpdb_console_write(cl->console, CPDB_STREAM_ERR, line, strlen(line));
    free(line);
}

/* Candidates by a COMPLETE round trip; OUT that comes meanwhile is
   shown.  Return: malloc'd NULL-terminated array, or NULL. */
static char **
complete_remote(void *ctx, const char *line, int start, const char *text,
                int *words)
{
    Client *cl = ctx;
    CpdbMsg q, a;
    char **items;
    cpdb_msg_init(&q, CPDB_MSG_COMPLETE);
    q.text = (char *)line;
    q.text_len = strlen(line);
    q.start = (uint32_t)start;
    q.end = (uint32_t)(start + strlen(text));
    if (q.end > q.text_len) {
        q.end = (uint32_t)q.text_len;
    }
    if (cl->failed || send_msg(cl, &q) < 0) {
        return NULL;
    }
    while (recv_msg(cl, &a) == 0) {
        if (a.type == CPDB_MSG_CANDIDATES) {
            *words = (int)a.add_space;
            items = a.items;
            if (items == NULL) {
                items = cpdb_xcalloc(1, sizeof(char *));
            }
            a.items = NULL;
            a.n_items = 0;
            cpdb_msg_fini(&a);
            return items;
        }
        if (a.type == CPDB_MSG_OUT) {
            cpdb_console_write(cl->console, (int)a.stream, a.text,
                               a.text_len);
        }
        else if (a.type == CPDB_MSG_ERROR) {
            show_error(cl, a.text);
        }
        cpdb_msg_fini(&a);
    }
    return NULL;
}

/* Answer a PROMPT with a line from the console, or EOF. */
static int
answer_prompt(Client *cl, const char *prompt)
{
    CpdbMsg m;
    char *line;
    int rc;
    take_sigints();
    line = cpdb_console_read_line(cl->console, prompt);
    /* A Ctrl-C typed at the prompt was the console's: it cancelled a
       line, and stops nothing. */
    take_sigints();
    if (cl->failed) {
        free(line);
        return -1;
    }
    cpdb_msg_init(&m, line != NULL ? CPDB_MSG_LINE : CPDB_MSG_EOF);
    m.text = line;
    m.text_len = line != NULL ? strlen(line) : 0;
    rc = send_msg(cl, &m);
    free(line);
    return rc;
}

static int
handshake(Client *cl, const char *token)
{
    CpdbMsg m;
    char *banner;
    cpdb_msg_init(&m, CPDB_MSG_HELLO);
    m.version = CPDB_PROTO_VERSION;
    m.columns = (uint32_t)terminal_columns(cl->console);
    m.is_tty = (uint32_t)isatty(STDIN_FILENO);
    m.color = (uint32_t)wants_color(cl->console);
    m.text = (char *)(token != NULL ? token : "");
    if (send_msg(cl, &m) < 0 || recv_msg(cl, &m) < 0) {
        return -1;
    }
    if (m.type == CPDB_MSG_ERROR) {
        snprintf(cl->err, sizeof cl->err, "the debugger refused the "
                 "connection: %s", m.text);
        cl->failed = 1;
        cpdb_msg_fini(&m);
        return -1;
    }
    if (m.type != CPDB_MSG_HELLO_OK) {
        snprintf(cl->err, sizeof cl->err, "the debugger answered HELLO "
                 "with %s", cpdb_msg_type_name(m.type));
        cl->failed = 1;
        cpdb_msg_fini(&m);
        return -1;
    }
    banner = cpdb_xasprintf("Connected to cpdb %s (Python %s), process "
                            "%u%s%s.\n", m.cpdb_version, m.python_version,
                            (unsigned)m.pid, *m.text != '\0' ? ": " : "",
                            m.text);
    cpdb_console_write(cl->console, CPDB_STREAM_OUT, banner, strlen(banner));
    free(banner);
    cpdb_msg_fini(&m);
    return 0;
}

/* Wait for the socket, sending INTERRUPT for each Ctrl-C meanwhile.
   Return: 0 when a message is there, -1 when lost. */
static int
wait_for_engine(Client *cl)
{
    struct pollfd p[2];
    for (;;) {
        p[0].fd = cl->fd;
        p[0].events = POLLIN;
        p[1].fd = sigint_pipe[0];
        p[1].events = POLLIN;
        p[0].revents = p[1].revents = 0;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            lost(cl, strerror(errno));
            return -1;
        }
        if ((p[1].revents & POLLIN) && take_sigints()) {
            CpdbMsg m;
            if (++cl->unanswered >= UNANSWERED_LEAVE) {
                lost(cl, "left it: the debugger did not answer Ctrl-C");
                return -1;
            }
            if (cl->unanswered == UNANSWERED_WARN) {
                static const char warn[] =
                    "cpdb: the debugger does not answer (a thread may hold "
                    "the GIL in C code); Ctrl-C twice more leaves it.\n";
                cpdb_console_write(cl->console, CPDB_STREAM_ERR, warn,
                                   sizeof warn - 1);
            }
            cpdb_msg_init(&m, CPDB_MSG_INTERRUPT);
            if (send_msg(cl, &m) < 0) {
                return -1;
            }
        }
        if (p[0].revents != 0) {
            cl->unanswered = 0;
            return 0;
        }
    }
}

static int
run_loop(Client *cl, int *action)
{
    CpdbMsg m;
    int status;
    for (;;) {
        if (wait_for_engine(cl) < 0 || recv_msg(cl, &m) < 0) {
            return -1;
        }
        switch (m.type) {
        case CPDB_MSG_PROMPT:
            if (answer_prompt(cl, m.text) < 0) {
                cpdb_msg_fini(&m);
                return -1;
            }
            break;
        case CPDB_MSG_OUT:
            cpdb_console_write(cl->console, (int)m.stream, m.text,
                               m.text_len);
            break;
        case CPDB_MSG_ERROR:
            show_error(cl, m.text);
            break;
        case CPDB_MSG_BYE:
            status = (int)m.status;
            *action = (int)m.action;
            cpdb_msg_fini(&m);
            return status;
        default:
            /* A message only a console sends, or one out of turn. */
            lost(cl, "an unexpected message came");
            snprintf(cl->err + strlen(cl->err),
                     sizeof cl->err - strlen(cl->err), " (%s)",
                     cpdb_msg_type_name(m.type));
            cpdb_msg_fini(&m);
            return -1;
        }
        cpdb_msg_fini(&m);
    }
}

int
cpdb_remote_console_run(int fd, const char *token, int *action, char *err,
                        size_t errlen)
{
    Client cl;
    struct sigaction old;
    int status = -1, dummy;
    memset(&cl, 0, sizeof cl);
    cl.fd = fd;
    if (action == NULL) {
        action = &dummy;
    }
    *action = CPDB_BYE_NONE;
    cl.console = cpdb_console_new();
    if (catch_sigint(&old) < 0) {
        snprintf(err, errlen, "cannot set up Ctrl-C: %s", strerror(errno));
        cpdb_console_free(cl.console);
        return -1;
    }
    cpdb_console_set_completer(cl.console, complete_remote, &cl);
    if (handshake(&cl, token) == 0) {
        status = run_loop(&cl, action);
    }
    cpdb_console_flush(cl.console);
    release_sigint(&old);
    cpdb_console_free(cl.console);
    if (status < 0) {
        snprintf(err, errlen, "%s", cl.err[0] ? cl.err
                 : "the connection to the debugger was lost");
    }
    return status;
}
