/* The engine's end of the control channel (remote/engine.c), driven by
   a made-up console over a socketpair: the handshake and its token, a
   prompt answered with a line, completion while a line is awaited,
   INTERRUPT only while no line is awaited, the hang-up; and the
   addresses users write (remote/net.c). */
#include "remote/engine.h"
#include "remote/net.h"
#include "remote/proto.h"
#include "tap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static atomic_int interrupts, hangups;

static void
on_interrupt(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&interrupts, 1);
}

static void
on_hangup(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&hangups, 1);
}

static const CpdbRemoteHooks hooks = {on_interrupt, on_hangup, NULL};

static void
send_hello(int fd, const char *token, unsigned columns)
{
    CpdbMsg m;
    cpdb_msg_init(&m, CPDB_MSG_HELLO);
    m.version = 1;
    m.columns = columns;
    m.is_tty = 1;
    m.color = 1;
    m.text = (char *)token;
    cpdb_proto_send(fd, &m);
}

/* Return: the type of the next message (its text in text, malloc'd, if
   asked), or -1. */
static int
next_type(int fd, char **text)
{
    CpdbMsg m;
    char err[200];
    int type;
    if (cpdb_proto_recv(fd, &m, err, sizeof err) != CPDB_PROTO_OK) {
        return -1;
    }
    type = (int)m.type;
    if (text != NULL) {
        *text = m.text;
        m.text = NULL;
    }
    cpdb_msg_fini(&m);
    return type;
}

static char **
completer(void *ctx, const char *line, int start, const char *text,
          int *words)
{
    char **items;
    int i;
    (void)ctx;
    if (strcmp(line, "many") == 0) {
        /* More than one message may list. */
        items = calloc(70001, sizeof(char *));
        for (i = 0; i < 70000; i++) {
            items[i] = strdup("x");
        }
        *words = 1;
        return items;
    }
    items = calloc(3, sizeof(char *));
    items[0] = strdup(strcmp(line, "p obj.at") == 0 && start == 2
                      && strcmp(text, "obj.at") == 0 ? "obj.attr" : "bad");
    items[1] = strdup("obj.attr2");
    *words = 0;
    return items;
}

/* Ask for the candidates of the word from start to the end of line. */
static void
send_complete(int fd, const char *line, unsigned start)
{
    CpdbMsg m;
    cpdb_msg_init(&m, CPDB_MSG_COMPLETE);
    m.text = (char *)line;
    m.text_len = strlen(line);
    m.start = start;
    m.end = (uint32_t)m.text_len;
    cpdb_proto_send(fd, &m);
}

typedef struct Reading {
    CpdbIo io;
    char *line;
} Reading;

static void *
read_one(void *arg)
{
    Reading *r = arg;
    r->line = r->io.read_line(r->io.ctx, "(cpdb) ");
    return NULL;
}

static CpdbRemote *
connected(int sv[2], const char *token, char *err, size_t errlen)
{
    CpdbRemote *r;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        return NULL;
    }
    send_hello(sv[1], token, 132);
    r = cpdb_remote_engine_new(sv[0], "s3cret", "prog.py", &hooks, err,
                               errlen);
    return r;
}

static void
test_token(void)
{
    int sv[2];
    char err[200], *text = NULL;
    CpdbRemote *r = connected(sv, "wrong", err, sizeof err);
    OK(r == NULL && strcmp(err, "wrong token") == 0,
       "a wrong token is refused: %s", err);
    OK(next_type(sv[1], &text) == CPDB_MSG_ERROR
       && strstr(text, "wrong token") != NULL,
       "and the console is told: %s", text ? text : "");
    free(text);
    OK(next_type(sv[1], NULL) == -1, "then the connection is closed");
    close(sv[1]);
}

static void
test_session(void)
{
    int sv[2], type;
    char err[200], *text = NULL;
    CpdbRemote *r = connected(sv, "s3cret", err, sizeof err);
    Reading rd;
    pthread_t t;
    CpdbMsg m;

    OK(r != NULL, "the right token is taken");
    if (r == NULL) {
        return;
    }
    OK(next_type(sv[1], &text) == CPDB_MSG_HELLO_OK
       && strcmp(text, "prog.py") == 0, "HELLO_OK says what runs");
    free(text);
    OK(cpdb_remote_engine_columns(r) == 132
       && cpdb_remote_engine_color(r) == 1, "the console's width and "
       "colour");
    cpdb_remote_engine_set_completer(r, completer, NULL);

    /* Not reading: INTERRUPT goes to the hook. */
    cpdb_proto_send_empty(sv[1], CPDB_MSG_INTERRUPT);
    for (type = 0; type < 200 && atomic_load(&interrupts) == 0; type++) {
        usleep(5000);
    }
    OK(atomic_load(&interrupts) == 1, "INTERRUPT while running: the hook");

    cpdb_remote_engine_io(r, &rd.io);
    rd.line = NULL;
    pthread_create(&t, NULL, read_one, &rd);
    OK(next_type(sv[1], &text) == CPDB_MSG_PROMPT
       && strcmp(text, "(cpdb) ") == 0, "read_line sends PROMPT");
    free(text);
    cpdb_proto_send_empty(sv[1], CPDB_MSG_INTERRUPT);
    send_complete(sv[1], "p obj.at", 2);
    OK(cpdb_proto_recv(sv[1], &m, err, sizeof err) == CPDB_PROTO_OK
       && m.type == CPDB_MSG_CANDIDATES && m.n_items == 2
       && strcmp(m.items[0], "obj.attr") == 0 && m.add_space == 0,
       "COMPLETE answered by the completer, with its word");
    cpdb_msg_fini(&m);
    send_complete(sv[1], "many", 0);
    OK(cpdb_proto_recv(sv[1], &m, err, sizeof err) == CPDB_PROTO_OK
       && m.type == CPDB_MSG_CANDIDATES
       && m.n_items == CPDB_PROTO_MAX_ITEMS,
       "70000 candidates: the first %d are sent", CPDB_PROTO_MAX_ITEMS);
    cpdb_msg_fini(&m);
    cpdb_proto_send_text(sv[1], CPDB_MSG_LINE, "continue");
    pthread_join(t, NULL);
    OK(rd.line != NULL && strcmp(rd.line, "continue") == 0,
       "LINE is the line read");
    free(rd.line);
    OK(atomic_load(&interrupts) == 1,
       "an INTERRUPT at the prompt is dropped");

    rd.io.write(rd.io.ctx, CPDB_STREAM_ERR, "oops\n", 5);
    OK(cpdb_proto_recv(sv[1], &m, err, sizeof err) == CPDB_PROTO_OK
       && m.type == CPDB_MSG_OUT && m.stream == 2 && m.text_len == 5,
       "write sends OUT on its stream");
    cpdb_msg_fini(&m);

    pthread_create(&t, NULL, read_one, &rd);
    next_type(sv[1], NULL);
    cpdb_proto_send_empty(sv[1], CPDB_MSG_EOF);
    pthread_join(t, NULL);
    OK(rd.line == NULL, "EOF is the end of input");

    /* Garbage: ERROR, then the engine hangs up. */
    OK(write(sv[1], "garbage!garbage!", 16) == 16, "garbage sent");
    OK(next_type(sv[1], &text) == CPDB_MSG_ERROR, "answered with ERROR: "
       "%s", text ? text : "");
    free(text);
    for (type = 0; type < 200 && atomic_load(&hangups) == 0; type++) {
        usleep(5000);
    }
    OK(atomic_load(&hangups) == 1, "and the hang-up hook");
    pthread_create(&t, NULL, read_one, &rd);
    pthread_join(t, NULL);
    OK(rd.line == NULL, "a read after the hang-up is the end of input");

    cpdb_remote_engine_bye(r, 3, CPDB_BYE_NONE);
    cpdb_remote_engine_free(r);
    close(sv[1]);
}

static void
test_addresses(void)
{
    char *host = NULL, *port = NULL, err[200];
    OK(cpdb_remote_parse_address("5678", 0, &host, &port, err,
                                 sizeof err) == 0
       && strcmp(host, "127.0.0.1") == 0 && strcmp(port, "5678") == 0,
       "PORT alone is loopback");
    free(host);
    free(port);
    OK(cpdb_remote_parse_address("[::1]:0", 1, &host, &port, err,
                                 sizeof err) == 0
       && strcmp(host, "::1") == 0 && strcmp(port, "0") == 0,
       "an IPv6 host in brackets");
    free(host);
    free(port);
    OK(cpdb_remote_parse_address("5678", 1, &host, &port, err,
                                 sizeof err) < 0
       && strstr(err, "HOST:PORT is expected"), "connect needs a HOST");
    OK(cpdb_remote_parse_address("h:65536", 0, &host, &port, err,
                                 sizeof err) < 0, "port over 65535");
    OK(cpdb_remote_parse_address("::1:80", 0, &host, &port, err,
                                 sizeof err) < 0, "IPv6 without brackets");
    OK(cpdb_remote_parse_address(":80", 0, &host, &port, err,
                                 sizeof err) < 0, "an empty HOST");
    OK(cpdb_remote_parse_address("h:8x", 0, &host, &port, err,
                                 sizeof err) < 0, "a PORT with a letter");
    OK(cpdb_remote_is_loopback("127.0.0.1", "0", err, sizeof err) == 1
       && cpdb_remote_is_loopback("::1", "0", err, sizeof err) == 1
       && cpdb_remote_is_loopback("0.0.0.0", "0", err, sizeof err) == 0
       && cpdb_remote_is_loopback("10.1.2.3", "0", err, sizeof err) == 0,
       "loopback or not");
}

static void
test_token_maker(void)
{
    char a[CPDB_REMOTE_TOKEN_LEN + 1], b[CPDB_REMOTE_TOKEN_LEN + 1];
    OK(cpdb_remote_new_token(a) == 0 && cpdb_remote_new_token(b) == 0
       && strlen(a) == 32 && strspn(a, "0123456789abcdef") == 32
       && strcmp(a, b) != 0, "tokens: 32 hex digits, each new");
}

int
main(void)
{
    test_token();
    test_session();
    test_addresses();
    test_token_maker();
    return tap_done();
}
