/* Running commands: run, continue, step, next, finish, until, jump,
   kill, quit: each is one of the engine's resume operations
   (cpdb_exec_*); kill, run and quit ask it to unwind the program. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/stepper.h"
#include "base/util.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

/* Split command-line arguments: blanks separate, quotes group, a
   backslash escapes the next character.  Return: count; *argv_out is a
   malloc'd array of malloc'd strings. */
static int
split_args(const char *text, char ***argv_out)
{
    CPDB_ARRAY(char *) args = {0};
    const char *p = cpdb_skip_space(text);
    while (*p) {
        CpdbBuf b;
        char quote = 0;
        cpdb_buf_init(&b);
        while (*p && (quote || !isspace((unsigned char)*p))) {
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
        cpdb_array_push(&args, cpdb_buf_take(&b));
        cpdb_buf_fini(&b);
        p = cpdb_skip_space(p);
    }
    *argv_out = args.items;
    return (int)args.n;
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

static CmdResult
cmd_run(CpdbSession *s, const char *args)
{
    size_t i;
    if (s->prog.kind == CPDB_PROG_NONE) {
        return exec_result(s, cpdb_exec_run(s));
    }
    if (*cpdb_skip_space(args) != '\0') {
        char **argv;
        int argc = split_args(args, &argv);
        cpdb_program_set_args(&s->prog, argc, argv);
        for (i = 0; i < (size_t)argc; i++) {
            free(argv[i]);
        }
        free(argv);
    }
    cpdb_out(s, "Starting program: %s", s->prog.target);
    for (i = 0; i < (size_t)s->prog.argc; i++) {
        cpdb_out(s, " %s", s->prog.argv[i]);
    }
    cpdb_out(s, "\n");
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
    if (*cpdb_skip_space(args) != '\0') {
        cpdb_error(s, "\"finish\" takes no argument.");
        return CMD_FAILED;
    }
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
     "run [ARGS...]",
     "Start the program again from the beginning, keeping breakpoints.\n"
     "ARGS, when given, replace the program's arguments (sys.argv[1:]).\n"
     "A running program is ended first.", NULL},
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
     "End the program without leaving cpdb.", NULL},
    {"quit", "q exit", CMD_CLASS_RUNNING, 0, cmd_quit, "quit",
     "Leave cpdb, ending the program.\n"
     "The exit status is the program's if it finished, else 0.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
