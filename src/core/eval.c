/* Running the user's Python in a frame.  The globals and locals are the
   frame's own, so assignments land where the program will see them;
   value-history names ($N) are bound for the duration of one evaluation
   in the frame's builtins, so they never appear in the program's
   namespaces. */
#include "core/eval.h"
#include "base/interrupt.h"
#include "base/ptrset.h"
#include "base/text.h"
#include "core/hooks.h"
#include "core/session.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HISTORY_REFS 32

/* The names $N and $name become in compiled code.  They are bound in
   the builtins only while that code runs, and turned back into $N and
   $name in any message (cpdb_eval_public_names). */
#define HIST_PREFIX "__cpdb_h"
#define CONV_PREFIX "__cpdb_v_"

long
cpdb_history_add(CpdbSession *s, PyObject *v)
{
    if (PyList_Append(s->history, v) < 0) {
        PyErr_Clear();
        return 0;
    }
    return (long)PyList_GET_SIZE(s->history);
}

void
cpdb_history_skip(CpdbSession *s, long n)
{
    while (PyList_GET_SIZE(s->history) < n) {
        if (PyList_Append(s->history, Py_None) < 0) {
            PyErr_Clear();
            return;
        }
    }
    s->history_dropped = n;
}

long
cpdb_history_drop(CpdbSession *s, int earlier_run)
{
    Py_ssize_t i, n = PyList_GET_SIZE(s->history);
    long dropped = 0;
    for (i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(s->history, i);
        if (v != Py_None) {
            /* PyList_SetItem releases the value: its __del__ may run,
               and may use the history; the list stays whole. */
            dropped++;
            PyList_SetItem(s->history, i, Py_NewRef(Py_None));
        }
    }
    n = PyList_GET_SIZE(s->history);
    if (earlier_run) {
        s->history_dropped = (long)n;
    }
    else {
        s->history_cleared = (long)n;
    }
    return dropped;
}

long
cpdb_history_sole(CpdbSession *s, long *numbers, long max)
{
    Py_ssize_t i, n = PyList_GET_SIZE(s->history);
    CpdbPtrSet count;           /* value -> its entries */
    long found = 0;
    size_t c;
    cpdb_ptrset_init(&count);
    for (i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(s->history, i);
        if (v == Py_None) {
            continue;
        }
        ++*cpdb_ptrset_value(&count, v);
    }
    for (i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(s->history, i);
        /* Counted at its first entry only; an immortal object (3.12)
           never has the count of its entries. */
        if (v == Py_None || !cpdb_ptrset_get(&count, v, &c) || c == 0
            || (size_t)Py_REFCNT(v) != c) {
            continue;
        }
        *cpdb_ptrset_value(&count, v) = 0;
        if (found < max) {
            numbers[found] = (long)i + 1;
        }
        found++;
    }
    cpdb_ptrset_fini(&count);
    return found;
}

/* Length of the string literal starting at p (quote at p[0]), or the
   rest of the text when it is not closed. */
static size_t
literal_length(const char *p)
{
    char q = p[0];
    int triple = (p[1] == q && p[2] == q);
    size_t i = triple ? 3 : 1;
    while (p[i] != '\0') {
        if (p[i] == '\\' && p[i + 1] != '\0') {
            i += 2;
            continue;
        }
        if (p[i] == q && (!triple || (p[i + 1] == q && p[i + 2] == q))) {
            return i + (triple ? 3 : 1);
        }
        i++;
    }
    return i;
}

char *
cpdb_eval_rewrite_history(const char *text, long history_len, long *used,
                          int max_used, int *n_used, const char **err)
{
    CpdbBuf b;
    const char *p = text;

    *n_used = 0;
    *err = NULL;
    cpdb_buf_init(&b);
    while (*p) {
        if (*p == '\'' || *p == '"') {
            size_t n = literal_length(p);
            cpdb_buf_addn(&b, p, n);
            p += n;
        }
        else if (*p == '#') {
            break;              /* a comment runs to the end */
        }
        else if (*p == '$') {
            long index;
            const char *q = p + 1;
            if (*q == '$') {
                long back = 1;
                q++;
                if (isdigit((unsigned char)*q)) {
                    back = strtol(q, (char **)&q, 10);
                }
                index = history_len - back;
            }
            else if (isdigit((unsigned char)*q)) {
                index = strtol(q, (char **)&q, 10);
            }
            else if (isalpha((unsigned char)*q) || *q == '_') {
                /* $name: a convenience variable, bound when the code
                   runs (it may be set after a display is made). */
                const char *start = q;
                while (isalnum((unsigned char)*q) || *q == '_') {
                    q++;
                }
                cpdb_buf_printf(&b, "%s%.*s__", CONV_PREFIX,
                                (int)(q - start), start);
                p = q;
                continue;
            }
            else {
                index = history_len;
            }
            if (index < 1 || index > history_len) {
                *err = history_len == 0
                       ? "History is empty."
                       : "History has not yet reached that value.";
                cpdb_buf_fini(&b);
                return NULL;
            }
            if (*n_used == max_used) {
                *err = "Too many history references in one expression.";
                cpdb_buf_fini(&b);
                return NULL;
            }
            used[(*n_used)++] = index;
            cpdb_buf_printf(&b, "__cpdb_h%ld__", index);
            p = q;
        }
        else {
            cpdb_buf_addc(&b, *p);
            p++;
        }
    }
    return cpdb_buf_take(&b);
}

/* The history and convenience names a code object (and the code
   nested in it: lambdas, comprehensions) reads, bound in the builtins
   of one evaluation.  Found from the code's names, so code compiled once
   (displays, conditions, watchpoints) binds them at every run. */
typedef struct HistBind {
    PyObject *builtins;     /* strong dict, or NULL */
    PyObject *names;        /* strong list of the names bound, or NULL */
} HistBind;

/* Deepest nesting of code objects looked into for names. */
#define MAX_CODE_DEPTH 8

/* Call visit on each name that code, or code nested in it, reads
   (co_names), until it returns non-zero.  Return: that value (-1 with
   an exception set on error), or 0. */
static int
each_name(PyObject *code, int (*visit)(PyObject *name, void *arg),
          void *arg, int depth)
{
    PyCodeObject *co = (PyCodeObject *)code;
    PyObject *consts;
    Py_ssize_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < PyTuple_GET_SIZE(co->co_names); i++) {
        rc = visit(PyTuple_GET_ITEM(co->co_names, i), arg);
    }
    if (rc != 0 || depth >= MAX_CODE_DEPTH) {
        return rc;
    }
    consts = PyObject_GetAttrString(code, "co_consts");
    if (consts == NULL) {
        return -1;
    }
    for (i = 0; rc == 0 && PyTuple_Check(consts)
                && i < PyTuple_GET_SIZE(consts); i++) {
        PyObject *c = PyTuple_GET_ITEM(consts, i);
        if (PyCode_Check(c)) {
            rc = each_name(c, visit, arg, depth + 1);
        }
    }
    Py_DECREF(consts);
    return rc;
}

/* each_name visitor: add an internal name to the list arg (no
   repeats). */
static int
add_internal_name(PyObject *name, void *arg)
{
    const char *u = PyUnicode_AsUTF8(name);
    if (u == NULL) {
        return -1;
    }
    if ((strncmp(u, HIST_PREFIX, strlen(HIST_PREFIX)) == 0
         || strncmp(u, CONV_PREFIX, strlen(CONV_PREFIX)) == 0)
        && PySequence_Contains(arg, name) == 0
        && PyList_Append(arg, name) < 0) {
        return -1;
    }
    return 0;
}

/* The value an internal name stands for.  Return: borrowed, or NULL
   with an exception saying what is missing, in the user's words. */
static PyObject *
internal_value(CpdbSession *s, const char *name)
{
    if (strncmp(name, CONV_PREFIX, strlen(CONV_PREFIX)) == 0) {
        const char *v = name + strlen(CONV_PREFIX);
        int len = (int)strlen(v) - 2;
        char *key = cpdb_xasprintf("%.*s", len > 0 ? len : 0, v);
        PyObject *value = PyDict_GetItemString(s->convenience, key);
        if (value == NULL && strcmp(key, "_thread") == 0) {
            value = cpdb_threads_var(s);    /* gdb's, read-only */
        }
        if (value == NULL) {
            PyErr_Format(PyExc_NameError,
                         "convenience variable $%s is not set", key);
        }
        free(key);
        return value;
    }
    else {
        long n = strtol(name + strlen(HIST_PREFIX), NULL, 10);
        if (n < 1 || n > (long)PyList_GET_SIZE(s->history)) {
            PyErr_Format(PyExc_ValueError, "$%ld is not in the value "
                         "history", n);
            return NULL;
        }
        if (n <= s->history_cleared && n > s->history_dropped) {
            PyErr_Format(PyExc_ValueError, "$%ld was dropped (\"delete "
                         "values\").", n);
            return NULL;
        }
        if (n <= s->history_dropped) {
            PyErr_Format(PyExc_ValueError, "$%ld was a value of the "
                         "program's earlier run: values are dropped when "
                         "it runs again.", n);
            return NULL;
        }
        return PyList_GET_ITEM(s->history, n - 1);
    }
}

static int
hist_bind(CpdbSession *s, HistBind *h, PyFrameObject *frame, PyObject *code)
{
    Py_ssize_t i;
    h->names = PyList_New(0);
    if (h->names == NULL
        || each_name(code, add_internal_name, h->names, 0) < 0) {
        return -1;
    }
    if (PyList_GET_SIZE(h->names) == 0) {
        return 0;
    }
    if (frame != NULL) {
        h->builtins = cpdb_frame_builtins(frame);
    }
    else {
        h->builtins = Py_XNewRef(PyEval_GetBuiltins());
    }
    if (h->builtins == NULL || !PyDict_Check(h->builtins)) {
        Py_CLEAR(h->builtins);
        PyErr_SetString(PyExc_RuntimeError, "no builtins to bind $N in");
        return -1;
    }
    for (i = 0; i < PyList_GET_SIZE(h->names); i++) {
        PyObject *n = PyList_GET_ITEM(h->names, i);
        PyObject *v = internal_value(s, PyUnicode_AsUTF8(n));
        if (v == NULL || PyDict_SetItem(h->builtins, n, v) < 0) {
            /* Unbind only what was bound. */
            PyList_SetSlice(h->names, i, PyList_GET_SIZE(h->names), NULL);
            return -1;
        }
    }
    return 0;
}

static void
hist_unbind(HistBind *h)
{
    Py_ssize_t i;
    CpdbExcState st;
    if (h->builtins != NULL && h->names != NULL) {
        cpdb_exc_save(&st);
        for (i = 0; i < PyList_GET_SIZE(h->names); i++) {
            if (PyDict_DelItem(h->builtins, PyList_GET_ITEM(h->names, i))
                < 0) {
                PyErr_Clear();
            }
        }
        cpdb_exc_restore(&st);
    }
    Py_CLEAR(h->builtins);
    Py_CLEAR(h->names);
}

/* Whether the syntax tree node (or one below it) stores into or deletes
   a name that $N or $name stands for ("!$x = 1", "del $1").  Only C is
   run: attributes of the ast nodes, no Python code. */
static int
stores_internal_name(PyObject *node, int depth)
{
    PyObject *fields;
    Py_ssize_t i;
    int found = 0;

    if (depth > 200) {
        return 0;
    }
    if (PyList_Check(node)) {
        for (i = 0; !found && i < PyList_GET_SIZE(node); i++) {
            found = stores_internal_name(PyList_GET_ITEM(node, i),
                                         depth + 1);
        }
        return found;
    }
    if (strcmp(Py_TYPE(node)->tp_name, "Name") == 0) {
        PyObject *id = PyObject_GetAttrString(node, "id");
        PyObject *ctx = PyObject_GetAttrString(node, "ctx");
        const char *u = id && PyUnicode_Check(id) ? PyUnicode_AsUTF8(id)
                                                  : NULL;
        found = u != NULL && ctx != NULL
                && strcmp(Py_TYPE(ctx)->tp_name, "Load") != 0
                && (strncmp(u, HIST_PREFIX, strlen(HIST_PREFIX)) == 0
                    || strncmp(u, CONV_PREFIX, strlen(CONV_PREFIX)) == 0);
        Py_XDECREF(id);
        Py_XDECREF(ctx);
        PyErr_Clear();
        return found;
    }
    fields = PyObject_GetAttrString(node, "_fields");
    for (i = 0; !found && fields != NULL && PyTuple_Check(fields)
                && i < PyTuple_GET_SIZE(fields); i++) {
        PyObject *v = PyObject_GetAttr(node, PyTuple_GET_ITEM(fields, i));
        found = v != NULL && stores_internal_name(v, depth + 1);
        Py_XDECREF(v);
    }
    Py_XDECREF(fields);
    PyErr_Clear();
    return found;
}

/* Refuse statements that assign to $N or $name: the program's namespace
   would get the name it stands for.  Return 0, or -1 with a SyntaxError
   set saying how convenience variables are set. */
static int
check_no_store(const char *rewritten)
{
    PyObject *tree;
    int bad;
    if (strstr(rewritten, "__cpdb_") == NULL) {
        return 0;
    }
    tree = Py_CompileStringExFlags(rewritten, "<cpdb>", Py_file_input,
                                   &(PyCompilerFlags){PyCF_ONLY_AST,
                                                      PY_MINOR_VERSION},
                                   -1);
    if (tree == NULL) {
        return -1;
    }
    bad = stores_internal_name(tree, 0);
    Py_DECREF(tree);
    if (bad) {
        PyErr_SetString(PyExc_SyntaxError, "$N and $NAME cannot be "
                        "assigned in Python: use \"set $NAME = EXPR\"");
        return -1;
    }
    return 0;
}

static PyObject *
compile_text(CpdbSession *s, const char *text, int as_expr)
{
    const char *err;
    char *rewritten;
    PyObject *code;
    long used[MAX_HISTORY_REFS];
    int n_used;

    rewritten = cpdb_eval_rewrite_history(
        text, (long)PyList_GET_SIZE(s->history), used, MAX_HISTORY_REFS,
        &n_used, &err);
    if (rewritten == NULL) {
        PyErr_SetString(PyExc_ValueError, err);
        return NULL;
    }
    if (!as_expr && check_no_store(rewritten) < 0) {
        free(rewritten);
        return NULL;
    }
    code = Py_CompileString(rewritten, "<cpdb>",
                            as_expr ? Py_eval_input : Py_file_input);
    free(rewritten);
    return code;
}

PyObject *
cpdb_eval_compile(CpdbSession *s, const char *text, int as_expr)
{
    return compile_text(s, text, as_expr);
}

PyObject *
cpdb_eval_globals(PyFrameObject *frame)
{
    PyObject *main;
    if (frame != NULL) {
        return cpdb_frame_globals(frame);
    }
    main = PyImport_AddModule("__main__");              /* borrowed */
    return main ? Py_NewRef(PyModule_GetDict(main)) : NULL;
}

int
cpdb_eval_namespaces(PyFrameObject *frame, PyObject **globals,
                     PyObject **locals)
{
    *globals = cpdb_eval_globals(frame);
    if (frame != NULL) {
        *locals = *globals ? cpdb_frame_locals(frame) : NULL;
    }
    else {
        *locals = Py_XNewRef(*globals);
    }
    if (*globals == NULL || *locals == NULL) {
        Py_CLEAR(*globals);
        Py_CLEAR(*locals);
        return -1;
    }
    return 0;
}

/* While the user's Python runs, sys.stdout and sys.stderr are
   s->eval_output (when set); saved[] gets what they were. */
static void
output_swap(CpdbSession *s, PyObject *saved[2])
{
    static const char *const names[2] = {"stdout", "stderr"};
    int i;
    saved[0] = saved[1] = NULL;
    if (s->eval_output == NULL) {
        return;
    }
    for (i = 0; i < 2; i++) {
        saved[i] = Py_XNewRef(PySys_GetObject(names[i]));
        if (PySys_SetObject(names[i], s->eval_output) < 0) {
            PyErr_Clear();
        }
    }
}

/* Put them back, unless the Python typed replaced them itself. */
static void
output_restore(CpdbSession *s, PyObject *saved[2])
{
    static const char *const names[2] = {"stdout", "stderr"};
    int i;
    if (s->eval_output == NULL) {
        return;
    }
    for (i = 0; i < 2; i++) {
        if (PySys_GetObject(names[i]) == s->eval_output && saved[i] != NULL
            && PySys_SetObject(names[i], saved[i]) < 0) {
            PyErr_Clear();
        }
        Py_CLEAR(saved[i]);
    }
}

PyObject *
cpdb_eval_code_in(CpdbSession *s, PyObject *code, PyObject *globals,
                  PyObject *locals)
{
    PyObject *result, *saved[2];
    unsigned long saved_thread;
    CpdbExcState st;
    cpdb_guard_begin(&s->busy);
    output_swap(s, saved);
    saved_thread = s->py_thread;
    s->py_thread = PyThread_get_thread_ident();    /* Ctrl-C's target */
    s->eval_serial++;
    cpdb_session_gc_program(s);
    cpdb_interrupt_escape_arm(1);
    result = PyEval_EvalCode(code, globals, locals);
    cpdb_interrupt_escape_arm(0);
    cpdb_session_gc_debugger(s);
    cpdb_hooks_sigint_settle(s);
    s->py_thread = saved_thread;
    cpdb_exc_save(&st);
    output_restore(s, saved);
    cpdb_exc_restore(&st);
    cpdb_guard_end(&s->busy);
    return result;
}

/* Run code in frame's namespaces (or __main__'s), then make local
   assignments stick.  Return: new reference or NULL with exception. */
static PyObject *
run_in_frame(CpdbSession *s, PyFrameObject *frame, PyObject *code)
{
    PyObject *globals = NULL, *locals = NULL, *result = NULL;
    HistBind bind = {0}, *h = &bind;

    if (cpdb_eval_namespaces(frame, &globals, &locals) < 0) {
        goto done;
    }
    if (hist_bind(s, h, frame, code) < 0) {
        goto done;
    }
    result = cpdb_eval_code_in(s, code, globals, locals);
    if (frame != NULL) {
        cpdb_frame_locals_sync(frame);
    }
done:
    hist_unbind(h);
    Py_XDECREF(globals);
    Py_XDECREF(locals);
    return result;
}

PyObject *
cpdb_eval_code(CpdbSession *s, PyFrameObject *frame, PyObject *code)
{
    return run_in_frame(s, frame, code);
}

PyObject *
cpdb_eval_expr(CpdbSession *s, PyFrameObject *frame, const char *text)
{
    PyObject *code = compile_text(s, text, 1), *result;
    if (code == NULL) {
        return NULL;
    }
    result = run_in_frame(s, frame, code);
    Py_DECREF(code);
    return result;
}

int
cpdb_eval_line(CpdbSession *s, PyFrameObject *frame, const char *text,
               PyObject **value)
{
    PyObject *code, *result;
    int is_expr = 1;

    *value = NULL;
    code = compile_text(s, text, 1);
    if (code == NULL && PyErr_ExceptionMatches(PyExc_SyntaxError)) {
        PyErr_Clear();
        is_expr = 0;
        code = compile_text(s, text, 0);
    }
    if (code == NULL) {
        return -1;
    }
    result = run_in_frame(s, frame, code);
    Py_DECREF(code);
    if (result == NULL) {
        return -1;
    }
    if (is_expr) {
        *value = result;
    }
    else {
        Py_DECREF(result);
    }
    return 0;
}

/* --- convenience variables --------------------------------------------- */

int
cpdb_conv_name_valid(const char *name, size_t len)
{
    size_t i;
    if (len == 0 || (!isalpha((unsigned char)name[0]) && name[0] != '_')) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if (!isalnum((unsigned char)name[i]) && name[i] != '_') {
            return 0;
        }
    }
    return 1;
}

int
cpdb_conv_set(CpdbSession *s, const char *name, PyObject *value)
{
    if (!cpdb_conv_name_valid(name, strlen(name))) {
        PyErr_Format(PyExc_ValueError, "bad convenience variable name "
                     "\"$%s\": letters, digits and _ are expected", name);
        return -1;
    }
    if (PyDict_SetItemString(s->convenience, name, value) < 0) {
        return -1;
    }
    /* Out of the program's reach (gc.get_objects, gc.get_referrers), as
       the value history is: a dict is tracked again when a container
       goes in, so untrack it after each one.  The collector counts the
       references of an untracked container as from outside, so the
       values stay alive. */
    if (PyObject_GC_IsTracked(s->convenience)) {
        PyObject_GC_UnTrack(s->convenience);
    }
    return 0;
}

PyObject *
cpdb_conv_list(CpdbSession *s)
{
    PyObject *items = PyDict_Items(s->convenience);
    if (items != NULL && PyList_Sort(items) < 0) {
        /* Values that do not compare: names are unique, so only a
           failure of memory gets here. */
        Py_CLEAR(items);
    }
    return items;
}

char *
cpdb_eval_public_names(const char *text)
{
    CpdbBuf b;
    const char *p = text;
    size_t hl = strlen(HIST_PREFIX), cl = strlen(CONV_PREFIX);

    cpdb_buf_init(&b);
    while (*p) {
        if (strncmp(p, CONV_PREFIX, cl) == 0) {
            /* The identifier runs to its end; its last two '_' are the
               suffix the rewrite added. */
            const char *q = p + cl;
            while (isalnum((unsigned char)*q) || *q == '_') {
                q++;
            }
            if (q - p - cl > 2 && q[-1] == '_' && q[-2] == '_') {
                cpdb_buf_printf(&b, "$%.*s", (int)(q - p - cl - 2), p + cl);
                p = q;
                continue;
            }
        }
        if (strncmp(p, HIST_PREFIX, hl) == 0
            && isdigit((unsigned char)p[hl])) {
            const char *q = p + hl;
            while (isdigit((unsigned char)*q)) {
                q++;
            }
            if (q[0] == '_' && q[1] == '_') {
                cpdb_buf_printf(&b, "$%.*s", (int)(q - p - hl), p + hl);
                p = q + 2;
                continue;
            }
        }
        cpdb_buf_addc(&b, *p);
        p++;
    }
    return cpdb_buf_take(&b);
}

/* --- the frame an expression belongs to ---------------------------------- */

/* each_name visitor: whether name is in the tuple arg. */
static int
is_in(PyObject *name, void *arg)
{
    return PySequence_Contains(arg, name) == 1;
}

PyObject *
cpdb_eval_local_scope(PyFrameObject *frame, PyObject *code)
{
    static const char *const kinds[] = {"co_varnames", "co_cellvars",
                                        "co_freevars"};
    PyCodeObject *fcode;
    size_t k;
    int found = 0;

    if (frame == NULL || code == NULL || !PyCode_Check(code)) {
        return NULL;
    }
    fcode = PyFrame_GetCode(frame);
    for (k = 0; !found && k < CPDB_ARRAY_LEN(kinds); k++) {
        PyObject *names = PyObject_GetAttrString((PyObject *)fcode,
                                                 kinds[k]);
        found = names != NULL && PyTuple_Check(names)
                && each_name(code, is_in, names, 0) == 1;
        Py_XDECREF(names);
        PyErr_Clear();
    }
    if (!found) {
        Py_DECREF(fcode);
        return NULL;
    }
    return (PyObject *)fcode;
}
