/* asyncio tasks: "info tasks", "task N", and the tasks that await the
   current one at the end of "backtrace". */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/frames.h"
#include "core/session.h"
#include "core/tasks.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Return: malloc'd pdb-format location "path(line)func()" of frame. */
static char *
frame_where(PyFrameObject *frame, int lineno)
{
    PyCodeObject *code = PyFrame_GetCode(frame);
    char *path = cpdb_code_path(code);
    char *func = cpdb_frame_funcname(frame);
    char *where = cpdb_xasprintf("%s(%d)%s()", path, lineno, func);
    free(func);
    free(path);
    Py_DECREF(code);
    return where;
}

/* One frame as "backtrace" prints it, without a level. */
static void
print_frame(CpdbSession *s, const char *indent, PyFrameObject *frame)
{
    PyCodeObject *code = PyFrame_GetCode(frame);
    char *path = cpdb_code_path(code);
    char *func = cpdb_frame_funcname(frame);
    char *args = cpdb_frame_args(frame, cpdb_cli_arg_width(s));
    cpdb_out(s, "%s%s (%s) at %s:%d\n", indent, func, args, path,
             PyFrame_GetLineNumber(frame));
    free(args);
    free(func);
    free(path);
    Py_DECREF(code);
}

/* Return: the number of the task that is obj, or 0. */
static int
number_of(const CpdbTaskInfo *tasks, Py_ssize_t n, PyObject *obj)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        if (tasks[i].task == obj) {
            return tasks[i].number;
        }
    }
    return 0;
}

/* What a task waits on, in words: "task 2", "gather of tasks 2, 3", or
   the future's type.  Return: malloc'd. */
static char *
describe_waiter(const CpdbTaskInfo *tasks, Py_ssize_t n, PyObject *waiter)
{
    CpdbBuf b;
    PyObject *children;
    int number = number_of(tasks, n, waiter);
    if (number > 0) {
        return cpdb_xasprintf("task %d", number);
    }
    children = PyObject_GetAttrString(waiter, "_children");
    if (children == NULL || !PyList_Check(children)) {
        PyErr_Clear();
        Py_XDECREF(children);
        const char *type = Py_TYPE(waiter)->tp_name;
        const char *dot = strrchr(type, '.');
        return cpdb_xstrdup(dot != NULL ? dot + 1 : type);
    }
    cpdb_buf_init(&b);
    cpdb_buf_printf(&b, "gather");
    {
        Py_ssize_t i, shown = 0;
        for (i = 0; i < PyList_GET_SIZE(children); i++) {
            int k = number_of(tasks, n, PyList_GET_ITEM(children, i));
            if (k > 0) {
                cpdb_buf_printf(&b, "%s%d", shown++ ? ", " : " of tasks ",
                                k);
            }
        }
    }
    Py_DECREF(children);
    return cpdb_buf_take(&b);
}

/* Where a task stands: the stop's location for the running one, else
   where its innermost coroutine is suspended.  Return: malloc'd. */
static char *
task_where(CpdbSession *s, const CpdbTaskInfo *t)
{
    Py_ssize_t n = PyList_GET_SIZE(t->frames);
    if (t->state == CPDB_TASK_RUNNING && s->stack.n > 0) {
        return frame_where(s->stack.items[0].frame, s->stack.items[0].lineno);
    }
    if (n == 0) {
        return cpdb_xstrdup("-");
    }
    {
        PyFrameObject *f = (PyFrameObject *)PyList_GET_ITEM(t->frames,
                                                             n - 1);
        return frame_where(f, PyFrame_GetLineNumber(f));
    }
}

/* Report that listing the tasks failed. */
static CmdResult
tasks_failed(CpdbSession *s)
{
    cpdb_error_exc(s, "asyncio: ");
    return CMD_FAILED;
}

static CmdResult
info_tasks(CpdbSession *s, const char *args)
{
    CpdbTaskInfo *tasks;
    Py_ssize_t n, i;
    (void)args;
    n = cpdb_tasks_list(s, &tasks);
    if (n < 0) {
        return tasks_failed(s);
    }
    if (n == 0) {
        cpdb_out(s, "No asyncio tasks: no event loop runs in this "
                 "thread.\n");
        return CMD_STAY;
    }
    cpdb_out(s, "  %-4s %-9s %-16s %-16s %s\n", "Num", "State", "Name",
             "Coroutine", "Where");
    for (i = 0; i < n; i++) {
        const CpdbTaskInfo *t = &tasks[i];
        char *where = task_where(s, t);
        char *waits = t->waiter != NULL
                      ? describe_waiter(tasks, n, t->waiter) : NULL;
        cpdb_out(s, "%s %-4d %-9s %-16s %-16s %s%s%s\n",
                 t->state == CPDB_TASK_RUNNING ? "*" : " ", t->number,
                 cpdb_task_state_name(t->state), t->name, t->coro, where,
                 waits ? ", awaiting " : "", waits ? waits : "");
        free(waits);
        free(where);
    }
    cpdb_tasks_free(tasks, n);
    return CMD_STAY;
}

/* A task's suspended coroutines, innermost first. */
static void
print_task_frames(CpdbSession *s, const CpdbTaskInfo *t, const char *indent)
{
    Py_ssize_t i = PyList_GET_SIZE(t->frames);
    while (i-- > 0) {
        print_frame(s, indent,
                    (PyFrameObject *)PyList_GET_ITEM(t->frames, i));
    }
}

/* The task "task N" selected at this stop, or 0. */
static int
selected_task(CpdbSession *s)
{
    return s->tasks.selected_stop == s->stop_serial ? s->tasks.selected
                                                    : 0;
}

/* The tasks above task number (0: the current one), each with its
   suspended coroutines.  With frames, task number's own coroutines
   first (a suspended task chosen by "task N": the stack of the stop
   does not hold them). */
static void
print_task_chain(CpdbSession *s, int number, int frames)
{
    CpdbTaskInfo *chain;
    Py_ssize_t n = cpdb_tasks_awaiting(s, number, &chain), i;
    if (n < 0) {
        PyErr_Clear();      /* a backtrace without its tasks */
        return;
    }
    if (n == 0) {
        return;
    }
    if (frames) {
        cpdb_out(s, "Task %d \"%s\" (%s), %s:\n", chain[0].number,
                 chain[0].name, chain[0].coro,
                 cpdb_task_state_name(chain[0].state));
        print_task_frames(s, &chain[0], "  ");
        if (n > 1) {
            cpdb_out(s, "Awaited by:\n");
        }
    }
    else {
        cpdb_out(s, "In task %d \"%s\" (%s)%s\n", chain[0].number,
                 chain[0].name, chain[0].coro,
                 n > 1 ? ", awaited by:" : "; no task awaits it.");
    }
    for (i = 1; i < n; i++) {
        char *how = chain[i].waiter != NULL
                    && chain[i].waiter != chain[i - 1].task
                    ? describe_waiter(chain + i, 1, chain[i].waiter) : NULL;
        cpdb_out(s, "  task %d \"%s\" (%s)%s%s\n", chain[i].number,
                 chain[i].name, chain[i].coro, how ? ", through " : "",
                 how ? how : "");
        free(how);
        print_task_frames(s, &chain[i], "    ");
    }
    cpdb_tasks_free(chain, n);
}

void
cpdb_cmd_bt_tasks(CpdbSession *s)
{
    /* The running task is the stopped thread's ("thread N" may show
       another thread's stack). */
    if (s->threads.selected == 0
        || s->threads.selected == s->threads.stopped) {
        print_task_chain(s, 0, 0);
    }
}

int
cpdb_cmd_bt_selected_task(CpdbSession *s)
{
    int number = selected_task(s);
    if (number == 0) {
        return 0;
    }
    print_task_chain(s, number, 1);
    return 1;
}

static CmdResult
cmd_task(CpdbSession *s, const char *args)
{
    CpdbTaskInfo *tasks;
    Py_ssize_t n, i;
    long number;
    const char *p = cpdb_skip_space(args);
    if (*p == '\0') {
        number = selected_task(s);
        if (number > 0) {
            cpdb_out(s, "\"backtrace\" shows task %ld.\n", number);
        }
        else {
            cpdb_out(s, "\"backtrace\" shows the stack of the stop.\n");
        }
        return CMD_STAY;
    }
    if (cpdb_parse_int(p, &number) < 0 || number <= 0) {
        cpdb_error(s, "Bad task number \"%s\": a number from \"info tasks\" "
                   "is expected.", p);
        return CMD_FAILED;
    }
    n = cpdb_tasks_list(s, &tasks);
    if (n < 0) {
        return tasks_failed(s);
    }
    for (i = 0; i < n && tasks[i].number != number; i++) {
    }
    if (i == n) {
        cpdb_error(s, "No task number %ld (\"info tasks\" lists them).",
                   number);
        cpdb_tasks_free(tasks, n);
        return CMD_FAILED;
    }
    cpdb_out(s, "Task %d \"%s\" (%s), %s\n", tasks[i].number, tasks[i].name,
             tasks[i].coro, cpdb_task_state_name(tasks[i].state));
    if (tasks[i].state == CPDB_TASK_RUNNING) {
        cpdb_out(s, "It runs now: \"backtrace\" shows its frames.\n");
        s->tasks.selected = 0;
    }
    else {
        print_task_frames(s, &tasks[i], "  ");
        s->tasks.selected = tasks[i].number;
        s->tasks.selected_stop = s->stop_serial;
    }
    if (tasks[i].waiter != NULL) {
        char *waits = describe_waiter(tasks, n, tasks[i].waiter);
        cpdb_out(s, "Awaiting %s.\n", waits);
        free(waits);
    }
    cpdb_tasks_free(tasks, n);
    return CMD_STAY;
}

const CmdDef cpdb_info_tasks_cmds[] = {
    {"tasks", NULL, CMD_CLASS_STATUS, CMD_NEEDS_FRAME, info_tasks,
     "info tasks",
     "List the asyncio tasks of the event loop running in this thread.\n"
     "For each: its number, state (pending, running, done, cancelled),\n"
     "name, coroutine, where it is suspended (the innermost coroutine\n"
     "it awaits, in pdb's format; for the running task, where the\n"
     "program stopped) and what it awaits (another task, a gather, a\n"
     "Future).  '*' marks the running task.  A task keeps its number\n"
     "while it lives.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

const CmdDef cpdb_cmds_tasks[] = {
    {"task", NULL, CMD_CLASS_STATUS, CMD_NEEDS_FRAME, cmd_task, "task [N]",
     "Show asyncio task N (see \"info tasks\"): its suspended coroutines.\n"
     "They are listed innermost first, as \"backtrace\" lists frames,\n"
     "with what the task awaits.  Until the program runs again,\n"
     "\"backtrace\" then shows that task's coroutines and the tasks\n"
     "awaiting it; \"task\" of the running task goes back to the stack.\n"
     "The selected frame does not change.  Without N, say what\n"
     "\"backtrace\" shows.",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
