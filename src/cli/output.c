/* The one writer of the command interpreter.  Text goes to the
   interpreter's I/O (the terminal console, a host's window, or a buffer
   when a command's output is captured).  The program writes through
   Python's own buffered sys.stdout: before cpdb says anything at a stop,
   the program's buffers are flushed so that a transcript reads in time
   order. */
#include "cli/output.h"
#include "cli/cli.h"
#include "core/eval.h"
#include "core/session.h"
#include "base/interrupt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
write_text(CpdbSession *s, int stream, const char *text, size_t len)
{
    CpdbCli *c = s->cli;
    if (c->capture != NULL) {
        cpdb_buf_addn(c->capture, text, len);
    }
    else {
        c->io.write(c->io.ctx, stream, text, len);
    }
}

void
cpdb_out_flush(CpdbSession *s)
{
    if (s->cli->console != NULL && s->cli->capture == NULL) {
        cpdb_console_flush(s->cli->console);
    }
}

void
cpdb_out_sync(CpdbSession *s)
{
    cpdb_session_flush_program(s);
    cpdb_out_flush(s);
}

/* Colour on a stream: only on the terminal console when that stream is
   a terminal that is not "dumb" (Emacs runs debuggers on a dumb
   terminal and reads their output), never with NO_COLOR set, and only
   as "set color" says.  A console elsewhere said in its HELLO whether
   its terminal passes the same test. */
static int
color_on(CpdbSession *s, int stream)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    CpdbCli *c = s->cli;
    if (c->remote != NULL) {
        return c->set.color && c->capture == NULL
               && cpdb_remote_engine_color(c->remote);
    }
    if (!c->set.color || c->console == NULL || c->capture != NULL
        || (nc != NULL && *nc != '\0') || term == NULL
        || strcmp(term, "dumb") == 0) {
        return 0;
    }
    return cpdb_console_is_terminal(c->console, stream);
}

void
cpdb_out(CpdbSession *s, const char *fmt, ...)
{
    va_list ap;
    char *text;
    va_start(ap, fmt);
    text = cpdb_xvasprintf(fmt, ap);
    va_end(ap);
    write_text(s, CPDB_STREAM_OUT, text, strlen(text));
    free(text);
}

void
cpdb_error(CpdbSession *s, const char *fmt, ...)
{
    CpdbBuf b;
    va_list ap;
    int color = color_on(s, CPDB_STREAM_ERR);
    cpdb_buf_init(&b);
    if (color) {
        cpdb_buf_add(&b, "\033[31m");       /* red */
    }
    va_start(ap, fmt);
    cpdb_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    cpdb_buf_add(&b, color ? "\033[0m\n" : "\n");
    write_text(s, CPDB_STREAM_ERR, b.data, b.len);
    cpdb_buf_fini(&b);
}

void
cpdb_error_exc(CpdbSession *s, const char *prefix)
{
    char *raw = cpdb_exc_take_line();
    char *line = cpdb_eval_public_names(raw);
    free(raw);
    if (strcmp(line, "KeyboardInterrupt: " CPDB_INTERRUPTED) == 0) {
        cpdb_error(s, "%s", CPDB_INTERRUPTED);    /* a heap query, cut */
    }
    else if (prefix != NULL && *prefix != '\0') {
        cpdb_error(s, "%s%s", prefix, line);
    }
    else {
        cpdb_error(s, "%s", line);
    }
    free(line);
}

int
cpdb_out_color(CpdbSession *s)
{
    return color_on(s, CPDB_STREAM_OUT);
}

long
cpdb_cli_arg_width(CpdbSession *s)
{
    long width = s->cli->set.width;
    return width > 20 ? width / 2 : CPDB_WIDTH_VALUE;
}
