/* The Debug Adapter Protocol on the wire (wire.h). */
#include "dap/wire.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

long
cpdb_dap_header_length(const char *header, size_t len)
{
    static const char name[] = "content-length:";
    const size_t name_len = sizeof name - 1;
    size_t i = 0;
    long found = -1;

    while (i < len) {
        size_t end = i;
        while (end < len && header[end] != '\n') {
            end++;
        }
        if (end - i > name_len && strncasecmp(header + i, name, name_len) == 0) {
            size_t p = i + name_len;
            long n = 0;
            int digits = 0;
            while (p < end && (header[p] == ' ' || header[p] == '\t')) {
                p++;
            }
            while (p < end && header[p] >= '0' && header[p] <= '9') {
                if (n > CPDB_DAP_BODY_MAX) {
                    return -2;
                }
                n = n * 10 + (header[p] - '0');
                p++;
                digits++;
            }
            while (p < end && (header[p] == ' ' || header[p] == '\t'
                               || header[p] == '\r')) {
                p++;
            }
            if (digits == 0 || p != end) {
                return -1;
            }
            if (n > CPDB_DAP_BODY_MAX) {
                return -2;
            }
            found = n;
        }
        i = end + 1;
    }
    return found;
}

CpdbDapKind
cpdb_dap_classify(const char *body, size_t len, json_t **msg,
                  const char **why)
{
    json_error_t err;
    json_t *m, *type, *seq, *command, *args;

    *msg = NULL;
    *why = NULL;
    m = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (m == NULL) {
        *why = "the body is not JSON";
        return CPDB_DAP_GARBAGE;
    }
    if (!json_is_object(m)) {
        json_decref(m);
        *why = "the body is not a JSON object";
        return CPDB_DAP_GARBAGE;
    }
    type = json_object_get(m, "type");
    seq = json_object_get(m, "seq");
    command = json_object_get(m, "command");
    if (json_is_string(type) && strcmp(json_string_value(type),
                                       "request") != 0) {
        json_decref(m);
        *why = "not a request";
        return CPDB_DAP_OTHER;
    }
    if (!json_is_integer(seq) || !json_is_string(command)) {
        json_decref(m);
        *why = "a request needs an integer \"seq\" and a string "
               "\"command\"";
        return CPDB_DAP_GARBAGE;
    }
    *msg = m;
    if (!json_is_string(type)) {
        *why = "a message needs \"type\": \"request\"";
        return CPDB_DAP_BAD_REQUEST;
    }
    args = json_object_get(m, "arguments");
    if (args == NULL || json_is_null(args)) {
        json_object_set_new(m, "arguments", json_object());
    }
    else if (!json_is_object(args)) {
        *why = "\"arguments\" must be an object";
        return CPDB_DAP_BAD_REQUEST;
    }
    return CPDB_DAP_REQUEST;
}

const char *
cpdb_dap_command(json_t *req)
{
    const char *c = json_string_value(json_object_get(req, "command"));
    return c != NULL ? c : "";
}

json_t *
cpdb_dap_args(json_t *req)
{
    return json_object_get(req, "arguments");
}

/* --- writing ------------------------------------------------------------- */

/* Write all of buf.  Return 0, or -1 when the peer is gone. */
static int
write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, buf, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return -1;
        }
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

int
cpdb_dap_send(CpdbDapWire *w, json_t *msg)
{
    char *text, header[64];
    int rc = -1, hn;

    if (msg == NULL) {
        return -1;
    }
    pthread_mutex_lock(&w->wmu);
    json_object_set_new(msg, "seq", json_integer(w->seq++));
    text = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (text != NULL && !w->write_failed) {
        size_t n = strlen(text);
        hn = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n", n);
        rc = write_all(w->out_fd, header, (size_t)hn) == 0
                     && write_all(w->out_fd, text, n) == 0 ? 0 : -1;
        if (rc < 0) {
            w->write_failed = 1;
        }
    }
    pthread_mutex_unlock(&w->wmu);
    free(text);
    json_decref(msg);
    return rc;
}

int
cpdb_dap_send_raw(CpdbDapWire *w, const char *body, size_t len)
{
    char header[64];
    int rc = -1, hn;
    pthread_mutex_lock(&w->wmu);
    if (!w->write_failed) {
        hn = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n",
                      len);
        rc = write_all(w->out_fd, header, (size_t)hn) == 0
                     && write_all(w->out_fd, body, len) == 0 ? 0 : -1;
        if (rc < 0) {
            w->write_failed = 1;
        }
    }
    pthread_mutex_unlock(&w->wmu);
    return rc;
}

int
cpdb_dap_write_frame(int fd, json_t *req)
{
    char *text = json_dumps(req, JSON_COMPACT | JSON_ENSURE_ASCII);
    char header[64];
    int hn, rc = -1;
    if (text != NULL) {
        size_t n = strlen(text);
        hn = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n",
                      n);
        rc = write_all(fd, header, (size_t)hn) == 0
             && write_all(fd, text, n) == 0 ? 0 : -1;
    }
    free(text);
    return rc;
}

char *
cpdb_dap_read_frame(int fd, size_t *len)
{
    char header[CPDB_DAP_HEADER_MAX];
    size_t n = 0, got = 0;
    long length;
    char *body;
    /* A byte at a time: the header is short, and nothing after it may be
       taken from the stream. */
    while (n < sizeof header) {
        ssize_t k = read(fd, header + n, 1);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return NULL;
        }
        n++;
        if (n >= 4 && memcmp(header + n - 4, "\r\n\r\n", 4) == 0) {
            break;
        }
    }
    length = cpdb_dap_header_length(header, n);
    if (length < 0 || n >= sizeof header) {
        return NULL;
    }
    body = malloc((size_t)length + 1);
    if (body == NULL) {
        return NULL;
    }
    while (got < (size_t)length) {
        ssize_t k = read(fd, body + got, (size_t)length - got);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            free(body);
            return NULL;
        }
        got += (size_t)k;
    }
    body[length] = '\0';
    *len = (size_t)length;
    return body;
}

int
cpdb_dap_respond(CpdbDapWire *w, json_t *req, json_t *body,
                 const char *message)
{
    json_t *r = json_object();
    json_object_set_new(r, "type", json_string("response"));
    json_object_set(r, "request_seq", json_object_get(req, "seq"));
    json_object_set_new(r, "success", json_boolean(message == NULL));
    json_object_set_new(r, "command", json_string(cpdb_dap_command(req)));
    if (message != NULL) {
        json_t *error = json_object();
        /* A string that is not UTF-8 cannot be a JSON string. */
        json_t *text = json_string(message);
        if (text == NULL) {
            text = json_string("(the message is not UTF-8)");
        }
        json_object_set(r, "message", text);
        json_object_set_new(error, "id", json_integer(1));
        json_object_set_new(error, "format", text);
        json_object_set_new(error, "showUser", json_false());
        json_decref(body);
        body = json_object();
        json_object_set_new(body, "error", error);
    }
    if (body != NULL) {
        json_object_set_new(r, "body", body);
    }
    return cpdb_dap_send(w, r);
}

int
cpdb_dap_respondf(CpdbDapWire *w, json_t *req, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return cpdb_dap_respond(w, req, NULL, text);
}

int
cpdb_dap_event(CpdbDapWire *w, const char *name, json_t *body)
{
    json_t *e = json_object();
    json_object_set_new(e, "type", json_string("event"));
    json_object_set_new(e, "event", json_string(name));
    if (body != NULL) {
        json_object_set_new(e, "body", body);
    }
    return cpdb_dap_send(w, e);
}

void
cpdb_dap_output(CpdbDapWire *w, const char *category, const char *text)
{
    json_t *body = json_object();
    json_t *t = json_string(text);
    json_object_set_new(body, "category", json_string(category));
    json_object_set_new(body, "output",
                        t != NULL ? t : json_string("(not UTF-8)\n"));
    cpdb_dap_event(w, "output", body);
}

/* A line of cpdb's own about the client's stream, on cpdb's stderr (not
   the program's, which is a pipe to the client once it runs). */
static void wire_log(CpdbDapWire *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
wire_log(CpdbDapWire *w, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    int n = snprintf(text, sizeof text, "cpdb: ");
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    if (write(w->log_fd, text, strlen(text)) < 0) {
        return;     /* nowhere to say it */
    }
}

/* --- reading ------------------------------------------------------------- */

/* Read into buf[*len..cap).  Return: bytes read, 0 at the end. */
static ssize_t
read_some(int fd, char *buf, size_t *len, size_t cap)
{
    for (;;) {
        ssize_t k = read(fd, buf + *len, cap - *len);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k > 0) {
            *len += (size_t)k;
        }
        return k < 0 ? 0 : k;
    }
}

/* Where the blank line after a header ends in buf[0..len), or 0. */
static size_t
header_end(const char *buf, size_t len)
{
    size_t i;
    for (i = 0; i + 1 < len; i++) {
        if (buf[i] == '\n' && buf[i + 1] == '\n') {
            return i + 2;
        }
        if (i + 3 < len && buf[i] == '\r' && buf[i + 1] == '\n'
            && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            return i + 4;
        }
    }
    return 0;
}

static void
enqueue(CpdbDapWire *w, json_t *msg)
{
    CpdbDapItem *it = calloc(1, sizeof *it);
    if (it == NULL) {
        json_decref(msg);
        return;
    }
    it->msg = msg;
    pthread_mutex_lock(&w->mu);
    if (w->tail != NULL) {
        w->tail->next = it;
    }
    else {
        w->head = it;
    }
    w->tail = it;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* One body has come: queue it, answer it, or drop it. */
static void
take_body(CpdbDapWire *w, const char *body, size_t len)
{
    json_t *msg;
    const char *why;
    switch (cpdb_dap_classify(body, len, &msg, &why)) {
    case CPDB_DAP_REQUEST:
        if (w->early == NULL || !w->early(w->ctx, msg)) {
            enqueue(w, msg);
        }
        else {
            json_decref(msg);
        }
        break;
    case CPDB_DAP_BAD_REQUEST:
        cpdb_dap_respond(w, msg, NULL, why);
        json_decref(msg);
        break;
    case CPDB_DAP_OTHER:
        break;
    case CPDB_DAP_GARBAGE:
        wire_log(w, "dropped a message: %s\n", why);
        break;
    }
}

static void *
reader_main(void *arg)
{
    CpdbDapWire *w = arg;
    size_t cap = CPDB_DAP_HEADER_MAX + 1, len = 0;
    char *buf = malloc(cap);

    while (buf != NULL) {
        size_t end = header_end(buf, len);
        long n;
        if (end == 0) {
            if (len >= CPDB_DAP_HEADER_MAX) {
                /* No header ends here: drop what came, keep a tail that
                   may start the next one. */
                wire_log(w, "dropped %zu bytes that are not a "
                        "message header\n", len - 3);
                memmove(buf, buf + len - 3, 3);
                len = 3;
            }
            if (read_some(w->in_fd, buf, &len, CPDB_DAP_HEADER_MAX) == 0) {
                break;
            }
            continue;
        }
        n = cpdb_dap_header_length(buf, end);
        if (n == -2) {
            wire_log(w, "a message over %d bytes: the connection "
                    "is closed\n", CPDB_DAP_BODY_MAX);
            break;
        }
        if (n < 0) {
            wire_log(w, "dropped a message header without a "
                    "Content-Length\n");
            memmove(buf, buf + end, len - end);
            len -= end;
            continue;
        }
        if (end + (size_t)n > cap) {
            char *bigger = realloc(buf, end + (size_t)n);
            if (bigger == NULL) {
                break;
            }
            buf = bigger;
            cap = end + (size_t)n;
        }
        while (len < end + (size_t)n) {
            if (read_some(w->in_fd, buf, &len, end + (size_t)n) == 0) {
                goto done;
            }
        }
        take_body(w, buf + end, (size_t)n);
        memmove(buf, buf + end + n, len - end - (size_t)n);
        len -= end + (size_t)n;
        if (cap > 4 * (CPDB_DAP_HEADER_MAX + 1)) {
            char *smaller = realloc(buf, CPDB_DAP_HEADER_MAX + 1);
            if (smaller != NULL) {
                buf = smaller;
                cap = CPDB_DAP_HEADER_MAX + 1;
            }
        }
        pthread_mutex_lock(&w->mu);
        n = w->closed;
        pthread_mutex_unlock(&w->mu);
        if (n) {
            break;
        }
    }
done:
    free(buf);
    pthread_mutex_lock(&w->mu);
    w->eof = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->on_eof != NULL) {
        w->on_eof(w->ctx);
    }
    return NULL;
}

int
cpdb_dap_wire_start(CpdbDapWire *w, int in_fd, int out_fd)
{
    pthread_attr_t attr;
    w->in_fd = in_fd;
    w->out_fd = out_fd;
    w->seq = 1;
    w->log_fd = 2;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_mutex_init(&w->wmu, NULL);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&w->reader, &attr, reader_main, w) != 0) {
        pthread_attr_destroy(&attr);
        return -1;
    }
    pthread_attr_destroy(&attr);
    w->reader_started = 1;
    return 0;
}

int
cpdb_dap_wait(CpdbDapWire *w, long ms)
{
    struct timespec until;
    if (ms < 0) {
        pthread_cond_wait(&w->cv, &w->mu);
        return 0;
    }
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT;
}

json_t *
cpdb_dap_next(CpdbDapWire *w, long ms)
{
    json_t *msg = NULL;
    pthread_mutex_lock(&w->mu);
    while (w->head == NULL && !w->eof) {
        if (cpdb_dap_wait(w, ms)) {
            break;
        }
    }
    if (w->head != NULL) {
        CpdbDapItem *it = w->head;
        w->head = it->next;
        if (w->head == NULL) {
            w->tail = NULL;
        }
        msg = it->msg;
        free(it);
    }
    pthread_mutex_unlock(&w->mu);
    return msg;
}

int
cpdb_dap_pending(CpdbDapWire *w)
{
    int n;
    pthread_mutex_lock(&w->mu);
    n = w->head != NULL;
    pthread_mutex_unlock(&w->mu);
    return n;
}
