/* The command interpreter's state, and where its lines come from:
   queued commands first (init files, -ex, -x, source), then its I/O
   (the terminal console by default).  Enter on an empty line repeats
   the last repeatable command. */
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/files.h"
#include "cli/output.h"
#include "cli/user.h"
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

/* A file's lines are queued between a begin and an end marker (items
   "b" and "x"), so that reading them keeps count of how deep in sourced
   files the running line is. */
static void
push_file(CpdbCli *c, CpdbLines *lines)
{
    size_t i;
    cpdb_array_push(&c->queue, cpdb_xstrdup("b"));
    for (i = 0; i < lines->n; i++) {
        cpdb_cli_queue(c, lines->items[i]);
        free(lines->items[i]);
    }
    cpdb_array_push(&c->queue, cpdb_xstrdup("x"));
    free(lines->items);
}

int
cpdb_cli_queue_file(CpdbCli *c, const char *path, unsigned flags,
                    char **why)
{
    CpdbLines lines = {0};
    if (cpdb_cmdfile_read(path, flags, &lines, why) < 0) {
        return -1;
    }
    push_file(c, &lines);
    return 0;
}

/* Skip what is left of the files being sourced, outermost included. */
static void
abandon_files(CpdbCli *c)
{
    while (c->source_depth > 0 && c->queue_pos < c->queue.n) {
        char kind = c->queue.items[c->queue_pos++][0];
        c->source_depth += kind == 'b' ? 1 : kind == 'x' ? -1 : 0;
    }
}

int
cpdb_cli_insert_file(CpdbCli *c, const char *path, char **why)
{
    /* Queue the file at the end, then rotate its lines to the front of
       what is still waiting. */
    size_t before = c->queue.n, added, waiting, i;
    char **tmp;
    if (c->source_depth >= CPDB_SOURCE_MAX_DEPTH) {
        *why = cpdb_xasprintf("it would be nested more than %d deep "
                              "(the rest of the files being sourced is "
                              "skipped)", CPDB_SOURCE_MAX_DEPTH);
        abandon_files(c);
        return -1;
    }
    if (cpdb_cli_queue_file(c, path, 0, why) < 0) {
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

/* A line from the queue (*queued set) or the I/O.  Return: malloc'd,
   or NULL at end of input. */
static char *
read_next(CpdbSession *s, const char *prompt, int *queued)
{
    CpdbCli *c = s->cli;

    /* Pass the markers of command files, counting how deep the next
       line is (abandon_files). */
    while (c->queue_pos < c->queue.n
           && (c->queue.items[c->queue_pos][0] == 'b'
               || c->queue.items[c->queue_pos][0] == 'x')) {
        c->source_depth += c->queue.items[c->queue_pos++][0] == 'b' ? 1 : -1;
    }
    *queued = c->queue_pos < c->queue.n;
    if (*queued) {
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
    cpdb_out_flush(s);
    return c->io.read_line(c->io.ctx, prompt);
}

char *
cpdb_cli_read_raw(CpdbSession *s, const char *prompt)
{
    int queued;
    return read_next(s, prompt, &queued);
}

char *
cpdb_cli_read(CpdbSession *s, const char *prompt)
{
    CpdbCli *c = s->cli;
    int queued;
    char *line = read_next(s, prompt, &queued);

    if (line == NULL || queued) {
        return line;
    }
    /* Enter on an empty line repeats the last repeatable command. */
    if (*cpdb_skip_space(line) == '\0') {
        free(line);
        return cpdb_xstrdup(c->last ? c->last : "");
    }
    free(c->last);
    {
        /* An alias repeats as the command it stands for ("nn" for
           next): Enter runs that again. */
        char *err, *expanded = cpdb_alias_expand(s, line, &err);
        c->last = cpdb_command_repeat_form(expanded ? expanded : line);
        free(expanded);
        free(err);
    }
    return line;
}
