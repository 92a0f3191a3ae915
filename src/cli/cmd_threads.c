/* Thread commands: "info threads", "thread [N]", "thread apply", and the
   line a stop in a thread other than the main one starts with. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/frames.h"
#include "core/session.h"
#include "core/threads.h"
#include "base/text.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* The main thread has number 1 (the first seen). */
#define MAIN_THREAD 1

/* "Thread 2 "worker-1"", or "Thread 3" for a thread without a name.
   Return: malloc'd. */
static char *
thread_title(CpdbSession *s, int number, unsigned long ident)
{
    char *name = cpdb_threads_name(s, ident);
    CpdbBuf b;
    char num[32];
    cpdb_buf_init(&b);
    snprintf(num, sizeof num, "Thread %d", number);
    cpdb_buf_add(&b, num);
    if (name != NULL) {
        cpdb_buf_add(&b, " \"");
        cpdb_buf_add(&b, name);
        cpdb_buf_add(&b, "\"");
    }
    free(name);
    return b.data;
}

void
cpdb_cli_print_thread_line(CpdbSession *s, const CpdbStop *stop)
{
    int number = s->threads.stopped_number;
    char *title;
    if (number == MAIN_THREAD) {
        return;     /* as before threads: gud and pdb users see no change */
    }
    title = thread_title(s, number, stop->thread_id);
    cpdb_out(s, "[%s]\n", title);
    free(title);
}

/* "> /path/file.py(12)func()" of a frame (the pdb location).  Return:
   malloc'd. */
static char *
frame_where(PyFrameObject *f)
{
    PyCodeObject *code = PyFrame_GetCode(f);
    char *path = cpdb_code_path(code);
    char *func = cpdb_frame_funcname(f);
    CpdbBuf b;
    char line[32];
    cpdb_buf_init(&b);
    cpdb_buf_add(&b, "> ");
    cpdb_buf_add(&b, path);
    snprintf(line, sizeof line, "(%d)", PyFrame_GetLineNumber(f));
    cpdb_buf_add(&b, line);
    cpdb_buf_add(&b, func);
    cpdb_buf_add(&b, "()");
    free(func);
    free(path);
    Py_DECREF(code);
    return b.data;
}

static CmdResult
cmd_info_threads(CpdbSession *s, const char *args)
{
    size_t n, i;
    CpdbThreadInfo *list;
    (void)args;
    if (!s->at_stop) {
        cpdb_error(s, "The program is not stopped.");
        return CMD_FAILED;
    }
    list = cpdb_threads_list(s, &n);
    cpdb_out(s, "  Id   Native id  Name             Where\n");
    for (i = 0; i < n; i++) {
        CpdbThreadInfo *t = &list[i];
        char *where = frame_where(t->frame);
        char native[32];
        if (t->native_id != 0) {
            snprintf(native, sizeof native, "%lu", t->native_id);
        }
        else {
            snprintf(native, sizeof native, "?");
        }
        cpdb_out(s, "%s %-4d %-10s %-16s %s%s%s%s\n",
                 t->is_selected ? "*" : " ", t->number, native,
                 t->name ? t->name : "", t->in_c ? "in C: " : "",
                 t->in_c ? t->in_c : "", t->in_c ? ", from " : "",
                 where + (t->in_c ? 2 : 0));    /* no "> " after "from" */
        free(where);
    }
    cpdb_threads_list_free(list, n);
    return CMD_STAY;
}

/* Select thread number and say so, as gdb: "[Switching to thread 2
   ("worker-1")]" and where it is.  Return: CMD_STAY or CMD_FAILED. */
static CmdResult
switch_to(CpdbSession *s, int number, int quiet)
{
    const char *why = NULL;
    char *title;
    if (cpdb_threads_select(s, number, &why) < 0) {
        cpdb_error(s, "%s", why);
        return CMD_FAILED;
    }
    if (quiet) {
        return CMD_STAY;
    }
    title = thread_title(s, number, s->threads.selected);
    cpdb_out(s, "[Switching to %s]\n", title);
    free(title);
    cpdb_cli_print_location(s, NULL);
    return CMD_STAY;
}

/* Parse a thread number.  Return: it, or 0 after an error. */
static int
parse_thread_number(CpdbSession *s, const char *text)
{
    long n;
    if (cpdb_parse_int(text, &n) < 0 || n < 1 || n > 1000000) {
        cpdb_error(s, "Bad thread number \"%s\": a number from \"info "
                   "threads\" is expected.", text);
        return 0;
    }
    return (int)n;
}

static CmdResult cmd_thread_apply(CpdbSession *s, const char *args);

static CmdResult
cmd_thread(CpdbSession *s, const char *args)
{
    const char *p = cpdb_skip_space(args);
    int n;
    if (strncmp(p, "apply", 5) == 0 && (p[5] == ' ' || p[5] == '\0')) {
        return cmd_thread_apply(s, p + 5);
    }
    if (!s->at_stop || s->threads.stopped == 0) {
        cpdb_error(s, "The program is not stopped.");
        return CMD_FAILED;
    }
    if (*p == '\0') {
        int cur = s->threads.selected_number;
        char *title = thread_title(s, cur, s->threads.selected);
        cpdb_out(s, "[Current thread is %d (%s)]\n", cur, title);
        free(title);
        return CMD_STAY;
    }
    if ((n = parse_thread_number(s, p)) == 0) {
        return CMD_FAILED;
    }
    return switch_to(s, n, 0);
}

/* "thread apply all|N... COMMAND": run COMMAND in each thread named, as
   if selected, then select again the thread that was. */
static CmdResult
cmd_thread_apply(CpdbSession *s, const char *args)
{
    const char *p = cpdb_skip_space(args);
    CPDB_ARRAY(int) numbers = {NULL, 0, 0};
    int was = s->threads.selected_number;
    int was_level = s->stack.selected;
    CmdResult r = CMD_STAY;
    size_t i;

    if (!s->at_stop || s->threads.stopped == 0) {
        cpdb_error(s, "The program is not stopped.");
        return CMD_FAILED;
    }
    if (strncmp(p, "all", 3) == 0 && (p[3] == ' ' || p[3] == '\0')) {
        size_t n;
        CpdbThreadInfo *list = cpdb_threads_list(s, &n);
        /* gdb's order: the newest thread first */
        for (i = n; i > 0; i--) {
            cpdb_array_push(&numbers, list[i - 1].number);
        }
        cpdb_threads_list_free(list, n);
        p = cpdb_skip_space(p + 3);
    }
    else {
        while (*p >= '0' && *p <= '9') {
            char *end;
            long v = strtol(p, &end, 10);
            if (v < 1 || v > 1000000) {
                break;
            }
            cpdb_array_push(&numbers, (int)v);
            p = cpdb_skip_space(end);
        }
    }
    if (numbers.n == 0 || *p == '\0') {
        cpdb_error(s, "Usage: thread apply all|N... COMMAND (\"thread "
                   "apply all bt\", say).");
        free(numbers.items);
        return CMD_FAILED;
    }
    for (i = 0; i < numbers.n; i++) {
        char *title;
        if (switch_to(s, numbers.items[i], 1) == CMD_FAILED) {
            r = CMD_FAILED;
            continue;
        }
        title = thread_title(s, numbers.items[i], s->threads.selected);
        cpdb_out(s, "\n%s:\n", title);
        free(title);
        if (cpdb_command_execute(s, p) == CMD_FAILED) {
            r = CMD_FAILED;
        }
        if (cpdb_session_should_resume(s)) {
            break;          /* the command resumed the program */
        }
    }
    free(numbers.items);
    if (!cpdb_session_should_resume(s) && was != 0) {
        switch_to(s, was, 1);
        if (was_level >= 0 && (size_t)was_level < s->stack.n) {
            s->stack.selected = was_level;
        }
    }
    return r;
}

const CmdDef cpdb_cmds_threads[] = {
    {"thread", NULL, CMD_CLASS_STACK, 0, cmd_thread,
     "thread [N | apply all|N... COMMAND]",
     "Select thread N, or say which thread is selected.\n"
     "Numbers come from \"info threads\": 1 is the main thread, the others\n"
     "are numbered as cpdb first sees them, and a number stays with its\n"
     "thread.  \"bt\", \"frame\", \"up\", \"down\", \"print\" and the heap\n"
     "commands then work on that thread's frames; a thread that is not\n"
     "stopped at a trace event is shown where it is (in a C function such\n"
     "as time.sleep, its innermost Python frame).  step, next, finish and\n"
     "until work in the stopped thread only.  $_thread is the selected\n"
     "thread's number.\n"
     "\"thread apply all|N... COMMAND\" runs COMMAND in each thread named,\n"
     "or in every thread (\"thread apply all bt\": every thread's stack,\n"
     "newest thread first, each under a \"Thread N \"name\":\" line); the\n"
     "thread selected before is selected again after.", NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};

const CmdDef cpdb_info_threads_cmds[] = {
    {"threads", NULL, CMD_CLASS_STATUS, 0, cmd_info_threads, "info threads",
     "List the program's Python threads.\n"
     "Each line gives the thread's number (\"*\" marks the selected one),\n"
     "its id in the system, its name, and where it is: the pdb-format\n"
     "location of its innermost Python frame, after \"in C: NAME, from\"\n"
     "when it is in a C function (time.sleep, a lock, a socket).", NULL,
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};
