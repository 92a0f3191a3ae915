/* Running commands: run, continue, step, next, finish, until, jump,
   kill, quit: each is one of the engine's resume operations
   (cpdb_exec_*); kill, run and quit ask it to end the program (without
   unwinding it, in the cpdb program: CpdbOptions.own_process). */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/stepper.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cpdb_cmd_count(CpdbSession *s, const char *args, long dflt, long *out)
{
    long n;
    if (*cpdb_skip_space(args) == '\0') {
        *out = dflt;
        return 0;
    }
    if (cpdb_parse_int(args, &n) < 0 || n < 1 || n > INT_MAX) {
        cpdb_error(s, "Bad count \"%s\": a number from 1 to %d is expected.",
                   cpdb_skip_space(args), INT_MAX);
        return -1;
    }
    *out = n;
    return 0;
}

/* --- the program's arguments and redirections --------------------------- */

/* The redirection operators "run" takes, as a shell does; the longest
   spelling first.  from_fd >= 0: a copy of that fd, no file. */
static const struct {
    const char *op;
    int fd, from_fd, append;
} redirect_ops[] = {
    {"2>&1", 2, 1, 0}, {"1>&2", 1, 2, 0}, {">&2", 1, 2, 0},
    {"2>>", 2, -1, 1}, {"1>>", 1, -1, 1}, {">>", 1, -1, 1},
    {"2>", 2, -1, 0}, {"1>", 1, -1, 0}, {">", 1, -1, 0},
    {"0<", 0, -1, 0}, {"<", 0, -1, 0},
};

/* The redirection operator at p (the start of a word), or -1. */
static int
redirect_at(const char *p)
{
    size_t i;
    for (i = 0; i < CPDB_ARRAY_LEN(redirect_ops); i++) {
        const char *op = redirect_ops[i].op;
        if (strncmp(p, op, strlen(op)) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* One word at *p: blanks and unquoted < > end it, quotes group, a
   backslash escapes the next character.  Return: malloc'd, or NULL when
   there is no word there. */
static char *
take_word(const char **pp)
{
    const char *p = *pp;
    CpdbBuf b;
    char quote = 0;
    int any = 0;
    cpdb_buf_init(&b);
    while (*p && (quote || (!isspace((unsigned char)*p) && *p != '<'
                            && *p != '>'))) {
        any = 1;
        if (quote && *p == quote) {
            quote = 0;
        }
        else if (!quote && (*p == '"' || *p == '\'')) {
            quote = *p;
        }
        else if (*p == '\\' && p[1] != '\0' && quote != '\'') {
            p++;
            cpdb_buf_addc(&b, *p);
        }
        else {
            cpdb_buf_addc(&b, *p);
        }
        p++;
    }
    *pp = p;
    if (!any) {
        cpdb_buf_fini(&b);
        return NULL;
    }
    return cpdb_buf_take(&b);
}

void
cpdb_cli_quote_word(CpdbBuf *b, const char *w)
{
    const char *p;
    if (*w != '\0' && strpbrk(w, " \t\n\"'\\<>") == NULL) {
        cpdb_buf_add(b, w);
        return;
    }
    cpdb_buf_addc(b, '\'');
    for (p = w; *p; p++) {
        if (*p == '\'') {
            cpdb_buf_add(b, "'\\''");
        }
        else {
            cpdb_buf_addc(b, *p);
        }
    }
    cpdb_buf_addc(b, '\'');
}

/* Check that a redirection's file can be used now, so that a bad one
   stops "run" before anything ends or starts: an input file must be
   readable; an output file writable, or new in a folder that takes
   it.  Return 0, or -1 after reporting. */
static int
check_redirect_file(CpdbSession *s, const char *path, int fd,
                    const char *as_given)
{
    struct stat sb;
    int ok, err;
    if (fd == 0) {
        int f = open(path, O_RDONLY | O_CLOEXEC);
        ok = f >= 0;
        err = errno;
        if (f >= 0) {
            close(f);
        }
    }
    else if (stat(path, &sb) == 0) {
        ok = !S_ISDIR(sb.st_mode) && access(path, W_OK) == 0;
        err = S_ISDIR(sb.st_mode) ? EISDIR : errno;
    }
    else {
        char *dir = cpdb_xstrdup(path), *slash = strrchr(dir, '/');
        *(slash == dir ? slash + 1 : slash) = '\0';
        ok = errno == ENOENT && access(dir, W_OK | X_OK) == 0;
        err = errno;
        free(dir);
    }
    if (!ok) {
        cpdb_error(s, "Cannot redirect the %s \"%s\": %s.",
                   fd == 0 ? "input from" : "output to", as_given,
                   strerror(err));
    }
    return ok ? 0 : -1;
}

int
cpdb_cli_parse_run_args(CpdbSession *s, const char *text, int *argc,
                        char ***argv, CpdbRedirects *redir)
{
    CPDB_ARRAY(char *) args = {0};
    CpdbBuf canon;
    const char *p = cpdb_skip_space(text);
    size_t i;

    cpdb_buf_init(&canon);
    while (*p) {
        int k = redirect_at(p);
        if (k >= 0) {
            const char *op = redirect_ops[k].op;
            char *word, *path;
            p = cpdb_skip_space(p + strlen(op));
            if (redirect_ops[k].from_fd >= 0) {
                cpdb_redirects_add(redir, redirect_ops[k].fd,
                                   redirect_ops[k].from_fd, NULL, 0);
                cpdb_buf_printf(&canon, "%s%s", canon.len ? " " : "", op);
                continue;
            }
            word = take_word(&p);
            if (word == NULL || *word == '\0') {
                cpdb_error(s, "Bad redirection \"%s\": a file name is "
                           "expected after it.", op);
                free(word);
                goto error;
            }
            path = word[0] == '/' ? cpdb_xstrdup(word)
                   : cpdb_xasprintf("%s/%s", s->process.start_dir, word);
            if (check_redirect_file(s, path, redirect_ops[k].fd, word) < 0) {
                free(path);
                free(word);
                goto error;
            }
            cpdb_redirects_add(redir, redirect_ops[k].fd, -1, path,
                               redirect_ops[k].append);
            cpdb_buf_printf(&canon, "%s%s ", canon.len ? " " : "", op);
            cpdb_cli_quote_word(&canon, path);
            free(path);
            free(word);
        }
        else {
            cpdb_array_push(&args, take_word(&p));
        }
        p = cpdb_skip_space(p);
    }
    free(redir->text);
    redir->text = canon.len ? cpdb_buf_take(&canon) : NULL;
    cpdb_buf_fini(&canon);
    *argv = args.items;
    *argc = (int)args.n;
    return 0;
error:
    cpdb_buf_fini(&canon);
    for (i = 0; i < args.n; i++) {
        free(args.items[i]);
    }
    free(args.items);
    cpdb_redirects_clear(redir);
    return -1;
}

/* A resume operation's answer as a command result. */
static CmdResult
exec_result(CpdbSession *s, int rc)
{
    if (rc < 0) {
        cpdb_error(s, "%s", cpdb_session_errmsg(s));
        return CMD_FAILED;
    }
    return CMD_STAY;
}

/* run [ARGS] [REDIRECTIONS]: a bad redirection is reported before the
   program is ended or started. */
static CmdResult
cmd_run(CpdbSession *s, const char *args)
{
    CpdbBuf line;
    size_t i;
    if (s->prog.kind == CPDB_PROG_NONE) {
        return exec_result(s, cpdb_exec_run(s));
    }
    if (*cpdb_skip_space(args) != '\0') {
        CpdbRedirects redir;
        char **argv;
        int argc;
        cpdb_redirects_init(&redir);
        if (cpdb_cli_parse_run_args(s, args, &argc, &argv, &redir) < 0) {
            cpdb_redirects_fini(&redir);
            return CMD_FAILED;
        }
        cpdb_program_set_args(&s->prog, argc, argv);
        for (i = 0; i < (size_t)argc; i++) {
            free(argv[i]);
        }
        free(argv);
        cpdb_redirects_clear(&s->redir);
        free(s->redir.ops.items);
        s->redir.ops = redir.ops;
        s->redir.text = redir.text;
    }
    cpdb_buf_init(&line);
    cpdb_cli_quote_word(&line, s->prog.target);
    for (i = 0; i < (size_t)s->prog.argc; i++) {
        cpdb_buf_addc(&line, ' ');
        cpdb_cli_quote_word(&line, s->prog.argv[i]);
    }
    if (s->redir.text != NULL) {
        cpdb_buf_printf(&line, " %s", s->redir.text);
    }
    cpdb_out(s, "Starting program: %s\n", line.data);
    cpdb_buf_fini(&line);
    return exec_result(s, cpdb_exec_run(s));
}

static CmdResult
cmd_continue(CpdbSession *s, const char *args)
{
    long n;
    if (s->state == CPDB_PROG_POST_MORTEM
        || s->state == CPDB_PROG_TRACEBACK) {
        return exec_result(s, cpdb_exec_continue(s));   /* it ends, or
                                                           goes on */
    }
    if (s->state != CPDB_PROG_RUNNING || !s->at_stop) {
        cpdb_error(s, "The program is not being run.");
        return CMD_FAILED;
    }
    if (cpdb_cmd_count(s, args, 1, &n) < 0) {
        return CMD_FAILED;
    }
    if (n > 1 && s->stop_bp <= 0) {
        cpdb_out(s, "Not stopped at any breakpoint; argument ignored.\n");
    }
    if (n > 1 && s->stop_bp > 0) {
        CpdbBreakpoint *bp = cpdb_bp_find(&s->bps, s->stop_bp);
        if (bp != NULL) {
            bp->ignore = n - 1;
            cpdb_out(s, "Will ignore next %ld crossings of breakpoint %d.  "
                     "Continuing.\n", n - 1, bp->number);
        }
    }
    return exec_result(s, cpdb_exec_continue(s));
}

/* step / next [N]: the N-1 stops before the last are shown without a
   prompt (cli/prompt.c). */
static CmdResult
step_or_next(CpdbSession *s, const char *args, int next)
{
    long n;
    CmdResult r;
    if (cpdb_cmd_count(s, args, 1, &n) < 0) {
        return CMD_FAILED;
    }
    r = exec_result(s, next ? cpdb_exec_next(s) : cpdb_exec_step(s));
    if (r == CMD_STAY) {
        s->cli->repeat = n - 1;
        s->cli->repeat_next = next;
    }
    return r;
}

static CmdResult
cmd_step(CpdbSession *s, const char *args)
{
    return step_or_next(s, args, 0);
}

static CmdResult
cmd_next(CpdbSession *s, const char *args)
{
    return step_or_next(s, args, 1);
}

static CmdResult
cmd_finish(CpdbSession *s, const char *args)
{
    (void)args;     /* none: the command table's usage says so */
    return exec_result(s, cpdb_exec_finish(s));
}

static CmdResult
cmd_until(CpdbSession *s, const char *args)
{
    long line = 0;
    if (*cpdb_skip_space(args) != '\0'
        && (cpdb_parse_int(args, &line) < 0 || line < 1
            || line > INT_MAX)) {
        cpdb_error(s, "Bad line number \"%s\": a line number is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    return exec_result(s, cpdb_exec_until(s, (int)line));
}

static CmdResult
cmd_jump(CpdbSession *s, const char *args)
{
    long n;
    if (cpdb_parse_int(args, &n) < 0 || n < 1 || n > INT_MAX) {
        cpdb_error(s, "Bad line number \"%s\": a line number is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    if (exec_result(s, cpdb_exec_jump(s, (int)n)) == CMD_FAILED) {
        return CMD_FAILED;
    }
    cpdb_cli_show_frame(s);
    return CMD_STAY;
}

static CmdResult
cmd_kill(CpdbSession *s, const char *args)
{
    (void)args;
    return exec_result(s, cpdb_exec_kill(s));
}

static CmdResult
cmd_quit(CpdbSession *s, const char *args)
{
    (void)args;
    return exec_result(s, cpdb_exec_quit(s));
}

static CmdResult
cmd_detach(CpdbSession *s, const char *args)
{
    (void)args;
    if (!s->opts.attached) {
        cpdb_error(s, "Not attached to a process: \"detach\" is for cpdb "
                   "-p PID (\"quit\" ends this program).");
        return CMD_FAILED;
    }
    return exec_result(s, cpdb_exec_quit(s));
}

/* --- info --------------------------------------------------------------- */

static CmdResult
info_program(CpdbSession *s, const char *args)
{
    (void)args;
    switch (s->state) {
    case CPDB_PROG_RUNNING:
        if (s->stop_bp > 0) {
            cpdb_out(s, "The program is stopped at breakpoint %d.\n",
                     s->stop_bp);
        }
        else {
            cpdb_out(s, "The program is stopped.\n");
        }
        break;
    case CPDB_PROG_POST_MORTEM:
        cpdb_out(s, "The program ended with an uncaught exception "
                 "(post-mortem).\n");
        break;
    case CPDB_PROG_TRACEBACK:
        cpdb_out(s, "The program is stopped, showing a traceback it "
                 "handed over (pdb.post_mortem).\n");
        break;
    case CPDB_PROG_IDLE:
    default:
        if (s->exit_status >= 0) {
            cpdb_out(s, "The program is not being run; it last exited with "
                     "status %d.\n", s->exit_status);
        }
        else {
            cpdb_out(s, "The program is not being run.\n");
        }
        break;
    }
    return CMD_STAY;
}

/* "info program". */
const CmdDef cpdb_info_run_cmds[] = {
    {"program", NULL, CMD_CLASS_STATUS, 0, info_program, "info program",
     "Say whether the program runs, where it stopped, or how it ended.",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

const CmdDef cpdb_cmds_running[] = {
    {"run", "restart", CMD_CLASS_RUNNING, 0, cmd_run,
     "run [ARGS...] [< IN] [> OUT | >> OUT] [2> ERR | 2>> ERR | 2>&1]",
     "Start the program again from the beginning, as a new process.\n"
     "ARGS, when given, replace the program's arguments (sys.argv[1:]) and\n"
     "redirections; without them the last ones are used again.  Words are\n"
     "split as a shell splits them (quotes group, a backslash escapes).\n"
     "Redirections give the program's stdin, stdout and stderr files, as a\n"
     "shell does: \"< in.txt\", \"> out.txt\", \">> log\", \"2> err\",\n"
     "\"2>> err\", \"2>&1\"; relative names are taken from the directory\n"
     "cpdb started in.  cpdb keeps talking to the terminal.  A file that\n"
     "cannot be used is an error, and nothing is ended or started.\n"
     "A running program is ended first (as \"kill\" does).  cpdb runs\n"
     "itself again, so the program gets fresh modules; breakpoints and\n"
     "their commands, aliases, displays, settings, the command history and\n"
     "the numbering of values ($N) are kept, the values themselves are\n"
     "not; convenience variables holding a number, a string, a bool or\n"
     "None are kept.", NULL},
    {"continue", "c cont", CMD_CLASS_RUNNING, CMD_REPEATS, cmd_continue,
     "continue [N]",
     "Continue running until a breakpoint or the end.\n"
     "With N, the breakpoint that stopped the program is passed N-1 more\n"
     "times.  In post-mortem, \"continue\" ends the program.", NULL},
    {"step", "s", CMD_CLASS_RUNNING, CMD_REPEATS | CMD_NEEDS_LIVE, cmd_step,
     "step [N]",
     "Run to the next line, stepping into calls (N times).\n"
     "Stops where pdb does: --Call-- when a function is entered,\n"
     "--Return-- when one returns, and where an exception is raised.",
     NULL},
    {"next", "n", CMD_CLASS_RUNNING, CMD_REPEATS | CMD_NEEDS_LIVE, cmd_next,
     "next [N]",
     "Run to the next line of the selected frame, over calls (N times).",
     NULL},
    {"finish", "return r", CMD_CLASS_RUNNING, CMD_REPEATS | CMD_NEEDS_LIVE,
     cmd_finish, "finish",
     "Run until the selected frame returns, and show the return value.\n"
     "The value is recorded in the value history ($N).", NULL},
    {"until", "unt", CMD_CLASS_RUNNING, CMD_REPEATS | CMD_NEEDS_LIVE,
     cmd_until, "until [LINE]",
     "Run until a line after the current one (or >= LINE) is reached.\n"
     "Stops also when the selected frame returns.  Use it to leave a loop.",
     NULL},
    {"jump", "j", CMD_CLASS_RUNNING, CMD_NEEDS_LIVE, cmd_jump, "jump LINE",
     "Set the next line to run in the innermost frame.\n"
     "Python allows it only within one function and not into or out of a\n"
     "block such as a loop or a \"with\"; the program is not run meanwhile.",
     NULL},
    {"kill", "k", CMD_CLASS_RUNNING, 0, cmd_kill, "kill",
     "End the program without leaving cpdb.\n"
     "None of the program's code runs after it: no except or finally\n"
     "clause, no atexit function, no generator cleanup (as when gdb kills\n"
     "a process).  Python typed at the prompt still runs; the program's\n"
     "objects stay in memory until \"run\" or \"quit\", and its other\n"
     "threads stay stopped while cpdb waits at the prompt.", NULL},
    {"quit", "q exit", CMD_CLASS_RUNNING, 0, cmd_quit, "quit",
     "Leave cpdb, ending the program.\n"
     "As with \"kill\", none of the program's code runs after it while it\n"
     "is stopped in its code; after it ended, cpdb ends as python3 does\n"
     "(finalizers run, open files are flushed).  The exit\n"
     "status is the program's if it finished (os._exit too), else 0; with\n"
     "--batch, 1 if a command failed and the program's status was 0.\n"
     "Attached to a process (cpdb -p), quit detaches, as \"detach\" does;\n"
     "kill detaches and then ends the process (SIGKILL).",
     NULL},
    {"detach", NULL, CMD_CLASS_RUNNING, 0, cmd_detach, "detach",
     "Leave a process cpdb attached to (cpdb -p PID) running on its own.\n"
     "Breakpoints, trace functions, monitoring events and hooks are taken\n"
     "out of it, the program goes on where it stood, and cpdb ends.  The\n"
     "end of input and quit do the same; kill detaches, then ends the\n"
     "process.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
