/* The engine's end of the control channel.  Two threads touch it: the
   reader (started here, signals blocked) takes messages off the socket
   and queues what the session's reading thread waits for; the session's
   thread sends PROMPT, OUT and CANDIDATES.  Sends are serialized by
   send_lock; the queue and the state by lock. */
#include "remote/engine.h"
#include "remote/proto.h"
#include "base/interrupt.h"
#include "base/util.h"
#include "cpdb_config.h"

#include <patchlevel.h>     /* PY_VERSION: no Python call is made here */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct CpdbRemote {
    int fd;
    CpdbRemoteHooks hooks;
    int columns, color;
    pthread_t reader;
    int reader_started;
    pthread_mutex_t lock;       /* queue, hung_up, reading */
    pthread_cond_t cond;        /* something was queued, or hung up */
    pthread_mutex_t send_lock;  /* one message on the socket at a time */
    CPDB_ARRAY(CpdbMsg) queue;  /* LINE, EOF, COMPLETE, oldest first */
    size_t queue_head;
    int hung_up;
    int reading;                /* read_line waits for a line */
    int bye_sent;
    int default_hooks;          /* h was NULL: Ctrl-C of this process */
    int closing;                /* engine_free shut the socket down */
    CpdbCompleter complete;
    void *complete_ctx;
};

static void
set_err(char *err, size_t errlen, const char *text)
{
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "%s", text);
    }
}

static int
send_locked(CpdbRemote *r, const CpdbMsg *m)
{
    int rc;
    pthread_mutex_lock(&r->send_lock);
    rc = cpdb_proto_send(r->fd, m);
    pthread_mutex_unlock(&r->send_lock);
    return rc;
}

static void
send_error(CpdbRemote *r, const char *text)
{
    CpdbMsg m;
    cpdb_msg_init(&m, CPDB_MSG_ERROR);
    m.text = (char *)text;
    send_locked(r, &m);
}

/* --- the default hooks -------------------------------------------------- */

/* A Ctrl-C typed at the far end is one typed here. */
static void
interrupt_here(void *ctx)
{
    (void)ctx;
    cpdb_interrupt_raise();
}

/* --- the reader thread -------------------------------------------------- */

static void
hang_up(CpdbRemote *r)
{
    int was_reading, closing;
    pthread_mutex_lock(&r->lock);
    r->hung_up = 1;
    was_reading = r->reading;
    closing = r->closing;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    /* A session reading a line sees the end of input itself; a running
       program is stopped so that it comes to read one.  The end that
       engine_free makes is no hang-up. */
    if (closing) {
        return;
    }
    if (r->hooks.on_hangup != NULL && !(r->default_hooks && was_reading)) {
        r->hooks.on_hangup(r->hooks.ctx);
    }
}

static void *
reader_main(void *arg)
{
    CpdbRemote *r = arg;
    char err[256];
    CpdbMsg m;
    for (;;) {
        int rc = cpdb_proto_recv(r->fd, &m, err, sizeof err);
        int reading;
        if (rc == CPDB_PROTO_BAD) {
            /* Nothing after a malformed message can be trusted to
               start a message: say why and end. */
            send_error(r, err);
        }
        if (rc != CPDB_PROTO_OK) {
            break;
        }
        switch (m.type) {
        case CPDB_MSG_LINE:
        case CPDB_MSG_EOF:
        case CPDB_MSG_COMPLETE:
            pthread_mutex_lock(&r->lock);
            cpdb_array_push(&r->queue, m);
            pthread_cond_broadcast(&r->cond);
            pthread_mutex_unlock(&r->lock);
            continue;       /* the queue owns m now */
        case CPDB_MSG_INTERRUPT:
            pthread_mutex_lock(&r->lock);
            reading = r->reading;
            pthread_mutex_unlock(&r->lock);
            /* At the prompt there is nothing to stop: a Ctrl-C that
               crossed a PROMPT on the way is dropped. */
            if (!reading && r->hooks.on_interrupt != NULL) {
                r->hooks.on_interrupt(r->hooks.ctx);
            }
            break;
        default: {
            char text[128];
            snprintf(text, sizeof text, "unexpected %s message: ignored",
                     cpdb_msg_type_name(m.type));
            send_error(r, text);
            break;
        }
        }
        cpdb_msg_fini(&m);
    }
    hang_up(r);
    return NULL;
}

static int
start_reader(CpdbRemote *r)
{
    sigset_t all, old;
    int rc;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&r->reader, NULL, reader_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0) {
        r->reader_started = 1;
    }
    return rc == 0 ? 0 : -1;
}

/* --- the handshake ------------------------------------------------------ */

/* Return: whether a and b are equal, in a time that does not depend on
   where they differ. */
static int
same_token(const char *given, const char *token)
{
    size_t ng = strlen(given), nt = strlen(token), i;
    unsigned diff = (unsigned)(ng != nt);
    for (i = 0; i < nt; i++) {
        diff |= (unsigned)(unsigned char)(i < ng ? given[i] : 0)
                ^ (unsigned)(unsigned char)token[i];
    }
    return diff == 0;
}

static void
set_recv_timeout(int fd, int seconds)
{
    struct timeval tv;
    tv.tv_sec = seconds;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

int
cpdb_remote_take_hello(int fd, const char *token, CpdbMsg *hello, char *err,
                       size_t errlen)
{
    char why[256];
    set_recv_timeout(fd, CPDB_REMOTE_HELLO_SECONDS);
    errno = 0;
    if (cpdb_proto_recv(fd, hello, why, sizeof why) != CPDB_PROTO_OK) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            snprintf(why, sizeof why, "no greeting for %d seconds",
                     CPDB_REMOTE_HELLO_SECONDS);
        }
        set_err(err, errlen, why);
        return -1;
    }
    set_recv_timeout(fd, 0);
    if (hello->type != CPDB_MSG_HELLO) {
        snprintf(why, sizeof why, "a %s message came before HELLO",
                 cpdb_msg_type_name(hello->type));
        cpdb_proto_send_text(fd, CPDB_MSG_ERROR, why);
        set_err(err, errlen, why);
    }
    else if (token != NULL && !same_token(hello->text, token)) {
        cpdb_proto_send_text(fd, CPDB_MSG_ERROR, "wrong token (the listener "
                             "printed it, or give it with CPDB_TOKEN)");
        set_err(err, errlen, "wrong token");
    }
    else {
        return 0;
    }
    cpdb_msg_fini(hello);
    return -1;
}

/* Read the HELLO and check it.  Return: 0, or -1 with err set (and
   the peer told why when it is a wrong token). */
static int
take_hello(CpdbRemote *r, const char *token, char *err, size_t errlen)
{
    CpdbMsg m;
    if (cpdb_remote_take_hello(r->fd, token, &m, err, errlen) < 0) {
        return -1;
    }
    r->columns = m.columns > 100000 ? 0 : (int)m.columns;
    r->color = m.is_tty && m.color;
    cpdb_msg_fini(&m);
    return 0;
}

static CpdbRemote *
remote_new(int fd, const CpdbRemoteHooks *h)
{
    CpdbRemote *r = cpdb_xcalloc(1, sizeof *r);
    r->fd = fd;
    pthread_mutex_init(&r->lock, NULL);
    pthread_mutex_init(&r->send_lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    if (h != NULL) {
        r->hooks = *h;
    }
    else {
        r->hooks.on_interrupt = interrupt_here;
        r->hooks.on_hangup = interrupt_here;
        r->default_hooks = 1;
    }
    return r;
}

CpdbRemote *
cpdb_remote_engine_resume(int fd, int columns, int color,
                          const CpdbRemoteHooks *h)
{
    CpdbRemote *r;
    int type;
    socklen_t len = sizeof type;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        return NULL;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    r = remote_new(fd, h);
    r->columns = columns;
    r->color = color;
    if (start_reader(r) < 0) {
        cpdb_remote_engine_free(r);
        return NULL;
    }
    return r;
}

int
cpdb_remote_engine_fd(const CpdbRemote *r)
{
    return r->fd;
}

void
cpdb_remote_engine_keep_on_exec(CpdbRemote *r)
{
    fcntl(r->fd, F_SETFD, 0);
}

CpdbRemote *
cpdb_remote_engine_new(int fd, const char *token, const char *hello_info,
                       const CpdbRemoteHooks *h, char *err, size_t errlen)
{
    CpdbRemote *r = remote_new(fd, h);
    CpdbMsg ok;
    if (take_hello(r, token, err, errlen) < 0) {
        goto error;
    }
    cpdb_msg_init(&ok, CPDB_MSG_HELLO_OK);
    ok.pid = (uint32_t)getpid();
    ok.python_version = PY_VERSION;
    ok.cpdb_version = CPDB_VERSION;
    ok.text = (char *)(hello_info != NULL ? hello_info : "");
    if (send_locked(r, &ok) < 0) {
        set_err(err, errlen, "the console went away during the handshake");
        goto error;
    }
    if (start_reader(r) < 0) {
        set_err(err, errlen, "cannot start the channel's reader thread");
        goto error;
    }
    return r;
error:
    cpdb_remote_engine_free(r);
    return NULL;
}

/* --- the session's I/O -------------------------------------------------- */

/* Answer one COMPLETE with the completer (in the reading thread, where
   the session may run its Python). */
static void
answer_complete(CpdbRemote *r, const CpdbMsg *q)
{
    CpdbMsg a;
    char **items = NULL, *line, *text;
    int words = 1;
    size_t n = 0;
    line = cpdb_xstrndup(q->text, q->text_len);
    text = cpdb_xstrndup(q->text + q->start, q->end - q->start);
    if (r->complete != NULL) {
        items = r->complete(r->complete_ctx, line, (int)q->start, text,
                            &words);
    }
    while (items != NULL && items[n] != NULL) {
        if (n >= CPDB_PROTO_MAX_ITEMS) {
            free(items[n]);     /* past what a message lists */
            items[n] = NULL;
            while (items[++n] != NULL) {
                free(items[n]);
            }
            n = CPDB_PROTO_MAX_ITEMS;
            break;
        }
        n++;
    }
    cpdb_msg_init(&a, CPDB_MSG_CANDIDATES);
    a.add_space = words != 0;
    a.items = items;
    a.n_items = n;
    if (send_locked(r, &a) < 0 && errno == EMSGSIZE) {
        /* More than a message holds: the console still gets its
           answer, an empty one. */
        a.n_items = 0;
        send_locked(r, &a);
        a.n_items = n;
    }
    cpdb_msg_fini(&a);
    free(line);
    free(text);
}

static char *
io_read_line(void *ctx, const char *prompt)
{
    CpdbRemote *r = ctx;
    char *line = NULL;
    CpdbMsg m;
    /* Reading from before the PROMPT leaves: an INTERRUPT the console
       sent before it saw the prompt is dropped, not taken for a Ctrl-C
       at the next command. */
    pthread_mutex_lock(&r->lock);
    r->reading = 1;
    pthread_mutex_unlock(&r->lock);
    cpdb_msg_init(&m, CPDB_MSG_PROMPT);
    m.text = (char *)prompt;
    if (send_locked(r, &m) < 0) {
        pthread_mutex_lock(&r->lock);
        r->reading = 0;
        pthread_mutex_unlock(&r->lock);
        return NULL;
    }
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (r->queue_head == r->queue.n && !r->hung_up) {
            pthread_cond_wait(&r->cond, &r->lock);
        }
        if (r->queue_head == r->queue.n) {
            break;          /* hung up */
        }
        m = r->queue.items[r->queue_head++];
        if (r->queue_head == r->queue.n) {
            r->queue_head = r->queue.n = 0;
        }
        if (m.type == CPDB_MSG_COMPLETE) {
            pthread_mutex_unlock(&r->lock);
            answer_complete(r, &m);
            cpdb_msg_fini(&m);
            pthread_mutex_lock(&r->lock);
            continue;
        }
        if (m.type == CPDB_MSG_LINE) {
            line = m.text;
            m.text = NULL;
        }
        cpdb_msg_fini(&m);
        break;
    }
    r->reading = 0;
    pthread_mutex_unlock(&r->lock);
    return line;
}

static void
io_write(void *ctx, int stream, const char *text, size_t len)
{
    CpdbRemote *r = ctx;
    CpdbMsg m;
    size_t chunk = CPDB_PROTO_MAX_PAYLOAD - 64;
    cpdb_msg_init(&m, CPDB_MSG_OUT);
    m.stream = stream == CPDB_STREAM_ERR ? 2 : 1;
    do {
        m.text = (char *)text;
        m.text_len = len < chunk ? len : chunk;
        if (send_locked(r, &m) < 0) {
            return;         /* hung up: the reader says so */
        }
        text += m.text_len;
        len -= m.text_len;
    } while (len > 0);
}

void
cpdb_remote_engine_io(CpdbRemote *r, CpdbIo *io)
{
    io->read_line = io_read_line;
    io->write = io_write;
    io->ctx = r;
}

void
cpdb_remote_engine_set_completer(CpdbRemote *r, CpdbCompleter fn, void *ctx)
{
    r->complete = fn;
    r->complete_ctx = ctx;
}

int
cpdb_remote_engine_columns(const CpdbRemote *r)
{
    return r->columns;
}

int
cpdb_remote_engine_color(const CpdbRemote *r)
{
    return r->color;
}

int
cpdb_remote_engine_hung_up(CpdbRemote *r)
{
    int h;
    pthread_mutex_lock(&r->lock);
    h = r->hung_up;
    pthread_mutex_unlock(&r->lock);
    return h;
}

void
cpdb_remote_engine_bye(CpdbRemote *r, int status, int action)
{
    CpdbMsg m;
    if (r == NULL || r->bye_sent) {
        return;
    }
    r->bye_sent = 1;
    cpdb_msg_init(&m, CPDB_MSG_BYE);
    m.status = (uint32_t)status;
    m.action = (uint32_t)action;
    send_locked(r, &m);
}

void
cpdb_remote_engine_free(CpdbRemote *r)
{
    size_t i;
    if (r == NULL) {
        return;
    }
    pthread_mutex_lock(&r->lock);
    r->closing = 1;
    pthread_mutex_unlock(&r->lock);
    shutdown(r->fd, SHUT_RDWR);
    if (r->reader_started) {
        pthread_join(r->reader, NULL);
    }
    close(r->fd);
    for (i = r->queue_head; i < r->queue.n; i++) {
        cpdb_msg_fini(&r->queue.items[i]);
    }
    free(r->queue.items);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    pthread_mutex_destroy(&r->send_lock);
    free(r);
}
