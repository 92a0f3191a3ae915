/* Breakpoint commands: break, tbreak, condition, ignore, enable,
   disable, delete, clear; and location resolution (file search by
   suffix, functions found in the compiled source without running it). */
#include "core/breakpoints.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "core/eval.h"
#include "core/frames.h"
#include "core/location.h"
#include "cli/output.h"
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

/* --- finding files ------------------------------------------------------ */

static int
is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Whether path ends with "/" + suffix (or is suffix). */
static int
has_path_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path), m = strlen(suffix);
    if (m > n) {
        return 0;
    }
    if (strcmp(path + n - m, suffix) != 0) {
        return 0;
    }
    return m == n || path[n - m - 1] == '/';
}

typedef struct Matches {
    char **paths;
    int n, cap;
} Matches;

static void
matches_add(Matches *m, const char *path)
{
    char *canon = cpdb_path_canonical(path);
    int i;
    for (i = 0; i < m->n; i++) {
        if (strcmp(m->paths[i], canon) == 0) {
            free(canon);
            return;
        }
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->paths = cpdb_xrealloc(m->paths, sizeof(char *) * (size_t)m->cap);
    }
    m->paths[m->n++] = canon;
}

static void
matches_fini(Matches *m)
{
    int i;
    for (i = 0; i < m->n; i++) {
        free(m->paths[i]);
    }
    free(m->paths);
}

/* Files of loaded modules (sys.modules[*].__file__) ending in suffix. */
static void
match_loaded_modules(Matches *m, const char *suffix)
{
    PyObject *modules = PySys_GetObject("modules");    /* borrowed */
    PyObject *values, *it, *mod;
    if (modules == NULL || !PyDict_Check(modules)) {
        return;
    }
    values = PyDict_Values(modules);
    it = values ? PyObject_GetIter(values) : NULL;
    Py_XDECREF(values);
    if (it == NULL) {
        PyErr_Clear();
        return;
    }
    while ((mod = PyIter_Next(it)) != NULL) {
        PyObject *file = PyObject_GetAttrString(mod, "__file__");
        const char *f;
        if (file != NULL && PyUnicode_Check(file)
            && (f = PyUnicode_AsUTF8(file)) != NULL) {
            char *abs = cpdb_path_absolute(f);
            if (has_path_suffix(abs, suffix)) {
                matches_add(m, abs);
            }
            free(abs);
        }
        PyErr_Clear();
        Py_XDECREF(file);
        Py_DECREF(mod);
    }
    Py_DECREF(it);
    PyErr_Clear();
}

static void
match_sys_path(Matches *m, const char *rel)
{
    PyObject *path = PySys_GetObject("path");           /* borrowed */
    Py_ssize_t i;
    if (path == NULL || !PyList_Check(path)) {
        return;
    }
    for (i = 0; i < PyList_GET_SIZE(path); i++) {
        PyObject *d = PyList_GET_ITEM(path, i);
        const char *dir = PyUnicode_Check(d) ? PyUnicode_AsUTF8(d) : NULL;
        char *cand;
        if (dir == NULL) {
            PyErr_Clear();
            continue;
        }
        cand = cpdb_xasprintf("%s/%s", *dir ? dir : ".", rel);
        if (is_file(cand)) {
            matches_add(m, cand);
        }
        free(cand);
    }
}

/* Look under dir (a few levels, a bounded number of entries) for files
   ending in suffix: modules of the program not imported yet. */
static void
match_tree(Matches *m, const char *dir, const char *suffix, int depth,
           int *budget)
{
    DIR *d;
    struct dirent *e;
    if (depth < 0 || *budget <= 0 || (d = opendir(dir)) == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL && *budget > 0) {
        char *path;
        struct stat sb;
        (*budget)--;
        if (e->d_name[0] == '.' || strcmp(e->d_name, "__pycache__") == 0) {
            continue;
        }
        path = cpdb_xasprintf("%s/%s", dir, e->d_name);
        if (lstat(path, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) {
                match_tree(m, path, suffix, depth - 1, budget);
            }
            else if (S_ISREG(sb.st_mode) && has_path_suffix(path, suffix)) {
                matches_add(m, path);
            }
        }
        free(path);
    }
    closedir(d);
}

/* The folder of the program's main file, with a final '/'; malloc'd or
   NULL. */
static char *
program_dir(CpdbSession *s)
{
    char *dir, *slash;
    if (s->prog.main_path == NULL) {
        return NULL;
    }
    dir = cpdb_path_canonical(s->prog.main_path);
    slash = strrchr(dir, '/');
    if (slash == NULL) {
        free(dir);
        return NULL;
    }
    slash[1] = '\0';
    return dir;
}

/* Return: malloc'd canonical path of the file the user means, or NULL
   after reporting why not.  Every file whose path ends with FILE counts:
   loaded modules, files seen running, the working directory, sys.path
   entries and the program's own folder tree.  The program's own files
   win over the others (a stdlib "util.py" does not hide the program's
   "util.py"); two candidates of the same rank are ambiguous. */
static char *
find_source_file(CpdbSession *s, const char *file)
{
    Matches m = {0};
    char *result = NULL, *dir;
    const char *pick = NULL;
    int i, n_own = 0, n_pick;

    if (file[0] == '/' || strncmp(file, "./", 2) == 0
        || strncmp(file, "../", 3) == 0) {
        if (is_file(file)) {
            return cpdb_path_canonical(file);
        }
        cpdb_error(s, "No source file named %s.", file);
        return NULL;
    }
    match_loaded_modules(&m, file);
    for (i = 0; i < s->n_files; i++) {
        if (s->files[i][0] == '/' && has_path_suffix(s->files[i], file)
            && is_file(s->files[i])) {
            matches_add(&m, s->files[i]);
        }
    }
    if (is_file(file)) {
        matches_add(&m, file);
    }
    match_sys_path(&m, file);
    dir = program_dir(s);
    if (dir != NULL) {
        int budget = 20000;
        match_tree(&m, dir, file, 4, &budget);
        for (i = 0; i < m.n; i++) {
            if (strncmp(m.paths[i], dir, strlen(dir)) == 0) {
                pick = m.paths[i];
                n_own++;
            }
        }
    }
    n_pick = n_own;
    if (n_own == 0 && m.n > 0) {
        pick = m.paths[0];
        n_pick = m.n;
    }
    if (n_pick == 1) {
        result = cpdb_xstrdup(pick);
    }
    else if (n_pick == 0) {
        cpdb_error(s, "No source file named %s.", file);
    }
    else {
        CpdbBuf b;
        cpdb_buf_init(&b);
        for (i = 0; i < m.n; i++) {
            if (n_own == 0 || strncmp(m.paths[i], dir, strlen(dir)) == 0) {
                cpdb_buf_printf(&b, "%s%s", b.len ? ", " : "", m.paths[i]);
            }
        }
        cpdb_error(s, "Ambiguous file name \"%s\": %s.  Give more of the "
                   "path.", file, b.data);
        cpdb_buf_fini(&b);
    }
    free(dir);
    matches_fini(&m);
    return result;
}

int
cpdb_file_is_loaded(CpdbSession *s, const char *path)
{
    Matches m = {0};
    int i, loaded = 0;
    const char *base = strrchr(path, '/');
    if (s->prog.main_path != NULL && s->state != CPDB_PROG_IDLE) {
        char *main = cpdb_path_canonical(s->prog.main_path);
        loaded = strcmp(main, path) == 0;
        free(main);
        if (loaded) {
            return 1;
        }
    }
    match_loaded_modules(&m, base ? base + 1 : path);
    for (i = 0; i < m.n && !loaded; i++) {
        loaded = strcmp(m.paths[i], path) == 0;
    }
    matches_fini(&m);
    return loaded;
}

char *
cpdb_cmd_default_file(CpdbSession *s)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    if (e != NULL) {
        PyCodeObject *code = PyFrame_GetCode(e->frame);
        char *path = cpdb_code_path(code);
        char *canon = cpdb_path_canonical(path);
        Py_DECREF(code);
        free(path);
        return canon;
    }
    if (s->prog.kind == CPDB_PROG_FILE) {
        char *abs = cpdb_path_absolute(s->prog.target);
        char *canon = cpdb_path_canonical(abs);
        free(abs);
        return canon;
    }
    if (s->prog.main_path != NULL) {
        return cpdb_path_canonical(s->prog.main_path);
    }
    return NULL;
}

/* --- finding functions -------------------------------------------------- */

/* A module's source file from sys.modules, or found on sys.path without
   importing it.  Return: malloc'd canonical path or NULL. */
static char *
module_file(const char *module)
{
    PyObject *modules = PySys_GetObject("modules");    /* borrowed */
    PyObject *mod = modules ? PyDict_GetItemString(modules, module) : NULL;
    Matches m = {0};
    char *rel, *p, *result = NULL;

    if (mod != NULL) {
        PyObject *file = PyObject_GetAttrString(mod, "__file__");
        const char *f;
        if (file != NULL && PyUnicode_Check(file)
            && (f = PyUnicode_AsUTF8(file)) != NULL) {
            result = cpdb_path_canonical(f);
        }
        Py_XDECREF(file);
        PyErr_Clear();
        return result;
    }
    rel = cpdb_xstrdup(module);
    for (p = rel; *p; p++) {
        if (*p == '.') {
            *p = '/';
        }
    }
    p = cpdb_xasprintf("%s.py", rel);
    match_sys_path(&m, p);
    free(p);
    if (m.n == 0) {
        p = cpdb_xasprintf("%s/__init__.py", rel);
        match_sys_path(&m, p);
        free(p);
    }
    if (m.n > 0) {
        result = cpdb_xstrdup(m.paths[0]);
    }
    matches_fini(&m);
    free(rel);
    return result;
}

/* The function named name as a runtime object in the selected frame.
   Return: its file and definition line, or -1 (no exception left). */
static int
function_from_frame(CpdbSession *s, const char *name, char **path,
                    int *def_line)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    PyObject *obj, *code = NULL, *func;
    int rc = -1;

    if (e == NULL) {
        return -1;
    }
    obj = cpdb_eval_expr(s, e->frame, name);
    if (obj == NULL) {
        PyErr_Clear();
        return -1;
    }
    func = PyObject_GetAttrString(obj, "__func__");     /* bound method */
    if (func == NULL) {
        PyErr_Clear();
        func = Py_NewRef(obj);
    }
    code = PyObject_GetAttrString(func, "__code__");
    if (code != NULL && PyCode_Check(code)) {
        char *p = cpdb_code_path((PyCodeObject *)code);
        *path = cpdb_path_canonical(p);
        *def_line = ((PyCodeObject *)code)->co_firstlineno;
        free(p);
        rc = 0;
    }
    PyErr_Clear();
    Py_XDECREF(code);
    Py_DECREF(func);
    Py_DECREF(obj);
    return rc;
}

/* Resolve FUNCTION or FILE:FUNCTION to the first line of its body (or
   its definition line, with CPDB_RESOLVE_DEF_LINE). */
static int
resolve_function(CpdbSession *s, const CpdbLocation *loc, char **path,
                 int *line, unsigned flags)
{
    const CpdbFuncInfo *fi = NULL;
    CpdbSource *src;
    int def_line = 0, i;

    if (loc->file != NULL) {
        *path = find_source_file(s, loc->file);
        if (*path == NULL) {
            return -1;
        }
        src = cpdb_source_get(s, *path);
        fi = src ? cpdb_source_find_function(s, src, loc->func) : NULL;
    }
    else if (function_from_frame(s, loc->func, path, &def_line) == 0) {
        src = cpdb_source_get(s, *path);
        for (i = 0; src && cpdb_source_analyse(s, src) == 0
                    && i < src->n_funcs; i++) {
            if (src->funcs[i].def_line == def_line) {
                fi = &src->funcs[i];
                break;
            }
        }
    }
    else {
        /* Not defined yet: look in the current file, then split
           module.qualname at each dot and look in the module's file. */
        char *dflt = cpdb_cmd_default_file(s);
        *path = NULL;
        if (dflt != NULL && (src = cpdb_source_get(s, dflt)) != NULL
            && (fi = cpdb_source_find_function(s, src, loc->func))
               != NULL) {
            *path = dflt;
        }
        else {
            free(dflt);
        }
        if (fi == NULL) {
            char *name = cpdb_xstrdup(loc->func), *dot;
            while ((dot = strrchr(name, '.')) != NULL && fi == NULL) {
                char *file;
                *dot = '\0';
                file = module_file(name);
                if (file != NULL && (src = cpdb_source_get(s, file)) != NULL
                    && (fi = cpdb_source_find_function(
                            s, src, loc->func + (dot - name) + 1)) != NULL) {
                    *path = file;
                }
                else {
                    free(file);
                }
            }
            free(name);
        }
    }
    if (fi == NULL) {
        free(*path);
        *path = NULL;
        cpdb_error(s, "Function \"%s\" not defined.", loc->func);
        return -1;
    }
    *line = (flags & CPDB_RESOLVE_DEF_LINE) ? fi->def_line : fi->body_line;
    return 0;
}

/* Check that path:line holds code, moving to the next line that does.
   Return: the line, or 0 after reporting why not. */
static int
check_line(CpdbSession *s, const char *path, long line, int quiet)
{
    CpdbSource *src = cpdb_source_get(s, path);
    int code_line;
    if (src == NULL) {
        cpdb_error(s, "No source file named %s.", path);
        return 0;
    }
    if (line > src->n_lines) {
        cpdb_error(s, "Line %ld out of range; \"%s\" has %d lines.", line,
                   path, src->n_lines);
        return 0;
    }
    if (cpdb_source_analyse(s, src) < 0) {
        cpdb_error(s, "\"%s\" does not compile: no breakpoints there.",
                   path);
        return 0;
    }
    code_line = cpdb_source_code_line_at_or_after(s, src, (int)line);
    if (code_line == 0) {
        cpdb_error(s, "No code at or after line %ld of \"%s\".", line, path);
        return 0;
    }
    if (code_line != line && !quiet) {
        cpdb_out(s, "Line %ld has no code; breakpoint moved to line %d.\n",
                 line, code_line);
    }
    return code_line;
}

int
cpdb_cmd_resolve(CpdbSession *s, const CpdbLocation *loc, char **path,
                 int *line, unsigned flags)
{
    *path = NULL;
    switch (loc->kind) {
    case CPDB_LOC_NONE: {
        CpdbFrameEntry *e = cpdb_stack_selected(s);
        if (e == NULL) {
            cpdb_error(s, "No default breakpoint location: the program is "
                       "not stopped.");
            return -1;
        }
        *path = cpdb_cmd_default_file(s);
        *line = e->lineno;
        return 0;
    }
    case CPDB_LOC_LINE:
        *path = cpdb_cmd_default_file(s);
        if (*path == NULL) {
            cpdb_error(s, "No default source file: use FILE:LINE.");
            return -1;
        }
        break;
    case CPDB_LOC_FILE_LINE:
        *path = find_source_file(s, loc->file);
        if (*path == NULL) {
            return -1;
        }
        break;
    case CPDB_LOC_FUNCTION:
    case CPDB_LOC_FILE_FUNCTION:
        return resolve_function(s, loc, path, line, flags);
    }
    if (flags & CPDB_RESOLVE_ANY_LINE) {
        *line = (int)loc->line;
        return 0;
    }
    *line = check_line(s, *path, loc->line, flags & CPDB_RESOLVE_QUIET);
    if (*line == 0) {
        free(*path);
        *path = NULL;
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

    if (cpdb_location_parse(args, &loc, &err) < 0) {
        cpdb_error(s, "%s", err);
        return CMD_FAILED;
    }
    if (cpdb_cmd_resolve(s, &loc, &path, &line, 0) < 0) {
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    bp = cpdb_bp_add(s, path, line, loc.func, loc.cond, temporary);
    if (bp == NULL) {
        cpdb_error_exc(s, "Bad condition: ");
        free(path);
        cpdb_location_fini(&loc);
        return CMD_FAILED;
    }
    cpdb_out(s, "%sreakpoint %d at %s:%d%s\n", temporary ? "Temporary b" : "B",
             bp->number, path, line,
             cpdb_file_is_loaded(s, path) ? "" : " (pending: not imported yet)");
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
    *bp = n > 0 && n <= INT_MAX ? cpdb_bp_find(s, (int)n) : NULL;
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
    if (*cpdb_skip_space(args) == '\0') {
        cpdb_error(s, "Argument required (breakpoint number).");
        return CMD_FAILED;
    }
    if (parse_bp_number(s, &args, &bp) < 0) {
        return CMD_FAILED;
    }
    if (*args == '\0') {
        cpdb_bp_set_condition(s, bp, NULL);
        cpdb_out(s, "Breakpoint %d now unconditional.\n", bp->number);
        return CMD_STAY;
    }
    if (cpdb_bp_set_condition(s, bp, args) < 0) {
        cpdb_error_exc(s, "Bad condition: ");
        return CMD_FAILED;
    }
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

/* Apply fn to each breakpoint number in args, or to all when none. */
static CmdResult
for_each_number(CpdbSession *s, const char *args,
                void (*fn)(CpdbSession *, CpdbBreakpoint *))
{
    const char *p = cpdb_skip_space(args);
    CmdResult result = CMD_STAY;
    if (*p == '\0') {
        int i, n = s->bps.n;
        int *numbers = cpdb_xmalloc(sizeof(int) * (size_t)(n ? n : 1));
        for (i = 0; i < n; i++) {
            numbers[i] = s->bps.items[i]->number;
        }
        for (i = 0; i < n; i++) {
            CpdbBreakpoint *bp = cpdb_bp_find(s, numbers[i]);
            if (bp != NULL) {
                fn(s, bp);
            }
        }
        free(numbers);
        return CMD_STAY;
    }
    while (*p) {
        char *end;
        long lo, hi;
        errno = 0;
        lo = hi = strtol(p, &end, 10);
        if (end == p || errno != 0 || lo < 0) {
            cpdb_error(s, "Bad breakpoint number \"%s\": numbers are "
                       "expected.", p);
            return CMD_FAILED;
        }
        if (*end == '-') {
            const char *q = end + 1;
            hi = strtol(q, &end, 10);
            if (end == q || errno != 0 || hi < lo) {
                cpdb_error(s, "Bad range \"%s\".", p);
                return CMD_FAILED;
            }
        }
        if (lo == hi) {
            CpdbBreakpoint *bp = lo <= INT_MAX ? cpdb_bp_find(s, (int)lo)
                                               : NULL;
            if (bp == NULL) {
                cpdb_error(s, "No breakpoint number %ld.", lo);
                result = CMD_FAILED;
            }
            else {
                fn(s, bp);
            }
        }
        else {
            /* A range: the breakpoints that exist in it (fn may delete,
               so take the numbers first). */
            int i, n = 0;
            int *numbers = cpdb_xmalloc(sizeof(int) *
                                        (size_t)(s->bps.n ? s->bps.n : 1));
            for (i = 0; i < s->bps.n; i++) {
                if (s->bps.items[i]->number >= lo
                    && s->bps.items[i]->number <= hi) {
                    numbers[n++] = s->bps.items[i]->number;
                }
            }
            for (i = 0; i < n; i++) {
                CpdbBreakpoint *bp = cpdb_bp_find(s, numbers[i]);
                if (bp != NULL) {
                    fn(s, bp);
                }
            }
            free(numbers);
            if (n == 0) {
                cpdb_error(s, "No breakpoints numbered %ld to %ld.", lo, hi);
                result = CMD_FAILED;
            }
        }
        p = cpdb_skip_space(end);
    }
    return result;
}

static void
enable_one(CpdbSession *s, CpdbBreakpoint *bp)
{
    bp->enabled = 1;
    cpdb_bp_changed(s);
}

static void
disable_one(CpdbSession *s, CpdbBreakpoint *bp)
{
    bp->enabled = 0;
    cpdb_bp_changed(s);
}

static void
delete_one(CpdbSession *s, CpdbBreakpoint *bp)
{
    cpdb_bp_delete(s, bp->number);
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
            cpdb_bp_delete(s, bp->number);
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
     "reached; the program stops only when it is true.", NULL},
    {"tbreak", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_tbreak,
     "tbreak [LOCATION] [if CONDITION]",
     "Set a temporary breakpoint, deleted when it first stops the program.\n"
     "Arguments as for \"break\".", NULL},
    {"condition", NULL, CMD_CLASS_BREAKPOINTS, 0, cmd_condition,
     "condition N [CONDITION]",
     "Make breakpoint N stop only when CONDITION is true.\n"
     "Without CONDITION, breakpoint N becomes unconditional.", NULL},
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
     "As in pdb, \"clear N M ...\" deletes breakpoints by number.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

void
cpdb_break_info(CpdbSession *s)
{
    int i;
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
    }
}
