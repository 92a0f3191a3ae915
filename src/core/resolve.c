/* Resolving a breakpoint or listing location (parsed by location.c)
   against the program: files found by the end of their path among
   loaded modules, files seen running, the working directory, sys.path
   and the program's own folder tree; functions found in the compiled
   source without running it.  Errors come back as a code and a
   message; nothing is printed.  The resolution needs no session: what
   it must know comes in a CpdbResolver, which the session fills in at
   the end of this file. */
#include "core/resolve.h"
#include "core/eval.h"
#include "core/frames.h"
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

/* Candidate files: canonical paths, each once (malloc'd). */
typedef CPDB_ARRAY(char *) Matches;

static void
matches_add(Matches *m, const char *path)
{
    char *canon = cpdb_path_canonical(path);
    size_t i;
    for (i = 0; i < m->n; i++) {
        if (strcmp(m->items[i], canon) == 0) {
            free(canon);
            return;
        }
    }
    cpdb_array_push(m, canon);
}

static void
matches_fini(Matches *m)
{
    size_t i;
    for (i = 0; i < m->n; i++) {
        free(m->items[i]);
    }
    free(m->items);
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
program_dir(const CpdbResolver *r)
{
    char *dir, *slash;
    if (r->main_path == NULL) {
        return NULL;
    }
    dir = cpdb_path_canonical(r->main_path);
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
find_source_file(const CpdbResolver *r, const char *file, char **why)
{
    Matches m = {0};
    char *result = NULL, *dir;
    const char *pick = NULL;
    size_t i, n_own = 0, n_pick;

    if (file[0] == '/' || strncmp(file, "./", 2) == 0
        || strncmp(file, "../", 3) == 0) {
        if (is_file(file)) {
            return cpdb_path_canonical(file);
        }
        *why = cpdb_xasprintf("No source file named %s.", file);
        return NULL;
    }
    match_loaded_modules(&m, file);
    for (i = 0; i < r->n_files; i++) {
        const char *f = r->files[i];
        if (f[0] == '/' && has_path_suffix(f, file) && is_file(f)) {
            matches_add(&m, f);
        }
    }
    if (is_file(file)) {
        matches_add(&m, file);
    }
    match_sys_path(&m, file);
    dir = program_dir(r);
    if (dir != NULL) {
        int budget = 20000;
        match_tree(&m, dir, file, 4, &budget);
        for (i = 0; i < m.n; i++) {
            if (strncmp(m.items[i], dir, strlen(dir)) == 0) {
                pick = m.items[i];
                n_own++;
            }
        }
    }
    n_pick = n_own;
    if (n_own == 0 && m.n > 0) {
        pick = m.items[0];
        n_pick = m.n;
    }
    if (n_pick == 1) {
        result = cpdb_xstrdup(pick);
    }
    else if (n_pick == 0) {
        *why = cpdb_xasprintf("No source file named %s.", file);
    }
    else {
        CpdbBuf b;
        cpdb_buf_init(&b);
        for (i = 0; i < m.n; i++) {
            if (n_own == 0 || strncmp(m.items[i], dir, strlen(dir)) == 0) {
                cpdb_buf_printf(&b, "%s%s", b.len ? ", " : "", m.items[i]);
            }
        }
        *why = cpdb_xasprintf("Ambiguous file name \"%s\": %s.  Give more "
                              "of the path.", file, b.data);
        cpdb_buf_fini(&b);
    }
    free(dir);
    matches_fini(&m);
    return result;
}

int
cpdb_file_loaded(const char *running_main, const char *path)
{
    Matches m = {0};
    size_t i;
    int loaded = 0;
    const char *base = strrchr(path, '/');
    if (running_main != NULL) {
        char *main = cpdb_path_canonical(running_main);
        loaded = strcmp(main, path) == 0;
        free(main);
        if (loaded) {
            return 1;
        }
    }
    match_loaded_modules(&m, base ? base + 1 : path);
    for (i = 0; i < m.n && !loaded; i++) {
        loaded = strcmp(m.items[i], path) == 0;
    }
    matches_fini(&m);
    return loaded;
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
        result = cpdb_xstrdup(m.items[0]);
    }
    matches_fini(&m);
    free(rel);
    return result;
}

/* Resolve FUNCTION or FILE:FUNCTION to the first line of its body (or
   its definition line, with CPDB_RESOLVE_DEF_LINE). */
static int
resolve_function(const CpdbResolver *r, const CpdbLocation *loc,
                 CpdbResolved *out, unsigned flags, char **why)
{
    char **path = &out->path;
    const char *last_dot;
    const CpdbFuncInfo *fi = NULL;
    CpdbSource *src;
    int def_line = 0, i;

    if (loc->file != NULL) {
        *path = find_source_file(r, loc->file, why);
        if (*path == NULL) {
            return CPDB_E_NOFILE;
        }
        src = cpdb_source_get(r->sources, *path);
        fi = src ? cpdb_source_find_function(r->sources, src, loc->func)
                 : NULL;
    }
    else if (r->find_function != NULL
             && r->find_function(r->ctx, loc->func, path, &def_line) == 0) {
        src = cpdb_source_get(r->sources, *path);
        for (i = 0; src && cpdb_source_analyse(r->sources, src) == 0
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
        const char *dflt = r->default_file;
        *path = NULL;
        if (dflt != NULL && (src = cpdb_source_get(r->sources, dflt)) != NULL
            && (fi = cpdb_source_find_function(r->sources, src, loc->func))
               != NULL) {
            *path = cpdb_xstrdup(dflt);
        }
        if (fi == NULL) {
            char *name = cpdb_xstrdup(loc->func), *dot;
            while ((dot = strrchr(name, '.')) != NULL && fi == NULL) {
                char *file;
                *dot = '\0';
                file = module_file(name);
                if (file != NULL
                    && (src = cpdb_source_get(r->sources, file)) != NULL
                    && (fi = cpdb_source_find_function(
                            r->sources, src, loc->func + (dot - name) + 1))
                       != NULL) {
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
        *why = cpdb_xasprintf("Function \"%s\" not defined.", loc->func);
        return CPDB_E_ARGS;
    }
    out->line = (flags & CPDB_RESOLVE_DEF_LINE) ? fi->def_line
                                                : fi->body_line;
    /* Which code object is the function's: a breakpoint on a one-line
       function must not fire in the code that runs its def. */
    out->def_line = fi->def_line;
    last_dot = strrchr(fi->qualname, '.');
    out->code_name = cpdb_xstrdup(last_dot ? last_dot + 1 : fi->qualname);
    return 0;
}

/* Check that path:line holds code, moving to the next line that does.
   Return: the line, or 0 with *why set. */
static int
check_line(const CpdbResolver *r, const char *path, long line, char **why)
{
    CpdbSource *src = cpdb_source_get(r->sources, path);
    int code_line;
    if (src == NULL) {
        *why = cpdb_xasprintf("No source file named %s.", path);
        return 0;
    }
    if (line > src->n_lines) {
        *why = cpdb_xasprintf("Line %ld out of range; \"%s\" has %d lines.",
                              line, path, src->n_lines);
        return 0;
    }
    if (cpdb_source_analyse(r->sources, src) < 0) {
        *why = cpdb_xasprintf("\"%s\" does not compile: no breakpoints "
                              "there.", path);
        return 0;
    }
    code_line = cpdb_source_code_line_at_or_after(r->sources, src,
                                                  (int)line);
    if (code_line == 0) {
        *why = cpdb_xasprintf("No code at or after line %ld of \"%s\".",
                              line, path);
    }
    return code_line;
}

void
cpdb_resolved_fini(CpdbResolved *r)
{
    free(r->path);
    free(r->code_name);
    memset(r, 0, sizeof *r);
}

int
cpdb_location_resolve(const CpdbResolver *r, const CpdbLocation *loc,
                      unsigned flags, CpdbResolved *out, char **why)
{
    long line = loc->line;
    int rc;

    memset(out, 0, sizeof *out);
    *why = NULL;
    switch (loc->kind) {
    case CPDB_LOC_NONE:
        if (r->current_line <= 0 || r->default_file == NULL) {
            *why = cpdb_xstrdup("No default breakpoint location: the "
                                "program is not stopped.");
            return CPDB_E_STATE;
        }
        out->path = cpdb_xstrdup(r->default_file);
        out->line = r->current_line;
        return CPDB_OK;
    case CPDB_LOC_LINE:
        if (r->default_file == NULL) {
            *why = cpdb_xstrdup("No default source file: use FILE:LINE.");
            return CPDB_E_STATE;
        }
        out->path = cpdb_xstrdup(r->default_file);
        break;
    case CPDB_LOC_FILE_LINE:
        out->path = find_source_file(r, loc->file, why);
        if (out->path == NULL) {
            return CPDB_E_NOFILE;
        }
        break;
    case CPDB_LOC_FUNCTION:
    case CPDB_LOC_FILE_FUNCTION:
        rc = resolve_function(r, loc, out, flags, why);
        return rc;
    }
    if (flags & CPDB_RESOLVE_ANY_LINE) {
        out->line = (int)line;
        return CPDB_OK;
    }
    out->line = check_line(r, out->path, line, why);
    if (out->line == 0) {
        cpdb_resolved_fini(out);
        return CPDB_E_ARGS;
    }
    if (out->line != line) {
        out->moved_from = (int)line;
    }
    return CPDB_OK;
}

/* --- the session's resolver ---------------------------------------------- */

char *
cpdb_default_file(CpdbSession *s)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
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

/* The function named name as a runtime object in the selected frame.
   Return: its file and definition line, or -1 (no exception left). */
static int
function_from_frame(void *ctx, const char *name, char **path, int *def_line)
{
    CpdbSession *s = ctx;
    CpdbFrameEntry *e = cpdb_stack_selection(s);
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

void
cpdb_session_resolver(CpdbSession *s, CpdbResolver *r)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
    memset(r, 0, sizeof *r);
    r->sources = &s->sources;
    r->files = s->bps.files.items;
    r->n_files = s->bps.files.n;
    r->main_path = s->prog.main_path;
    r->default_file = cpdb_default_file(s);
    r->current_line = e ? e->lineno : 0;
    r->find_function = function_from_frame;
    r->ctx = s;
}

void
cpdb_resolver_fini(CpdbResolver *r)
{
    free(r->default_file);
    r->default_file = NULL;
}

int
cpdb_file_is_loaded(CpdbSession *s, const char *path)
{
    return cpdb_file_loaded(s->state != CPDB_PROG_IDLE ? s->prog.main_path
                                                       : NULL, path);
}
