/* "info" and its subcommands: breakpoints, locals, args, globals, frame,
   display, source, program. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "core/frames.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/source.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static CmdResult
info_breakpoints(CpdbSession *s, const char *args)
{
    (void)args;
    cpdb_break_info(s);
    return CMD_STAY;
}

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
    PyFrameObject *f = cpdb_cmd_frame(s);
    PyObject *globals;
    CmdResult r;
    (void)args;
    if (f != NULL) {
        globals = cpdb_frame_globals(f);
    }
    else {
        PyObject *main = PyImport_AddModule("__main__");
        globals = main ? Py_NewRef(PyModule_GetDict(main)) : NULL;
    }
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

static CmdResult
info_source(CpdbSession *s, const char *args)
{
    char *path = cpdb_default_file(s);
    CpdbSource *src;
    (void)args;
    if (path == NULL) {
        cpdb_out(s, "No current source file.\n");
        return CMD_STAY;
    }
    src = cpdb_source_get(&s->sources, path);
    cpdb_out(s, "Current source file is %s\n", path);
    if (src != NULL) {
        cpdb_out(s, "Contains %d lines.\n", src->n_lines);
    }
    free(path);
    return CMD_STAY;
}

static CmdResult
info_program(CpdbSession *s, const char *args)
{
    (void)args;
    switch (s->state) {
    case CPDB_PROG_RUNNING:
        if (s->stop_bp > 0) {
            cpdb_out(s, "The program is stopped at breakpoint %d.\n",
                     s->stop_bp);
        }
        else {
            cpdb_out(s, "The program is stopped.\n");
        }
        break;
    case CPDB_PROG_POST_MORTEM:
        cpdb_out(s, "The program ended with an uncaught exception "
                 "(post-mortem).\n");
        break;
    case CPDB_PROG_IDLE:
    default:
        if (s->exit_status >= 0) {
            cpdb_out(s, "The program is not being run; it last exited with "
                     "status %d.\n", s->exit_status);
        }
        else {
            cpdb_out(s, "The program is not being run.\n");
        }
        break;
    }
    return CMD_STAY;
}

static CmdResult
info_trace(CpdbSession *s, const char *args)
{
    (void)args;
    cpdb_out(s, "Trace backend: %s.\n", s->backend->name);
    cpdb_out(s, "Events seen since the program started: %lu call, %lu line, "
             "%lu return, %lu exception.\n", s->trace.n_events[CPDB_EV_CALL],
             s->trace.n_events[CPDB_EV_LINE], s->trace.n_events[CPDB_EV_RETURN],
             s->trace.n_events[CPDB_EV_EXCEPTION]);
    cpdb_out(s, "Line events reach only frames that hold a breakpoint or "
             "that the stepper may stop in.\n");
    return CMD_STAY;
}

static const CmdDef info_subcommands[] = {
    {"breakpoints", "b break", CMD_CLASS_STATUS, 0, info_breakpoints,
     "info breakpoints",
     "List the breakpoints.\n"
     "Each with its number, disposition, whether it is enabled, location,\n"
     "condition, hit count and ignore count.", NULL},
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
    {"display", NULL, CMD_CLASS_STATUS, 0, info_display, "info display",
     "List the expressions shown at each stop.", NULL},
    {"source", NULL, CMD_CLASS_STATUS, 0, info_source, "info source",
     "Describe the current source file.", NULL},
    {"trace", NULL, CMD_CLASS_STATUS, 0, info_trace, "info trace",
     "Show the trace backend and how many events it has delivered.\n"
     "Frames that cannot stop get no line events: the count shows it.",
     NULL},
    {"gc", NULL, CMD_CLASS_STATUS, 0, cpdb_gc_info, "info gc",
     "Show the garbage collector's state (as \"gc\").", NULL},
    {"program", NULL, CMD_CLASS_STATUS, 0, info_program, "info program",
     "Say whether the program runs, where it stopped, or how it ended.",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
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
     "Type \"info\" alone for the list of subcommands.", info_subcommands},
    {"args", "a", CMD_CLASS_DATA, CMD_NEEDS_FRAME, cmd_args, "args",
     "Print the arguments of the selected frame (as \"info args\").", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
