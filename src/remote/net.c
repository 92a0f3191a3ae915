/* TCP for the control channel.  Names go through getaddrinfo, so IPv4,
   IPv6 and host names all work; what is printed is the numeric form. */
#include "remote/net.h"
#include "base/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* Return: whether port is a decimal number 0..65535. */
static int
is_port(const char *port)
{
    long n = 0;
    const char *p;
    if (*port == '\0' || strlen(port) > 5) {
        return 0;
    }
    for (p = port; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }
        n = n * 10 + (*p - '0');
    }
    return n <= 65535;
}

int
cpdb_remote_parse_address(const char *spec, int need_host, char **host,
                          char **port, char *err, size_t errlen)
{
    const char *colon, *p;
    char *h = NULL;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (close == NULL || close[1] != ':') {
            goto bad;
        }
        h = cpdb_xstrndup(spec + 1, (size_t)(close - spec - 1));
        p = close + 2;
    }
    else if ((colon = strrchr(spec, ':')) != NULL) {
        if (memchr(spec, ':', (size_t)(colon - spec)) != NULL) {
            goto bad;       /* a bare IPv6 address: brackets needed */
        }
        h = cpdb_xstrndup(spec, (size_t)(colon - spec));
        p = colon + 1;
    }
    else {
        p = spec;
    }
    if ((h != NULL && *h == '\0') || (h == NULL && need_host)
        || !is_port(p)) {
        goto bad;
    }
    *host = h != NULL ? h : cpdb_xstrdup("127.0.0.1");
    *port = cpdb_xstrdup(p);
    return 0;
bad:
    free(h);
    snprintf(err, errlen, "bad address \"%s\": %sPORT is expected (PORT "
             "a number 0-65535; an IPv6 HOST in brackets)", spec,
             need_host ? "HOST:" : "[HOST:]");
    return -1;
}

static struct addrinfo *
resolve(const char *host, const char *port, int passive, char *err,
        size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    int rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve \"%s\": %s", host,
                 gai_strerror(rc));
        return NULL;
    }
    return res;
}

static int
is_loopback_addr(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return 0;
}

int
cpdb_remote_is_loopback(const char *host, const char *port, char *err,
                        size_t errlen)
{
    struct addrinfo *res = resolve(host, port, 1, err, errlen), *ai;
    int all = 1;
    if (res == NULL) {
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        all &= is_loopback_addr(ai->ai_addr);
    }
    freeaddrinfo(res);
    return all;
}

/* "ADDR:PORT" ("[ADDR]:PORT" for IPv6) of a socket address. */
static void
format_addr(const struct sockaddr *sa, socklen_t len, char *out,
            size_t outlen)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, outlen, "an unknown address");
        return;
    }
    snprintf(out, outlen, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
             host, serv);
}

/* Bind and listen on a new socket for ai.  Return: 0, or -1 (errno). */
static int
bind_listen(int fd, const struct addrinfo *ai)
{
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 4) < 0) {
        return -1;
    }
    return 0;
}

static int
connect_to(int fd, const struct addrinfo *ai)
{
    int one = 1;
    while (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return 0;
}

/* A socket on the first address of host:port that use() accepts.
   Return: it, or -1 with a one-line reason in err (doing: "listen on",
   "connect to"). */
static int
first_socket(const char *host, const char *port, int passive,
             int (*use)(int fd, const struct addrinfo *ai),
             const char *doing, char *err, size_t errlen)
{
    struct addrinfo *res = resolve(host, port, passive, err, errlen), *ai;
    int fd = -1, saved = 0;
    if (res == NULL) {
        return -1;
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd >= 0 && use(fd, ai) < 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
        else if (fd < 0) {
            saved = errno;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "cannot %s %s:%s: %s", doing, host, port,
                 strerror(saved));
    }
    return fd;
}

int
cpdb_remote_listen(const char *host, const char *port, char *where,
                   size_t wherelen, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = first_socket(host, port, 1, bind_listen, "listen on", err,
                          errlen);
    if (fd < 0) {
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        format_addr((struct sockaddr *)&ss, len, where, wherelen);
    }
    else {
        snprintf(where, wherelen, "%s:%s", host, port);
    }
    return fd;
}

int
cpdb_remote_accept(int lfd, char *peer, size_t peerlen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1;
    do {
        len = sizeof ss;
        fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
    } while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
    if (fd >= 0) {
        format_addr((struct sockaddr *)&ss, len, peer, peerlen);
        /* Prompts and lines are small and answered at once. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

int
cpdb_remote_connect(const char *host, const char *port, char *err,
                    size_t errlen)
{
    return first_socket(host, port, 0, connect_to, "connect to", err,
                        errlen);
}

int
cpdb_remote_new_token(char *out)
{
    unsigned char bytes[CPDB_REMOTE_TOKEN_LEN / 2];
    size_t got = 0, i;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        got += (size_t)n;
    }
    for (i = 0; i < sizeof bytes; i++) {
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    }
    return 0;
}

int
cpdb_remote_speaks_dap(int fd, int seconds)
{
    struct pollfd p = {fd, POLLIN, 0};
    char head[4];
    ssize_t n;
    int waited;
    for (waited = 0; waited < seconds * 1000;
         waited += 50) {
        if (poll(&p, 1, 50) < 0 && errno != EINTR) {
            return -1;
        }
        n = recv(fd, head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0) {
            return -1;
        }
        if (n == (ssize_t)sizeof head) {
            return strncasecmp(head, "cont", sizeof head) == 0;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK
            && errno != EINTR) {
            return -1;
        }
    }
    return -1;
}
