/* Tab completion candidates.  Works on the text of the line only, plus
   the selected frame's namespaces for Python names. */
#include "cli/complete.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "base/compat.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct Cands {
    char **items;
    int n, cap;
    const char *prefix;     /* only names starting with it */
    size_t prefix_len;
} Cands;

static void
add(Cands *c, const char *head, const char *name)
{
    if (strncmp(name, c->prefix, c->prefix_len) != 0) {
        return;
    }
    if (c->n + 1 >= c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->items = cpdb_xrealloc(c->items, sizeof(char *) * (size_t)c->cap);
    }
    c->items[c->n++] = head ? cpdb_xasprintf("%s%s", head, name)
                            : cpdb_xstrdup(name);
}

static void
add_commands(Cands *c, const CmdDef *subs)
{
    int t;
    const CmdDef *d;
    if (subs != NULL) {
        for (d = subs; d->name != NULL; d++) {
            add(c, NULL, d->name);
        }
        return;
    }
    for (t = 0; cpdb_command_tables[t] != NULL; t++) {
        for (d = cpdb_command_tables[t]; d->name != NULL; d++) {
            add(c, NULL, d->name);
        }
    }
}

/* Names of a dict's string keys. */
static void
add_keys(Cands *c, PyObject *mapping)
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
            add(c, NULL, name);
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

static void
add_python_names(CpdbSession *s, Cands *c, const char *text, int *words)
{
    PyFrameObject *f = cpdb_cmd_frame(s);
    const char *dot = strrchr(text, '.');
    CpdbExcState st;

    *words = 0;
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
        c->prefix = dot + 1;
        c->prefix_len = strlen(c->prefix);
        for (i = 0; names != NULL && i < PyList_GET_SIZE(names); i++) {
            PyObject *k = PyList_GET_ITEM(names, i);
            const char *name = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k)
                                                  : NULL;
            if (name != NULL) {
                add(c, head, name);
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

static void
add_functions(CpdbSession *s, Cands *c)
{
    char *path = cpdb_default_file(s);
    CpdbSource *src = path ? cpdb_source_get(s, path) : NULL;
    int i;
    if (src != NULL && cpdb_source_analyse(s, src) == 0) {
        for (i = 0; i < src->n_funcs; i++) {
            if (strstr(src->funcs[i].qualname, "<") == NULL) {
                add(c, NULL, src->funcs[i].qualname);
            }
        }
    }
    free(path);
}

static int
compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_python_command(const CmdDef *d)
{
    static const char *const names[] = {
        "print", "pp", "display", "whatis", "condition", NULL
    };
    int i;
    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(d->name, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
is_location_command(const CmdDef *d)
{
    return strcmp(d->name, "break") == 0 || strcmp(d->name, "tbreak") == 0
           || strcmp(d->name, "list") == 0 || strcmp(d->name, "clear") == 0;
}

char **
cpdb_complete(CpdbSession *s, const char *line, int start, const char *text,
              int *words)
{
    Cands c = {NULL, 0, 0, text, strlen(text)};
    char *head = cpdb_xstrndup(line, (size_t)start), word[64];
    const char *rest;
    const CmdDef *d = NULL;
    int i, j;

    *words = 1;
    if (*cpdb_skip_space(head) == '\0') {
        add_commands(&c, NULL);
        if (strchr(text, '.') != NULL) {
            add_python_names(s, &c, text, words);
        }
    }
    else if (head[strspn(head, " \t")] == '!'
             || cpdb_command_split(head, word, sizeof word, &rest) < 0
             || cpdb_command_lookup(cpdb_command_tables, word, &d, NULL)
                != CMD_LOOKUP_FOUND) {
        add_python_names(s, &c, text, words);
    }
    else if (d->subcommands != NULL && *rest == '\0') {
        add_commands(&c, d->subcommands);
    }
    else if (d->subcommands != NULL) {
        add_python_names(s, &c, text, words);      /* "set var x" */
    }
    else if (strcmp(d->name, "help") == 0) {
        add_commands(&c, NULL);
        for (i = 0; i < CMD_CLASS_COUNT; i++) {
            add(&c, NULL, cpdb_class_names[i]);
        }
    }
    else if (is_python_command(d)) {
        add_python_names(s, &c, text, words);
    }
    else if (is_location_command(d)) {
        add_functions(s, &c);
    }
    free(head);
    if (c.items == NULL) {
        c.items = cpdb_xcalloc(1, sizeof(char *));
        return c.items;
    }
    qsort(c.items, (size_t)c.n, sizeof(char *), compare);
    for (i = 0, j = 0; i < c.n; i++) {
        if (j > 0 && strcmp(c.items[j - 1], c.items[i]) == 0) {
            free(c.items[i]);
        }
        else {
            c.items[j++] = c.items[i];
        }
    }
    c.items[j] = NULL;
    return c.items;
}

void
cpdb_complete_free(char **candidates)
{
    int i;
    for (i = 0; candidates != NULL && candidates[i] != NULL; i++) {
        free(candidates[i]);
    }
    free(candidates);
}
