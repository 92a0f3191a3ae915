/* The prompt: the front-end a terminal user gets.  It implements the
   session's callbacks: a stop is shown in pdb's format (which editors
   read), then commands are read and run until one chooses how the
   program goes on; "step N" shows N-1 stops without a prompt. */
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/user.h"
#include "core/eval.h"
#include "core/frames.h"
#include "core/session.h"
#include "core/source.h"
#include "core/watch.h"
#include "base/text.h"

#include <stdlib.h>
#include <string.h>

/* --- what a stop shows -------------------------------------------------- */

/* gdb's report of a watchpoint: its expression and both values, or
   that it was deleted when its frame returned. */
static void
print_watch_header(CpdbSession *s, const CpdbStop *stop)
{
    CpdbBreakpoint *bp = cpdb_bp_find(&s->bps, stop->breakpoint);
    char *old, *now;
    if (stop->reason == CPDB_STOP_WATCH_SCOPE || bp == NULL
        || bp->watch == NULL) {
        cpdb_out(s, CPDB_WATCH_GONE_TEXT "\n", stop->breakpoint);
        return;
    }
    old = stop->old_value != NULL
          ? cpdb_repr(stop->old_value, s->cli->set.print_limit)
          : cpdb_xstrdup("<no value>");
    now = stop->value != NULL
          ? cpdb_repr(stop->value, s->cli->set.print_limit)
          : cpdb_xasprintf("<no value: %s>", bp->watch->error);
    cpdb_out(s, "Watchpoint %d: %s\nOld value = %s\nNew value = %s\n",
             stop->breakpoint, bp->watch->expr, old, now);
    free(old);
    free(now);
}

static void
print_stop_header(CpdbSession *s, const CpdbStop *stop)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
    switch (stop->reason) {
    case CPDB_STOP_BREAK:
    case CPDB_STOP_BREAK_TEMP: {
        PyCodeObject *code = PyFrame_GetCode(e->frame);
        char *path = cpdb_code_path(code);
        char *func = cpdb_frame_funcname(e->frame);
        char *args = cpdb_frame_args(e->frame, cpdb_cli_arg_width(s));
        int color = cpdb_out_color(s);
        cpdb_out(s, "%s%sreakpoint %d%s, %s (%s) at %s:%d\n",
                 color ? "\033[1m" : "",
                 stop->reason == CPDB_STOP_BREAK_TEMP ? "Temporary b" : "B",
                 stop->breakpoint, color ? "\033[0m" : "", func, args, path,
                 e->lineno);
        free(args);
        free(func);
        free(path);
        Py_DECREF(code);
        break;
    }
    case CPDB_STOP_CALL:
        cpdb_out(s, "--Call--\n");
        break;
    case CPDB_STOP_RETURN:
        cpdb_out(s, "--Return--\n");
        break;
    case CPDB_STOP_EXCEPTION:
        if (stop->value != NULL) {
            /* As pdb: the StopIteration of a finished generator, which
               has no traceback, is "internal". */
            PyObject *tb = PyException_GetTraceback(stop->value);
            char *line = cpdb_exc_line(stop->value);
            int internal = (tb == NULL || tb == Py_None)
                && Py_TYPE(stop->value)
                   == (PyTypeObject *)PyExc_StopIteration;
            cpdb_out(s, "%s%s\n", internal ? "Internal " : "", line);
            Py_XDECREF(tb);
            free(line);
        }
        break;
    case CPDB_STOP_CATCH:
        if (stop->value != NULL) {
            char *line = cpdb_exc_line(stop->value);
            cpdb_out(s, "Catchpoint %d (raise), %s\n", stop->breakpoint,
                     line);
            free(line);
        }
        break;
    case CPDB_STOP_INTERRUPT:
        /* The engine said so when the signal came (on_message). */
        break;
    case CPDB_STOP_ATTACHED:
        cpdb_out(s, "Every thread is in C code (sleeping or waiting); the "
                 "stack is thread %d's. \"next\" stops at the next line "
                 "any thread runs, \"continue\" lets them run.\n",
                 s->threads.stopped_number);
        break;
    case CPDB_STOP_WATCH:
    case CPDB_STOP_WATCH_SCOPE:
        print_watch_header(s, stop);
        break;
    default:
        break;
    }
}

static void
print_stop(CpdbSession *s, const CpdbStop *stop)
{
    long width = s->cli->set.width;
    char *suffix = cpdb_cli_return_suffix(s, width > CPDB_WIDTH_VALUE
                                             ? width / 2 : CPDB_WIDTH_VALUE);
    cpdb_cli_print_thread_line(s, stop);
    print_stop_header(s, stop);
    cpdb_cli_print_location(s, suffix);
    free(suffix);
    if (stop->reason == CPDB_STOP_RETURN && stop->value != NULL
        && stop->finished) {
        long n = cpdb_history_add(s, stop->value);
        char *r = cpdb_repr(stop->value, s->cli->set.print_limit);
        cpdb_out(s, "Value returned is $%ld = %s\n", n, r);
        free(r);
    }
    cpdb_cli_show_displays(s);
}

/* --- the prompt ---------------------------------------------------------- */

/* Read and run commands until one chooses how the program goes on, or
   asks to end or restart it; end of input quits. */
static void
prompt_loop(CpdbSession *s)
{
    while (!cpdb_session_should_resume(s)) {
        char *line, *stripped;
        cpdb_out_sync(s);
        line = cpdb_cli_read(s, "(cpdb) ");
        if (line == NULL) {
            cpdb_exec_quit(s);
            return;
        }
        stripped = cpdb_strip_dup(line);
        free(line);
        if (cpdb_command_execute(s, stripped) == CMD_FAILED) {
            s->cli->n_failed++;
        }
        free(stripped);
    }
}

/* Whether this stop only counts down a "step N" / "next N": then it is
   shown, and the same command goes on. */
static int
pass_repeated_stop(CpdbSession *s, const CpdbStop *stop)
{
    CpdbCli *c = s->cli;
    if (c->repeat <= 0) {
        return 0;
    }
    if (stop->reason == CPDB_STOP_BREAK
        || stop->reason == CPDB_STOP_BREAK_TEMP
        || stop->reason == CPDB_STOP_INTERRUPT
        || stop->reason == CPDB_STOP_ATTACHED
        || stop->reason == CPDB_STOP_WATCH
        || stop->reason == CPDB_STOP_WATCH_SCOPE
        || stop->reason == CPDB_STOP_CATCH) {
        c->repeat = 0;
        return 0;
    }
    c->repeat--;
    print_stop(s, stop);
    if (c->repeat_next) {
        cpdb_exec_next(s);
    }
    else {
        cpdb_exec_step(s);
    }
    return 1;
}

static void
prompt_on_stop(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    (void)ctx;
    cpdb_out_sync(s);
    if (s->cli->restore.n > 0) {
        cpdb_cli_restore_commands(s);   /* after a restart: first stop */
    }
    if (stop->condition_error != NULL) {
        cpdb_error(s, "%s", stop->condition_error);
    }
    if (!pass_repeated_stop(s, stop)) {
        /* --- a breakpoint's commands (cmd_commands.c) --- */
        int bp = stop->reason == CPDB_STOP_BREAK
                 || stop->reason == CPDB_STOP_BREAK_TEMP
                 || stop->reason == CPDB_STOP_CATCH
                 ? stop->breakpoint : 0;
        s->cli->repeat = 0;
        if (bp == 0 || !cpdb_bp_commands_silent(s, bp)) {
            print_stop(s, stop);
        }
        if (bp == 0 || !cpdb_bp_commands_run(s, bp)) {
            prompt_loop(s);
        }
    }
    cpdb_out_sync(s);
}

/* A host's stops: those "step N" passes over are shown here, after what
   the program wrote (as the prompt shows them); the rest are the
   host's. */
void
cpdb_cli_host_on_stop(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    cpdb_out_sync(s);
    if (!pass_repeated_stop(s, stop)) {
        s->cli->repeat = 0;
        s->cli->host_on_stop(s, stop, ctx);
    }
}

static void
prompt_on_post_mortem(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    (void)ctx;
    cpdb_out_sync(s);
    if (stop->reason == CPDB_STOP_TRACEBACK) {
        if (stop->value != NULL) {
            char *line = cpdb_exc_line(stop->value);
            cpdb_out(s, "%s\n", line);
            free(line);
        }
        cpdb_out(s, "Post mortem debugging of a traceback (\"continue\" "
                 "returns to the program).\n");
    }
    else {
        cpdb_out(s, "Uncaught exception. Entering post mortem debugging "
                 "(\"continue\" %s).\n", s->opts.attached
                 ? "lets it end the thread, as without cpdb"
                 : "ends the program");
    }
    cpdb_cli_print_location(s, NULL);
    prompt_loop(s);
}

static void
prompt_on_exit(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    (void)ctx;
    cpdb_out_sync(s);
    if (stop->reason == CPDB_STOP_KILLED) {
        cpdb_out(s, "Program killed.\n");
    }
    else {
        cpdb_out(s, "Program exited with status %d.\n", stop->exit_status);
    }
}

static void
prompt_on_idle(CpdbSession *s, void *ctx)
{
    (void)ctx;
    prompt_loop(s);
}

static void
prompt_on_message(CpdbSession *s, const char *text, void *ctx)
{
    (void)ctx;
    cpdb_error(s, "%s", text);
}

void
cpdb_cli_callbacks(CpdbCallbacks *cb, CpdbSession *s)
{
    (void)s;
    cb->on_stop = prompt_on_stop;
    cb->on_post_mortem = prompt_on_post_mortem;
    cb->on_exit = prompt_on_exit;
    cb->on_idle = prompt_on_idle;
    cb->on_message = prompt_on_message;
    cb->ctx = NULL;
}
