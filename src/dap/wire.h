/* The Debug Adapter Protocol on the wire: messages framed by a
   "Content-Length: N" header and a blank line, each body one JSON object
   (jansson).  One thread reads the client's messages into a queue; any
   thread writes, one whole message at a time.  Nothing here knows
   Python or the session. */
#ifndef CPDB_SRC_DAP_WIRE_H
#define CPDB_SRC_DAP_WIRE_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

/* Limits on what a client may send: a header block, and a body. */
enum {
    CPDB_DAP_HEADER_MAX = 4096,
    CPDB_DAP_BODY_MAX = 16 * 1024 * 1024
};

/* Parse a header block (the bytes before the blank line, without it).
   Return: the Content-Length (0..CPDB_DAP_BODY_MAX), -1 when there is
   none or it is not a decimal number, -2 when it is over the limit. */
long cpdb_dap_header_length(const char *header, size_t len);

/* What a parsed body is. */
typedef enum {
    CPDB_DAP_REQUEST,       /* a request: seq, command, arguments (an
                               object or absent) */
    CPDB_DAP_BAD_REQUEST,   /* a request with seq and command whose other
                               fields are wrong: answer with an error */
    CPDB_DAP_OTHER,         /* a response or event from the client:
                               ignored */
    CPDB_DAP_GARBAGE        /* not JSON, not an object, or no seq and
                               command to answer: dropped */
} CpdbDapKind;

/* Decide what body[0..len) is.  Return: its kind; *msg a new reference
   to the parsed object for REQUEST and BAD_REQUEST (else NULL), and
   *why a static text saying what is wrong for BAD_REQUEST and
   GARBAGE. */
CpdbDapKind cpdb_dap_classify(const char *body, size_t len, json_t **msg,
                              const char **why);

/* One request waiting to be handled. */
typedef struct CpdbDapItem {
    json_t *msg;            /* strong */
    struct CpdbDapItem *next;
} CpdbDapItem;

typedef struct CpdbDapWire {
    int in_fd, out_fd;      /* owned */
    int log_fd;             /* cpdb's own stderr (2 until the program's
                               output is taken) */
    pthread_mutex_t mu;     /* the queue and the flags below */
    pthread_cond_t cv;      /* signalled on a new item or the end */
    CpdbDapItem *head, *tail;
    int eof;                /* the client's stream ended (or broke) */
    int closed;             /* the adapter is ending: no more reading */
    pthread_mutex_t wmu;    /* one message at a time on out_fd */
    long seq;               /* the next seq we send (under wmu) */
    int write_failed;       /* the client stopped reading */
    pthread_t reader;
    int reader_started;
    /* Told (from the reader thread) when a request comes in, before it
       is queued: return 1 when it was answered there (initialize), 0 to
       queue it.  May be NULL. */
    int (*early)(void *ctx, json_t *msg);
    /* Told when the stream ends (from the reader thread). */
    void (*on_eof)(void *ctx);
    void *ctx;
} CpdbDapWire;

/* Take the two fds (they may be the same socket) and start reading.
   Return 0, or -1 when the thread cannot start. */
int cpdb_dap_wire_start(CpdbDapWire *w, int in_fd, int out_fd);

/* Send msg (a response or event: "seq" and "type" are set here).  The
   reference is taken.  Return 0, or -1 when the client is gone. */
int cpdb_dap_send(CpdbDapWire *w, json_t *msg);

/* Send a response to request req: success with body (taken; may be
   NULL), or when message is non-NULL an error saying it. */
int cpdb_dap_respond(CpdbDapWire *w, json_t *req, json_t *body,
                     const char *message);
int cpdb_dap_respondf(CpdbDapWire *w, json_t *req, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Send event name with body (taken; may be NULL). */
int cpdb_dap_event(CpdbDapWire *w, const char *name, json_t *body);

/* Send a message made elsewhere (an agent's), body[0..len) as it is,
   framed.  Return 0, or -1 when the client is gone. */
int cpdb_dap_send_raw(CpdbDapWire *w, const char *body, size_t len);

/* Read one framed message from fd (a peer of ours: an agent, another
   cpdb), waiting for it.  Return: its body (malloc'd, NUL-terminated)
   with *len, or NULL at the end of the stream or on a malformed one. */
char *cpdb_dap_read_frame(int fd, size_t *len);

/* Send req (a request, as it came) framed on fd.  Return 0, or -1. */
int cpdb_dap_write_frame(int fd, json_t *req);

/* Send text (UTF-8) as an output event of category ("console",
   "stdout", "stderr"). */
void cpdb_dap_output(CpdbDapWire *w, const char *category,
                     const char *text);

/* Wait on w's condition (w->mu held) for up to ms milliseconds (-1:
   until signalled).  Return: 1 when the time ran out. */
int cpdb_dap_wait(CpdbDapWire *w, long ms);

/* Take the next request, waiting up to ms milliseconds (-1: for ever)
   when none is queued.  Return: a new reference, or NULL when none came
   or the stream ended (see w->eof). */
json_t *cpdb_dap_next(CpdbDapWire *w, long ms);
/* Whether a request is queued. */
int cpdb_dap_pending(CpdbDapWire *w);

/* The request's command and arguments (borrowed; args is an empty
   object when the request had none). */
const char *cpdb_dap_command(json_t *req);
json_t *cpdb_dap_args(json_t *req);

#endif /* CPDB_SRC_DAP_WIRE_H */
