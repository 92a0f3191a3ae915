/* The debug adapter's wire (dap/wire.c): Content-Length headers, what a
   body is (request, bad request, other, garbage), and the reader thread
   fed random, mutated and oversized input through a socket: every
   request with seq and command is queued or answered, garbage is
   dropped, and the reader is still there for the next good request. */
#include "dap/wire.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long
hl(const char *h)
{
    return cpdb_dap_header_length(h, strlen(h));
}

static void
test_headers(void)
{
    char big[64];
    OK(hl("Content-Length: 12\r\n") == 12, "a plain header");
    OK(hl("content-length:7\r\n") == 7, "any case, no space");
    OK(hl("X-Other: 1\r\nContent-Length: 3\r\nY: z\r\n") == 3,
       "among other headers");
    OK(hl("Content-Type: x\r\n") == -1, "none");
    OK(hl("Content-Length: abc\r\n") == -1, "not a number");
    OK(hl("Content-Length: -5\r\n") == -1, "negative");
    OK(hl("Content-Length: 12x\r\n") == -1, "trailing junk");
    OK(hl("Content-Length: \r\n") == -1, "empty");
    snprintf(big, sizeof big, "Content-Length: %d\r\n",
             CPDB_DAP_BODY_MAX + 1);
    OK(hl(big) == -2, "over the limit");
    OK(hl("Content-Length: 99999999999999999999999999\r\n") == -2,
       "a number that overflows");
    OK(hl("Content-Length: 0\r\n") == 0, "zero");
}

static CpdbDapKind
kind(const char *body)
{
    json_t *m;
    const char *why;
    CpdbDapKind k = cpdb_dap_classify(body, strlen(body), &m, &why);
    if (m != NULL) {
        json_decref(m);
    }
    return k;
}

static void
test_classify(void)
{
    json_t *m;
    const char *why;
    const char *req = "{\"seq\":1,\"type\":\"request\",\"command\":\"x\"}";
    OK(cpdb_dap_classify(req, strlen(req), &m, &why) == CPDB_DAP_REQUEST
       && json_is_object(cpdb_dap_args(m)), "a request without arguments "
       "gets an empty object");
    json_decref(m);
    OK(kind("{\"seq\":1,\"type\":\"request\",\"command\":\"x\","
            "\"arguments\":[1]}") == CPDB_DAP_BAD_REQUEST,
       "arguments that are not an object");
    OK(kind("{\"seq\":1,\"command\":\"x\"}") == CPDB_DAP_BAD_REQUEST,
       "no type");
    OK(kind("{\"seq\":1,\"type\":\"event\",\"event\":\"x\"}")
       == CPDB_DAP_OTHER, "an event from the client");
    OK(kind("{\"type\":\"request\",\"command\":\"x\"}") == CPDB_DAP_GARBAGE,
       "no seq");
    OK(kind("{\"seq\":\"1\",\"type\":\"request\",\"command\":\"x\"}")
       == CPDB_DAP_GARBAGE, "seq not an integer");
    OK(kind("{\"seq\":1,\"type\":\"request\",\"command\":5}")
       == CPDB_DAP_GARBAGE, "command not a string");
    OK(kind("[1,2]") == CPDB_DAP_GARBAGE, "not an object");
    OK(kind("{\"seq\":1,") == CPDB_DAP_GARBAGE, "cut short");
    OK(kind("{\"seq\":1,\"seq\":2,\"type\":\"request\",\"command\":\"x\"}")
       == CPDB_DAP_GARBAGE, "a key twice");
    OK(kind("{\"seq\":1,\"type\":\"request\",\"command\":\"\xff\"}")
       == CPDB_DAP_GARBAGE, "not UTF-8");
    OK(kind("") == CPDB_DAP_GARBAGE, "empty");
}

/* Random mutations of a request: classify never crashes, and whatever
   it calls a request has seq and command. */
static void
test_fuzz_classify(void)
{
    const char *good = "{\"seq\":12,\"type\":\"request\",\"command\":"
                       "\"setBreakpoints\",\"arguments\":{\"source\":"
                       "{\"path\":\"/a.py\"},\"breakpoints\":[{\"line\":3,"
                       "\"condition\":\"x>1\"}]}}";
    size_t n = strlen(good);
    char buf[512];
    int i, bad = 0, requests = 0;
    srand(1234);
    for (i = 0; i < 200000; i++) {
        size_t len = n, k, flips = 1 + (size_t)(rand() % 4);
        json_t *m;
        const char *why;
        CpdbDapKind got;
        memcpy(buf, good, n);
        for (k = 0; k < flips; k++) {
            switch (rand() % 3) {
            case 0:
                buf[rand() % len] = (char)(rand() % 256);
                break;
            case 1:
                len = (size_t)(rand() % (int)len);
                break;
            default: {
                size_t at = (size_t)(rand() % (int)n);
                size_t take = (size_t)(rand() % (int)(n - at));
                if (len + take < sizeof buf) {
                    memcpy(buf + len, good + at, take);
                    len += take;
                }
            }
            }
            if (len == 0) {
                len = 1;
            }
        }
        got = cpdb_dap_classify(buf, len, &m, &why);
        if (got == CPDB_DAP_REQUEST || got == CPDB_DAP_BAD_REQUEST) {
            requests++;
            if (m == NULL || !json_is_integer(json_object_get(m, "seq"))
                || !json_is_string(json_object_get(m, "command"))) {
                bad++;
            }
        }
        else if (m != NULL) {
            bad++;
        }
        if (m != NULL) {
            json_decref(m);
        }
    }
    OK(bad == 0, "200000 mutated bodies: every request has seq and "
       "command, nothing else is kept (%d requests)", requests);
}

/* End the reader thread: the end of its stream, waited for, so that
   no thread of the wire runs while the process exits. */
static void
stop_reader(CpdbDapWire *w)
{
    int i, eof = 0;
    shutdown(w->in_fd, SHUT_RDWR);
    for (i = 0; i < 5000 && !eof; i++) {
        pthread_mutex_lock(&w->mu);
        eof = w->eof;
        pthread_mutex_unlock(&w->mu);
        if (!eof) {
            usleep(1000);
        }
    }
    close(w->in_fd);
    for (;;) {
        json_t *left = cpdb_dap_next(w, 0);
        if (left == NULL) {
            break;
        }
        json_decref(left);
    }
}

static void
send_all(int fd, const char *b, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, b, n);
        if (k <= 0) {
            return;
        }
        b += k;
        n -= (size_t)k;
    }
}

static void
send_frame(int fd, const char *body)
{
    char h[64];
    int hn = snprintf(h, sizeof h, "Content-Length: %zu\r\n\r\n",
                      strlen(body));
    send_all(fd, h, (size_t)hn);
    send_all(fd, body, strlen(body));
}

/* The reader through a socket: junk of every kind, then a request. */
static void
test_reader(void)
{
    CpdbDapWire w;
    int sv[2], i, answered = 0;
    json_t *req;
    char *body, junk[300];
    size_t len;

    memset(&w, 0, sizeof w);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        OK(0, "socketpair");
        return;
    }
    OK(cpdb_dap_wire_start(&w, sv[0], sv[0]) == 0, "the reader starts");
    send_all(sv[1], "garbage garbage\r\n\r\n", 19);
    send_frame(sv[1], "not json");
    send_frame(sv[1], "[1]");
    send_frame(sv[1], "{\"seq\":5,\"command\":\"x\"}");    /* no type */
    srand(99);
    for (i = 0; i < 2000; i++) {
        size_t k, n = (size_t)(rand() % (int)sizeof junk);
        for (k = 0; k < n; k++) {
            junk[k] = (char)(rand() % 256);
            if (junk[k] == '\n' && rand() % 2) {
                junk[k] = 'x';
            }
        }
        if (i % 3 == 0) {
            char h[64];
            int hn = snprintf(h, sizeof h, "Content-Length: %zu\r\n\r\n", n);
            send_all(sv[1], h, (size_t)hn);
        }
        send_all(sv[1], junk, n);
    }
    /* Whatever the junk left half-read, a long run of header ends
       resynchronizes, and a good request gets through. */
    for (i = 0; i < 40; i++) {
        send_all(sv[1], "\r\n\r\n", 4);
    }
    for (i = 0; i < 3; i++) {
        send_frame(sv[1], "{\"seq\":77,\"type\":\"request\","
                          "\"command\":\"threads\"}");
    }
    for (i = 0, req = NULL; i < 3000 && req == NULL; i++) {
        json_t *m = cpdb_dap_next(&w, 10);
        if (m != NULL && json_integer_value(json_object_get(m, "seq"))
                             == 77) {
            req = m;
        }
        else if (m != NULL) {
            json_decref(m);
        }
    }
    OK(req != NULL && strcmp(cpdb_dap_command(req), "threads") == 0,
       "a good request after 2000 pieces of junk is queued");
    if (req != NULL) {
        cpdb_dap_respond(&w, req, NULL, "no");
        json_decref(req);
    }
    /* The answers the reader sent for bad requests, and ours. */
    shutdown(sv[0], SHUT_WR);
    while ((body = cpdb_dap_read_frame(sv[1], &len)) != NULL) {
        json_t *m = json_loadb(body, len, 0, NULL);
        if (m != NULL && json_is_false(json_object_get(m, "success"))) {
            answered++;
        }
        json_decref(m);
        free(body);
    }
    OK(answered >= 2, "bad requests and ours were answered with errors, "
       "each a whole message (%d)", answered);
    stop_reader(&w);
    close(sv[1]);
}

/* A body over the limit closes the connection. */
static void
test_too_big(void)
{
    CpdbDapWire w;
    int sv[2], eof = 0, i;
    char h[64];
    memset(&w, 0, sizeof w);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        OK(0, "socketpair");
        return;
    }
    cpdb_dap_wire_start(&w, sv[0], sv[0]);
    snprintf(h, sizeof h, "Content-Length: %d\r\n\r\n",
             CPDB_DAP_BODY_MAX + 1);
    send_all(sv[1], h, strlen(h));
    for (i = 0; i < 2000 && !eof; i++) {
        cpdb_dap_next(&w, 1);
        pthread_mutex_lock(&w.mu);
        eof = w.eof;
        pthread_mutex_unlock(&w.mu);
    }
    OK(eof, "a body over %d bytes ends the stream", CPDB_DAP_BODY_MAX);
    stop_reader(&w);
    close(sv[1]);
}

int
main(void)
{
    test_headers();
    test_classify();
    test_fuzz_classify();
    test_reader();
    test_too_big();
    return tap_done();
}
