/* The terminal console: where command lines come from and where text
   goes when cpdb talks to the process's own terminal or pipes.  On a
   terminal, libedit (history in ~/.cpdb_history, completion through a
   function the caller gives); otherwise plain lines, each echoed after
   the prompt so that a transcript reads like a terminal session.  The
   command interpreter sees it only as a CpdbIo, so a socket or a host's
   window can stand in its place. */
#ifndef CPDB_SRC_CONSOLE_H
#define CPDB_SRC_CONSOLE_H

#include "cpdb/cpdb.h"

#include <stddef.h>

typedef struct CpdbConsole CpdbConsole;

/* The characters that end the word Tab completes ("p obj.at" completes
   "obj.at"; "break main.py:" the whole location). */
#define CPDB_CONSOLE_WORD_BREAKS " \t\n\"\\'`@$><=;|&{([,+-*/%"

/* Candidates for completing text, the word that starts at offset start
   of line.  Return: malloc'd NULL-terminated array of malloc'd strings;
   *words says whether a space follows a chosen one. */
typedef char **(*CpdbCompleter)(void *ctx, const char *line, int start,
                                const char *text, int *words);

/* A console on copies of fds 0, 1 and 2 made now (close-on-exec), so
   that a program that redirects its standard streams (pytest's capture,
   daemons) does not take the prompt with it.  Return: NULL if out of
   memory. */
CpdbConsole *cpdb_console_new(void);
void cpdb_console_free(CpdbConsole *c);

/* The console as the interface the command interpreter uses. */
void cpdb_console_io(CpdbConsole *c, CpdbIo *io);

void cpdb_console_set_completer(CpdbConsole *c, CpdbCompleter fn,
                                void *ctx);
/* Read one line after showing prompt.  Ctrl-C cancels the line being
   typed.  Return: malloc'd line without its newline, or NULL at end of
   input. */
char *cpdb_console_read_line(CpdbConsole *c, const char *prompt);
/* stream: CPDB_STREAM_OUT or CPDB_STREAM_ERR (unbuffered, after what
   is pending on the output). */
void cpdb_console_write(CpdbConsole *c, int stream, const char *text,
                        size_t len);
void cpdb_console_flush(CpdbConsole *c);
/* Whether a stream is a terminal (for colour). */
int cpdb_console_is_terminal(const CpdbConsole *c, int stream);
/* The terminal's width from COLUMNS when the output is a terminal, or
   0. */
int cpdb_console_columns(const CpdbConsole *c);

#endif /* CPDB_SRC_CONSOLE_H */
