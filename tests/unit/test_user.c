/* What the user defines at the prompt, written out as cpdb commands
   (cli/user.h): breakpoint command lists and aliases, and the text read
   back into a new session defines them again, as a restart needs. */
#include "cpdb/cpdb.h"
#include "cli/cli.h"
#include "cli/user.h"
#include "core/session.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The session's I/O: no input (bodies come from the queue), output
   dropped. */
static char *
no_input(void *ctx, const char *prompt)
{
    (void)ctx;
    (void)prompt;
    return NULL;
}

static void
drop(void *ctx, int stream, const char *text, size_t len)
{
    (void)ctx;
    (void)stream;
    (void)text;
    (void)len;
}

/* A session with breakpoints 1 and 2 in path.  Return: new session. */
static CpdbSession *
session_with_breaks(const char *path)
{
    CpdbIo io = {no_input, drop, NULL};
    CpdbOptions opts = {1, 0, 1, NULL};
    CpdbSession *s = cpdb_session_new_io(&opts, &io);
    cpdb_break_insert(s, path, 2, NULL);
    cpdb_break_insert(s, path, 5, NULL);
    return s;
}

/* Run text, one command a line, as a -x file would (the lines after
   "commands" are its body). */
static void
run_text(CpdbSession *s, const char *text)
{
    char *copy = cpdb_xstrdup(text), *line, *save = NULL;
    for (line = strtok_r(copy, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        cpdb_session_queue_command(s, line);
    }
    free(copy);
    while (s->cli->queue_pos < s->cli->queue.n) {
        char *next = cpdb_cli_read_raw(s, "");
        cpdb_session_command(s, next);
        free(next);
    }
}

static char *
written(CpdbSession *s)
{
    CpdbBuf b;
    cpdb_buf_init(&b);
    cpdb_bp_commands_write(s, &b);
    cpdb_aliases_write(s, &b);
    return cpdb_buf_take(&b);
}

int
main(void)
{
    char path[] = "/tmp/cpdb-test-user-XXXXXX.py";
    const char *source = "def f(x):\n    y = x\n    return y\n\n"
                         "f(1)\n";
    const char *typed =
        "commands 1\nsilent\np x\ncontinue\nend\n"
        "commands 2\np 'two'\nend\n"
        "commands 2\nend\n"
        "alias sq p %1 * %1\n"
        "alias -a nx = next\n"
        "alias all p [%*]\n"
        "unalias all\n";
    const char *expected =
        "commands 1\nsilent\np x\ncontinue\nend\n"
        "alias sq p %1 * %1\n"
        "alias -a nx = next\n";
    CpdbSession *s, *again;
    char *text, *text_again;
    int fd = mkstemps(path, 3);

    if (fd < 0 || write(fd, source, strlen(source)) < 0) {
        return 1;
    }
    close(fd);
    Py_Initialize();

    s = session_with_breaks(path);
    run_text(s, typed);
    text = written(s);
    STR_EQ(text, expected, "lists and aliases written as commands");
    {
        char *const *lines;
        OK(cpdb_bp_commands_get(s, 2, &lines) == 0,
           "an empty body removed breakpoint 2's list");
        OK(cpdb_bp_commands_silent(s, 1), "breakpoint 1's list is silent");
    }

    /* Read back: the same definitions. */
    again = session_with_breaks(path);
    run_text(again, text);
    text_again = written(again);
    STR_EQ(text_again, expected, "the text defines them again");

    /* A deleted breakpoint takes its list with it. */
    cpdb_break_delete(s, 1);
    free(text);
    text = written(s);
    STR_EQ(text, "alias sq p %1 * %1\nalias -a nx = next\n",
           "no list for a deleted breakpoint");

    free(text);
    free(text_again);
    cpdb_session_free(s);
    cpdb_session_free(again);
    unlink(path);
    return tap_done();
}
