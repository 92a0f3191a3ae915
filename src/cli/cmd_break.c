/* Breakpoint commands: break, tbreak, condition, ignore, enable,
   disable, delete, clear; and location resolution (file search by
   suffix, functions found in the compiled source without running it). */
#include "core/breakpoints.h"
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
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cpdb_cmd_resolve(CpdbSession *s, const CpdbLocation *loc, char **path,
                 int *line, unsigned flags)
{
    CpdbResolver where;
    CpdbResolved r;
    char *why;
    int rc;
    cpdb_session_resolver(s, &where);
    rc = cpdb_location_resolve(&where, loc, flags & ~CPDB_RESOLVE_QUIET, &r,
                               &why);
    cpdb_resolver_fini(&where);
    if (rc < 0) {
        cpdb_error(s, "%s", why);
        free(why);
        *path = NULL;
        return -1;
    }
    if (r.moved_from != 0 && !(flags & CPDB_RESOLVE_QUIET)) {
        cpdb_out(s, "Line %d has no code; breakpoint moved to line %d.\n",
                 r.moved_from, r.line);
    }
    *path = r.path;
    *line = r.line;
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
    const char *err;
    char *path;
    int line;
    CpdbBreakpoint *bp;
    PyObject *code;

    if (cpdb_location_parse(args, &loc, &err) < 0) {
        cpdb_error(s, "%s", err);
        return CMD_FAILED;
    }
    if (cpdb_cmd_resolve(s, &loc, &path, &line, 0) < 0) {
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    if (compile_condition(s, loc.cond, &code) < 0) {
        free(path);
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    bp = cpdb_bp_add(&s->bps, path, line, loc.func, loc.cond, code,
                     temporary);
    cpdb_out(s, "%sreakpoint %d at %s:%d%s\n",
             temporary ? "Temporary b" : "B", bp->number, path, line,
             cpdb_file_is_loaded(s, path) ? ""
                                          : " (pending: not imported yet)");
    free(path);
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
    bp->enabled = 1;
    cpdb_bp_changed(&s->bps);
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
     "delete [N...]",
     "Delete breakpoints (all when no number is given).", NULL},
    {"clear", "cl", CMD_CLASS_BREAKPOINTS, 0, cmd_clear,
     "clear [LOCATION]",
     "Delete the breakpoints at a location.\n"
     "Without LOCATION, those at the current line of the selected frame.\n"
     "As in pdb, \"clear N M ...\" deletes breakpoints by number.", NULL,
     cpdb_complete_functions},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

/* --- info --------------------------------------------------------------- */

/* "info breakpoints": the table, with hits, conditions and ignore
   counts. */
static void
break_info(CpdbSession *s)
{
    size_t i;
    if (s->bps.n == 0) {
        cpdb_out(s, "No breakpoints.\n");
        return;
    }
    cpdb_out(s, "Num     Type           Disp Enb Where\n");
    for (i = 0; i < s->bps.n; i++) {
        CpdbBreakpoint *bp = s->bps.items[i];
        char num[16];
        char *where = bp->func
                      ? cpdb_xasprintf("in %s at %s:%d", bp->func, bp->path,
                                       bp->line)
                      : cpdb_xasprintf("%s:%d", bp->path, bp->line);
        snprintf(num, sizeof num, "%d", bp->number);
        cpdb_out(s, "%-7s %-14s %-4s %-3s %s\n", num, "breakpoint",
                 bp->temporary ? "del" : "keep", bp->enabled ? "y" : "n",
                 where);
        free(where);
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
        if (!cpdb_file_is_loaded(s, bp->path)) {
            cpdb_out(s, "\tpending: %s is not imported yet\n", bp->path);
        }
        cpdb_bp_commands_show(s, bp->number);
    }
}

static CmdResult
info_breakpoints(CpdbSession *s, const char *args)
{
    (void)args;
    break_info(s);
    return CMD_STAY;
}

/* "info breakpoints". */
const CmdDef cpdb_info_break_cmds[] = {
    {"breakpoints", "b break", CMD_CLASS_STATUS, 0, info_breakpoints,
     "info breakpoints",
     "List the breakpoints.\n"
     "Each with its number, disposition, whether it is enabled, location,\n"
     "condition, hit count and ignore count.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
