/* The command interpreter's state, and where its lines come from:
   queued commands first (init files, -ex, -x, source), then its I/O
   (the terminal console by default).  Enter on an empty line repeats
   the last repeatable command. */
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- queued commands ----------------------------------------------------- */

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
