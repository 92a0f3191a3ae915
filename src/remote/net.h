/* TCP for the control channel: addresses as users write them
   ("[HOST:]PORT", "[::1]:PORT"), the listening socket, connecting, and
   the token a listener asks for. */
#ifndef CPDB_SRC_REMOTE_NET_H
#define CPDB_SRC_REMOTE_NET_H

#include <stddef.h>

/* Hex digits of a token: 128 random bits. */
#define CPDB_REMOTE_TOKEN_LEN 32

/* Split "[HOST:]PORT" ("[V6]:PORT" too).  need_host: HOST must be
   there (connecting); else an omitted HOST is 127.0.0.1.  Return: 0
   with malloc'd *host and *port, or -1 with a one-line reason in err
   saying what is expected. */
int cpdb_remote_parse_address(const char *spec, int need_host, char **host,
                              char **port, char *err, size_t errlen);
/* Return: 1 when every address host names is a loopback one, 0 when
   one is not, -1 (err set) when it names none. */
int cpdb_remote_is_loopback(const char *host, const char *port, char *err,
                            size_t errlen);
/* Bind and listen on host:port (port "0": a free one).  Return: the
   socket (close-on-exec), with "ADDR:PORT" as bound in where; or -1
   with a one-line reason in err. */
int cpdb_remote_listen(const char *host, const char *port, char *where,
                       size_t wherelen, char *err, size_t errlen);
/* Take the next connection (EINTR resumed).  Return: the socket, with
   the peer's "ADDR:PORT" in peer; or -1 with errno set. */
int cpdb_remote_accept(int lfd, char *peer, size_t peerlen);
/* What a client that connected speaks, from its first bytes (left in
   the stream), waiting up to seconds: the Debug
   Adapter Protocol (a "Content-Length" header: an editor, cpdb --dap)
   or cpdb's own channel.  Return: 1 for DAP, 0 for cpdb's own (or
   anything else: its HELLO check refuses it), -1 when nothing came. */
int cpdb_remote_speaks_dap(int fd, int seconds);
/* Connect to host:port.  Return: the socket, or -1 with a one-line
   reason in err. */
int cpdb_remote_connect(const char *host, const char *port, char *err,
                        size_t errlen);
/* A new token: CPDB_REMOTE_TOKEN_LEN hex digits and a NUL in out.
   Return: 0, or -1 when the system has no randomness to give. */
int cpdb_remote_new_token(char *out);

#endif /* CPDB_SRC_REMOTE_NET_H */
