/* Running commands: run, continue, step, next, finish, until, kill,
   quit.  Each sets the stepper and resumes; kill, run and quit ask the
   session to unwind the program. */
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

PyFrameObject *
cpdb_cmd_frame(CpdbSession *s)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    return e ? e->frame : NULL;
}

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
    char **argv = NULL;
    int argc = 0, cap = 0;
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
        if (argc == cap) {
            cap = cap ? cap * 2 : 8;
            argv = cpdb_xrealloc(argv, sizeof(char *) * (size_t)cap);
        }
        argv[argc++] = cpdb_buf_take(&b);
        cpdb_buf_fini(&b);
        p = cpdb_skip_space(p);
    }
    *argv_out = argv;
    return argc;
}

static CmdResult
cmd_run(CpdbSession *s, const char *args)
{
    int i;
    if (s->prog.kind == CPDB_PROG_NONE) {
        cpdb_error(s, "No program to run: start cpdb with a script or "
                   "-m MODULE.");
        return CMD_FAILED;
    }
    if (*cpdb_skip_space(args) != '\0') {
        char **argv;
        int argc = split_args(args, &argv);
        cpdb_program_set_args(&s->prog, argc, argv);
        for (i = 0; i < argc; i++) {
            free(argv[i]);
        }
        free(argv);
    }
    cpdb_out(s, "Starting program: %s", s->prog.target);
    for (i = 0; i < s->prog.argc; i++) {
        cpdb_out(s, " %s", s->prog.argv[i]);
    }
    cpdb_out(s, "\n");
    s->request = CPDB_REQ_RUN;
    return CMD_STAY;
}

static CmdResult
cmd_continue(CpdbSession *s, const char *args)
{
    long n;
    if (s->state == CPDB_PROG_POST_MORTEM) {
        return CMD_RESUME;      /* the program ends */
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
        CpdbBreakpoint *bp = cpdb_bp_find(s, s->stop_bp);
        if (bp != NULL) {
            bp->ignore = n - 1;
            cpdb_out(s, "Will ignore next %ld crossings of breakpoint %d.  "
                     "Continuing.\n", n - 1, bp->number);
        }
    }
    cpdb_step_set_continue(s);
    return CMD_RESUME;
}

static CmdResult
cmd_step(CpdbSession *s, const char *args)
{
    long n;
    if (cpdb_cmd_count(s, args, 1, &n) < 0) {
        return CMD_FAILED;
    }
    cpdb_step_set_step(s);
    s->step.repeat = n - 1;
    return CMD_RESUME;
}

static CmdResult
cmd_next(CpdbSession *s, const char *args)
{
    long n;
    if (cpdb_cmd_count(s, args, 1, &n) < 0) {
        return CMD_FAILED;
    }
    cpdb_step_set_next(s, cpdb_cmd_frame(s));
    s->step.repeat = n - 1;
    return CMD_RESUME;
}

static CmdResult
cmd_finish(CpdbSession *s, const char *args)
{
    if (*cpdb_skip_space(args) != '\0') {
        cpdb_error(s, "\"finish\" takes no argument.");
        return CMD_FAILED;
    }
    cpdb_step_set_return(s, cpdb_cmd_frame(s));
    return CMD_RESUME;
}

static CmdResult
cmd_until(CpdbSession *s, const char *args)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    long line;
    if (*cpdb_skip_space(args) == '\0') {
        line = e->lineno + 1;
    }
    else if (cpdb_parse_int(args, &line) < 0 || line < 1 || line > INT_MAX) {
        cpdb_error(s, "Bad line number \"%s\": a line number is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    else if (line <= e->lineno) {
        cpdb_error(s, "\"until\" line %ld is not after the current line %d.",
                   line, e->lineno);
        return CMD_FAILED;
    }
    cpdb_step_set_until(s, e->frame, (int)line);
    return CMD_RESUME;
}

static CmdResult
cmd_jump(CpdbSession *s, const char *args)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    PyObject *line;
    long n;
    int rc;

    if (cpdb_parse_int(args, &n) < 0 || n < 1 || n > INT_MAX) {
        cpdb_error(s, "Bad line number \"%s\": a line number is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    if (s->stack.selected != 0) {
        cpdb_error(s, "You can only jump within the innermost frame.");
        return CMD_FAILED;
    }
    /* The interpreter lets a trace function move a frame's line: the
       frame must carry one (it does if cpdb follows it). */
    cpdb_frame_mark(e->frame, s->trace_marker);
    line = PyLong_FromLong(n);
    rc = line ? PyObject_SetAttrString((PyObject *)e->frame, "f_lineno",
                                       line) : -1;
    Py_XDECREF(line);
    if (rc < 0) {
        cpdb_error_exc(s, "Jump failed: ");
        return CMD_FAILED;
    }
    e->lineno = PyFrame_GetLineNumber(e->frame);
    cpdb_cmd_show_frame(s);
    return CMD_STAY;
}

static CmdResult
cmd_kill(CpdbSession *s, const char *args)
{
    (void)args;
    if (s->state == CPDB_PROG_IDLE) {
        cpdb_error(s, "The program is not being run.");
        return CMD_FAILED;
    }
    s->request = CPDB_REQ_KILL;
    return CMD_STAY;
}

static CmdResult
cmd_quit(CpdbSession *s, const char *args)
{
    (void)args;
    s->request = CPDB_REQ_QUIT;
    return CMD_STAY;
}

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
