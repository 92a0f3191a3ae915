/* Reading commands.  Queued lines (init files, -ex, -x) come first; then
   the terminal through libedit (history in ~/.cpdb_history, completion of
   command names), or plain lines from a pipe or file, each echoed after
   the prompt so that a transcript reads like a terminal session. */
#include "console/repl.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "base/compat.h"
#include "core/session.h"
#include "base/util.h"

#include <editline/readline.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
cpdb_repl_init(CpdbRepl *r, int in_fd)
{
    memset(r, 0, sizeof *r);
    r->queue_echo = 1;
    r->interactive = isatty(in_fd);
}

void
cpdb_repl_fini(CpdbRepl *r)
{
    int i;
    for (i = 0; i < r->n_queue; i++) {
        free(r->queue[i]);
    }
    free(r->queue);
    free(r->history_path);
    free(r->last);
    memset(r, 0, sizeof *r);
}

void
cpdb_repl_queue(CpdbRepl *r, const char *line)
{
    if (r->n_queue == r->cap_queue) {
        r->cap_queue = r->cap_queue ? r->cap_queue * 2 : 8;
        r->queue = cpdb_xrealloc(r->queue,
                                 sizeof(char *) * (size_t)r->cap_queue);
    }
    /* The first byte says whether to echo the line when it runs. */
    r->queue[r->n_queue++] = cpdb_xasprintf("%c%s", r->queue_echo ? 'e' : 'q',
                                            line);
}

int
cpdb_repl_queue_file(CpdbRepl *r, const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    if (f == NULL) {
        return -1;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
            line[--n] = '\0';
        }
        if (*cpdb_skip_space(line) == '\0') {
            continue;       /* blank lines in a file never repeat */
        }
        cpdb_repl_queue(r, line);
    }
    free(line);
    fclose(f);
    return 0;
}

int
cpdb_repl_insert_file(CpdbRepl *r, const char *path)
{
    /* Queue the file at the end, then rotate its lines to the front of
       what is still waiting. */
    int before = r->n_queue, added, waiting, i;
    char **tmp;
    if (cpdb_repl_queue_file(r, path) < 0) {
        return -1;
    }
    added = r->n_queue - before;
    waiting = before - r->pos_queue;
    if (added == 0 || waiting == 0) {
        return 0;
    }
    tmp = cpdb_xmalloc(sizeof(char *) * (size_t)waiting);
    memcpy(tmp, r->queue + r->pos_queue, sizeof(char *) * (size_t)waiting);
    memmove(r->queue + r->pos_queue, r->queue + before,
            sizeof(char *) * (size_t)added);
    for (i = 0; i < waiting; i++) {
        r->queue[r->pos_queue + added + i] = tmp[i];
    }
    free(tmp);
    return 0;
}

/* --- completion --------------------------------------------------------- */

/* libedit asks for candidates one by one; they are computed once per
   completion by cpdb_complete(). */
static CpdbSession *complete_session;
static char **complete_items;
static int complete_next;

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
    int words;
    (void)end;
    cpdb_complete_free(complete_items);
    complete_items = cpdb_complete(complete_session, rl_line_buffer, start,
                                   text, &words);
    rl_completion_append_character = words ? ' ' : '\0';
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, generator);
}

static void
editline_setup(CpdbSession *s, CpdbRepl *r)
{
    const char *home = getenv("HOME");
    if (r->editline_ready) {
        return;
    }
    r->editline_ready = 1;
    rl_instream = s->in;
    rl_outstream = s->out;
    rl_readline_name = "cpdb";
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{([,+-*/%";
    complete_session = s;
    using_history();
    if (home != NULL && *home != '\0') {
        r->history_path = cpdb_xasprintf("%s/.cpdb_history", home);
        read_history(r->history_path);
    }
}

static void
history_save(CpdbRepl *r, const char *line)
{
    int fd;
    add_history(line);
    if (r->history_path == NULL) {
        return;
    }
    /* Create it private before anything is written into it. */
    fd = open(r->history_path, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0) {
        close(fd);
    }
    stifle_history(1000);
    write_history(r->history_path);
    chmod(r->history_path, 0600);
}

/* --- reading ------------------------------------------------------------ */

/* Ctrl-C at the prompt cancels the line: forget the signal Python
   noted, so the program does not see a KeyboardInterrupt later. */
static void
forget_interrupt(void)
{
    if (PyErr_CheckSignals() < 0) {
        PyErr_Clear();
    }
}

static char *
read_plain(CpdbSession *s)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    for (;;) {
        errno = 0;
        n = getline(&line, &cap, s->in);
        if (n >= 0) {
            break;
        }
        if (errno == EINTR) {
            clearerr(s->in);
            forget_interrupt();
            fputs("\nQuit\n", s->out);
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
cpdb_repl_read(CpdbSession *s, const char *prompt)
{
    CpdbRepl *r = &s->repl;
    char *line;

    if (r->pos_queue < r->n_queue) {
        char *q = r->queue[r->pos_queue++];
        if (q[0] == 'e') {
            fprintf(s->out, "%s%s\n", prompt, q + 1);
            fflush(s->out);
        }
        return cpdb_xstrdup(q + 1);
    }
    if (s->opts.batch) {
        return NULL;
    }
    for (;;) {
        if (r->interactive) {
            editline_setup(s, r);
            errno = 0;
            line = readline(prompt);
            if (line == NULL && errno == EINTR) {
                forget_interrupt();
                fputs("\nQuit\n", s->out);
                continue;
            }
            if (line == NULL) {
                fputc('\n', s->out);
                return NULL;
            }
            if (*cpdb_skip_space(line) != '\0') {
                history_save(r, line);
            }
        }
        else {
            fputs(prompt, s->out);
            fflush(s->out);
            line = read_plain(s);
            if (line == NULL) {
                fputc('\n', s->out);
                return NULL;
            }
            fprintf(s->out, "%s\n", line);
        }
        break;
    }
    /* Enter on an empty line repeats the last repeatable command. */
    if (*cpdb_skip_space(line) == '\0') {
        free(line);
        return cpdb_xstrdup(r->last ? r->last : "");
    }
    free(r->last);
    r->last = cpdb_command_repeat_form(line);
    return line;
}
