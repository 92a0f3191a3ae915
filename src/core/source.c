/* Source files: lines for listing, and, from compiling the file once,
   which lines hold code and where each function starts. */
#include "core/source.h"
#include "base/compat.h"
#include "base/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- paths ------------------------------------------------------------ */

char *
cpdb_path_absolute(const char *path)
{
    CpdbBuf in, out;
    const char *p;
    char cwd[PATH_MAX];

    cpdb_buf_init(&in);
    if (path[0] != '/') {
        if (getcwd(cwd, sizeof cwd) != NULL) {
            cpdb_buf_add(&in, cwd);
        }
        cpdb_buf_addc(&in, '/');
    }
    cpdb_buf_add(&in, path);

    /* Normalise as os.path.normpath: drop "." and empty components,
       let ".." remove the previous one. */
    cpdb_buf_init(&out);
    p = in.data;
    while (*p) {
        const char *start, *end;
        size_t n;
        while (*p == '/') {
            p++;
        }
        start = p;
        while (*p && *p != '/') {
            p++;
        }
        end = p;
        n = (size_t)(end - start);
        if (n == 0 || (n == 1 && start[0] == '.')) {
            continue;
        }
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            char *slash = strrchr(out.data, '/');
            if (slash != NULL) {
                out.len = (size_t)(slash - out.data);
                out.data[out.len] = '\0';
            }
            continue;
        }
        cpdb_buf_addc(&out, '/');
        cpdb_buf_addn(&out, start, n);
    }
    if (out.len == 0) {
        cpdb_buf_addc(&out, '/');
    }
    cpdb_buf_fini(&in);
    return cpdb_buf_take(&out) ;
}

char *
cpdb_path_canonical(const char *path)
{
    char *abs = cpdb_path_absolute(path);
    char *real = realpath(abs, NULL);
    if (real != NULL) {
        free(abs);
        return real;
    }
    return abs;
}

/* --- reading ---------------------------------------------------------- */

static void
source_free(CpdbSource *src)
{
    int i;
    for (i = 0; i < src->n_lines; i++) {
        free(src->lines[i]);
    }
    free(src->lines);
    for (i = 0; i < src->n_funcs; i++) {
        free(src->funcs[i].qualname);
    }
    free(src->funcs);
    free(src->code_lines);
    free(src->path);
    free(src);
}

void
cpdb_source_cache_fini(CpdbSourceCache *c)
{
    size_t i;
    for (i = 0; i < c->n; i++) {
        source_free(c->items[i]);
    }
    free(c->items);
    memset(c, 0, sizeof *c);
}

static CpdbSource *
source_load(const char *path, long mtime)
{
    size_t len, i, start = 0;
    char *text = cpdb_read_file(path, &len);
    CpdbSource *src;
    CPDB_ARRAY(char *) lines = {0};

    if (text == NULL) {
        return NULL;
    }
    src = cpdb_xcalloc(1, sizeof *src);
    src->path = cpdb_xstrdup(path);
    src->mtime = mtime;
    for (i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            size_t end = i;
            if (i == len && start == len) {
                break;          /* no text after the last newline */
            }
            if (end > start && text[end - 1] == '\r') {
                end--;
            }
            cpdb_array_push(&lines, cpdb_xstrndup(text + start,
                                                  end - start));
            start = i + 1;
        }
    }
    free(text);
    src->lines = lines.items;
    src->n_lines = (int)lines.n;
    return src;
}

CpdbSource *
cpdb_source_get(CpdbSourceCache *c, const char *path)
{
    CpdbSource *src;
    struct stat sb;
    long mtime;
    size_t i;

    if (path == NULL || path[0] != '/' || stat(path, &sb) != 0
        || !S_ISREG(sb.st_mode)) {
        return NULL;
    }
    mtime = (long)sb.st_mtime;
    for (i = 0; i < c->n; i++) {
        if (strcmp(c->items[i]->path, path) == 0) {
            if (c->items[i]->mtime == mtime) {
                return c->items[i];
            }
            source_free(c->items[i]);
            c->items[i] = source_load(path, mtime);
            if (c->items[i] == NULL) {
                c->items[i] = c->items[--c->n];
                return NULL;
            }
            return c->items[i];
        }
    }
    src = source_load(path, mtime);
    if (src != NULL) {
        cpdb_array_push(c, src);
    }
    return src;
}

const char *
cpdb_source_line(CpdbSourceCache *c, const char *path, int lineno)
{
    CpdbSource *src = cpdb_source_get(c, path);
    if (src == NULL || lineno < 1 || lineno > src->n_lines) {
        return NULL;
    }
    return src->lines[lineno - 1];
}

/* --- analysis --------------------------------------------------------- */

typedef struct Walk {
    CpdbSource *src;
    CPDB_ARRAY(CpdbFuncInfo) funcs;     /* given to src at the end */
} Walk;

/* Lines of one code object (not nested ones), in instruction order.
   Marks them in src->code_lines; returns the first line after
   firstlineno in *body, the largest in *last. */
static int
scan_lines(CpdbSource *src, PyObject *code, int firstlineno, int *body,
           int *last)
{
    PyObject *it, *item, *lines = PyObject_CallMethod(code, "co_lines", NULL);
    if (lines == NULL) {
        return -1;
    }
    it = PyObject_GetIter(lines);
    Py_DECREF(lines);
    if (it == NULL) {
        return -1;
    }
    *body = 0;
    *last = firstlineno;
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *ln = PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 3
                       ? PyTuple_GET_ITEM(item, 2) : NULL;
        if (ln != NULL && PyLong_Check(ln)) {
            long line = PyLong_AsLong(ln);
            if (line >= 1 && line <= src->n_lines) {
                src->code_lines[line] = 1;
            }
            if (*body == 0 && line != firstlineno && line > 0) {
                *body = (int)line;
            }
            if (line > *last) {
                *last = (int)line;
            }
        }
        Py_DECREF(item);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        return -1;
    }
    if (*body == 0) {
        *body = firstlineno;
    }
    return 0;
}

/* Walk a code object and the ones nested in its constants.  prefix is
   the qualified-name prefix for functions defined directly inside. */
static int
walk_code(Walk *w, PyObject *code, const char *prefix, int is_module)
{
    PyCodeObject *co = (PyCodeObject *)code;
    PyObject *consts;
    Py_ssize_t i;
    int body, last;
    char *qual = NULL, *child_prefix;
    const char *name = PyUnicode_AsUTF8(co->co_name);

    if (name == NULL) {
        return -1;
    }
    if (scan_lines(w->src, code, co->co_firstlineno, &body, &last) < 0) {
        return -1;
    }
    if (is_module) {
        child_prefix = cpdb_xstrdup("");
    }
    else {
        int is_function = (co->co_flags & CO_OPTIMIZED) != 0;
        CpdbFuncInfo fi;
        qual = prefix[0] ? cpdb_xasprintf("%s%s", prefix, name)
                         : cpdb_xstrdup(name);
        child_prefix = cpdb_xasprintf(is_function ? "%s.<locals>." : "%s.",
                                      qual);
        fi.qualname = qual;
        fi.def_line = co->co_firstlineno;
        fi.body_line = body;
        fi.last_line = last;
        cpdb_array_push(&w->funcs, fi);
    }
    consts = co->co_consts;
    for (i = 0; i < PyTuple_GET_SIZE(consts); i++) {
        PyObject *c = PyTuple_GET_ITEM(consts, i);
        if (PyCode_Check(c) && walk_code(w, c, child_prefix, 0) < 0) {
            free(child_prefix);
            return -1;
        }
    }
    free(child_prefix);
    return 0;
}

int
cpdb_source_analyse(CpdbSourceCache *c, CpdbSource *src)
{
    size_t len;
    char *text;
    PyObject *code;
    Walk w;
    CpdbExcState st;
    int rc = -1;

    if (src->analysed) {
        return src->compiles ? 0 : -1;
    }
    src->analysed = 1;
    src->code_lines = cpdb_xcalloc((size_t)src->n_lines + 2, 1);
    memset(&w, 0, sizeof w);
    w.src = src;
    text = cpdb_read_file(src->path, &len);
    if (text == NULL || memchr(text, '\0', len) != NULL) {
        free(text);
        return -1;
    }
    if (c->busy != NULL) {
        cpdb_guard_begin(c->busy);
    }
    cpdb_exc_save(&st);
    code = Py_CompileStringExFlags(text, src->path, Py_file_input, NULL, 0);
    free(text);
    if (code != NULL) {
        rc = walk_code(&w, code, "", 1);
        Py_DECREF(code);
    }
    src->funcs = w.funcs.items;
    src->n_funcs = (int)w.funcs.n;
    PyErr_Clear();
    cpdb_exc_restore(&st);
    if (c->busy != NULL) {
        cpdb_guard_end(c->busy);
    }
    src->compiles = (rc == 0);
    return rc;
}

int
cpdb_source_code_line_at_or_after(CpdbSourceCache *c, CpdbSource *src,
                                  int lineno)
{
    int i;
    if (cpdb_source_analyse(c, src) < 0) {
        return 0;
    }
    for (i = lineno < 1 ? 1 : lineno; i <= src->n_lines; i++) {
        if (src->code_lines[i]) {
            return i;
        }
    }
    return 0;
}

static const char *
last_component(const char *qualname)
{
    const char *dot = strrchr(qualname, '.');
    return dot ? dot + 1 : qualname;
}

const CpdbFuncInfo *
cpdb_source_find_function(CpdbSourceCache *c, CpdbSource *src,
                          const char *name)
{
    const CpdbFuncInfo *match = NULL;
    int i, n_match = 0;
    if (cpdb_source_analyse(c, src) < 0) {
        return NULL;
    }
    for (i = 0; i < src->n_funcs; i++) {
        if (strcmp(src->funcs[i].qualname, name) == 0) {
            return &src->funcs[i];
        }
    }
    if (strchr(name, '.') != NULL) {
        return NULL;
    }
    for (i = 0; i < src->n_funcs; i++) {
        if (strcmp(last_component(src->funcs[i].qualname), name) == 0) {
            match = &src->funcs[i];
            n_match++;
        }
    }
    return n_match == 1 ? match : NULL;
}

const CpdbFuncInfo *
cpdb_source_function_at(CpdbSourceCache *c, CpdbSource *src, int lineno)
{
    const CpdbFuncInfo *best = NULL;
    int i;
    if (cpdb_source_analyse(c, src) < 0) {
        return NULL;
    }
    for (i = 0; i < src->n_funcs; i++) {
        const CpdbFuncInfo *f = &src->funcs[i];
        if (f->def_line <= lineno && lineno <= f->last_line
            && (best == NULL || f->def_line >= best->def_line)) {
            best = f;
        }
    }
    return best;
}
