/* The command interpreter's state, and where its lines come from:
   queued commands first (init files, -ex, -x, source), then its I/O
   (the terminal console by default).  Enter on an empty line repeats
   the last repeatable command. */
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- queued commands ------------------------------------------------------ */

void
cpdb_cli_queue(CpdbCli *c, const char *line)
{
    /* The first byte says whether to echo the line when it runs. */
    cpdb_array_push(&c->queue, cpdb_xasprintf("%c%s",
                                              c->queue_echo ? 'e' : 'q',
                                              line));
}

int
cpdb_cli_queue_file(CpdbCli *c, const char *path)
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
        cpdb_cli_queue(c, line);
    }
    free(line);
    fclose(f);
    return 0;
}

int
cpdb_cli_insert_file(CpdbCli *c, const char *path)
{
    /* Queue the file at the end, then rotate its lines to the front of
       what is still waiting. */
    size_t before = c->queue.n, added, waiting, i;
    char **tmp;
    if (cpdb_cli_queue_file(c, path) < 0) {
        return -1;
    }
    added = c->queue.n - before;
    waiting = before - c->queue_pos;
    if (added == 0 || waiting == 0) {
        return 0;
    }
    tmp = cpdb_xmalloc(sizeof(char *) * waiting);
    memcpy(tmp, c->queue.items + c->queue_pos, sizeof(char *) * waiting);
    memmove(c->queue.items + c->queue_pos, c->queue.items + before,
            sizeof(char *) * added);
    for (i = 0; i < waiting; i++) {
        c->queue.items[c->queue_pos + added + i] = tmp[i];
    }
    free(tmp);
    return 0;
}

/* Queue an init file if it is safe to read: owned by us and not
   writable by others (gdb's safe-path rule for ./.gdbinit). */
static void
queue_init_file(CpdbSession *s, const char *path, int check_owner)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        return;
    }
    if (check_owner && (sb.st_uid != getuid() || (sb.st_mode & S_IWOTH))) {
        cpdb_error(s, "Not reading %s: it must be owned by you and not "
                   "writable by others.", path);
        return;
    }
    if (cpdb_cli_queue_file(s->cli, path) < 0) {
        cpdb_error(s, "Cannot read %s.", path);
    }
}

static void
queue_init_files(CpdbSession *s)
{
    const char *home = getenv("HOME");
    char *home_rc = NULL, *cwd_rc, *real_home = NULL, *real_cwd = NULL;
    s->cli->queue_echo = 0;
    if (home != NULL && *home != '\0') {
        home_rc = cpdb_xasprintf("%s/.cpdbrc", home);
        queue_init_file(s, home_rc, 0);
        real_home = realpath(home_rc, NULL);
    }
    cwd_rc = cpdb_path_absolute(".cpdbrc");
    real_cwd = realpath(cwd_rc, NULL);
    if (real_cwd != NULL
        && (real_home == NULL || strcmp(real_home, real_cwd) != 0)) {
        queue_init_file(s, cwd_rc, 1);
    }
    s->cli->queue_echo = 1;
    free(home_rc);
    free(cwd_rc);
    free(real_home);
    free(real_cwd);
}

/* --- reading ------------------------------------------------------------ */

char *
cpdb_cli_read(CpdbSession *s, const char *prompt)
{
    CpdbCli *c = s->cli;
    char *line;

    if (c->queue_pos < c->queue.n) {
        char *q = c->queue.items[c->queue_pos++];
        if (q[0] == 'e') {
            cpdb_out(s, "%s%s\n", prompt, q + 1);
            cpdb_out_flush(s);
        }
        return cpdb_xstrdup(q + 1);
    }
    if (s->opts.batch) {
        return NULL;
    }
    line = c->io.read_line(c->io.ctx, prompt);
    if (line == NULL) {
        return NULL;
    }
    /* Enter on an empty line repeats the last repeatable command. */
    if (*cpdb_skip_space(line) == '\0') {
        free(line);
        return cpdb_xstrdup(c->last ? c->last : "");
    }
    free(c->last);
    c->last = cpdb_command_repeat_form(line);
    return line;
}

/* --- attaching ------------------------------------------------------------ */

static char **
complete_in_session(void *ctx, const char *line, int start,
                    const char *text, int *words)
{
    return cpdb_complete(ctx, line, start, text, words);
}

int
cpdb_cli_attach(CpdbSession *s, const CpdbIo *io)
{
    CpdbCli *c = cpdb_xcalloc(1, sizeof *c);
    s->cli = c;
    c->set.width = CPDB_DEFAULT_WIDTH;
    c->set.listsize = CPDB_DEFAULT_LISTSIZE;
    c->set.print_limit = CPDB_DEFAULT_PRINT_LIMIT;
    c->set.color = 1;
    c->queue_echo = 1;
    c->next_display = 1;
    if (io != NULL) {
        c->io = *io;
    }
    else {
        int cols;
        c->console = cpdb_console_new();
        cpdb_console_io(c->console, &c->io);
        cpdb_console_set_completer(c->console, complete_in_session, s);
        cols = cpdb_console_columns(c->console);
        if (cols > 20) {
            c->set.width = cols;
        }
    }
    cpdb_cli_callbacks(&s->cb, s);
    if (!s->opts.no_init_files) {
        queue_init_files(s);
    }
    return 0;
}

void
cpdb_cli_free(CpdbSession *s)
{
    CpdbCli *c = s->cli;
    size_t i;
    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->queue.n; i++) {
        free(c->queue.items[i]);
    }
    free(c->queue.items);
    free(c->last);
    for (i = 0; i < c->displays.n; i++) {
        free(c->displays.items[i].expr);
        Py_XDECREF(c->displays.items[i].code);
    }
    free(c->displays.items);
    free(c->list_path);
    cpdb_census_snaps_free(c->census);
    cpdb_mem_snaps_free(c->mem);
    cpdb_leak_sizes_free(c->leak);
    cpdb_console_free(c->console);
    free(c);
    s->cli = NULL;
}
