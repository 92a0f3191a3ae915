/* Tab completion.  The line is split into a command word, subcommand
   words and the argument being typed; command and subcommand words come
   from the command tables, arguments from the completer each command
   record carries (cli/command.h).  The completers that several commands
   share are here: Python names in the selected frame, and the functions
   of the current file for locations. */
#include "cli/complete.h"
#include "cli/command.h"
#include "base/compat.h"
#include "core/resolve.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct CpdbCompletion {
    CPDB_ARRAY(char *) items;   /* malloc'd candidates */
    const char *text;           /* the word being completed */
    const char *prefix;         /* only names starting with it */
    size_t prefix_len;
    int words;                  /* candidates are whole words: a space
                                   follows the one chosen */
};

void
cpdb_complete_add(CpdbCompletion *c, const char *head, const char *name)
{
    if (strncmp(name, c->prefix, c->prefix_len) != 0) {
        return;
    }
    cpdb_array_push(&c->items, head ? cpdb_xasprintf("%s%s", head, name)
                                    : cpdb_xstrdup(name));
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
        c->prefix = dot + 1;
        c->prefix_len = strlen(c->prefix);
        for (i = 0; names != NULL && i < PyList_GET_SIZE(names); i++) {
            PyObject *k = PyList_GET_ITEM(names, i);
            const char *name = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k)
                                                  : NULL;
            if (name != NULL) {
                cpdb_complete_add(c, head, name);
            }
        }
        free(head);
        Py_XDECREF(names);
        Py_XDECREF(obj);
        c->prefix = text;
        c->prefix_len = strlen(text);
    }
    PyErr_Clear();
    cpdb_exc_restore(&st);
    cpdb_guard_end(&s->busy);
}

void
cpdb_complete_functions(CpdbSession *s, CpdbCompletion *c)
{
    char *path = cpdb_default_file(s);
    CpdbSource *src = path ? cpdb_source_get(&s->sources, path) : NULL;
    int i;
    if (src != NULL && cpdb_source_analyse(&s->sources, src) == 0) {
        for (i = 0; i < src->n_funcs; i++) {
            if (strstr(src->funcs[i].qualname, "<") == NULL) {
                cpdb_complete_add(c, NULL, src->funcs[i].qualname);
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

/* The command record whose arguments the text after head belongs to,
   walking subcommand words ("gc chain ", "set var "); *sub_word is set
   when the word being typed is itself a subcommand of the result. */
static const CmdDef *
command_of(const char *head, int *sub_word)
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
    if (*cpdb_skip_space(head) == '\0') {
        cpdb_complete_commands(&c, NULL);
        if (strchr(text, '.') != NULL) {
            cpdb_complete_python(s, &c);
        }
    }
    else if (head[strspn(head, " \t")] == '!'
             || (d = command_of(head, &sub_word)) == NULL) {
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
    qsort(c.items.items, c.items.n, sizeof(char *), compare);
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
