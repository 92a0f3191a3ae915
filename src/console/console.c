/* The terminal console.  cpdb writes with C stdio to its own copies of
   the process's stdout and stderr; it reads with libedit on a terminal,
   or line by line from a pipe or file (byte by byte, so that what
   follows a command stays in the pipe for the program's own reads). */
#include "console/console.h"
#include "base/interrupt.h"
#include "base/compat.h"
#include "base/util.h"

#include <editline/readline.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct CpdbConsole {
    FILE *in, *out, *err;   /* owned copies (or the stdio streams if a
                               copy could not be made) */
    int interactive;        /* input is a terminal: use libedit */
    int editline_ready;
    char *history_path;     /* ~/.cpdb_history (malloc) or NULL */
    CpdbCompleter complete;
    void *complete_ctx;
};

/* libedit asks for candidates one by one; they are computed once per
   completion.  libedit has one completion hook per process, so one
   console at a time answers it. */
static CpdbConsole *completing;
static char **complete_items;
static int complete_next;

/* A private copy of a standard stream. */
static FILE *
dup_stream(int fd, const char *mode, FILE *fallback)
{
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    FILE *f = copy >= 0 ? fdopen(copy, mode) : NULL;
    if (f == NULL) {
        if (copy >= 0) {
            close(copy);
        }
        return fallback;
    }
    return f;
}

static void
close_stream(FILE *f)
{
    if (f != NULL && f != stdin && f != stdout && f != stderr) {
        fclose(f);
    }
}

CpdbConsole *
cpdb_console_new(void)
{
    CpdbConsole *c = cpdb_xcalloc(1, sizeof *c);
    fflush(stdout);
    c->in = dup_stream(STDIN_FILENO, "r", stdin);
    c->out = dup_stream(STDOUT_FILENO, "w", stdout);
    c->err = dup_stream(STDERR_FILENO, "w", stderr);
    setvbuf(c->out, NULL, _IOLBF, 0);
    setvbuf(c->err, NULL, _IONBF, 0);
    c->interactive = isatty(fileno(c->in));
    if (!c->interactive) {
        setvbuf(c->in, NULL, _IONBF, 0);
    }
    /* Python stuck in one C call at a stop: Ctrl-C's way out is told
       here (base/interrupt.h). */
    cpdb_interrupt_set_escape_fd(fileno(c->err));
    return c;
}

void
cpdb_console_free(CpdbConsole *c)
{
    if (c == NULL) {
        return;
    }
    if (completing == c) {
        completing = NULL;
    }
    cpdb_interrupt_set_escape_fd(-1);
    fflush(c->out);
    close_stream(c->in);
    close_stream(c->out);
    close_stream(c->err);
    free(c->history_path);
    free(c);
}

void
cpdb_console_set_completer(CpdbConsole *c, CpdbCompleter fn, void *ctx)
{
    c->complete = fn;
    c->complete_ctx = ctx;
}

/* --- writing ------------------------------------------------------------- */

void
cpdb_console_write(CpdbConsole *c, int stream, const char *text, size_t len)
{
    if (stream == CPDB_STREAM_ERR) {
        fflush(c->out);
        fwrite(text, 1, len, c->err);
        fflush(c->err);
    }
    else {
        fwrite(text, 1, len, c->out);
    }
}

void
cpdb_console_flush(CpdbConsole *c)
{
    fflush(c->out);
}

int
cpdb_console_is_terminal(const CpdbConsole *c, int stream)
{
    return isatty(fileno(stream == CPDB_STREAM_ERR ? c->err : c->out));
}

int
cpdb_console_columns(const CpdbConsole *c)
{
    const char *cols = getenv("COLUMNS");
    long n;
    if (!isatty(fileno(c->out)) || cols == NULL
        || cpdb_parse_int(cols, &n) < 0 || n < 1 || n > 100000) {
        return 0;
    }
    return (int)n;
}

/* --- completion --------------------------------------------------------- */

static void
free_items(char **items)
{
    int i;
    for (i = 0; items != NULL && items[i] != NULL; i++) {
        free(items[i]);
    }
    free(items);
}

static char *
generator(const char *text, int state)
{
    (void)text;
    if (state == 0) {
        complete_next = 0;
    }
    if (complete_items == NULL || complete_items[complete_next] == NULL) {
        return NULL;
    }
    /* libedit frees what it is given: hand over a copy. */
    return cpdb_xstrdup(complete_items[complete_next++]);
}

static char **
complete(const char *text, int start, int end)
{
    int words = 1;
    (void)end;
    free_items(complete_items);
    complete_items = NULL;
    if (completing != NULL && completing->complete != NULL) {
        complete_items = completing->complete(completing->complete_ctx,
                                              rl_line_buffer, start, text,
                                              &words);
    }
    rl_completion_append_character = words ? ' ' : '\0';
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, generator);
}

static void
editline_setup(CpdbConsole *c)
{
    const char *home = getenv("HOME");
    completing = c;
    if (c->editline_ready) {
        return;
    }
    c->editline_ready = 1;
    rl_instream = c->in;
    rl_outstream = c->out;
    rl_readline_name = "cpdb";
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = CPDB_CONSOLE_WORD_BREAKS;
    using_history();
    if (home != NULL && *home != '\0') {
        c->history_path = cpdb_xasprintf("%s/.cpdb_history", home);
        read_history(c->history_path);
    }
}

static void
history_save(CpdbConsole *c, const char *line)
{
    int fd;
    add_history(line);
    if (c->history_path == NULL) {
        return;
    }
    /* Create it private before anything is written into it. */
    fd = open(c->history_path, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0) {
        close(fd);
    }
    stifle_history(1000);
    write_history(c->history_path);
    chmod(c->history_path, 0600);
}

/* --- reading ------------------------------------------------------------ */

/* Ctrl-C at the prompt cancels the line: forget the signal Python
   noted, so the program does not see a KeyboardInterrupt later. */
static void
forget_interrupt(void)
{
    /* cpdb --connect reads lines with no interpreter: nothing noted. */
    if (Py_IsInitialized() && PyErr_CheckSignals() < 0) {
        PyErr_Clear();
    }
}

static char *
read_plain(CpdbConsole *c)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    for (;;) {
        errno = 0;
        n = getline(&line, &cap, c->in);
        if (n >= 0 && memchr(line, '\0', (size_t)n) != NULL) {
            /* Not cut at the NUL, which would run another command than
               the one sent: said, and the next line read. */
            fflush(c->out);
            fputs("A line holding a NUL byte was skipped: commands are "
                  "text.\n", c->err);
            continue;
        }
        if (n >= 0) {
            break;
        }
        if (errno == EINTR) {
            clearerr(c->in);
            forget_interrupt();
            fputs("\nQuit\n", c->out);
            free(line);
            return cpdb_xstrdup("");
        }
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        line[--n] = '\0';
    }
    return line;
}

char *
cpdb_console_read_line(CpdbConsole *c, const char *prompt)
{
    char *line;
    if (!c->interactive) {
        fputs(prompt, c->out);
        fflush(c->out);
        line = read_plain(c);
        if (line == NULL) {
            fputc('\n', c->out);
            return NULL;
        }
        fprintf(c->out, "%s\n", line);
        return line;
    }
    editline_setup(c);
    for (;;) {
        errno = 0;
        line = readline(prompt);
        if (line == NULL && errno == EINTR) {
            forget_interrupt();
            fputs("\nQuit\n", c->out);
            continue;
        }
        if (line == NULL) {
            fputc('\n', c->out);
            return NULL;
        }
        if (*cpdb_skip_space(line) != '\0') {
            history_save(c, line);
        }
        return line;
    }
}

/* --- as a CpdbIo --------------------------------------------------------- */

static char *
io_read_line(void *ctx, const char *prompt)
{
    return cpdb_console_read_line(ctx, prompt);
}

static void
io_write(void *ctx, int stream, const char *text, size_t len)
{
    cpdb_console_write(ctx, stream, text, len);
}

void
cpdb_console_io(CpdbConsole *c, CpdbIo *io)
{
    io->read_line = io_read_line;
    io->write = io_write;
    io->ctx = c;
}
