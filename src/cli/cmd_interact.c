/* "interact": a Python console in the selected frame, as pdb's.  It
   runs in a copy of the frame's globals updated with its locals (so
   names it binds do not change the frame, as in pdb), reads its lines
   through the command interpreter's own I/O (terminal, pipe or -x
   file), and compiles each statement itself in "single" mode, asking
   the compiler whether the input so far is incomplete to show the
   "... " continuation prompt (the rule of the codeop module, in C).
   End of input (Ctrl-D), exit() or quit() return to cpdb. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/eval.h"
#include "core/session.h"
#include "base/util.h"

#include <string.h>

/* Lines one statement may have, so that a runaway input cannot eat
   memory. */
#define CPDB_INTERACT_MAX_LINES 10000

/* What the input typed so far is. */
typedef enum { SRC_COMPLETE, SRC_INCOMPLETE, SRC_ERROR } SourceState;

/* Whether text is only blank lines and comments. */
static int
is_blank_source(const char *text)
{
    const char *p = text;
    while (*p != '\0') {
        p = cpdb_skip_space(p);
        if (*p == '#') {
            p += strcspn(p, "\n");
        }
        if (*p == '\n') {
            p++;
        }
        else if (*p != '\0') {
            return 0;
        }
    }
    return 1;
}

/* Compile text as the interactive interpreter does.  With
   PyCF_ALLOW_INCOMPLETE_INPUT the compiler says "incomplete input" when
   more lines could finish the statement; with PyCF_DONT_IMPLY_DEDENT a
   block needs its closing empty line.  Return: SRC_COMPLETE with *code
   (new reference), SRC_INCOMPLETE, or SRC_ERROR with an exception
   set. */
static SourceState
compile_interactive(const char *text, PyObject **code)
{
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    PyObject *c;
    char *more;
    const char *src = is_blank_source(text) ? "pass" : text;

    *code = NULL;
    flags.cf_flags = PyCF_DONT_IMPLY_DEDENT | PyCF_ALLOW_INCOMPLETE_INPUT;
    c = Py_CompileStringExFlags(src, "<stdin>", Py_single_input, &flags, -1);
    if (c == NULL && PyErr_ExceptionMatches(PyExc_SyntaxError)) {
        PyObject *err = cpdb_exc_take(), *msg;
        const char *m;
        int incomplete;
        msg = err ? PyObject_Str(err) : NULL;
        m = msg && PyUnicode_Check(msg) ? PyUnicode_AsUTF8(msg) : NULL;
        incomplete = m != NULL && strstr(m, "incomplete input") != NULL;
        Py_XDECREF(msg);
        if (!incomplete) {
            /* As codeop: what compiles with one more newline is a
               block waiting for its end. */
            more = cpdb_xasprintf("%s\n", src);
            c = Py_CompileStringExFlags(more, "<stdin>", Py_single_input,
                                        &flags, -1);
            free(more);
            incomplete = c != NULL;
            Py_CLEAR(c);
        }
        PyErr_Clear();
        if (incomplete || err == NULL) {
            Py_XDECREF(err);
            return incomplete ? SRC_INCOMPLETE : SRC_ERROR;
        }
        PyErr_SetObject((PyObject *)Py_TYPE(err), err);
        Py_DECREF(err);
        return SRC_ERROR;
    }
    if (c == NULL) {
        return SRC_ERROR;
    }
    Py_DECREF(c);
    /* Complete: compile it for good, without the incomplete-input
       rule. */
    flags.cf_flags = PyCF_DONT_IMPLY_DEDENT;
    *code = Py_CompileStringExFlags(src, "<stdin>", Py_single_input, &flags,
                                    -1);
    return *code ? SRC_COMPLETE : SRC_ERROR;
}

/* The console's namespace: a copy of the selected frame's globals
   updated with its locals, or of __main__'s dict.  Return: new
   reference, or NULL with an exception set. */
static PyObject *
console_namespace(CpdbSession *s)
{
    PyObject *ns = NULL, *globals, *locals;
    if (cpdb_eval_namespaces(cpdb_cmd_frame(s), &globals, &locals) < 0) {
        return NULL;
    }
    if ((ns = PyDict_Copy(globals)) != NULL && locals != globals
        && PyDict_Update(ns, locals) < 0) {
        Py_CLEAR(ns);
    }
    Py_DECREF(globals);
    Py_DECREF(locals);
    return ns;
}

/* Run one compiled statement in ns as debugger work (no stops, tracing
   off).  Return 1 when it asked to leave (SystemExit), else 0. */
static int
run_statement(CpdbSession *s, PyObject *code, PyObject *ns)
{
    PyObject *result;
    int leave = 0;
    cpdb_out_flush(s);
    result = cpdb_eval_code_in(s, code, ns, ns);
    if (result == NULL) {
        if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
            PyErr_Clear();
            leave = 1;
        }
        else {
            cpdb_out_sync(s);
            cpdb_error_exc(s, NULL);
        }
    }
    Py_XDECREF(result);
    cpdb_out_sync(s);
    return leave;
}

static CmdResult
cmd_interact(CpdbSession *s, const char *args)
{
    PyObject *ns = console_namespace(s);
    CpdbBuf src;
    int n_lines = 0;
    (void)args;
    if (ns == NULL) {
        cpdb_error_exc(s, "No namespace for the console: ");
        return CMD_FAILED;
    }
    cpdb_out(s, "*interactive*\n");
    cpdb_buf_init(&src);
    for (;;) {
        PyObject *code;
        SourceState st;
        char *line = cpdb_cli_read_raw(s, n_lines ? "... " : ">>> ");
        if (line == NULL) {
            break;
        }
        if (n_lines > 0) {
            cpdb_buf_addc(&src, '\n');
        }
        cpdb_buf_add(&src, line);
        free(line);
        n_lines++;
        st = compile_interactive(src.data, &code);
        if (st == SRC_INCOMPLETE && n_lines < CPDB_INTERACT_MAX_LINES) {
            continue;
        }
        if (st == SRC_INCOMPLETE) {
            cpdb_error(s, "Statement too long: more than %d lines.",
                       CPDB_INTERACT_MAX_LINES);
        }
        else if (st == SRC_ERROR) {
            cpdb_error_exc(s, NULL);
        }
        cpdb_buf_fini(&src);
        cpdb_buf_init(&src);
        n_lines = 0;
        if (st == SRC_COMPLETE) {
            int leave = run_statement(s, code, ns);
            Py_DECREF(code);
            if (leave) {
                break;
            }
        }
    }
    cpdb_buf_fini(&src);
    Py_DECREF(ns);
    cpdb_out(s, "now exiting the console\n");
    return CMD_STAY;
}

const CmdDef cpdb_cmds_interact[] = {
    {"interact", NULL, CMD_CLASS_DATA, 0, cmd_interact, "interact",
     "Start a Python console in the selected frame, as pdb's \"interact\".\n"
     "Its namespace is a copy of the frame's globals and locals: names\n"
     "bound there do not change the frame (use \"!\" or \"set var\" for\n"
     "that), but objects changed in place stay changed.  \">>> \" asks\n"
     "for a statement, \"... \" for more lines of it (an empty line ends a\n"
     "block).  End of input (Ctrl-D), exit() or quit() return to cpdb.\n"
     "Lines come from where commands come from: the terminal, a pipe or\n"
     "a -x file.", NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};
