/* Tab completion.  The line is split into a command word, subcommand
   words and the argument being typed; command and subcommand words come
   from the command tables, arguments from the completer each command
   record carries (cli/command.h).  The completers that several commands
   share are here: Python names in the selected frame, and the functions
   of the current file for locations. */
#include "cli/complete.h"
#include "cli/command.h"
#include "cli/user.h"
#include "base/compat.h"
#include "core/resolve.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"
#include "heap/heap.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct CpdbCompletion {
    CPDB_ARRAY(char *) items;   /* malloc'd candidates */
    const char *text;           /* the word being completed */
    const char *prefix;         /* only names starting with it */
    size_t prefix_len;
    int words;                  /* candidates are whole words: a space
                                   follows the one chosen */
    const char *args;           /* the command's arguments before text */
};

void
cpdb_complete_add(CpdbCompletion *c, const char *head, const char *name)
{
    char *full = head ? cpdb_xasprintf("%s%s", head, name)
                      : cpdb_xstrdup(name);
    if (strncmp(full, c->prefix, c->prefix_len) != 0) {
        free(full);
        return;
    }
    cpdb_array_push(&c->items, full);
}

void
cpdb_complete_commands(CpdbCompletion *c, const CmdDef *const *tables)
{
    const CmdDef *d;
    if (tables == NULL) {
        tables = cpdb_command_tables;
    }
    for (d = cpdb_command_next(tables, NULL); d != NULL;
         d = cpdb_command_next(tables, d)) {
        cpdb_complete_add(c, NULL, d->name);
    }
}

/* Names of a dict's string keys. */
static void
add_keys(CpdbCompletion *c, PyObject *mapping)
{
    PyObject *keys = mapping ? PyMapping_Keys(mapping) : NULL;
    Py_ssize_t i;
    if (keys == NULL) {
        PyErr_Clear();
        return;
    }
    for (i = 0; i < PyList_GET_SIZE(keys); i++) {
        PyObject *k = PyList_GET_ITEM(keys, i);
        const char *name = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
        if (name != NULL && strncmp(name, "__cpdb_", 7) != 0) {
            cpdb_complete_add(c, NULL, name);
        }
        PyErr_Clear();
    }
    Py_DECREF(keys);
}

static int
is_identifier_chain(const char *s, size_t n)
{
    size_t i;
    int at_start = 1;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '.') {
            if (at_start) {
                return 0;
            }
            at_start = 1;
        }
        else if (isalnum(ch) || ch == '_') {
            if (at_start && isdigit(ch)) {
                return 0;
            }
            at_start = 0;
        }
        else {
            return 0;
        }
    }
    return !at_start;
}

/* Look up a dotted name in the frame without calling anything but
   attribute access.  Return: new reference or NULL (no exception). */
static PyObject *
lookup_dotted(PyFrameObject *f, const char *dotted, size_t n)
{
    PyObject *spaces[3] = {NULL, NULL, NULL}, *obj = NULL;
    char *name = cpdb_xstrndup(dotted, n), *part, *save = NULL;
    int i;

    if (f != NULL) {
        spaces[0] = cpdb_frame_locals(f);
        spaces[1] = cpdb_frame_globals(f);
        spaces[2] = cpdb_frame_builtins(f);
    }
    else {
        PyObject *main = PyImport_AddModule("__main__");
        spaces[1] = main ? Py_NewRef(PyModule_GetDict(main)) : NULL;
        spaces[2] = Py_XNewRef(PyEval_GetBuiltins());
    }
    PyErr_Clear();
    part = strtok_r(name, ".", &save);
    for (i = 0; i < 3 && obj == NULL && part != NULL; i++) {
        if (spaces[i] != NULL) {
            obj = PyMapping_GetItemString(spaces[i], part);
            PyErr_Clear();
        }
    }
    while (obj != NULL && (part = strtok_r(NULL, ".", &save)) != NULL) {
        PyObject *next = PyObject_GetAttrString(obj, part);
        Py_DECREF(obj);
        obj = next;
        PyErr_Clear();
    }
    for (i = 0; i < 3; i++) {
        Py_XDECREF(spaces[i]);
    }
    free(name);
    return obj;
}

/* Whether an attribute name is left out after what is typed after the
   dot, as pdb (rlcompleter) does: names starting with '_' until a '_'
   is typed, then dunders until "__" is. */
static int
is_hidden_attr(const char *name, const char *typed)
{
    if (typed[0] == '\0') {
        return name[0] == '_';
    }
    if (strcmp(typed, "_") == 0) {
        return strncmp(name, "__", 2) == 0;
    }
    return 0;
}

void
cpdb_complete_python(CpdbSession *s, CpdbCompletion *c)
{
    PyFrameObject *f = cpdb_session_frame(s);
    const char *text = c->text, *dot = strrchr(text, '.');
    CpdbExcState st;

    c->words = 0;
    cpdb_guard_begin(&s->busy);
    cpdb_exc_save(&st);
    if (dot == NULL) {
        if (f != NULL) {
            PyObject *locals = cpdb_frame_locals(f);
            PyObject *globals = cpdb_frame_globals(f);
            PyObject *builtins = cpdb_frame_builtins(f);
            PyErr_Clear();
            add_keys(c, locals);
            add_keys(c, globals);
            add_keys(c, builtins);
            Py_XDECREF(locals);
            Py_XDECREF(globals);
            Py_XDECREF(builtins);
        }
        else {
            PyObject *main = PyImport_AddModule("__main__");
            add_keys(c, main ? PyModule_GetDict(main) : NULL);
            add_keys(c, PyEval_GetBuiltins());
        }
    }
    else if (is_identifier_chain(text, (size_t)(dot - text))) {
        PyObject *obj = lookup_dotted(f, text, (size_t)(dot - text));
        PyObject *names = obj ? PyObject_Dir(obj) : NULL;
        char *head = cpdb_xstrndup(text, (size_t)(dot - text) + 1);
        Py_ssize_t i;
        for (i = 0; names != NULL && i < PyList_GET_SIZE(names); i++) {
            PyObject *k = PyList_GET_ITEM(names, i);
            const char *name = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k)
                                                  : NULL;
            if (name != NULL && !is_hidden_attr(name, dot + 1)) {
                cpdb_complete_add(c, head, name);
            }
        }
        free(head);
        Py_XDECREF(names);
        Py_XDECREF(obj);
    }
    PyErr_Clear();
    cpdb_exc_restore(&st);
    cpdb_guard_end(&s->busy);
}

/* The functions (qualified names) of the source file path, each after
   head (then '_' names hidden as for attributes); or, when what follows
   the colon starts with a digit, its lines that hold code. */
static void
add_file_names(CpdbSession *s, CpdbCompletion *c, const char *path,
               const char *head, int lines)
{
    CpdbSource *src = path ? cpdb_source_get(&s->sources, path) : NULL;
    int i;
    char num[16];
    if (src == NULL || cpdb_source_analyse(&s->sources, src) < 0) {
        return;
    }
    for (i = 0; !lines && i < src->n_funcs; i++) {
        const char *q = src->funcs[i].qualname;
        if (strstr(q, "<") == NULL
            && (head == NULL || strlen(c->text) < strlen(head)
                || !is_hidden_attr(q, c->text + strlen(head)))) {
            cpdb_complete_add(c, head, src->funcs[i].qualname);
        }
    }
    for (i = 1; lines && i <= src->n_lines; i++) {
        if (src->code_lines[i]) {
            snprintf(num, sizeof num, "%d", i);
            cpdb_complete_add(c, head, num);
        }
    }
}

/* "FILE:" typed: the file found as "break FILE:1" would find it. */
static void
complete_in_file(CpdbSession *s, CpdbCompletion *c, const char *colon)
{
    char *head = cpdb_xstrndup(c->text, (size_t)(colon - c->text) + 1);
    char *spec = cpdb_xasprintf("%s1", head);
    CpdbLocation loc;
    CpdbResolver where;
    CpdbResolved r;
    const char *err;
    char *why = NULL;
    if (cpdb_location_parse(spec, &loc, &err) == 0) {
        cpdb_session_resolver(s, &where);
        if (cpdb_location_resolve(&where, &loc, CPDB_RESOLVE_ANY_LINE, &r,
                                  &why) == CPDB_OK) {
            add_file_names(s, c, r.path, head,
                           isdigit((unsigned char)colon[1]));
            cpdb_resolved_fini(&r);
        }
        free(why);
        cpdb_resolver_fini(&where);
        cpdb_location_fini(&loc);
    }
    free(spec);
    free(head);
}

/* Whether name (n bytes) is a Python identifier. */
static int
is_identifier(const char *name, size_t n)
{
    return n > 0 && is_identifier_chain(name, n) && memchr(name, '.', n)
                                                       == NULL;
}

/* Add the modules and packages in folder dir, each as head + name:
   NAME.py, NAME.*.so (extensions), NAME/__init__.py. */
static void
add_folder_modules(CpdbCompletion *c, const char *dir, const char *head)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name, *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        char *init, *mod;
        struct stat st;
        if (!is_identifier(name, n)) {
            continue;
        }
        mod = cpdb_xstrndup(name, n);
        if (dot != NULL && (strcmp(dot, ".py") == 0
                            || (strlen(dot) >= 3
                                && strcmp(dot + strlen(dot) - 3, ".so")
                                   == 0))) {
            cpdb_complete_add(c, head, mod);
        }
        else if (dot == NULL) {
            init = cpdb_xasprintf("%s/%s/__init__.py", dir, name);
            if (stat(init, &st) == 0) {
                cpdb_complete_add(c, head, mod);
            }
            free(init);
        }
        free(mod);
    }
    closedir(d);
}

/* Add the names in a list of folders (sys.path, a package's
   __path__). */
static void
add_path_modules(CpdbCompletion *c, PyObject *path, const char *head)
{
    Py_ssize_t i, n = path && PyList_Check(path) ? PyList_GET_SIZE(path) : 0;
    for (i = 0; i < n; i++) {
        PyObject *dir = PyList_GET_ITEM(path, i);
        const char *d = PyUnicode_Check(dir) ? PyUnicode_AsUTF8(dir) : NULL;
        if (d != NULL) {
            add_folder_modules(c, *d ? d : ".", head);
        }
        PyErr_Clear();
    }
}

/* Add the attributes of obj where a breakpoint can go (functions,
   classes, modules), as head + name, hiding '_' names as pdb does. */
static void
add_breakable_attrs(CpdbCompletion *c, PyObject *obj, const char *head)
{
    PyObject *names = PyObject_Dir(obj);
    Py_ssize_t i;
    const char *typed = c->text + strlen(head);
    for (i = 0; names != NULL && i < PyList_GET_SIZE(names); i++) {
        PyObject *k = PyList_GET_ITEM(names, i), *v;
        const char *name = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
        if (name == NULL || is_hidden_attr(name, typed)
            || strncmp(name, typed, strlen(typed)) != 0) {
            continue;
        }
        v = PyObject_GetAttr(obj, k);
        if (v != NULL && (PyFunction_Check(v) || PyType_Check(v)
                          || PyModule_Check(v) || PyMethod_Check(v))) {
            cpdb_complete_add(c, head, name);
        }
        Py_XDECREF(v);
        PyErr_Clear();
    }
    Py_XDECREF(names);
    PyErr_Clear();
}

/* The functions of module file stem.py or package stem/__init__.py,
   each after head. */
static void
add_source_names(CpdbSession *s, CpdbCompletion *c, const char *stem,
                 const char *head)
{
    static const char *const tails[] = {".py", "/__init__.py", NULL};
    struct stat st;
    int i;
    for (i = 0; tails[i] != NULL; i++) {
        char *file = cpdb_xasprintf("%s%s", stem, tails[i]);
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            char *path = cpdb_path_canonical(file);
            add_file_names(s, c, path, head, 0);
            free(path);
        }
        free(file);
    }
}

/* "break mod.", "break json.dec", "break pkg.Class.": what follows the
   last dot, in the imported module or class it names, or among the
   modules of a package (imported or not); top-level module names
   without a dot. */
static void
complete_modules(CpdbSession *s, CpdbCompletion *c)
{
    const char *dot = strrchr(c->text, '.');
    PyObject *modules = PySys_GetObject("modules");     /* borrowed */
    PyObject *syspath = PySys_GetObject("path");        /* borrowed */
    char *base, *head;
    PyObject *obj = NULL;
    size_t n;

    if (dot == NULL) {
        PyObject *keys = modules ? PyDict_Keys(modules) : NULL;
        Py_ssize_t i;
        for (i = 0; keys != NULL && i < PyList_GET_SIZE(keys); i++) {
            const char *k = PyUnicode_Check(PyList_GET_ITEM(keys, i))
                ? PyUnicode_AsUTF8(PyList_GET_ITEM(keys, i)) : NULL;
            if (k != NULL && strchr(k, '.') == NULL && k[0] != '_') {
                cpdb_complete_add(c, NULL, k);
            }
        }
        Py_XDECREF(keys);
        add_path_modules(c, syspath, "");
        PyErr_Clear();
        return;
    }
    n = (size_t)(dot - c->text);
    base = cpdb_xstrndup(c->text, n);
    head = cpdb_xstrndup(c->text, n + 1);
    if (is_identifier_chain(base, n)) {
        /* The longest imported module that starts the name, then
           attributes. */
        char *cut = cpdb_xstrdup(base), *rest = NULL;
        for (;;) {
            obj = modules ? PyDict_GetItemString(modules, cut) : NULL;
            if (obj != NULL || (rest = strrchr(cut, '.')) == NULL) {
                break;
            }
            *rest = '\0';
        }
        Py_XINCREF(obj);
        if (obj != NULL && strlen(cut) < n) {
            char *part, *save = NULL, *attrs = cpdb_xstrdup(base + strlen(cut)
                                                            + 1);
            for (part = strtok_r(attrs, ".", &save); obj && part;
                 part = strtok_r(NULL, ".", &save)) {
                PyObject *next = PyObject_GetAttrString(obj, part);
                Py_DECREF(obj);
                obj = next;
            }
            free(attrs);
            PyErr_Clear();
        }
        free(cut);
        if (obj != NULL) {
            PyObject *path = PyModule_Check(obj)
                ? PyObject_GetAttrString(obj, "__path__") : NULL;
            PyErr_Clear();
            add_breakable_attrs(c, obj, head);
            add_path_modules(c, path, head);
            Py_XDECREF(path);
        }
        else {
            /* A module not imported yet: the functions in its source
               (break takes module.function before the import), and a
               package's modules, found on sys.path. */
            char *rel = cpdb_xstrdup(base), *q;
            Py_ssize_t i;
            for (q = rel; *q; q++) {
                *q = *q == '.' ? '/' : *q;
            }
            for (i = 0; syspath && PyList_Check(syspath)
                        && i < PyList_GET_SIZE(syspath); i++) {
                PyObject *d = PyList_GET_ITEM(syspath, i);
                const char *dir = PyUnicode_Check(d) ? PyUnicode_AsUTF8(d)
                                                     : NULL;
                if (dir != NULL) {
                    char *pkg = cpdb_xasprintf("%s/%s", *dir ? dir : ".",
                                               rel);
                    add_folder_modules(c, pkg, head);
                    add_source_names(s, c, pkg, head);
                    free(pkg);
                }
                PyErr_Clear();
            }
            free(rel);
        }
        Py_XDECREF(obj);
    }
    free(base);
    free(head);
    PyErr_Clear();
}

void
cpdb_complete_functions(CpdbSession *s, CpdbCompletion *c)
{
    const char *colon = strrchr(c->text, ':');
    CpdbExcState st;
    char *path;

    if (*cpdb_skip_space(c->args) != '\0') {
        /* One location per command: after it, only a condition ("if"
           once something is typed, so that Tab after a location adds
           no word). */
        if (cpdb_find_token(c->args, "if") != NULL) {
            cpdb_complete_python(s, c);
        }
        else if (*c->text != '\0') {
            cpdb_complete_add(c, NULL, "if");
        }
        return;
    }
    cpdb_guard_begin(&s->busy);
    cpdb_exc_save(&st);
    if (colon != NULL) {
        complete_in_file(s, c, colon);
    }
    else {
        path = cpdb_default_file(s);
        if (strchr(c->text, '.') == NULL) {
            add_file_names(s, c, path, NULL, 0);
        }
        free(path);
        if (*c->text != '\0') {
            /* A module name may go on with a dot: no space after it. */
            size_t before = c->items.n;
            complete_modules(s, c);
            c->words = c->items.n == before;
        }
    }
    PyErr_Clear();
    cpdb_exc_restore(&st);
    cpdb_guard_end(&s->busy);
}

void
cpdb_complete_types(CpdbSession *s, CpdbCompletion *c)
{
    CpdbTypeCount *tc;
    long n = 0, i;
    CpdbExcState st;
    if (*cpdb_skip_space(c->args) != '\0') {
        return;             /* the count: nothing to offer */
    }
    cpdb_guard_begin(&s->busy);
    cpdb_exc_save(&st);
    tc = cpdb_session_census(s, &n);
    for (i = 0; tc != NULL && i < n; i++) {
        char *name = cpdb_type_name(tc[i].type);
        const char *last = strrchr(name, '.');
        cpdb_complete_add(c, NULL, name);
        if (last != NULL) {
            cpdb_complete_add(c, NULL, last + 1);
        }
        free(name);
    }
    free(tc);
    PyErr_Clear();
    cpdb_exc_restore(&st);
    cpdb_guard_end(&s->busy);
}

static void
add_alias(void *ctx, const char *name)
{
    cpdb_complete_add(ctx, NULL, name);
}

static int
compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The command record whose arguments the text after head belongs to,
   walking subcommand words ("gc chain ", "set var "); *sub_word is set
   when the word being typed is itself a subcommand of the result. */
static const CmdDef *
command_of(const char *head, int *sub_word, const char **args)
{
    char word[64];
    const char *rest;
    const CmdDef *d = NULL, *const *tables = cpdb_command_tables;

    *sub_word = 0;
    if (cpdb_command_split(head, word, sizeof word, &rest) < 0
        || cpdb_command_lookup(tables, word, &d, NULL) != CMD_LOOKUP_FOUND) {
        return NULL;
    }
    while (d->subcommands != NULL) {
        const CmdDef *sub;
        if (*rest == '\0') {
            *sub_word = 1;
            return d;
        }
        if (cpdb_command_split(rest, word, sizeof word, &rest) < 0
            || cpdb_command_lookup(d->subcommands, word, &sub, NULL)
               != CMD_LOOKUP_FOUND) {
            return NULL;
        }
        d = sub;
    }
    *args = rest;
    return d;
}

char **
cpdb_complete(CpdbSession *s, const char *line, int start, const char *text,
              int *words)
{
    CpdbCompletion c;
    char *head = cpdb_xstrndup(line, (size_t)start);
    const CmdDef *d;
    size_t i, j;
    int sub_word;

    memset(&c, 0, sizeof c);
    c.text = c.prefix = text;
    c.prefix_len = strlen(text);
    c.words = 1;
    c.args = "";
    if (*cpdb_skip_space(head) == '\0') {
        cpdb_complete_commands(&c, NULL);
        cpdb_alias_names(s, add_alias, &c);
        if (strchr(text, '.') != NULL) {
            cpdb_complete_python(s, &c);
        }
    }
    else if (head[strspn(head, " \t")] == '!'
             || (d = command_of(head, &sub_word, &c.args)) == NULL) {
        cpdb_complete_python(s, &c);    /* not a command: Python */
    }
    else if (sub_word) {
        cpdb_complete_commands(&c, d->subcommands);
    }
    else if (d->complete != NULL) {
        d->complete(s, &c);
    }
    free(head);
    *words = c.words;
    if (c.items.n > 1) {        /* (no array at all when none) */
        qsort(c.items.items, c.items.n, sizeof(char *), compare);
    }
    for (i = 0, j = 0; i < c.items.n; i++) {
        if (j > 0 && strcmp(c.items.items[j - 1], c.items.items[i]) == 0) {
            free(c.items.items[i]);
        }
        else {
            c.items.items[j++] = c.items.items[i];
        }
    }
    cpdb_array_push(&c.items, NULL);
    return c.items.items;
}
