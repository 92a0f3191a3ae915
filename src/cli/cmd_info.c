/* "info" and the subcommands that describe the selected frame: locals,
   args, globals, frame.  The others sit with their family: info
   breakpoints in cmd_break.c, display in cmd_data.c, source in
   cmd_source.c, trace in cmd_support.c, gc in cmd_gc.c, program in
   cmd_run.c. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "core/frames.h"
#include "cli/output.h"
#include "core/eval.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static int
is_dunder(PyObject *name)
{
    const char *n = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    size_t len;
    if (n == NULL) {
        PyErr_Clear();
        return 0;
    }
    len = strlen(n);
    return len > 4 && strncmp(n, "__", 2) == 0
           && strcmp(n + len - 2, "__") == 0;
}

/* Print "name = value" for each key of mapping (names: only these). */
static CmdResult
print_names(CpdbSession *s, PyObject *mapping, PyObject *names,
            int skip_dunder, const char *none_msg)
{
    PyObject *keys = names ? Py_NewRef(names) : PyMapping_Keys(mapping);
    Py_ssize_t i, n_shown = 0;
    if (keys == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    for (i = 0; i < PyList_GET_SIZE(keys); i++) {
        PyObject *k = PyList_GET_ITEM(keys, i), *v;
        char *r;
        if (skip_dunder && is_dunder(k)) {
            continue;
        }
        v = PyObject_GetItem(mapping, k);
        if (v == NULL) {
            PyErr_Clear();
            r = cpdb_xstrdup("<unbound>");
        }
        else {
            r = cpdb_repr(v, s->cli->set.width > 20 ? s->cli->set.width : 80);
            Py_DECREF(v);
        }
        cpdb_out(s, "%s = %s\n", PyUnicode_Check(k) ? PyUnicode_AsUTF8(k)
                                                    : "?", r);
        free(r);
        n_shown++;
    }
    Py_DECREF(keys);
    if (n_shown == 0) {
        cpdb_out(s, "%s\n", none_msg);
    }
    return CMD_STAY;
}

static CmdResult
info_locals(CpdbSession *s, const char *args)
{
    PyObject *locals = cpdb_frame_locals(cpdb_cmd_frame(s));
    CmdResult r;
    (void)args;
    if (locals == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    r = print_names(s, locals, NULL, 1, "No locals.");
    Py_DECREF(locals);
    return r;
}

static CmdResult
info_args(CpdbSession *s, const char *args)
{
    PyFrameObject *f = cpdb_cmd_frame(s);
    PyObject *names = cpdb_frame_arg_names(f);
    PyObject *locals = names ? cpdb_frame_locals(f) : NULL;
    CmdResult r;
    (void)args;
    if (locals == NULL) {
        Py_XDECREF(names);
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    r = print_names(s, locals, names, 0, "No arguments.");
    Py_DECREF(locals);
    Py_DECREF(names);
    return r;
}

static CmdResult
info_globals(CpdbSession *s, const char *args)
{
    PyObject *globals = cpdb_eval_globals(cpdb_cmd_frame(s));
    CmdResult r;
    (void)args;
    if (globals == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    r = print_names(s, globals, NULL, 1, "No globals.");
    Py_DECREF(globals);
    return r;
}

static CmdResult
info_frame(CpdbSession *s, const char *args)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
    int level = s->stack.selected;
    PyCodeObject *code = PyFrame_GetCode(e->frame);
    char *path = cpdb_code_path(code);
    char *func = cpdb_frame_funcname(e->frame);
    char *argstr = cpdb_frame_args(e->frame, cpdb_cli_arg_width(s));
    PyObject *qual = cpdb_code_qualname(code);
    (void)args;

    cpdb_out(s, "Stack level %d, frame at %p:\n", level, (void *)e->frame);
    cpdb_out(s, " function %s (%s) in %s:%d\n",
             qual ? PyUnicode_AsUTF8(qual) : func, argstr, path, e->lineno);
    if ((size_t)level + 1 < s->stack.n) {
        char *caller = cpdb_frame_funcname(s->stack.items[level + 1].frame);
        cpdb_out(s, " called by frame at %p (level %d, %s)\n",
                 (void *)s->stack.items[level + 1].frame, level + 1, caller);
        free(caller);
    }
    if (level > 0) {
        char *callee = cpdb_frame_funcname(s->stack.items[level - 1].frame);
        cpdb_out(s, " caller of frame at %p (level %d, %s)\n",
                 (void *)s->stack.items[level - 1].frame, level - 1, callee);
        free(callee);
    }
    cpdb_out(s, " code object at %p, first line %d, %d argument%s\n",
             (void *)code, code->co_firstlineno,
             code->co_argcount + code->co_kwonlyargcount,
             code->co_argcount + code->co_kwonlyargcount == 1 ? "" : "s");
    if (code->co_flags & CPDB_GEN_FLAGS) {
        cpdb_out(s, " %s frame\n",
                 (code->co_flags & CO_COROUTINE) ? "coroutine"
                 : (code->co_flags & CO_ASYNC_GENERATOR) ? "async generator"
                 : "generator");
    }
    PyErr_Clear();
    Py_XDECREF(qual);
    free(argstr);
    free(func);
    free(path);
    Py_DECREF(code);
    return CMD_STAY;
}

/* "info locals", "info args", "info globals", "info frame". */
const CmdDef cpdb_info_frame_cmds[] = {
    {"locals", NULL, CMD_CLASS_STATUS, CMD_NEEDS_FRAME, info_locals,
     "info locals", "Print the local variables of the selected frame.",
     NULL},
    {"args", "a", CMD_CLASS_STATUS, CMD_NEEDS_FRAME, info_args,
     "info args", "Print the arguments of the selected frame.", NULL},
    {"globals", NULL, CMD_CLASS_STATUS, 0, info_globals, "info globals",
     "Print the global variables of the selected frame's module.", NULL},
    {"frame", "f", CMD_CLASS_STATUS, CMD_NEEDS_FRAME, info_frame,
     "info frame", "Describe the selected frame: function, code, caller.",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

/* The subcommands of "info", each table from the file of its family,
   in the order "help info" lists them. */
static const CmdDef *const info_tables[] = {
    cpdb_info_break_cmds, cpdb_info_exceptions_cmds, cpdb_info_frame_cmds,
    cpdb_info_data_cmds, cpdb_info_source_cmds, cpdb_info_trace_cmds,
    cpdb_info_gc_cmds, cpdb_info_run_cmds, cpdb_info_threads_cmds,
    cpdb_info_tasks_cmds, NULL
};

/* pdb's "a" (args) at the top level. */
static CmdResult
cmd_args(CpdbSession *s, const char *args)
{
    return info_args(s, args);
}

const CmdDef cpdb_cmds_info[] = {
    {"info", "i", CMD_CLASS_STATUS, 0, NULL, "info SUBCOMMAND",
     "Show things about the program being debugged.\n"
     "Type \"info\" alone for the list of subcommands.", info_tables},
    {"args", "a", CMD_CLASS_DATA, CMD_NEEDS_FRAME, cmd_args, "args",
     "Print the arguments of the selected frame (as \"info args\").", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
