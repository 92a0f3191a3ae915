/* The control channel's wire format (remote/proto.c): every type
   encodes and decodes to itself; every malformed header, cut payload
   and oversized length is an error; and random or mutated bytes sent
   through a socket give a message or an error, never a crash. */
#include "remote/proto.h"
#include "tap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Encode m, decode the result.  Return: 0 with *out set, or -1. */
static int
round_trip(const CpdbMsg *m, CpdbMsg *out)
{
    size_t len;
    unsigned char *b = cpdb_proto_encode(m, &len);
    int type, rc = -1;
    uint32_t n;
    char err[200];
    if (b != NULL && len >= CPDB_PROTO_HEADER
        && cpdb_proto_parse_header(b, &type, &n, err, sizeof err) == 0
        && n == len - CPDB_PROTO_HEADER) {
        rc = cpdb_proto_decode(type, b + CPDB_PROTO_HEADER, n, out, err,
                               sizeof err);
    }
    free(b);
    return rc;
}

static void
test_round_trips(void)
{
    CpdbMsg m, d;
    char *items[] = {"continue", "condition", NULL};
    static const char bytes[] = "a\0b\n";

    cpdb_msg_init(&m, CPDB_MSG_HELLO);
    m.version = 1;
    m.columns = 132;
    m.is_tty = 1;
    m.color = 0;
    m.text = "0123abcd";
    OK(round_trip(&m, &d) == 0 && d.type == CPDB_MSG_HELLO
       && d.version == 1 && d.columns == 132 && d.is_tty == 1
       && d.color == 0 && strcmp(d.text, "0123abcd") == 0,
       "HELLO round trip");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_HELLO_OK);
    m.pid = 4242;
    m.python_version = "3.11.2";
    m.cpdb_version = "0.1.0";
    m.text = "prog.py";
    OK(round_trip(&m, &d) == 0 && d.pid == 4242
       && strcmp(d.python_version, "3.11.2") == 0
       && strcmp(d.cpdb_version, "0.1.0") == 0
       && strcmp(d.text, "prog.py") == 0, "HELLO_OK round trip");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_PROMPT);
    m.text = "(cpdb) ";
    OK(round_trip(&m, &d) == 0 && d.type == CPDB_MSG_PROMPT
       && strcmp(d.text, "(cpdb) ") == 0 && d.text_len == 7,
       "PROMPT round trip");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_LINE);
    m.text = "";
    OK(round_trip(&m, &d) == 0 && d.type == CPDB_MSG_LINE
       && strcmp(d.text, "") == 0, "an empty LINE");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_OUT);
    m.stream = 2;
    m.text = (char *)bytes;
    m.text_len = 4;
    OK(round_trip(&m, &d) == 0 && d.stream == 2 && d.text_len == 4
       && memcmp(d.text, bytes, 4) == 0, "OUT keeps NUL bytes");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_COMPLETE);
    m.text = "p obj.at";
    m.text_len = 8;
    m.start = 2;
    m.end = 8;
    OK(round_trip(&m, &d) == 0 && d.start == 2 && d.end == 8
       && strcmp(d.text, "p obj.at") == 0, "COMPLETE round trip");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_CANDIDATES);
    m.add_space = 1;
    m.items = items;
    m.n_items = 2;
    OK(round_trip(&m, &d) == 0 && d.add_space == 1 && d.n_items == 2
       && strcmp(d.items[1], "condition") == 0 && d.items[2] == NULL,
       "CANDIDATES round trip, NULL-terminated");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_BYE);
    m.status = 3;
    m.action = CPDB_BYE_KILL_TARGET;
    OK(round_trip(&m, &d) == 0 && d.status == 3
       && d.action == CPDB_BYE_KILL_TARGET, "BYE round trip");
    cpdb_msg_fini(&d);

    cpdb_msg_init(&m, CPDB_MSG_INTERRUPT);
    OK(round_trip(&m, &d) == 0 && d.type == CPDB_MSG_INTERRUPT,
       "INTERRUPT has no payload");
    cpdb_msg_fini(&d);
}

static void
header(unsigned char *h, uint32_t magic, unsigned version, unsigned type,
       uint32_t len)
{
    int i;
    for (i = 0; i < 4; i++) {
        h[i] = (unsigned char)(magic >> (8 * i));
        h[8 + i] = (unsigned char)(len >> (8 * i));
    }
    h[4] = (unsigned char)version;
    h[5] = (unsigned char)(version >> 8);
    h[6] = (unsigned char)type;
    h[7] = (unsigned char)(type >> 8);
}

static void
test_bad_headers(void)
{
    unsigned char h[CPDB_PROTO_HEADER];
    char err[200];
    int type;
    uint32_t len;

    header(h, 0x12345678, 1, CPDB_MSG_LINE, 0);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) < 0
       && strstr(err, "magic") != NULL, "bad magic: %s", err);
    header(h, CPDB_PROTO_MAGIC, 2, CPDB_MSG_LINE, 0);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) < 0
       && strstr(err, "version 2") != NULL, "another version: %s", err);
    header(h, CPDB_PROTO_MAGIC, 1, 0, 0);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) < 0,
       "type 0: %s", err);
    header(h, CPDB_PROTO_MAGIC, 1, CPDB_MSG_TYPE_END, 0);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) < 0,
       "a type past the last: %s", err);
    header(h, CPDB_PROTO_MAGIC, 1, 0xffff, 0);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) < 0,
       "type 65535: %s", err);
    header(h, CPDB_PROTO_MAGIC, 1, CPDB_MSG_OUT, CPDB_PROTO_MAX_PAYLOAD + 1);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) < 0
       && strstr(err, "limit") != NULL, "oversized: %s", err);
    header(h, CPDB_PROTO_MAGIC, 1, CPDB_MSG_OUT, 0xffffffffu);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) < 0,
       "length 2^32-1: %s", err);
    header(h, CPDB_PROTO_MAGIC, 1, CPDB_MSG_OUT, CPDB_PROTO_MAX_PAYLOAD);
    OK(cpdb_proto_parse_header(h, &type, &len, err, sizeof err) == 0
       && len == CPDB_PROTO_MAX_PAYLOAD && type == CPDB_MSG_OUT,
       "exactly the limit is allowed");
}

static void
test_bad_payloads(void)
{
    CpdbMsg m;
    char err[200];
    /* LINE: u32 length 5, then 3 bytes. */
    static const unsigned char cut[] = {5, 0, 0, 0, 'a', 'b', 'c'};
    static const unsigned char nul[] = {3, 0, 0, 0, 'a', 0, 'c'};
    static const unsigned char extra[] = {1, 0, 0, 0, 'a', 'z'};
    static const unsigned char huge[] = {0xff, 0xff, 0xff, 0xff, 'a'};
    /* OUT on stream 3. */
    static const unsigned char stream[] = {3, 1, 0, 0, 0, 'x'};
    /* COMPLETE whose word ends past the line. */
    static const unsigned char word[] = {0, 0, 0, 0, 9, 0, 0, 0,
                                         2, 0, 0, 0, 'p', ' '};
    /* CANDIDATES claiming a million items in 5 bytes. */
    static const unsigned char many[] = {1, 0x40, 0x42, 0x0f, 0, 0};
    /* HELLO's is_tty byte must be 0 or 1. */
    static const unsigned char flag[] = {1, 0, 0, 0, 80, 0, 0, 0, 7, 0,
                                         0, 0, 0, 0};

    OK(cpdb_proto_decode(CPDB_MSG_LINE, cut, sizeof cut, &m, err,
                         sizeof err) < 0, "a string cut short: %s", err);
    OK(cpdb_proto_decode(CPDB_MSG_LINE, nul, sizeof nul, &m, err,
                         sizeof err) < 0, "a NUL in a line: %s", err);
    OK(cpdb_proto_decode(CPDB_MSG_LINE, extra, sizeof extra, &m, err,
                         sizeof err) < 0 && strstr(err, "too many"),
       "bytes left over: %s", err);
    OK(cpdb_proto_decode(CPDB_MSG_LINE, huge, sizeof huge, &m, err,
                         sizeof err) < 0, "a string length of 2^32-1");
    OK(cpdb_proto_decode(CPDB_MSG_LINE, huge, 2, &m, err, sizeof err) < 0,
       "a length cut in two");
    OK(cpdb_proto_decode(CPDB_MSG_OUT, stream, sizeof stream, &m, err,
                         sizeof err) < 0, "stream 3: %s", err);
    OK(cpdb_proto_decode(CPDB_MSG_COMPLETE, word, sizeof word, &m, err,
                         sizeof err) < 0, "a word past its line: %s", err);
    OK(cpdb_proto_decode(CPDB_MSG_CANDIDATES, many, sizeof many, &m, err,
                         sizeof err) < 0, "a count larger than the bytes");
    OK(cpdb_proto_decode(CPDB_MSG_HELLO, flag, sizeof flag, &m, err,
                         sizeof err) < 0, "a flag byte of 7");
    OK(cpdb_proto_decode(CPDB_MSG_EOF, cut, 1, &m, err, sizeof err) < 0,
       "a payload on EOF");
    OK(cpdb_proto_decode(99, cut, 0, &m, err, sizeof err) < 0,
       "an unknown type");
}

/* Write n bytes to one end, close it, and read messages from the other
   until the end or an error.  Return: how many messages came. */
static int
feed(const unsigned char *b, size_t n, int *last, char *err, size_t errlen)
{
    int sv[2], count = 0, rc;
    CpdbMsg m;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        return -1;
    }
    if (write(sv[0], b, n) != (ssize_t)n) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    close(sv[0]);
    while ((rc = cpdb_proto_recv(sv[1], &m, err, errlen))
           == CPDB_PROTO_OK) {
        count++;
        cpdb_msg_fini(&m);
    }
    *last = rc;
    close(sv[1]);
    return count;
}

static void
test_socket(void)
{
    CpdbMsg m;
    unsigned char *b, *two;
    size_t len, i;
    int last, n, cut_ok = 1;
    char err[200];

    cpdb_msg_init(&m, CPDB_MSG_PROMPT);
    m.text = "(cpdb) ";
    b = cpdb_proto_encode(&m, &len);
    two = malloc(2 * len);
    memcpy(two, b, len);
    memcpy(two + len, b, len);
    n = feed(two, 2 * len, &last, err, sizeof err);
    OK(n == 2 && last == CPDB_PROTO_CLOSED, "two messages, then closed");
    for (i = 1; i < len; i++) {
        n = feed(b, i, &last, err, sizeof err);
        cut_ok &= n == 0 && last == CPDB_PROTO_BAD;
    }
    OK(cut_ok, "a message cut at any byte is an error: %s", err);
    n = feed(two, len + 3, &last, err, sizeof err);
    OK(n == 1 && last == CPDB_PROTO_BAD && strstr(err, "header"),
       "the second cut in its header: %s", err);
    free(two);
    free(b);

    cpdb_msg_init(&m, CPDB_MSG_OUT);
    m.stream = 1;
    m.text_len = CPDB_PROTO_MAX_PAYLOAD;
    m.text = calloc(1, m.text_len);
    OK(cpdb_proto_encode(&m, &len) == NULL,
       "a message over the limit is not encoded");
    OK(cpdb_proto_send(-1, &m) < 0 && errno == EMSGSIZE,
       "nor sent (EMSGSIZE)");
    free(m.text);
}

/* --- fuzzing ------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* One valid message of a random type, encoded. */
static unsigned char *
random_valid(size_t *len)
{
    CpdbMsg m;
    char *items[] = {"a", "bb", NULL};
    cpdb_msg_init(&m, (CpdbMsgType)(1 + rnd() % (CPDB_MSG_TYPE_END - 1)));
    m.text = "text";
    m.text_len = 4;
    m.python_version = "3.11";
    m.cpdb_version = "0.1";
    m.stream = 1 + rnd() % 2;
    m.start = 1;
    m.end = 3;
    m.items = items;
    m.n_items = rnd() % 3;
    m.is_tty = rnd() % 2;
    return cpdb_proto_encode(&m, len);
}

static void
test_fuzz(void)
{
    unsigned char buf[256];
    int iterations = 200000, i, crashes = 0, msgs = 0, errors = 0;
    clock_t t0 = clock();
    for (i = 0; i < iterations; i++) {
        size_t n, j;
        int last, got;
        char err[200];
        unsigned char *v = NULL;
        if (i % 2 == 0) {
            /* Random bytes, often after a valid header. */
            n = rnd() % sizeof buf;
            for (j = 0; j < n; j++) {
                buf[j] = (unsigned char)rnd();
            }
            if (n >= CPDB_PROTO_HEADER && rnd() % 2) {
                header(buf, CPDB_PROTO_MAGIC, 1, 1 + rnd() % 12,
                       rnd() % 2 ? rnd() % 64 : rnd());
            }
        }
        else {
            /* A valid message with a few bytes flipped, cut or grown. */
            v = random_valid(&n);
            if (n > sizeof buf) {
                n = sizeof buf;
            }
            memcpy(buf, v, n);
            free(v);
            for (j = rnd() % 4; j > 0 && n > 0; j--) {
                buf[rnd() % n] ^= (unsigned char)(1 + rnd() % 255);
            }
            if (rnd() % 4 == 0 && n > 0) {
                n = rnd() % n;
            }
        }
        got = feed(buf, n, &last, err, sizeof err);
        if (got < 0 || (last != CPDB_PROTO_CLOSED
                        && last != CPDB_PROTO_BAD)) {
            crashes++;
        }
        msgs += got > 0 ? got : 0;
        errors += last == CPDB_PROTO_BAD;
    }
    OK(crashes == 0, "%d random and mutated inputs: each gives messages "
       "and an end or an error (%d messages, %d errors)", iterations, msgs,
       errors);
    OK(msgs > 1000 && errors > 1000, "both kinds were met");
    OK((double)(clock() - t0) / CLOCKS_PER_SEC < 20.0,
       "in %.1f s of CPU", (double)(clock() - t0) / CLOCKS_PER_SEC);
}

int
main(void)
{
    test_round_trips();
    test_bad_headers();
    test_bad_payloads();
    test_socket();
    test_fuzz();
    return tap_done();
}
