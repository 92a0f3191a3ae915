/* Source commands: list and longlist, in pdb's layout (line number,
   'B' for a breakpoint, '->' for the current line). */
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "core/frames.h"
#include "core/location.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* The selected frame's file (canonical) and line, if any. */
static char *
current_position(CpdbSession *s, int *line)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
    if (e == NULL) {
        *line = 0;
        return NULL;
    }
    *line = e->lineno;
    return cpdb_default_file(s);
}

static int
has_breakpoint(CpdbSession *s, const char *path, int line)
{
    size_t i;
    for (i = 0; i < s->bps.n; i++) {
        if (s->bps.items[i]->line == line
            && strcmp(s->bps.items[i]->path, path) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Print lines first..last of path; remember where "list" continues. */
static CmdResult
list_lines(CpdbSession *s, const char *path, long first, long last)
{
    CpdbSource *src = cpdb_source_get(&s->sources, path);
    int cur_line, i;
    char *cur = current_position(s, &cur_line);
    int is_current = cur != NULL && strcmp(cur, path) == 0;

    free(cur);
    if (src == NULL) {
        cpdb_error(s, "No source for \"%s\".", path);
        return CMD_FAILED;
    }
    if (first < 1) {
        first = 1;
    }
    if (first > src->n_lines) {
        cpdb_out(s, "[EOF]\n");
        return CMD_STAY;
    }
    for (i = (int)first; i <= last && i <= src->n_lines; i++) {
        char num[32];
        size_t n;
        snprintf(num, sizeof num, "%3d", i);
        n = strlen(num);
        cpdb_out(s, "%s%s%c%s\t%s\n", num, n < 4 ? " " : "",
                 has_breakpoint(s, path, i) ? 'B' : ' ',
                 is_current && i == cur_line ? "->" : "", src->lines[i - 1]);
    }
    if (path != s->cli->list_path) {
        free(s->cli->list_path);
        s->cli->list_path = cpdb_xstrdup(path);
    }
    s->cli->list_next = i;
    s->cli->list_last_stop = s->stop_serial;
    return CMD_STAY;
}

static CmdResult
list_around(CpdbSession *s, const char *path, long line)
{
    long first = line - s->cli->set.listsize / 2;
    if (first < 1) {
        first = 1;
    }
    return list_lines(s, path, first, first + s->cli->set.listsize - 1);
}

static CmdResult
cmd_list(CpdbSession *s, const char *args)
{
    const char *p = cpdb_skip_space(args), *comma;
    CpdbLocation loc;
    const char *err;
    char *path;
    int line;
    CmdResult r;

    if (*p == '\0') {
        if (s->cli->list_path != NULL && s->cli->list_next > 0
            && s->cli->list_last_stop == s->stop_serial) {
            return list_lines(s, s->cli->list_path, s->cli->list_next,
                              s->cli->list_next + s->cli->set.listsize - 1);
        }
        path = current_position(s, &line);
        if (path == NULL) {
            path = cpdb_default_file(s);
            line = 1;
        }
        if (path == NULL) {
            cpdb_error(s, "No source file to list: the program is not "
                       "running.  Use \"list FILE:LINE\".");
            return CMD_FAILED;
        }
        r = list_around(s, path, line);
        free(path);
        return r;
    }
    if ((comma = strchr(p, ',')) != NULL) {
        char *a = cpdb_xstrndup(p, (size_t)(comma - p));
        long first, last;
        int ok = cpdb_parse_int(a, &first) == 0
                 && cpdb_parse_int(comma + 1, &last) == 0 && first > 0;
        free(a);
        if (!ok) {
            cpdb_error(s, "Bad range \"%s\": expected FIRST,LAST.", p);
            return CMD_FAILED;
        }
        if (last < first) {
            last = first + last;        /* pdb: LAST is a count */
        }
        path = s->cli->list_path ? cpdb_xstrdup(s->cli->list_path)
                            : cpdb_default_file(s);
        if (path == NULL) {
            cpdb_error(s, "No default source file: use \"list FILE:LINE\".");
            return CMD_FAILED;
        }
        r = list_lines(s, path, first, last);
        free(path);
        return r;
    }
    if (cpdb_location_parse(p, &loc, &err) < 0 || loc.cond != NULL) {
        cpdb_location_fini(&loc);
        cpdb_error(s, "Bad argument \"%s\": expected LINE, FILE:LINE, "
                   "FUNCTION or FIRST,LAST.", p);
        return CMD_FAILED;
    }
    if (cpdb_cmd_resolve(s, &loc, &path, &line,
                         CPDB_RESOLVE_ANY_LINE | CPDB_RESOLVE_DEF_LINE) < 0) {
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    r = list_around(s, path, line);
    free(path);
    cpdb_location_fini(&loc);
    return r;
}

static CmdResult
cmd_longlist(CpdbSession *s, const char *args)
{
    int line;
    char *path = current_position(s, &line);
    CpdbSource *src;
    const CpdbFuncInfo *fi;
    CpdbFrameEntry *e = cpdb_stack_selection(s);
    PyCodeObject *code;
    CmdResult r;
    int is_module;

    (void)args;
    src = cpdb_source_get(&s->sources, path);
    if (src == NULL) {
        cpdb_error(s, "No source for \"%s\".", path);
        free(path);
        return CMD_FAILED;
    }
    code = PyFrame_GetCode(e->frame);
    is_module = PyUnicode_CompareWithASCIIString(code->co_name,
                                                 "<module>") == 0;
    fi = is_module ? NULL : cpdb_source_function_at(&s->sources, src, line);
    if (fi != NULL && fi->def_line == code->co_firstlineno) {
        int last = fi->last_line;
        r = list_lines(s, path, fi->def_line, last);
    }
    else if (fi != NULL) {
        r = list_lines(s, path, code->co_firstlineno, fi->last_line);
    }
    else {
        r = list_lines(s, path, 1, src->n_lines);
    }
    Py_DECREF(code);
    free(path);
    return r;
}

/* --- info --------------------------------------------------------------- */

static CmdResult
info_source(CpdbSession *s, const char *args)
{
    char *path = cpdb_default_file(s);
    CpdbSource *src;
    (void)args;
    if (path == NULL) {
        cpdb_out(s, "No current source file.\n");
        return CMD_STAY;
    }
    src = cpdb_source_get(&s->sources, path);
    cpdb_out(s, "Current source file is %s\n", path);
    if (src != NULL) {
        cpdb_out(s, "Contains %d lines.\n", src->n_lines);
    }
    free(path);
    return CMD_STAY;
}

/* "info source". */
const CmdDef cpdb_info_source_cmds[] = {
    {"source", NULL, CMD_CLASS_STATUS, 0, info_source, "info source",
     "Describe the current source file.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

const CmdDef cpdb_cmds_files[] = {
    {"list", "l", CMD_CLASS_FILES, CMD_REPEATS_BARE, cmd_list,
     "list [LINE | FUNCTION | FILE:LINE | FIRST,LAST]",
     "List source lines around the current line or a location.\n"
     "\"list\" again (or Enter) continues after the last line listed.\n"
     "'B' marks a breakpoint, '->' the current line.", NULL,
     cpdb_complete_functions},
    {"longlist", "ll", CMD_CLASS_FILES, CMD_NEEDS_FRAME, cmd_longlist,
     "longlist",
     "List the whole function of the selected frame.\n"
     "At module level, the whole file.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
