/* The wire format of cpdb's control channel (docs/protocol.md): the
   socket between a console and an engine that runs elsewhere (cpdb
   --connect and --listen, cpdb -p and its agent).  Each message is a
   12-byte header {u32 magic "CPDB", u16 version, u16 type, u32 length},
   little-endian, and then length bytes of payload (at most
   CPDB_PROTO_MAX_PAYLOAD).  Payload fields are u8, u32 and strings (a
   u32 length, then the bytes, no NUL); each type has one fixed list of
   fields.  Both ends use this file: whatever bytes arrive, the receiver
   returns a message or an error, never reads past what it holds. */
#ifndef CPDB_SRC_REMOTE_PROTO_H
#define CPDB_SRC_REMOTE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CPDB_PROTO_MAGIC 0x42445043u   /* "CPDB" read as a u32 LE */
#define CPDB_PROTO_VERSION 1
#define CPDB_PROTO_HEADER 12
#define CPDB_PROTO_MAX_PAYLOAD (1u << 20)
/* A string list (CANDIDATES) holds at most this many items. */
#define CPDB_PROTO_MAX_ITEMS 65536

typedef enum CpdbMsgType {
    CPDB_MSG_HELLO = 1,     /* console: version, columns, is_tty, color,
                               text = token ("" for none) */
    CPDB_MSG_HELLO_OK,      /* engine: pid, python_version, cpdb_version,
                               text = what runs there (one line) */
    CPDB_MSG_ERROR,         /* either: text = one line */
    CPDB_MSG_PROMPT,        /* engine: text = the prompt */
    CPDB_MSG_LINE,          /* console: text = the line typed */
    CPDB_MSG_EOF,           /* console: end of input instead of a line */
    CPDB_MSG_OUT,           /* engine: stream (1 or 2), text = bytes
                               (text_len of them; NULs allowed) */
    CPDB_MSG_COMPLETE,      /* console: text = the line, start and end
                               (end = the cursor) of the word */
    CPDB_MSG_CANDIDATES,    /* engine: items, add_space */
    CPDB_MSG_INTERRUPT,     /* console: Ctrl-C while the engine runs */
    CPDB_MSG_BYE,           /* engine: status (the exit status), action */
    CPDB_MSG_TYPE_END
} CpdbMsgType;

/* BYE's action: what the console does after the session. */
enum {
    CPDB_BYE_NONE = 0,
    CPDB_BYE_KILL_TARGET = 1    /* attach: "kill" ended the session */
};

/* One message.  The fields its type has are set; the others are 0 and
   NULL.  A decoded message owns its strings: cpdb_msg_fini(). */
typedef struct CpdbMsg {
    CpdbMsgType type;
    uint32_t version, columns, is_tty, color;   /* HELLO */
    uint32_t pid;                               /* HELLO_OK */
    uint32_t stream;                            /* OUT */
    uint32_t start, end;                        /* COMPLETE */
    uint32_t add_space;                         /* CANDIDATES */
    uint32_t status, action;                    /* BYE */
    char *text;             /* see the types; NUL-terminated */
    size_t text_len;
    char *python_version, *cpdb_version;        /* HELLO_OK */
    char **items;           /* CANDIDATES: n_items strings */
    size_t n_items;
} CpdbMsg;

/* What cpdb_proto_recv returns. */
enum {
    CPDB_PROTO_OK = 0,
    CPDB_PROTO_CLOSED = -1, /* the peer closed between two messages */
    CPDB_PROTO_BAD = -2     /* a malformed message, or the connection
                               failed in the middle of one: err says
                               which; the stream is lost, close it */
};

void cpdb_msg_init(CpdbMsg *m, CpdbMsgType type);
/* Free the strings a decoded message owns (only for decoded ones). */
void cpdb_msg_fini(CpdbMsg *m);
/* The name of a type ("PROMPT"), or "unknown". */
const char *cpdb_msg_type_name(int type);

/* Encode m (header and payload).  Return: malloc'd bytes with their
   count in *len, or NULL when the payload would pass the size limit. */
unsigned char *cpdb_proto_encode(const CpdbMsg *m, size_t *len);
/* Check a header.  Return: 0 with *type and *len set, or -1 with a
   one-line reason in err (bad magic, version, type, or a length over
   the limit). */
int cpdb_proto_parse_header(const unsigned char *h, int *type,
                            uint32_t *len, char *err, size_t errlen);
/* Decode a payload of the given type into m.  Return: 0, or -1 with a
   one-line reason in err (a field cut short, bytes left over, a NUL in
   text, a value out of range); m then holds nothing to free. */
int cpdb_proto_decode(int type, const unsigned char *p, size_t n,
                      CpdbMsg *m, char *err, size_t errlen);

/* Write all of m to fd (a socket: no SIGPIPE; short writes and EINTR
   resumed).  Return: 0, or -1 with errno set. */
int cpdb_proto_send(int fd, const CpdbMsg *m);
/* The common sends. */
int cpdb_proto_send_text(int fd, CpdbMsgType type, const char *text);
int cpdb_proto_send_empty(int fd, CpdbMsgType type);
/* Read one message from fd into m (EINTR resumed).  Return:
   CPDB_PROTO_OK, CPDB_PROTO_CLOSED, or CPDB_PROTO_BAD with a one-line
   reason in err. */
int cpdb_proto_recv(int fd, CpdbMsg *m, char *err, size_t errlen);

#endif /* CPDB_SRC_REMOTE_PROTO_H */
