/* Data commands: print, pp, display, undisplay, whatis. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "core/eval.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Evaluate args in the selected frame, or report why not.
   Return: new reference or NULL (reported). */
static PyObject *
evaluate(CpdbSession *s, const char *args)
{
    PyObject *v;
    if (*cpdb_skip_space(args) == '\0') {
        Py_ssize_t n = PyList_GET_SIZE(s->history);
        /* The last value may be gone ("delete values", "run"). */
        if (n == 0 || n <= s->history_cleared || n <= s->history_dropped) {
            cpdb_error(s, "Argument required (expression to evaluate).");
            return NULL;
        }
        return Py_NewRef(PyList_GET_ITEM(s->history, n - 1));
    }
    v = cpdb_eval_expr(s, cpdb_cmd_frame(s), args);
    if (v == NULL) {
        cpdb_error_exc(s, NULL);
    }
    return v;
}

static CmdResult
cmd_print(CpdbSession *s, const char *args)
{
    PyObject *v = evaluate(s, args);
    long n;
    char *r;
    if (v == NULL) {
        return CMD_FAILED;
    }
    n = cpdb_history_add(s, v);
    r = cpdb_repr(v, s->cli->set.print_limit);
    cpdb_out(s, "$%ld = %s\n", n, r);
    free(r);
    Py_DECREF(v);
    return CMD_STAY;
}

/* Cut pretty-printed text to about limit characters (0: no limit) at
   the end of a line, and say how many lines were left out; a single
   line is cut as print cuts a repr.  Return: malloc'd. */
static char *
cut_lines(const char *text, long limit)
{
    const char *p = text, *end = NULL;
    long chars = 0;
    size_t more = 0;
    CpdbBuf b;
    if (limit <= 0) {
        return cpdb_xstrdup(text);
    }
    /* The last line end within limit code points. */
    for (; *p && chars <= limit; p++) {
        if ((*p & 0xC0) != 0x80) {
            chars++;
        }
        if (*p == '\n' && chars <= limit) {
            end = p;
        }
    }
    if (*p == '\0' && chars <= limit) {
        return cpdb_xstrdup(text);
    }
    if (end == NULL) {
        char *one = cpdb_xstrdup(text), *nl = strchr(one, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        /* One line longer than the limit: cut as a repr is. */
        end = cpdb_cut_text(one, limit);
        free(one);
        return (char *)end;
    }
    for (p = end; *p; p++) {
        more += *p == '\n';
    }
    more -= p[-1] == '\n';  /* a last line end starts no line */
    cpdb_buf_init(&b);
    cpdb_buf_addn(&b, text, (size_t)(end - text));
    cpdb_buf_printf(&b, "\n...<%zu more line%s; \"set print-limit 0\" "
                    "shows all>", more, more == 1 ? "" : "s");
    return cpdb_buf_take(&b);
}

static CmdResult
cmd_pp(CpdbSession *s, const char *args)
{
    PyObject *v = evaluate(s, args), *pprint = NULL, *text = NULL;
    long n;
    const char *t;
    char *cut;
    if (v == NULL) {
        return CMD_FAILED;
    }
    n = cpdb_history_add(s, v);
    pprint = PyImport_ImportModule("pprint");
    if (pprint != NULL) {
        long width = s->cli->set.width;
        text = PyObject_CallMethod(pprint, "pformat", "Oil", v, 1,
                                   width > 20 ? width : CPDB_DEFAULT_WIDTH);
    }
    if (text == NULL || (t = PyUnicode_AsUTF8(text)) == NULL) {
        cpdb_error_exc(s, "pp: ");
        Py_XDECREF(text);
        Py_XDECREF(pprint);
        Py_DECREF(v);
        return CMD_FAILED;
    }
    cut = cut_lines(t, s->cli->set.print_limit);
    cpdb_out(s, "$%ld = %s\n", n, cut);
    free(cut);
    Py_DECREF(text);
    Py_DECREF(pprint);
    Py_DECREF(v);
    return CMD_STAY;
}

CmdResult
cpdb_cmd_delete_values(CpdbSession *s)
{
    long n;
    if (PyList_GET_SIZE(s->history) == 0) {
        cpdb_out(s, "The value history is empty.\n");
        return CMD_STAY;
    }
    n = cpdb_history_drop(s, 0);
    cpdb_out(s, "Dropped %ld value%s of the history ($1 to $%zd); the next "
             "value is $%zd.\n", n, n == 1 ? "" : "s",
             PyList_GET_SIZE(s->history), PyList_GET_SIZE(s->history) + 1);
    return CMD_STAY;
}

/* The $N of the values "gc collect" names, at most. */
#define SOLE_NAMED 10

void
cpdb_cmd_note_sole_values(CpdbSession *s)
{
    long numbers[SOLE_NAMED], n, i;
    CpdbBuf b;
    n = cpdb_history_sole(s, numbers, SOLE_NAMED);
    if (n == 0) {
        return;
    }
    cpdb_buf_init(&b);
    for (i = 0; i < n && i < SOLE_NAMED; i++) {
        cpdb_buf_printf(&b, "%s$%ld", i ? ", " : "", numbers[i]);
    }
    if (n > SOLE_NAMED) {
        cpdb_buf_printf(&b, " and %ld more", n - SOLE_NAMED);
    }
    cpdb_out(s, "%ld object%s %s kept alive only by the value history "
             "(%s): \"delete values\" drops it.\n", n, n == 1 ? "" : "s",
             n == 1 ? "is" : "are", b.data);
    cpdb_buf_fini(&b);
}

static CmdResult
cmd_display(CpdbSession *s, const char *args)
{
    char *expr = cpdb_strip_dup(args);
    PyObject *code;
    CpdbDisplay d;

    if (*expr == '\0') {
        free(expr);
        cpdb_cli_show_displays(s);
        return CMD_STAY;
    }
    code = cpdb_eval_compile(s, expr, 1);
    if (code == NULL) {
        cpdb_error_exc(s, NULL);
        free(expr);
        return CMD_FAILED;
    }
    d.number = s->cli->next_display++;
    d.enabled = 1;
    d.expr = expr;
    d.code = code;
    d.scope = cpdb_eval_local_scope(cpdb_cmd_frame(s), code);
    cpdb_array_push(&s->cli->displays, d);
    if (s->at_stop) {
        cpdb_cli_show_display(s, &d);
    }
    return CMD_STAY;
}

static int
delete_display(CpdbSession *s, long number)
{
    CpdbCli *c = s->cli;
    size_t i;
    for (i = 0; i < c->displays.n; i++) {
        CpdbDisplay *d = &c->displays.items[i];
        if (d->number == number) {
            free(d->expr);
            Py_XDECREF(d->code);
            Py_XDECREF(d->scope);
            memmove(d, d + 1, sizeof(CpdbDisplay) * (c->displays.n - i - 1));
            c->displays.n--;
            return 0;
        }
    }
    return -1;
}

static CmdResult
cmd_undisplay(CpdbSession *s, const char *args)
{
    size_t i, n = s->cli->displays.n;
    int *exists, *chosen, n_chosen;
    if (*cpdb_skip_space(args) == '\0') {
        while (s->cli->displays.n > 0) {
            delete_display(s, s->cli->displays.items[0].number);
        }
        return CMD_STAY;
    }
    /* The whole list is checked first: a bad number deletes none. */
    exists = cpdb_xmalloc(sizeof(int) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        exists[i] = s->cli->displays.items[i].number;
    }
    n_chosen = cpdb_cmd_number_list(s, args, "display", exists, n, &chosen);
    for (i = 0; n_chosen > 0 && i < (size_t)n_chosen; i++) {
        delete_display(s, chosen[i]);
    }
    free(exists);
    free(chosen);
    return n_chosen < 0 ? CMD_FAILED : CMD_STAY;
}

/* The qualified name of a type: "int", "collections.OrderedDict". */
static char *
type_name(PyObject *type)
{
    PyObject *module = PyObject_GetAttrString(type, "__module__");
    PyObject *qual = PyObject_GetAttrString(type, "__qualname__");
    char *out;
    PyErr_Clear();
    if (qual == NULL || !PyUnicode_Check(qual)) {
        out = cpdb_xstrdup(((PyTypeObject *)type)->tp_name);
    }
    else if (module != NULL && PyUnicode_Check(module)
             && PyUnicode_CompareWithASCIIString(module, "builtins") != 0) {
        out = cpdb_xasprintf("%s.%s", PyUnicode_AsUTF8(module),
                             PyUnicode_AsUTF8(qual));
    }
    else {
        out = cpdb_xstrdup(PyUnicode_AsUTF8(qual));
    }
    Py_XDECREF(module);
    Py_XDECREF(qual);
    return out;
}

static CmdResult
cmd_whatis(CpdbSession *s, const char *args)
{
    PyObject *v;
    char *name;
    if (*cpdb_skip_space(args) == '\0') {
        cpdb_error(s, "Argument required (expression).");
        return CMD_FAILED;
    }
    v = evaluate(s, args);
    if (v == NULL) {
        return CMD_FAILED;
    }
    name = type_name((PyObject *)Py_TYPE(v));
    cpdb_out(s, "type = %s\n", name);
    free(name);
    Py_DECREF(v);
    return CMD_STAY;
}

/* --- info --------------------------------------------------------------- */

static CmdResult
info_display(CpdbSession *s, const char *args)
{
    CpdbCli *c = s->cli;
    size_t i;
    (void)args;
    if (c->displays.n == 0) {
        cpdb_out(s, "There are no auto-display expressions now.\n");
        return CMD_STAY;
    }
    cpdb_out(s, "Auto-display expressions now in effect:\nNum Enb "
             "Expression\n");
    for (i = 0; i < c->displays.n; i++) {
        const CpdbDisplay *d = &c->displays.items[i];
        cpdb_out(s, "%-3d %-3s %s\n", d->number, d->enabled ? "y" : "n",
                 d->expr);
    }
    return CMD_STAY;
}

/* "info display". */
const CmdDef cpdb_info_data_cmds[] = {
    {"display", NULL, CMD_CLASS_STATUS, 0, info_display, "info display",
     "List the expressions shown at each stop.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

const CmdDef cpdb_cmds_data[] = {
    {"print", "p inspect", CMD_CLASS_DATA, CMD_REPEATS, cmd_print,
     "print EXPR",
     "Evaluate a Python expression in the selected frame and print it.\n"
     "The value is recorded as $N in the value history: later expressions\n"
     "can use $N, $ (the last value), $$ (the one before) and $$N.\n"
     "Without EXPR, print the last value again.", NULL,
     cpdb_complete_python},
    {"pp", NULL, CMD_CLASS_DATA, CMD_REPEATS, cmd_pp, "pp EXPR",
     "Pretty-print the value of a Python expression (recorded as $N).",
     NULL,
     cpdb_complete_python},
    {"display", "disp", CMD_CLASS_DATA, 0, cmd_display, "display [EXPR]",
     "Print the value of EXPR each time the program stops.\n"
     "Without EXPR, print every display now.  An expression that reads\n"
     "local variables of the selected frame's function (after \"up\", say)\n"
     "is evaluated in the innermost frame running that function, and not\n"
     "shown at stops where none is on the stack, as gdb ties a display to\n"
     "its block; other expressions are evaluated in the selected frame.\n"
     "$N and $NAME may be used.", NULL,
     cpdb_complete_python},
    {"undisplay", NULL, CMD_CLASS_DATA, 0, cmd_undisplay,
     "undisplay [N...]",
     "Stop displaying expressions N... (all when no number is given).",
     NULL},
    {"whatis", NULL, CMD_CLASS_DATA, 0, cmd_whatis, "whatis EXPR",
     "Print the type of a Python expression's value.", NULL,
     cpdb_complete_python},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
