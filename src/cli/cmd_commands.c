/* "commands [N]" ... "end": a list of commands that runs each time
   breakpoint N stops the program, as in gdb.  A first line "silent"
   keeps the stop from being shown; a command that resumes the program
   (continue, next, step...) ends the list's run, as in gdb: the lines
   after it are kept but never run.  The lists are kept here, by
   breakpoint number, as the text typed. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/user.h"
#include "core/breakpoints.h"
#include "core/session.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Lines a body may have, so that a runaway input cannot eat memory. */
#define CPDB_MAX_BODY_LINES 10000

/* Set while a body runs: a "commands" in it would read the lines that
   follow at the prompt as its own. */
static int running_body;

typedef struct BodyEntry {
    int number;                 /* breakpoint number */
    CPDB_ARRAY(char *) lines;   /* malloc'd, stripped */
} BodyEntry;

struct CpdbBpCommands {
    CPDB_ARRAY(BodyEntry) items;
};

static void
lines_free(BodyEntry *e)
{
    size_t i;
    for (i = 0; i < e->lines.n; i++) {
        free(e->lines.items[i]);
    }
    free(e->lines.items);
    e->lines.items = NULL;
    e->lines.n = e->lines.cap = 0;
}

void
cpdb_bp_commands_free(CpdbBpCommands *t)
{
    size_t i;
    if (t == NULL) {
        return;
    }
    for (i = 0; i < t->items.n; i++) {
        lines_free(&t->items.items[i]);
    }
    free(t->items.items);
    free(t);
}

/* The entry of breakpoint number; entries of the other breakpoints
   that no longer exist are dropped on the way (numbers are never
   reused).  Number's own is kept even when its breakpoint is gone: a
   temporary breakpoint is deleted as it stops, before its list runs.
   Return: borrowed, or NULL. */
static BodyEntry *
find_entry(CpdbSession *s, int number)
{
    CpdbBpCommands *t = s->cli->bp_commands;
    size_t i, j;
    BodyEntry *found = NULL;
    if (t == NULL) {
        return NULL;
    }
    for (i = 0, j = 0; i < t->items.n; i++) {
        BodyEntry e = t->items.items[i];
        if (e.number != number && cpdb_bp_find(&s->bps, e.number) == NULL) {
            lines_free(&e);
            continue;
        }
        t->items.items[j++] = e;
    }
    t->items.n = j;
    for (i = 0; i < t->items.n; i++) {
        if (t->items.items[i].number == number) {
            found = &t->items.items[i];
        }
    }
    return found;
}

size_t
cpdb_bp_commands_get(CpdbSession *s, int number, char *const **lines)
{
    BodyEntry *e = find_entry(s, number);
    *lines = e ? e->lines.items : NULL;
    return e ? e->lines.n : 0;
}

int
cpdb_bp_commands_silent(CpdbSession *s, int number)
{
    char *const *lines;
    return cpdb_bp_commands_get(s, number, &lines) > 0
           && strcmp(lines[0], "silent") == 0;
}

int
cpdb_bp_commands_run(CpdbSession *s, int number)
{
    char *const *lines;
    size_t n = cpdb_bp_commands_get(s, number, &lines), i;
    char **copy;
    int resumed = 0;
    if (n == 0) {
        return 0;
    }
    /* A command may delete the breakpoint or give it new commands:
       run a copy. */
    copy = cpdb_xmalloc(sizeof(char *) * n);
    for (i = 0; i < n; i++) {
        copy[i] = cpdb_xstrdup(lines[i]);
    }
    for (i = 0; i < n; i++) {
        if (resumed) {
            continue;
        }
        if (i == 0 && strcmp(copy[0], "silent") == 0) {
            continue;
        }
        running_body++;
        if (cpdb_command_execute(s, copy[i]) == CMD_FAILED) {
            s->cli->n_failed++;
        }
        running_body--;
        resumed = cpdb_session_should_resume(s);
    }
    for (i = 0; i < n; i++) {
        free(copy[i]);
    }
    free(copy);
    return resumed;
}

void
cpdb_bp_commands_show(CpdbSession *s, int number)
{
    char *const *lines;
    size_t n = cpdb_bp_commands_get(s, number, &lines), i;
    for (i = 0; i < n; i++) {
        cpdb_out(s, "        %s\n", lines[i]);
    }
}

void
cpdb_bp_commands_write(CpdbSession *s, CpdbBuf *out)
{
    size_t i, j;
    CpdbBpCommands *t;
    find_entry(s, 0);           /* drops the deleted breakpoints' */
    t = s->cli->bp_commands;
    for (i = 0; t != NULL && i < t->items.n; i++) {
        BodyEntry *e = &t->items.items[i];
        cpdb_buf_printf(out, "commands %d\n", e->number);
        for (j = 0; j < e->lines.n; j++) {
            cpdb_buf_printf(out, "%s\n", e->lines.items[j]);
        }
        cpdb_buf_add(out, "end\n");
    }
}

/* Replace breakpoint number's commands by body (moved in; an empty
   body clears them). */
static void
set_body(CpdbSession *s, int number, BodyEntry *body)
{
    CpdbCli *c = s->cli;
    BodyEntry *e = find_entry(s, number);
    if (e != NULL) {
        lines_free(e);
        *e = c->bp_commands->items.items[--c->bp_commands->items.n];
    }
    if (body->lines.n == 0) {
        return;     /* no empty entry: it would be written out */
    }
    if (c->bp_commands == NULL) {
        c->bp_commands = cpdb_xcalloc(1, sizeof *c->bp_commands);
    }
    cpdb_array_push(&c->bp_commands->items, *body);
}

/* The breakpoints "commands" applies to: a list of numbers and ranges,
   or the last one set.  Return: how many, *numbers malloc'd; or -1
   after reporting. */
static int
body_targets(CpdbSession *s, const char *args, int **numbers)
{
    size_t i, n = s->bps.n;
    int *exists, count;
    *numbers = NULL;
    if (n == 0) {
        cpdb_error(s, "No breakpoints specified.");
        return -1;
    }
    if (*cpdb_skip_space(args) == '\0') {
        *numbers = cpdb_xmalloc(sizeof(int));
        **numbers = s->bps.items[n - 1]->number;
        return 1;
    }
    exists = cpdb_xmalloc(sizeof(int) * n);
    for (i = 0; i < n; i++) {
        exists[i] = s->bps.items[i]->number;
    }
    count = cpdb_cmd_number_list(s, args, "breakpoint", exists, n, numbers);
    free(exists);
    return count;
}

/* Read a body up to "end" (or the end of input) into body.  Return 0,
   or -1 after reporting (too long; nothing kept). */
static int
read_body(CpdbSession *s, BodyEntry *body)
{
    char *line;
    /* From where the next command would come: the terminal with a ">"
       prompt, a pipe, or a -x file. */
    while ((line = cpdb_cli_read_raw(s, ">")) != NULL) {
        char *cmd = cpdb_strip_dup(line);
        free(line);
        if (strcmp(cmd, "end") == 0) {
            free(cmd);
            break;
        }
        if (*cmd == '\0' || *cmd == '#') {
            free(cmd);
            continue;
        }
        if (body->lines.n >= CPDB_MAX_BODY_LINES) {
            cpdb_error(s, "Too many commands (at most %d).",
                       CPDB_MAX_BODY_LINES);
            free(cmd);
            lines_free(body);
            return -1;
        }
        cpdb_array_push(&body->lines, cmd);
    }
    return 0;
}

static CmdResult
cmd_commands(CpdbSession *s, const char *args)
{
    int *numbers, n, i;
    size_t j;
    BodyEntry body;
    CpdbBuf which;

    if (running_body) {
        cpdb_error(s, "\"commands\" cannot run in a breakpoint's "
                   "commands.");
        return CMD_FAILED;
    }
    if ((n = body_targets(s, args, &numbers)) <= 0) {
        free(numbers);
        return CMD_FAILED;
    }
    cpdb_buf_init(&which);
    for (i = 0; i < n; i++) {
        cpdb_buf_printf(&which, "%s%d", i ? " " : "", numbers[i]);
    }
    if (s->cli->queue_pos >= s->cli->queue.n && s->cli->console != NULL
        && cpdb_console_is_terminal(s->cli->console, CPDB_STREAM_OUT)) {
        cpdb_out(s, "Type commands for breakpoint%s %s, one per line.\n"
                 "End with a line saying just \"end\".\n",
                 n > 1 ? "s" : "", which.data);
    }
    cpdb_buf_fini(&which);
    memset(&body, 0, sizeof body);
    if (read_body(s, &body) < 0) {
        free(numbers);
        return CMD_FAILED;
    }
    for (i = 0; i < n; i++) {
        BodyEntry copy;
        memset(&copy, 0, sizeof copy);
        copy.number = numbers[i];
        for (j = 0; j < body.lines.n; j++) {
            cpdb_array_push(&copy.lines, cpdb_xstrdup(body.lines.items[j]));
        }
        set_body(s, numbers[i], &copy);
    }
    lines_free(&body);
    free(numbers);
    return CMD_STAY;
}

const CmdDef cpdb_cmds_commands[] = {
    {"commands", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_commands,
     "commands [N...]",
     "Set commands to run each time breakpoint N stops the program.\n"
     "Without N, the last breakpoint set; several numbers or ranges\n"
     "(\"1 3-4\") give each the same list.  The commands follow, one per\n"
     "line (with a \">\" prompt on a terminal, or the next lines of a\n"
     "pipe or -x file), ending with a line saying \"end\".  A first line\n"
     "\"silent\" keeps the stop from being shown.  A command that resumes\n"
     "the program (continue, next, step, finish, until, jump, kill, quit,\n"
     "run) ends the list, as in gdb: the commands after it never run, and\n"
     "the program goes on.  A list without such a command ends at the\n"
     "prompt.  An empty list (\"commands N\" then \"end\") removes them.\n"
     "\"info breakpoints\" shows them.", NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};
