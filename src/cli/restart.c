/* A session kept across "run" in the cpdb program, which re-executes
   its process so that the program starts as new: what the user set up
   (breakpoints, displays, settings, value-history numbering, the
   program's redirections, commands not yet run) is written as lines of
   a state file, mostly cpdb commands as "source" reads them, and read
   back by the new process.  Lines that start with "#cpdb " carry what
   no command sets (numbering, redirections, the command queue); to
   "source" they are comments. */
#include "core/catch.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/user.h"
#include "remote/proto.h"
#include "core/eval.h"
#include "core/process.h"
#include "core/session.h"
#include "base/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DIRECTIVE "#cpdb "

/* --- saving: one block per kind of state --------------------------------- */

static void
save_redirects(CpdbSession *s, CpdbBuf *b)
{
    if (s->redir.text != NULL) {
        cpdb_buf_printf(b, DIRECTIVE "redirect %s\n", s->redir.text);
    }
}

static void
save_settings(CpdbSession *s, CpdbBuf *b)
{
    const CpdbSettings *set = &s->cli->set;
    cpdb_buf_printf(b, "set width %ld\n", set->width);
    cpdb_buf_printf(b, "set listsize %ld\n", set->listsize);
    cpdb_buf_printf(b, "set print-limit %ld\n", set->print_limit);
    cpdb_buf_printf(b, "set color %s\n", set->color ? "on" : "off");
    cpdb_buf_printf(b, "set backend %s\n", s->backend->name);
    if (set->maint_time) {
        cpdb_buf_add(b, "maintenance time on\n");
    }
    if (set->maint_space) {
        cpdb_buf_add(b, "maintenance space on\n");
    }
}

/* Whether func, as the user gave it, names the module of path
   ("json.dumps" for json/__init__.py, "pkg.mod.f" for pkg/mod.py): such
   a name finds its file wherever the program stops first. */
static int
names_its_module(const char *func, const char *path)
{
    const char *base = strrchr(path, '/'), *p;
    char *mod;
    size_t n;
    int found = 0;
    base = base ? base + 1 : path;
    if (strcmp(base, "__init__.py") == 0 && base - path >= 2) {
        const char *end = base - 1, *start = end;
        while (start > path && start[-1] != '/') {
            start--;
        }
        mod = cpdb_xasprintf("%.*s", (int)(end - start), start);
    }
    else {
        mod = cpdb_xasprintf("%.*s", (int)strcspn(base, "."), base);
    }
    n = strlen(mod);
    p = func;
    while (!found && *p != '\0') {
        size_t len = strcspn(p, ".");
        found = len == n && strncmp(p, mod, n) == 0 && p[len] == '.';
        p += len + (p[len] == '.');
    }
    free(mod);
    return found;
}

/* A breakpoint's command: "break" or "tbreak" and its location. */
static void
save_location(const CpdbBreakpoint *bp, CpdbBuf *b)
{
    cpdb_buf_add(b, bp->temporary ? "tbreak " : "break ");
    if (bp->func != NULL && names_its_module(bp->func, bp->path)) {
        cpdb_buf_printf(b, "%s\n", bp->func);
    }
    else if (bp->func != NULL) {
        cpdb_buf_printf(b, "%s:%s\n", bp->path, bp->func);
    }
    else {
        cpdb_buf_printf(b, "%s:%d\n", bp->path, bp->line);
    }
}

/* Each breakpoint keeps its number, kind, condition, ignore count and
   enabled state; a function breakpoint stays one (it fires when the
   function is entered, not when its def line runs). */
static void
save_breakpoints(CpdbSession *s, CpdbBuf *b)
{
    size_t i;
    for (i = 0; i < s->bps.n; i++) {
        const CpdbBreakpoint *bp = s->bps.items[i];
        cpdb_buf_printf(b, DIRECTIVE "breakpoint-number %d\n", bp->number);
        if (bp->catch != NULL) {
            char *what = cpdb_catch_describe(bp->catch);
            cpdb_buf_printf(b, "catch %s\n", what);
            free(what);
        }
        else {
            save_location(bp, b);
        }
        if (bp->cond != NULL) {
            cpdb_buf_printf(b, "condition %d %s\n", bp->number, bp->cond);
        }
        if (bp->ignore > 0) {
            cpdb_buf_printf(b, "ignore %d %ld\n", bp->number, bp->ignore);
        }
        if (!bp->enabled) {
            cpdb_buf_printf(b, "disable %d\n", bp->number);
        }
    }
    cpdb_buf_printf(b, DIRECTIVE "breakpoint-number %d\n",
                    s->bps.next_number);
    if (!s->catch_uncaught) {
        cpdb_buf_add(b, "catch uncaught off\n");
    }
}

static void
save_displays(CpdbSession *s, CpdbBuf *b)
{
    CpdbCli *c = s->cli;
    size_t i;
    for (i = 0; i < c->displays.n; i++) {
        cpdb_buf_printf(b, DIRECTIVE "display-number %d\n",
                        c->displays.items[i].number);
        cpdb_buf_printf(b, "display %s\n", c->displays.items[i].expr);
    }
    cpdb_buf_printf(b, DIRECTIVE "display-number %d\n", c->next_display);
}

/* $N numbering goes on; the values themselves belonged to the old
   process. */
static void
save_history(CpdbSession *s, CpdbBuf *b)
{
    cpdb_buf_printf(b, DIRECTIVE "history %ld\n",
                    (long)PyList_GET_SIZE(s->history));
}

/* Convenience variables holding a plain value (None, a bool, a
   number, a str or bytes of at most a line) go on, as in gdb; the
   others held the old program's objects and are dropped, as $N are. */
static void
save_convenience(CpdbSession *s, CpdbBuf *b)
{
    PyObject *items = cpdb_conv_list(s);
    Py_ssize_t i;
    if (items == NULL) {
        PyErr_Clear();
        return;
    }
    for (i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *pair = PyList_GET_ITEM(items, i);
        PyObject *v = PyTuple_GET_ITEM(pair, 1);
        PyObject *r;
        const char *text;
        if (v != Py_None && !PyBool_Check(v) && !PyLong_CheckExact(v)
            && !PyFloat_CheckExact(v) && !PyUnicode_CheckExact(v)
            && !PyBytes_CheckExact(v)) {
            continue;
        }
        r = PyObject_Repr(v);
        text = r ? PyUnicode_AsUTF8(r) : NULL;
        if (text != NULL && strlen(text) < 4096 && !strchr(text, '\n')) {
            cpdb_buf_printf(b, "set $%s = %s\n",
                            PyUnicode_AsUTF8(PyTuple_GET_ITEM(pair, 0)),
                            text);
        }
        PyErr_Clear();
        Py_XDECREF(r);
    }
    Py_DECREF(items);
}

/* Commands given (-ex, -x, source, a piped script) and not yet run go on
   in the new process, after the restored state. */
static void
save_queue(CpdbSession *s, CpdbBuf *b)
{
    CpdbCli *c = s->cli;
    size_t i;
    for (i = c->queue_pos; i < c->queue.n; i++) {
        cpdb_buf_printf(b, DIRECTIVE "queue %s\n", c->queue.items[i]);
    }
}

char *
cpdb_cli_save_state(CpdbSession *s)
{
    CpdbBuf b;
    if (s->cli->remote != NULL) {
        /* The console elsewhere stays connected: the new process talks
           on the same socket (main.c passes it on), one of the fds the
           exec keeps open. */
        cpdb_remote_engine_keep_on_exec(s->cli->remote);
        cpdb_array_push(&s->process.inherited,
                        cpdb_remote_engine_fd(s->cli->remote));
    }
    cpdb_buf_init(&b);
    cpdb_buf_add(&b, "# cpdb: the state of a session, for the process "
                 "\"run\" started\n");
    save_redirects(s, &b);
    save_settings(s, &b);
    save_breakpoints(s, &b);
    save_displays(s, &b);
    cpdb_bp_commands_write(s, &b);      /* "commands N" ... "end" */
    cpdb_aliases_write(s, &b);          /* "alias" */
    save_history(s, &b);
    save_convenience(s, &b);
    /* Later kinds of state add their block here: a function writing
       commands that recreate it. */
    save_queue(s, &b);
    return cpdb_buf_take(&b);
}

/* --- restoring ----------------------------------------------------------- */

/* A "#cpdb KEY VALUE" line.  Return: VALUE if line is one for key,
   else NULL. */
static const char *
directive(const char *line, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(line, DIRECTIVE, strlen(DIRECTIVE)) != 0) {
        return NULL;
    }
    line += strlen(DIRECTIVE);
    if (strncmp(line, key, n) != 0 || (line[n] != ' ' && line[n] != '\0')) {
        return NULL;
    }
    return line[n] == ' ' ? line + n + 1 : line + n;
}

static void
restore_redirects(CpdbSession *s, const char *text)
{
    CpdbRedirects redir;
    char **argv;
    int argc, i;
    cpdb_redirects_init(&redir);
    if (cpdb_cli_parse_run_args(s, text, &argc, &argv, &redir) == 0) {
        for (i = 0; i < argc; i++) {
            free(argv[i]);
        }
        free(argv);
        cpdb_redirects_fini(&s->redir);
        s->redir = redir;
    }
    else {
        cpdb_redirects_fini(&redir);
    }
}

void
cpdb_cli_restore_state(CpdbSession *s, const char *text)
{
    CpdbCli *c = s->cli;
    const char *p = text, *v;
    while (*p != '\0') {
        size_t len = strcspn(p, "\n");
        char *line = cpdb_xstrdup(p);
        long n;
        line[len] = '\0';
        p += len + (p[len] == '\n');
        if ((v = directive(line, "redirect")) != NULL) {
            restore_redirects(s, v);
        }
        else if ((v = directive(line, "history")) != NULL) {
            if (cpdb_parse_int(v, &n) == 0 && n > 0) {
                cpdb_history_skip(s, n);
            }
        }
        else if ((v = directive(line, "queue")) != NULL) {
            if (*v == 'e' || *v == 'q') {
                cpdb_array_push(&c->queue, cpdb_xstrdup(v));
            }
        }
        else if (line[0] != '\0') {
            cpdb_array_push(&c->restore, line);
            line = NULL;
        }
        free(line);
    }
}

/* A restored command, run with its text kept from the output; when it
   fails, what it said is shown. */
static void
restore_command(CpdbSession *s, const char *line)
{
    CpdbBuf out, *outer = s->cli->capture;
    CmdResult r;
    cpdb_buf_init(&out);
    s->cli->capture = &out;
    r = cpdb_command_execute(s, line);
    s->cli->capture = outer;
    if (r == CMD_FAILED) {
        if (out.len > 0 && out.data[out.len - 1] == '\n') {
            out.data[--out.len] = '\0';
        }
        cpdb_error(s, "Not restored after the restart: \"%s\": %s", line,
                   out.data);
    }
    cpdb_buf_fini(&out);
}

/* A command that reads lines after it ("commands N" reads a body up to
   "end") reads them from the queue: put the restore lines that follow
   line i, up to its "end", in front of what the queue holds (not
   echoed; they leave the restore list).  Return: how many. */
static size_t
queue_body(CpdbCli *c, size_t i)
{
    CPDB_ARRAY(char *) q = {0};
    size_t j, end = i;
    const char *cmd = c->restore.items[i];
    if (strncmp(cmd, "commands", 8) != 0
        || (cmd[8] != '\0' && cmd[8] != ' ')) {
        return 0;
    }
    for (j = i + 1; j < c->restore.n; j++) {
        char *stripped = cpdb_strip_dup(c->restore.items[j]);
        int is_end = strcmp(stripped, "end") == 0;
        free(stripped);
        cpdb_array_push(&q, cpdb_xasprintf("q%s", c->restore.items[j]));
        free(c->restore.items[j]);
        c->restore.items[j] = NULL;
        end = j;
        if (is_end) {
            break;
        }
    }
    for (j = c->queue_pos; j < c->queue.n; j++) {
        cpdb_array_push(&q, c->queue.items[j]);
    }
    for (j = 0; j < c->queue_pos; j++) {
        free(c->queue.items[j]);
    }
    free(c->queue.items);
    c->queue.items = q.items;
    c->queue.n = q.n;
    c->queue.cap = q.cap;
    c->queue_pos = 0;
    return end - i;
}

void
cpdb_cli_restore_commands(CpdbSession *s)
{
    CpdbCli *c = s->cli;
    size_t i;
    for (i = 0; i < c->restore.n; i++) {
        char *line = c->restore.items[i];
        const char *v;
        long n;
        if ((v = directive(line, "breakpoint-number")) != NULL) {
            if (cpdb_parse_int(v, &n) == 0 && n > 0 && n < INT_MAX) {
                s->bps.next_number = (int)n;
            }
        }
        else if ((v = directive(line, "display-number")) != NULL) {
            if (cpdb_parse_int(v, &n) == 0 && n > 0 && n < INT_MAX) {
                c->next_display = (int)n;
            }
        }
        else if (line[0] != '#') {
            size_t n_body = queue_body(c, i);
            restore_command(s, line);
            if (c->queue_pos < n_body) {
                c->queue_pos = n_body;  /* not taken: not commands */
            }
            i += n_body;                /* those items are NULL now */
        }
        free(line);
    }
    free(c->restore.items);
    memset(&c->restore, 0, sizeof c->restore);
}

/* --- the cpdb program's session ------------------------------------------ */

/* As main.c's end: with --batch, a failed command makes the status 1
   when the program's is 0.  A console elsewhere is told it, as main.c
   tells it. */
static int
final_status(CpdbSession *s, int status)
{
    if (s->opts.batch && s->cli->n_failed > 0 && status == 0) {
        status = 1;
    }
    if (s->cli->remote != NULL) {
        cpdb_remote_engine_bye(s->cli->remote, status, CPDB_BYE_NONE);
    }
    return status;
}

void
cpdb_cli_restart_attach(CpdbSession *s)
{
    char *text, *why;
    if (!s->opts.own_process) {
        return;
    }
    s->save_state = cpdb_cli_save_state;
    s->final_status = final_status;
    if (s->opts.restore_state == NULL) {
        return;
    }
    text = cpdb_process_take_state(s->opts.restore_state, &why);
    s->opts.restore_state = NULL;       /* not kept: the caller's */
    if (text == NULL) {
        cpdb_error(s, "%s", why);
        free(why);
        return;
    }
    cpdb_cli_restore_state(s, text);
    free(text);
}
