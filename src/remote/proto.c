/* The control channel's messages: one table says which fields each type
   carries, in order, and both the encoder and the decoder walk it, so
   the two cannot disagree.  The decoder checks every length against
   what is left before it reads. */
#include "remote/proto.h"
#include "base/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Field kinds: 'b' a u8 that is 0 or 1, 'c' a u8, 'u' a u32, 's' a
   string of text (no NUL), 'd' a string of bytes (NULs allowed; its
   length goes to text_len), 'l' a list of text strings (items). */
typedef struct Field {
    char kind;
    size_t off;             /* of the member in CpdbMsg */
} Field;

#define F(kind, member) {kind, offsetof(CpdbMsg, member)}
#define END {0, 0}

static const Field f_hello[] = {
    F('u', version), F('u', columns), F('b', is_tty), F('b', color),
    F('s', text), END
};
static const Field f_hello_ok[] = {
    F('u', pid), F('s', python_version), F('s', cpdb_version),
    F('s', text), END
};
static const Field f_text[] = {F('s', text), END};
static const Field f_none[] = {END};
static const Field f_out[] = {F('c', stream), F('d', text), END};
static const Field f_complete[] = {
    F('u', start), F('u', end), F('s', text), END
};
static const Field f_candidates[] = {F('b', add_space), F('l', items), END};
static const Field f_bye[] = {F('u', status), F('u', action), END};

static const struct {
    const char *name;
    const Field *fields;
} types[CPDB_MSG_TYPE_END] = {
    [CPDB_MSG_HELLO] = {"HELLO", f_hello},
    [CPDB_MSG_HELLO_OK] = {"HELLO_OK", f_hello_ok},
    [CPDB_MSG_ERROR] = {"ERROR", f_text},
    [CPDB_MSG_PROMPT] = {"PROMPT", f_text},
    [CPDB_MSG_LINE] = {"LINE", f_text},
    [CPDB_MSG_EOF] = {"EOF", f_none},
    [CPDB_MSG_OUT] = {"OUT", f_out},
    [CPDB_MSG_COMPLETE] = {"COMPLETE", f_complete},
    [CPDB_MSG_CANDIDATES] = {"CANDIDATES", f_candidates},
    [CPDB_MSG_INTERRUPT] = {"INTERRUPT", f_none},
    [CPDB_MSG_BYE] = {"BYE", f_bye},
};

static int
is_type(int type)
{
    return type > 0 && type < CPDB_MSG_TYPE_END;
}

const char *
cpdb_msg_type_name(int type)
{
    return is_type(type) ? types[type].name : "unknown";
}

void
cpdb_msg_init(CpdbMsg *m, CpdbMsgType type)
{
    memset(m, 0, sizeof *m);
    m->type = type;
}

void
cpdb_msg_fini(CpdbMsg *m)
{
    size_t i;
    free(m->text);
    free(m->python_version);
    free(m->cpdb_version);
    for (i = 0; i < m->n_items; i++) {
        free(m->items[i]);
    }
    free(m->items);
    memset(m, 0, sizeof *m);
}

static void
say(char *err, size_t errlen, const char *fmt, ...) CPDB_PRINTF(3, 4);

static void
say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errlen == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* --- encoding ----------------------------------------------------------- */

static void
put_u32(CpdbBuf *b, uint32_t v)
{
    char le[4];
    le[0] = (char)(v & 0xff);
    le[1] = (char)((v >> 8) & 0xff);
    le[2] = (char)((v >> 16) & 0xff);
    le[3] = (char)((v >> 24) & 0xff);
    cpdb_buf_addn(b, le, 4);
}

static void
put_u16(CpdbBuf *b, unsigned v)
{
    char le[2];
    le[0] = (char)(v & 0xff);
    le[1] = (char)((v >> 8) & 0xff);
    cpdb_buf_addn(b, le, 2);
}

static void
put_str(CpdbBuf *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    cpdb_buf_addn(b, s != NULL ? s : "", n);
}

#define MEMBER(m, f, T) ((T *)(void *)((char *)(m) + (f)->off))

static void
encode_field(CpdbBuf *b, const CpdbMsg *m, const Field *f)
{
    const char *s;
    char c;
    size_t i;
    switch (f->kind) {
    case 'b':
    case 'c':
        c = (char)*MEMBER(m, f, const uint32_t);
        cpdb_buf_addn(b, &c, 1);
        break;
    case 'u':
        put_u32(b, *MEMBER(m, f, const uint32_t));
        break;
    case 's':
        s = *MEMBER(m, f, char *const);
        put_str(b, s, s != NULL ? strlen(s) : 0);
        break;
    case 'd':
        put_str(b, m->text, m->text != NULL ? m->text_len : 0);
        break;
    case 'l':
        put_u32(b, (uint32_t)m->n_items);
        for (i = 0; i < m->n_items; i++) {
            put_str(b, m->items[i], strlen(m->items[i]));
        }
        break;
    }
}

unsigned char *
cpdb_proto_encode(const CpdbMsg *m, size_t *len)
{
    CpdbBuf b;
    const Field *f;
    size_t payload;
    if (!is_type((int)m->type) || m->n_items > CPDB_PROTO_MAX_ITEMS) {
        return NULL;
    }
    cpdb_buf_init(&b);
    put_u32(&b, CPDB_PROTO_MAGIC);
    put_u16(&b, CPDB_PROTO_VERSION);
    put_u16(&b, (unsigned)m->type);
    put_u32(&b, 0);         /* the length, filled in below */
    for (f = types[m->type].fields; f->kind != 0; f++) {
        encode_field(&b, m, f);
    }
    payload = b.len - CPDB_PROTO_HEADER;
    if (payload > CPDB_PROTO_MAX_PAYLOAD) {
        cpdb_buf_fini(&b);
        return NULL;
    }
    b.data[8] = (char)(payload & 0xff);
    b.data[9] = (char)((payload >> 8) & 0xff);
    b.data[10] = (char)((payload >> 16) & 0xff);
    b.data[11] = (char)((payload >> 24) & 0xff);
    *len = b.len;
    return (unsigned char *)cpdb_buf_take(&b);
}

/* --- decoding ----------------------------------------------------------- */

static uint32_t
get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
           | (uint32_t)p[3] << 24;
}

int
cpdb_proto_parse_header(const unsigned char *h, int *type, uint32_t *len,
                        char *err, size_t errlen)
{
    unsigned version = (unsigned)h[4] | (unsigned)h[5] << 8;
    int t = (int)((unsigned)h[6] | (unsigned)h[7] << 8);
    uint32_t n = get_u32(h + 8);
    if (get_u32(h) != CPDB_PROTO_MAGIC) {
        say(err, errlen, "not a cpdb message (bad magic)");
        return -1;
    }
    if (version != CPDB_PROTO_VERSION) {
        say(err, errlen, "protocol version %u, this cpdb speaks %d",
            version, CPDB_PROTO_VERSION);
        return -1;
    }
    if (!is_type(t)) {
        say(err, errlen, "unknown message type %d", t);
        return -1;
    }
    if (n > CPDB_PROTO_MAX_PAYLOAD) {
        say(err, errlen, "a %s message of %lu bytes, over the limit of "
            "%u", cpdb_msg_type_name(t), (unsigned long)n,
            CPDB_PROTO_MAX_PAYLOAD);
        return -1;
    }
    *type = t;
    *len = n;
    return 0;
}

typedef struct Reader {
    const unsigned char *p;
    size_t left;
} Reader;

static int
take(Reader *r, size_t n, const unsigned char **out)
{
    if (r->left < n) {
        return -1;
    }
    *out = r->p;
    r->p += n;
    r->left -= n;
    return 0;
}

/* A string field.  Return: malloc'd copy (NUL-terminated) with its
   length in *n, or NULL when cut short or (text) holding a NUL. */
static char *
take_str(Reader *r, int text, size_t *n)
{
    const unsigned char *p;
    uint32_t len;
    if (take(r, 4, &p) < 0) {
        return NULL;
    }
    len = get_u32(p);
    if (take(r, len, &p) < 0 || (text && memchr(p, '\0', len) != NULL)) {
        return NULL;
    }
    *n = len;
    return cpdb_xstrndup((const char *)p, len);
}

static int
decode_list(Reader *r, CpdbMsg *m)
{
    const unsigned char *p;
    uint32_t n, i;
    size_t len;
    if (take(r, 4, &p) < 0) {
        return -1;
    }
    n = get_u32(p);
    /* Each item takes 4 bytes at least: a count larger than that is a
       lie, refused before anything is allocated for it. */
    if (n > CPDB_PROTO_MAX_ITEMS || n > r->left / 4) {
        return -1;
    }
    m->items = cpdb_xcalloc(n + 1, sizeof(char *));
    for (i = 0; i < n; i++) {
        m->items[i] = take_str(r, 1, &len);
        if (m->items[i] == NULL) {
            return -1;
        }
        m->n_items++;
    }
    return 0;
}

static int
decode_field(Reader *r, CpdbMsg *m, const Field *f)
{
    const unsigned char *p;
    size_t len;
    char *s;
    switch (f->kind) {
    case 'b':
    case 'c':
        if (take(r, 1, &p) < 0 || (f->kind == 'b' && p[0] > 1)) {
            return -1;
        }
        *MEMBER(m, f, uint32_t) = p[0];
        return 0;
    case 'u':
        if (take(r, 4, &p) < 0) {
            return -1;
        }
        *MEMBER(m, f, uint32_t) = get_u32(p);
        return 0;
    case 's':
    case 'd':
        s = take_str(r, f->kind == 's', &len);
        if (s == NULL) {
            return -1;
        }
        *MEMBER(m, f, char *) = s;
        if (f->kind == 'd' || f->off == offsetof(CpdbMsg, text)) {
            m->text_len = len;
        }
        return 0;
    case 'l':
        return decode_list(r, m);
    }
    return -1;
}

/* Values each type allows, past the encoding. */
static int
check_values(const CpdbMsg *m, char *err, size_t errlen)
{
    if (m->type == CPDB_MSG_OUT && m->stream != 1 && m->stream != 2) {
        say(err, errlen, "an OUT message for stream %u (1 or 2 is "
            "expected)", (unsigned)m->stream);
        return -1;
    }
    if (m->type == CPDB_MSG_COMPLETE
        && (m->start > m->end || m->end > m->text_len)) {
        say(err, errlen, "a COMPLETE message whose word (%u to %u) is "
            "not in its line of %lu bytes", (unsigned)m->start,
            (unsigned)m->end, (unsigned long)m->text_len);
        return -1;
    }
    return 0;
}

int
cpdb_proto_decode(int type, const unsigned char *p, size_t n, CpdbMsg *m,
                  char *err, size_t errlen)
{
    Reader r;
    const Field *f;
    if (!is_type(type)) {
        say(err, errlen, "unknown message type %d", type);
        return -1;
    }
    cpdb_msg_init(m, (CpdbMsgType)type);
    r.p = p;
    r.left = n;
    for (f = types[type].fields; f->kind != 0; f++) {
        if (decode_field(&r, m, f) < 0) {
            say(err, errlen, "a malformed %s message (a field cut short, "
                "out of range, or text holding a NUL)",
                cpdb_msg_type_name(type));
            goto error;
        }
    }
    if (r.left != 0) {
        say(err, errlen, "a %s message with %lu bytes too many",
            cpdb_msg_type_name(type), (unsigned long)r.left);
        goto error;
    }
    if (check_values(m, err, errlen) < 0) {
        goto error;
    }
    return 0;
error:
    cpdb_msg_fini(m);
    return -1;
}

/* --- the socket --------------------------------------------------------- */

static int
write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == ENOTSOCK) {
            w = write(fd, p, n);
        }
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int
cpdb_proto_send(int fd, const CpdbMsg *m)
{
    size_t len;
    unsigned char *bytes = cpdb_proto_encode(m, &len);
    int rc;
    if (bytes == NULL) {
        errno = EMSGSIZE;
        return -1;
    }
    rc = write_all(fd, bytes, len);
    free(bytes);
    return rc;
}

int
cpdb_proto_send_text(int fd, CpdbMsgType type, const char *text)
{
    CpdbMsg m;
    cpdb_msg_init(&m, type);
    m.text = (char *)text;
    m.text_len = strlen(text);
    return cpdb_proto_send(fd, &m);
}

int
cpdb_proto_send_empty(int fd, CpdbMsgType type)
{
    CpdbMsg m;
    cpdb_msg_init(&m, type);
    return cpdb_proto_send(fd, &m);
}

/* Read exactly n bytes.  Return: n, the fewer bytes read before the
   peer closed, or -1 with errno set. */
static ssize_t
read_all(int fd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (r == 0) {
            break;
        }
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int
cpdb_proto_recv(int fd, CpdbMsg *m, char *err, size_t errlen)
{
    unsigned char h[CPDB_PROTO_HEADER], *payload;
    ssize_t r;
    uint32_t len;
    int type, rc;

    cpdb_msg_init(m, 0);
    r = read_all(fd, h, sizeof h);
    if (r == 0) {
        say(err, errlen, "the connection was closed");
        return CPDB_PROTO_CLOSED;
    }
    if (r < 0) {
        int saved = errno;
        say(err, errlen, "the connection failed: %s", strerror(saved));
        errno = saved;      /* EAGAIN: a receive timeout passed */
        return CPDB_PROTO_BAD;
    }
    if ((size_t)r < sizeof h) {
        say(err, errlen, "a message cut short in its header");
        return CPDB_PROTO_BAD;
    }
    if (cpdb_proto_parse_header(h, &type, &len, err, errlen) < 0) {
        return CPDB_PROTO_BAD;
    }
    payload = cpdb_xmalloc(len + 1);
    r = read_all(fd, payload, len);
    if (r < 0 || (size_t)r < len) {
        say(err, errlen, r < 0 ? "the connection failed in a %s message"
            : "a %s message cut short", cpdb_msg_type_name(type));
        free(payload);
        return CPDB_PROTO_BAD;
    }
    rc = cpdb_proto_decode(type, payload, len, m, err, errlen);
    free(payload);
    return rc < 0 ? CPDB_PROTO_BAD : CPDB_PROTO_OK;
}
