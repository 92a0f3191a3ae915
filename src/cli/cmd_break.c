/* Breakpoint commands: break, tbreak, condition, ignore, enable,
   disable, delete, clear; and location resolution (file search by
   suffix, functions found in the compiled source without running it). */
#include "core/breakpoints.h"
#include "core/catch.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "core/eval.h"
#include "core/frames.h"
#include "core/location.h"
#include "cli/output.h"
#include "cli/user.h"
#include "core/session.h"
#include "core/source.h"
#include "core/watch.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cpdb_cmd_resolve_full(CpdbSession *s, const CpdbLocation *loc,
                      unsigned flags, CpdbResolved *out)
{
    CpdbResolver where;
    char *why;
    int rc;
    cpdb_session_resolver(s, &where);
    rc = cpdb_location_resolve(&where, loc, flags & ~CPDB_RESOLVE_QUIET, out,
                               &why);
    cpdb_resolver_fini(&where);
    if (rc < 0) {
        cpdb_error(s, "%s", why);
        free(why);
        return -1;
    }
    if (out->moved_from != 0 && !(flags & CPDB_RESOLVE_QUIET)) {
        cpdb_out(s, "Line %d has no code; breakpoint moved to line %d.\n",
                 out->moved_from, out->line);
    }
    return 0;
}

int
cpdb_cmd_resolve(CpdbSession *s, const CpdbLocation *loc, char **path,
                 int *line, unsigned flags)
{
    CpdbResolved r;
    if (cpdb_cmd_resolve_full(s, loc, flags, &r) < 0) {
        *path = NULL;
        return -1;
    }
    *path = r.path;
    *line = r.line;
    r.path = NULL;
    cpdb_resolved_fini(&r);
    return 0;
}

/* Compile a breakpoint condition (NULL: none).  Return 0 with *code a
   new reference or NULL, or -1 after reporting. */
static int
compile_condition(CpdbSession *s, const char *cond, PyObject **code)
{
    *code = NULL;
    if (cond != NULL && (*code = cpdb_eval_compile(s, cond, 1)) == NULL) {
        cpdb_error_exc(s, "Bad condition: ");
        return -1;
    }
    return 0;
}

static CmdResult
insert_breakpoint(CpdbSession *s, const char *args, int temporary)
{
    CpdbLocation loc;
    CpdbResolved r;
    const char *err;
    CpdbBreakpoint *bp;
    PyObject *code;

    if (cpdb_location_parse(args, &loc, &err) < 0) {
        cpdb_error(s, "%s", err);
        return CMD_FAILED;
    }
    if (cpdb_cmd_resolve_full(s, &loc, 0, &r) < 0) {
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    if (compile_condition(s, loc.cond, &code) < 0) {
        cpdb_resolved_fini(&r);
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    bp = cpdb_bp_add(&s->bps, r.path, r.line, loc.func, loc.cond, code,
                     temporary);
    if (r.code_name != NULL) {
        cpdb_bp_set_function_code(&s->bps, bp, r.def_line, r.code_name);
    }
    cpdb_out(s, "%sreakpoint %d at %s:%d%s\n",
             temporary ? "Temporary b" : "B", bp->number, r.path, r.line,
             cpdb_file_is_loaded(s, r.path) ? ""
                                            : " (pending: not imported yet)");
    cpdb_resolved_fini(&r);
    cpdb_location_fini(&loc);
    return CMD_STAY;
}

static CmdResult
cmd_break(CpdbSession *s, const char *args)
{
    return insert_breakpoint(s, args, 0);
}

static CmdResult
cmd_tbreak(CpdbSession *s, const char *args)
{
    return insert_breakpoint(s, args, 1);
}

/* watch EXPR: a watchpoint in the selected frame. */
static CmdResult
cmd_watch(CpdbSession *s, const char *args)
{
    char *expr = cpdb_strip_dup(args);
    PyObject *code;
    CpdbBreakpoint *bp = NULL;

    if (*expr == '\0') {
        cpdb_error(s, "Argument required (expression to watch).");
    }
    else if ((code = cpdb_eval_compile(s, expr, 1)) == NULL) {
        cpdb_error_exc(s, "Bad expression: ");
    }
    else {
        bp = cpdb_watch_insert(s, cpdb_cmd_frame(s), expr, code);
        Py_DECREF(code);
        cpdb_out(s, "Watchpoint %d: %s\n", bp->number, expr);
        if (bp->watch->error != NULL) {
            cpdb_out(s, "(no value now: %s)\n", bp->watch->error);
        }
    }
    free(expr);
    return bp != NULL ? CMD_STAY : CMD_FAILED;
}

/* Parse "N rest".  Return 0, or -1 after reporting. */
static int
parse_bp_number(CpdbSession *s, const char **args, CpdbBreakpoint **bp)
{
    const char *p = cpdb_skip_space(*args);
    char *end;
    long n;
    errno = 0;
    n = strtol(p, &end, 10);
    if (end == p || errno != 0
        || (*end != '\0' && *end != ' ' && *end != '\t')) {
        cpdb_error(s, "Bad breakpoint number \"%s\": a number is expected.",
                   p);
        return -1;
    }
    *bp = n > 0 && n <= INT_MAX ? cpdb_bp_find(&s->bps, (int)n) : NULL;
    if (*bp == NULL) {
        cpdb_error(s, "No breakpoint number %ld.", n);
        return -1;
    }
    *args = cpdb_skip_space(end);
    return 0;
}

static CmdResult
cmd_condition(CpdbSession *s, const char *args)
{
    CpdbBreakpoint *bp;
    PyObject *code;
    if (*cpdb_skip_space(args) == '\0') {
        cpdb_error(s, "Argument required (breakpoint number).");
        return CMD_FAILED;
    }
    if (parse_bp_number(s, &args, &bp) < 0) {
        return CMD_FAILED;
    }
    if (*args == '\0') {
        cpdb_bp_set_condition(bp, NULL, NULL);
        cpdb_out(s, "Breakpoint %d now unconditional.\n", bp->number);
        return CMD_STAY;
    }
    if (compile_condition(s, args, &code) < 0) {
        return CMD_FAILED;
    }
    cpdb_bp_set_condition(bp, args, code);
    return CMD_STAY;
}

static CmdResult
cmd_ignore(CpdbSession *s, const char *args)
{
    CpdbBreakpoint *bp;
    long count;
    if (*cpdb_skip_space(args) == '\0') {
        cpdb_error(s, "Argument required (a breakpoint number).");
        return CMD_FAILED;
    }
    if (parse_bp_number(s, &args, &bp) < 0) {
        return CMD_FAILED;
    }
    if (cpdb_parse_int(args, &count) < 0 || count < 0) {
        cpdb_error(s, "Bad ignore count \"%s\": a number >= 0 is expected.",
                   args);
        return CMD_FAILED;
    }
    bp->ignore = count;
    if (count == 0) {
        cpdb_out(s, "Will stop next time breakpoint %d is reached.\n",
                 bp->number);
    }
    else {
        cpdb_out(s, "Will ignore next %ld crossing%s of breakpoint %d.\n",
                 count, count == 1 ? "" : "s", bp->number);
    }
    return CMD_STAY;
}

/* Apply fn to each breakpoint number in args, or to all when none;
   the whole list is checked first, so a bad one changes nothing. */
static CmdResult
for_each_number(CpdbSession *s, const char *args,
                void (*fn)(CpdbSession *, CpdbBreakpoint *))
{
    size_t i, n = s->bps.n;
    int *exists = cpdb_xmalloc(sizeof(int) * (n ? n : 1)), *chosen = NULL;
    int n_chosen;
    for (i = 0; i < n; i++) {
        exists[i] = s->bps.items[i]->number;
    }
    if (*cpdb_skip_space(args) == '\0') {
        chosen = exists;
        n_chosen = (int)n;
        exists = NULL;
    }
    else {
        n_chosen = cpdb_cmd_number_list(s, args, "breakpoint", exists, n,
                                        &chosen);
    }
    /* fn may delete: look each one up again. */
    for (i = 0; n_chosen > 0 && i < (size_t)n_chosen; i++) {
        CpdbBreakpoint *bp = cpdb_bp_find(&s->bps, chosen[i]);
        if (bp != NULL) {
            fn(s, bp);
        }
    }
    free(exists);
    free(chosen);
    return n_chosen < 0 ? CMD_FAILED : CMD_STAY;
}

static void
enable_one(CpdbSession *s, CpdbBreakpoint *bp)
{
    cpdb_watch_enable(s, bp);
}

static void
disable_one(CpdbSession *s, CpdbBreakpoint *bp)
{
    bp->enabled = 0;
    cpdb_bp_changed(&s->bps);
}

static void
delete_one(CpdbSession *s, CpdbBreakpoint *bp)
{
    cpdb_bp_delete(&s->bps, bp->number);
}

static CmdResult
cmd_enable(CpdbSession *s, const char *args)
{
    return for_each_number(s, args, enable_one);
}

static CmdResult
cmd_disable(CpdbSession *s, const char *args)
{
    return for_each_number(s, args, disable_one);
}

static CmdResult
cmd_delete(CpdbSession *s, const char *args)
{
    char *what = cpdb_strip_dup(args);
    size_t n = strcspn(what, " \t");
    int values = n == 6 && strncmp(what, "values", 6) == 0;
    int extra = values && what[n] != '\0';
    free(what);
    if (extra) {
        cpdb_error(s, "\"delete values\" takes no argument: it drops the "
                   "whole value history.");
        return CMD_FAILED;
    }
    if (values) {
        return cpdb_cmd_delete_values(s);   /* gdb's "delete display" */
    }
    return for_each_number(s, args, delete_one);
}

static CmdResult
cmd_clear(CpdbSession *s, const char *args)
{
    CpdbLocation loc;
    const char *err, *p = cpdb_skip_space(args);
    char *path;
    int line, i, n_deleted = 0;
    CpdbBuf b;

    if (*p >= '0' && *p <= '9' && strchr(p, ':') == NULL
        && strspn(p, "0123456789 -") == strlen(p) && strchr(p, ' ')) {
        return cmd_delete(s, p);    /* pdb: "clear 1 2 3" */
    }
    if (cpdb_location_parse(p, &loc, &err) < 0) {
        cpdb_error(s, "%s", err);
        return CMD_FAILED;
    }
    if (cpdb_cmd_resolve(s, &loc, &path, &line, CPDB_RESOLVE_QUIET) < 0) {
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    cpdb_buf_init(&b);
    for (i = s->bps.n - 1; i >= 0; i--) {
        CpdbBreakpoint *bp = s->bps.items[i];
        if (bp->line == line && strcmp(bp->path, path) == 0) {
            cpdb_buf_printf(&b, " %d", bp->number);
            cpdb_bp_delete(&s->bps, bp->number);
            n_deleted++;
        }
    }
    if (n_deleted == 0) {
        cpdb_error(s, "No breakpoint at %s:%d.", path, line);
    }
    else {
        cpdb_out(s, "Deleted breakpoint%s%s\n", n_deleted > 1 ? "s" : "",
                 b.data);
    }
    cpdb_buf_fini(&b);
    free(path);
    cpdb_location_fini(&loc);
    return n_deleted ? CMD_STAY : CMD_FAILED;
}

const CmdDef cpdb_cmds_break[] = {
    {"break", "b", CMD_CLASS_BREAKPOINTS, 0, cmd_break,
     "break [LOCATION] [if CONDITION]",
     "Set a breakpoint at a line or function.\n"
     "LOCATION is LINE (in the current file), FILE:LINE, FUNCTION,\n"
     "FILE:FUNCTION or module.Class.method.  FILE is matched by the end of\n"
     "its path (\"util.py\", \"pkg/util.py\").  A line without code moves\n"
     "to the next line that has code.  A file not imported yet gets a\n"
     "pending breakpoint that takes effect when it loads.  Without\n"
     "LOCATION, the current line of the selected frame.  The condition is\n"
     "a Python expression evaluated in the frame each time the line is\n"
     "reached; the program stops only when it is true.", NULL,
     cpdb_complete_functions},
    {"tbreak", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_tbreak,
     "tbreak [LOCATION] [if CONDITION]",
     "Set a temporary breakpoint, deleted when it first stops the program.\n"
     "Arguments as for \"break\".", NULL,
     cpdb_complete_functions},
    {"watch", NULL, CMD_CLASS_BREAKPOINTS, CMD_NEEDS_FRAME | CMD_NEEDS_LIVE,
     cmd_watch, "watch EXPR",
     "Stop after a line where the value of EXPR changed.\n"
     "EXPR is evaluated in the selected frame, before each line that frame\n"
     "runs; the program stops after the line that changed it and shows\n"
     "the old and new values.  A list, dict, set or bytearray changed in\n"
     "place counts (a shallow copy is compared); an object inside it that\n"
     "changes does not.  When the frame returns, the watchpoint is deleted\n"
     "and the program stops in the caller.  Watchpoints are numbered with\n"
     "the breakpoints: \"info breakpoints\", \"delete\", \"disable\",\n"
     "\"condition\" and \"ignore\" work on them.  Only the watched frame\n"
     "pays: each of its lines evaluates EXPR (and copies a container).",
     NULL,
     cpdb_complete_python},
    {"condition", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_condition,
     "condition N [CONDITION]",
     "Make breakpoint N stop only when CONDITION is true.\n"
     "Without CONDITION, breakpoint N becomes unconditional.", NULL,
     cpdb_complete_python},
    {"ignore", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_ignore,
     "ignore N COUNT",
     "Pass breakpoint N the next COUNT times it is reached.", NULL},
    {"enable", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_enable,
     "enable [N...]",
     "Enable breakpoints (all when no number is given).\n"
     "Numbers may be ranges: \"enable 2-4\".", NULL},
    {"disable", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_disable,
     "disable [N...]",
     "Disable breakpoints (all when no number is given).\n"
     "A disabled breakpoint stays in the table but never stops.", NULL},
    {"delete", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_delete,
     "delete [N...] | delete values",
     "Delete breakpoints (all when no number is given).\n"
     "\"delete values\" drops the value history instead: $1, $2... no\n"
     "longer keep the objects they name alive (their numbers are not used\n"
     "again).", NULL},
    {"clear", "cl", CMD_CLASS_BREAKPOINTS, 0, cmd_clear,
     "clear [LOCATION]",
     "Delete the breakpoints at a location.\n"
     "Without LOCATION, those at the current line of the selected frame.\n"
     "As in pdb, \"clear N M ...\" deletes breakpoints by number.", NULL,
     cpdb_complete_functions},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

/* --- info --------------------------------------------------------------- */

void
cpdb_cmd_bp_counts(CpdbSession *s, const CpdbBreakpoint *bp)
{
    if (bp->cond != NULL) {
        cpdb_out(s, "\tstop only if %s\n", bp->cond);
    }
    if (bp->hits > 0) {
        cpdb_out(s, "\tbreakpoint already hit %ld time%s\n", bp->hits,
                 bp->hits == 1 ? "" : "s");
    }
    if (bp->ignore > 0) {
        cpdb_out(s, "\tWill ignore next %ld crossings of breakpoint.\n",
                 bp->ignore);
    }
}

/* "info breakpoints": the table, with hits, conditions and ignore
   counts; only the watchpoints for "info watchpoints". */
static void
break_info(CpdbSession *s, int only_watches)
{
    size_t i;
    if (s->bps.n == 0 || (only_watches && s->bps.n_watches == 0)) {
        cpdb_out(s, only_watches ? "No watchpoints.\n"
                                 : "No breakpoints.\n");
        return;
    }
    cpdb_out(s, "Num     Type           Disp Enb Where\n");
    for (i = 0; i < s->bps.n; i++) {
        CpdbBreakpoint *bp = s->bps.items[i];
        char num[16];
        if (only_watches && bp->watch == NULL) {
            continue;
        }
        char *where = bp->watch != NULL
                      ? cpdb_xstrdup(bp->watch->expr)
                      : bp->catch != NULL
                      ? cpdb_catch_describe(bp->catch)
                      : bp->func
                      ? cpdb_xasprintf("in %s at %s:%d", bp->func, bp->path,
                                       bp->line)
                      : cpdb_xasprintf("%s:%d", bp->path, bp->line);
        snprintf(num, sizeof num, "%d", bp->number);
        cpdb_out(s, "%-7s %-14s %-4s %-3s %s\n", num,
                 bp->watch != NULL ? "watchpoint"
                 : bp->catch != NULL ? "catchpoint" : "breakpoint",
                 bp->temporary ? "del" : "keep", bp->enabled ? "y" : "n",
                 where);
        free(where);
        cpdb_cmd_bp_counts(s, bp);
        if (bp->watch == NULL && bp->catch == NULL
            && !cpdb_file_is_loaded(s, bp->path)) {
            cpdb_out(s, "\tpending: %s is not imported yet\n", bp->path);
        }
        cpdb_bp_commands_show(s, bp->number);
    }
}

static CmdResult
info_breakpoints(CpdbSession *s, const char *args)
{
    (void)args;
    break_info(s, 0);
    return CMD_STAY;
}

static CmdResult
info_watchpoints(CpdbSession *s, const char *args)
{
    (void)args;
    break_info(s, 1);
    return CMD_STAY;
}

/* "info breakpoints". */
const CmdDef cpdb_info_break_cmds[] = {
    {"breakpoints", "b break", CMD_CLASS_STATUS, 0, info_breakpoints,
     "info breakpoints",
     "List the breakpoints, watchpoints and catchpoints.\n"
     "Each with its number, disposition, whether it is enabled, location\n"
     "(a watchpoint's expression, a catchpoint's exception types),\n"
     "condition, hit count and ignore count.",
     NULL},
    {"watchpoints", NULL, CMD_CLASS_STATUS, 0, info_watchpoints,
     "info watchpoints",
     "List the watchpoints only, as \"info breakpoints\" shows them.",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
