/* The public API as a host uses it: only <cpdb/cpdb.h> and Python.h,
   a console of its own (buffers; no line is ever read) and front-end
   callbacks of its own.  A script runs to a breakpoint, the host looks
   at the stack, evaluates, runs commands, steps and continues to the
   end; it runs again through until, jump, kill, run and quit; a second
   script ends in post-mortem; the error paths say why.

   Usage: test_api [BACKEND]  (BACKEND as CpdbOptions.backend) */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cpdb/cpdb.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* TAP goes to a copy of the standard output made before the session:
   file descriptor 1 itself is watched for anything the library writes
   there. */
static FILE *tap_out;
#define TAP_OUT tap_out
#include "tap.h"

/* --- the host's console: buffers, and no input -------------------------- */

typedef struct Text {
    char *data;
    size_t len;
} Text;

/* Append len bytes of s, keeping the text NUL-terminated. */
static void
text_add(Text *t, const char *s, size_t len)
{
    char *grown = realloc(t->data, t->len + len + 1);
    if (grown == NULL) {
        abort();
    }
    t->data = grown;
    memcpy(t->data + t->len, s, len);
    t->len += len;
    t->data[t->len] = '\0';
}

/* Forget the text and its storage. */
static void
text_clear(Text *t)
{
    free(t->data);
    t->data = NULL;
    t->len = 0;
}

/* Write text to dir/name.  Return: the path (malloc'd), or NULL. */
static char *
write_script(const char *dir, const char *name, const char *text)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    FILE *f;
    if (path == NULL) {
        return NULL;
    }
    snprintf(path, n, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

typedef struct Host {
    Text out, err;          /* what the session wrote on each stream */
    int n_reads;            /* read_line calls: there must be none */
    Text messages;          /* on_message texts, one a line */
    int n_stops;            /* on_stop calls of the current run */
    int n_post_mortems;
    int n_exits;
    CpdbStopReason exit_reason;
    int exit_status;
    char *script;           /* real path of the script running
                               (malloc'd) */
} Host;

/* The prompt never appears: any call is a failure of the test. */
static char *
host_read_line(void *ctx, const char *prompt)
{
    Host *h = ctx;
    (void)prompt;
    h->n_reads++;
    return NULL;
}

/* The session's text, kept by stream. */
static void
host_write(void *ctx, int stream, const char *text, size_t len)
{
    Host *h = ctx;
    text_add(stream == CPDB_STREAM_ERR ? &h->err : &h->out, text, len);
}

/* --- checks of a stop --------------------------------------------------- */

/* Whether frame level of the stop is at file:line in function. */
static int
frame_is(CpdbSession *s, int level, const char *file, int line,
         const char *function)
{
    CpdbFrameInfo fi;
    int ok = cpdb_stack_frame(s, level, &fi) == CPDB_OK
             && fi.file != NULL && strcmp(fi.file, file) == 0
             && fi.line == line && fi.function != NULL
             && strcmp(fi.function, function) == 0;
    if (!ok) {
        fprintf(tap_out, "#   frame %d is %s:%d in %s\n", level,
                fi.file ? fi.file : "(null)", fi.line,
                fi.function ? fi.function : "(null)");
    }
    cpdb_frame_info_fini(&fi);
    return ok;
}

/* Return: the value of expr in frame level as a C long, or -999. */
static long
eval_long(CpdbSession *s, int level, const char *expr)
{
    PyObject *v = NULL;
    long n = -999;
    if (cpdb_evaluate(s, level, expr, &v) == CPDB_OK && PyLong_Check(v)) {
        n = PyLong_AsLong(v);
    }
    Py_XDECREF(v);
    return n;
}

/* Return: the local name of frame level as a C long, or -999. */
static long
local_long(CpdbSession *s, int level, const char *name)
{
    PyObject *locals = cpdb_stack_locals(s, level);
    PyObject *v = locals ? PyDict_GetItemString(locals, name) : NULL;
    long n = v != NULL && PyLong_Check(v) ? PyLong_AsLong(v) : -999;
    Py_XDECREF(locals);
    return n;
}

/* Whether the captured output of command line holds want. */
static int
command_says(CpdbSession *s, const char *line, int rc_wanted,
             const char *want)
{
    char *text = NULL;
    int rc = cpdb_session_command_output(s, line, &text);
    int ok = rc == rc_wanted && text != NULL && strstr(text, want) != NULL;
    if (!ok) {
        fprintf(tap_out, "#   \"%s\" gave %d and said: %s\n", line, rc,
                text ? text : "(null)");
    }
    cpdb_free(text);
    return ok;
}

/* --- a run ------------------------------------------------------------- */

/* The program ended: how, and with what status. */
static void
host_on_exit(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    Host *h = ctx;
    (void)s;
    h->n_exits++;
    h->exit_reason = stop->reason;
    h->exit_status = stop->exit_status;
}

/* A notice: kept, one a line. */
static void
host_on_message(CpdbSession *s, const char *text, void *ctx)
{
    Host *h = ctx;
    (void)s;
    text_add(&h->messages, text, strlen(text));
    text_add(&h->messages, "\n", 1);
}

/* Write the script name into dir and make it the one the host runs:
   h->script is its real path, the counts start again, and s reports to
   the host's callbacks with cb's stop handlers.  Return: the path as
   written (malloc'd; end_run frees it), or NULL. */
static char *
begin_run(CpdbSession *s, Host *h, const char *dir, const char *name,
          const char *text, CpdbCallbacks cb)
{
    char *path = write_script(dir, name, text);
    h->script = path != NULL ? realpath(path, NULL) : NULL;
    OK(h->script != NULL, "%s written", name);
    if (h->script == NULL) {
        free(path);
        return NULL;
    }
    h->n_stops = h->n_post_mortems = h->n_exits = 0;
    cb.on_exit = host_on_exit;
    cb.on_message = host_on_message;
    cb.ctx = h;
    OK(cpdb_session_set_callbacks(s, &cb) == CPDB_OK, "callbacks set");
    return path;
}

/* The run is over: the script and its path go. */
static void
end_run(Host *h, char *path)
{
    unlink(path);
    free(path);
    free(h->script);
    h->script = NULL;
}

/* --- the first script: breakpoints, stepping, the end -------------------- */

static const char prog_text[] =
    "def add(a, b):\n"              /* 1 */
    "    c = a + b\n"               /* 2 */
    "    return c\n"                /* 3 */
    "\n"                            /* 4 */
    "\n"                            /* 5 */
    "def main():\n"                 /* 6 */
    "    x = 40\n"                  /* 7 */
    "    y = add(x, 2)\n"           /* 8 */
    "    return y\n"                /* 9 */
    "\n"                            /* 10 */
    "\n"                            /* 11 */
    "import sys\n"                  /* 12 */
    "sys.exit(main() - 39)\n";      /* 13: exit status 3 */

/* The first stop: the breakpoint in main, before add is called. */
static void
first_stop(CpdbSession *s, const CpdbStop *stop, Host *h)
{
    CpdbFrameInfo fi;
    PyObject *v = NULL;
    int rc;

    OK(stop->reason == CPDB_STOP_BREAK && stop->breakpoint == 1,
       "stop 1 is breakpoint 1 (reason %d, number %d)", (int)stop->reason,
       stop->breakpoint);
    OK(stop->thread_id == PyThread_get_thread_ident(),
       "the stop names this thread");
    OK(cpdb_stack_depth(s) == 2, "two frames (%d)", cpdb_stack_depth(s));
    OK(frame_is(s, 0, h->script, 8, "main"), "frame 0 is main at line 8");
    OK(frame_is(s, 1, h->script, 13, "<module>"),
       "frame 1 is <module> at line 13");
    rc = cpdb_stack_frame(s, 2, &fi);
    OK(rc == CPDB_E_ARGS && fi.file == NULL,
       "no frame 2: CPDB_E_ARGS (%d)", rc);
    STR_EQ(cpdb_session_errmsg(s),
           "No frame at level 2 (the stack has frames 0 to 1).",
           "the message says which levels there are");

    OK(local_long(s, 0, "x") == 40, "cpdb_stack_locals: x is 40");
    OK(eval_long(s, 0, "x * 2") == 80, "cpdb_evaluate: x * 2 is 80");
    rc = cpdb_evaluate(s, 0, "undefined_name + 1", &v);
    OK(rc == CPDB_E_PYTHON && v == NULL,
       "a NameError gives CPDB_E_PYTHON (%d)", rc);
    STR_EQ(cpdb_session_errmsg(s),
           "NameError: name 'undefined_name' is not defined",
           "the message is the exception line");
    OK(!PyErr_Occurred(), "no exception left pending");
    OK(cpdb_stack_select(s, 1) == 1 && cpdb_stack_selected(s) == 1,
       "frame 1 selected");
    OK(eval_long(s, 0, "x") == 40 && eval_long(s, 1, "len(sys.argv)") == 1,
       "evaluation names its frame whatever is selected");
    OK(command_says(s, "frame", CPDB_OK, "(13)<module>()"),
       "commands act on the selected frame");
    OK(cpdb_stack_select(s, 0) == 0, "frame 0 selected again");

    OK(command_says(s, "bt", CPDB_OK, "#0   main () at "),
       "cpdb_session_command_output(\"bt\") gives the backtrace");
    OK(command_says(s, "bt", CPDB_OK, "#1   <module> () at "),
       "the backtrace has the module frame");
    OK(command_says(s, "frobnicate", CPDB_E_COMMAND,
                    "Undefined command or name: \"frobnicate\".  "
                    "Try \"help\"."),
       "a failed command: CPDB_E_COMMAND, and its error in the output");
    text_clear(&h->out);
    text_clear(&h->err);
    OK(cpdb_session_command(s, "p x + 1") == CPDB_OK && h->out.data != NULL
       && strstr(h->out.data, " = 41\n") != NULL,
       "cpdb_session_command writes on CPDB_STREAM_OUT");
    {
        int failed = cpdb_session_failed_commands(s);
        OK(cpdb_session_command(s, "frobnicate") == CPDB_E_COMMAND
           && h->err.data != NULL
           && strstr(h->err.data, "Undefined command") != NULL,
           "and its errors on CPDB_STREAM_ERR");
        OK(cpdb_session_failed_commands(s) == failed + 1,
           "a failed command is counted");
    }
    OK(cpdb_exec_step(s) == CPDB_OK, "cpdb_exec_step");
}

/* The stops of the first script, in order: what each must be, and how
   the host goes on. */
static void
prog_on_stop(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    Host *h = ctx;
    PyObject *v;
    int n = ++h->n_stops;

    switch (n) {
    case 1:
        first_stop(s, stop, h);
        break;
    case 2:
        OK(stop->reason == CPDB_STOP_CALL && frame_is(s, 0, h->script, 1,
                                                      "add"),
           "step into add: --Call-- at its def line (reason %d)",
           (int)stop->reason);
        OK(cpdb_stack_depth(s) == 3, "three frames");
        cpdb_exec_step(s);
        break;
    case 3:
        OK(stop->reason == CPDB_STOP_STEP
           && frame_is(s, 0, h->script, 2, "add"),
           "step: line 2 of add (reason %d)", (int)stop->reason);
        OK(local_long(s, 0, "a") == 40 && local_long(s, 0, "b") == 2,
           "the arguments are a=40, b=2");
        OK(cpdb_exec_next(s) == CPDB_OK, "cpdb_exec_next");
        break;
    case 4:
        OK(stop->reason == CPDB_STOP_BREAK && stop->breakpoint == 2
           && frame_is(s, 0, h->script, 3, "add"),
           "next: line 3, where breakpoint 2's condition holds "
           "(reason %d, number %d)", (int)stop->reason, stop->breakpoint);
        OK(local_long(s, 0, "c") == 42, "c is 42");
        OK(stop->frame != NULL
           && PyFrame_GetLineNumber((PyFrameObject *)stop->frame) == 3,
           "the stop names its frame, standing at line 3");
        OK(cpdb_exec_finish(s) == CPDB_OK, "cpdb_exec_finish");
        break;
    case 5:
        v = stop->value;
        OK(stop->reason == CPDB_STOP_RETURN && stop->finished
           && v != NULL && PyLong_Check(v) && PyLong_AsLong(v) == 42,
           "finish: --Return-- with the value 42 (reason %d)",
           (int)stop->reason);
        OK(frame_is(s, 0, h->script, 3, "add"), "still in add, line 3");
        cpdb_exec_next(s);
        break;
    case 6:
        OK(stop->reason == CPDB_STOP_STEP
           && frame_is(s, 0, h->script, 9, "main"),
           "next from the return: main's next line, 9 (reason %d)",
           (int)stop->reason);
        OK(local_long(s, 0, "y") == 42, "y is 42");
        OK(cpdb_exec_continue(s) == CPDB_OK, "cpdb_exec_continue");
        break;
    default:
        OK(0, "no stop %d expected (reason %d)", n, (int)stop->reason);
        break;
    }
}

/* --- the first script again: the other resume operations ---------------- */

/* The stops of the second run of the first script. */
static void
resume_on_stop(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    Host *h = ctx;
    CpdbFrameInfo fi;
    int n = ++h->n_stops, rc;

    switch (n) {
    case 1:
        OK(stop->reason == CPDB_STOP_START
           && frame_is(s, 0, h->script, 1, "<module>"),
           "CPDB_RUN_STOP_AT_FIRST: a START stop at line 1 (reason %d)",
           (int)stop->reason);
        text_clear(&h->out);
        OK(cpdb_session_command(s, "next 2") == CPDB_OK,
           "the command \"next 2\"");
        break;
    case 2:
        OK(stop->reason == CPDB_STOP_STEP
           && frame_is(s, 0, h->script, 12, "<module>"),
           "\"next 2\": the host's next stop is two lines on, at 12");
        OK(h->out.data != NULL
           && strstr(h->out.data, "api_prog.py(6)<module>()") != NULL,
           "the stop passed over is shown on CPDB_STREAM_OUT");
        cpdb_exec_continue(s);
        break;
    case 3:
        OK(stop->reason == CPDB_STOP_BREAK && stop->breakpoint == 1,
           "continue: breakpoint 1");
        OK(cpdb_break_delete(s, 2) == CPDB_OK, "breakpoint 2 deleted");
        rc = cpdb_exec_until(s, 8);
        OK(rc == CPDB_E_ARGS, "until the current line: CPDB_E_ARGS (%d, %s)",
           rc, cpdb_session_errmsg(s));
        OK(cpdb_exec_until(s, 0) == CPDB_OK, "cpdb_exec_until");
        break;
    case 4:
        OK(stop->reason == CPDB_STOP_STEP
           && frame_is(s, 0, h->script, 9, "main"),
           "until: line 9 (reason %d)", (int)stop->reason);
        OK(cpdb_exec_jump(s, 7) == CPDB_OK
           && cpdb_stack_frame(s, 0, &fi) == CPDB_OK && fi.line == 7,
           "cpdb_exec_jump to line 7: still stopped, at line 7");
        cpdb_frame_info_fini(&fi);
        /* add has run without stopping: its code must be looked at
           again now that it holds a breakpoint */
        rc = cpdb_break_insert(s, h->script, 2, NULL);
        OK(rc == 4, "a breakpoint in add, set while stopped: 4 (%d)", rc);
        cpdb_exec_continue(s);
        break;
    case 5:
        OK(stop->reason == CPDB_STOP_BREAK && stop->breakpoint == 1
           && frame_is(s, 0, h->script, 8, "main"),
           "after the jump, line 8 runs again: breakpoint 1");
        cpdb_exec_continue(s);
        break;
    case 6:
        OK(stop->reason == CPDB_STOP_BREAK && stop->breakpoint == 4
           && frame_is(s, 0, h->script, 2, "add"),
           "breakpoint 4 in add (reason %d, number %d)", (int)stop->reason,
           stop->breakpoint);
        OK(cpdb_exec_kill(s) == CPDB_OK, "cpdb_exec_kill");
        break;
    case 7:
        OK(stop->reason == CPDB_STOP_START, "a START stop again");
        OK(cpdb_exec_quit(s) == CPDB_OK, "cpdb_exec_quit");
        break;
    default:
        OK(0, "no stop %d expected (reason %d)", n, (int)stop->reason);
        break;
    }
}

/* The killed program is over: start it again. */
static void
resume_on_idle(CpdbSession *s, void *ctx)
{
    Host *h = ctx;
    OK(h->n_exits == 1 && h->exit_reason == CPDB_STOP_KILLED,
       "on_exit: KILLED, then on_idle");
    OK(cpdb_exec_run(s) == CPDB_OK, "cpdb_exec_run starts it again");
}

/* Run the first script from its first line, through "next 2", until,
   jump, kill, run and quit. */
static void
run_resume(CpdbSession *s, Host *h, const char *dir)
{
    CpdbCallbacks cb;
    char *path;
    int rc;

    memset(&cb, 0, sizeof cb);
    cb.on_stop = resume_on_stop;
    cb.on_idle = resume_on_idle;
    if ((path = begin_run(s, h, dir, "api_prog.py", prog_text, cb)) == NULL) {
        return;
    }
    rc = cpdb_run_file(s, path, 0, NULL,
                       CPDB_RUN_STOP_AT_FIRST | CPDB_RUN_KEEP_PROMPT);
    OK(rc == CPDB_E_QUIT, "quit: cpdb_run_file gives CPDB_E_QUIT (%d)", rc);
    OK(h->n_stops == 7, "seven stops (%d)", h->n_stops);
    end_run(h, path);
}

/* --- the second script: an uncaught exception --------------------------- */

static const char boom_text[] =
    "def boom(n):\n"                            /* 1 */
    "    raise ValueError('bad %d' % n)\n"      /* 2 */
    "\n"                                        /* 3 */
    "\n"                                        /* 4 */
    "boom(7)\n";                                /* 5 */

/* The uncaught ValueError: its frames are still there to look at. */
static void
boom_on_post_mortem(CpdbSession *s, const CpdbStop *stop, void *ctx)
{
    Host *h = ctx;
    int rc;
    h->n_post_mortems++;
    OK(stop->reason == CPDB_STOP_POST_MORTEM && stop->value != NULL
       && PyErr_GivenExceptionMatches(stop->value, PyExc_ValueError),
       "post-mortem with the ValueError");
    OK(frame_is(s, 0, h->script, 2, "boom")
       && frame_is(s, 1, h->script, 5, "<module>"),
       "its frames: boom at line 2, <module> at line 5");
    OK(eval_long(s, 0, "n") == 7, "n is 7 in the dead frame");
    rc = cpdb_exec_step(s);
    OK(rc == CPDB_E_STATE && strstr(cpdb_session_errmsg(s), "post-mortem")
       != NULL, "cpdb_exec_step in post-mortem: CPDB_E_STATE (%d, %s)", rc,
       cpdb_session_errmsg(s));
    OK(cpdb_exec_continue(s) == CPDB_OK,
       "cpdb_exec_continue ends the program");
}

/* --- the session --------------------------------------------------------- */

/* Before any program runs: the calls that need a stop say so. */
static void
check_idle_errors(CpdbSession *s)
{
    CpdbFrameInfo fi;
    PyObject *v = NULL;
    int rc;

    STR_EQ(cpdb_session_errmsg(s), "", "no error yet");
    rc = cpdb_exec_step(s);
    OK(rc == CPDB_E_STATE, "cpdb_exec_step without a program: "
       "CPDB_E_STATE (%d)", rc);
    STR_EQ(cpdb_session_errmsg(s), "The program is not being run.",
           "and cpdb_session_errmsg says why");
    OK(cpdb_exec_continue(s) == CPDB_E_STATE
       && cpdb_exec_next(s) == CPDB_E_STATE
       && cpdb_exec_finish(s) == CPDB_E_STATE
       && cpdb_exec_until(s, 0) == CPDB_E_STATE
       && cpdb_exec_jump(s, 3) == CPDB_E_STATE
       && cpdb_exec_kill(s) == CPDB_E_STATE,
       "so do the other resume operations");
    OK(cpdb_stack_depth(s) == 0, "no stack");
    rc = cpdb_stack_frame(s, 0, &fi);
    OK(rc == CPDB_E_STATE && fi.file == NULL,
       "cpdb_stack_frame: CPDB_E_STATE (%d)", rc);
    OK(cpdb_stack_select(s, 0) == CPDB_E_STATE
       && cpdb_stack_selected(s) == CPDB_E_STATE,
       "cpdb_stack_select, cpdb_stack_selected: CPDB_E_STATE");
    v = cpdb_stack_locals(s, 0);
    OK(v == NULL && !PyErr_Occurred(), "cpdb_stack_locals: NULL");
    rc = cpdb_break_here(s);
    OK(rc == CPDB_E_STATE, "cpdb_break_here from C without Python running: "
       "CPDB_E_STATE (%d)", rc);
    OK(eval_long(s, 0, "6 * 7") == 42, "cpdb_evaluate without a stop: "
       "in __main__");
    rc = cpdb_evaluate(s, 0, "1 / 0", &v);
    OK(rc == CPDB_E_PYTHON && v == NULL, "1 / 0: CPDB_E_PYTHON (%d)", rc);
    STR_EQ(cpdb_session_errmsg(s), "ZeroDivisionError: division by zero",
           "the message is the exception line");
    rc = cpdb_evaluate(s, 0, "1 +", &v);
    OK(rc == CPDB_E_PYTHON && strncmp(cpdb_session_errmsg(s),
                                      "SyntaxError: ", 13) == 0,
       "a syntax error: CPDB_E_PYTHON, %s", cpdb_session_errmsg(s));
    OK(!PyErr_Occurred(), "no exception left pending");
    rc = cpdb_break_insert(s, "/nonexistent/nowhere.py", 3, NULL);
    OK(rc == CPDB_E_NOFILE, "a breakpoint in a missing file: "
       "CPDB_E_NOFILE (%d)", rc);
    OK(strstr(cpdb_session_errmsg(s), "nowhere.py") != NULL,
       "the message names it: %s", cpdb_session_errmsg(s));
    OK(cpdb_break_delete(s, 99) == CPDB_E_ARGS, "no breakpoint 99");
    STR_EQ(cpdb_session_errmsg(s), "No breakpoint number 99.",
           "the message says which");
    OK(cpdb_session_command_output(s, "where", NULL) == CPDB_E_ARGS,
       "cpdb_session_command_output needs somewhere to put the text");
}

/* Run the first script to its breakpoints, step through add, and
   continue to the end. */
static void
run_prog(CpdbSession *s, Host *h, const char *dir)
{
    CpdbCallbacks cb;
    char *path;
    int rc;

    memset(&cb, 0, sizeof cb);
    cb.on_stop = prog_on_stop;
    if ((path = begin_run(s, h, dir, "api_prog.py", prog_text, cb)) == NULL) {
        return;
    }
    rc = cpdb_break_insert(s, h->script, 8, NULL);
    OK(rc == 1, "cpdb_break_insert at line 8: breakpoint 1 (%d)", rc);
    rc = cpdb_break_insert(s, h->script, 3, "c ==");
    OK(rc == CPDB_E_PYTHON && strncmp(cpdb_session_errmsg(s),
                                      "Bad condition: SyntaxError", 26) == 0,
       "a bad condition: CPDB_E_PYTHON (%d, %s)", rc,
       cpdb_session_errmsg(s));
    rc = cpdb_break_insert(s, h->script, 3, "c == 42");
    OK(rc == 2, "a conditional breakpoint at line 3: breakpoint 2 (%d)",
       rc);
    rc = cpdb_break_insert(s, h->script, 5, NULL);
    OK(rc == 3, "a breakpoint at a blank line: breakpoint 3 (%d)", rc);
    OK(cpdb_break_delete(s, 3) == CPDB_OK, "deleted");

    rc = cpdb_run_file(s, path, 0, NULL, 0);
    OK(rc == CPDB_OK, "cpdb_run_file: CPDB_OK (%d)", rc);
    OK(h->n_stops == 6, "six stops (%d)", h->n_stops);
    OK(h->n_exits == 1 && h->exit_reason == CPDB_STOP_EXITED
       && h->exit_status == 3,
       "on_exit: EXITED with status 3 (%d calls, reason %d, status %d)",
       h->n_exits, (int)h->exit_reason, h->exit_status);
    OK(cpdb_session_exit_status(s) == 3, "cpdb_session_exit_status: 3");
    OK(cpdb_stack_depth(s) == 0, "no stack after the end");
    OK(cpdb_exec_step(s) == CPDB_E_STATE
       && strcmp(cpdb_session_errmsg(s), "The program is not being run.")
          == 0,
       "cpdb_exec_step after the end: CPDB_E_STATE");
    end_run(h, path);
}

/* Run the second script into post-mortem. */
static void
run_boom(CpdbSession *s, Host *h, const char *dir)
{
    CpdbCallbacks cb;
    char *argv[] = {"one", "two"};
    char *path;
    int rc;

    memset(&cb, 0, sizeof cb);
    cb.on_stop = prog_on_stop;
    cb.on_post_mortem = boom_on_post_mortem;
    if ((path = begin_run(s, h, dir, "api_boom.py", boom_text, cb)) == NULL) {
        return;
    }
    rc = cpdb_run_file(s, path, 2, argv, 0);
    OK(rc == CPDB_OK, "an uncaught exception: cpdb_run_file gives CPDB_OK "
       "(%d)", rc);
    OK(h->n_post_mortems == 1 && h->n_stops == 0,
       "one on_post_mortem and no on_stop");
    OK(h->n_exits == 1 && h->exit_reason == CPDB_STOP_EXITED
       && h->exit_status == 1 && cpdb_session_exit_status(s) == 1,
       "on_exit: EXITED with status 1 (status %d)", h->exit_status);
    end_run(h, path);
}

/* Run a script that is not there. */
static void
run_missing(CpdbSession *s, Host *h)
{
    int rc;
    text_clear(&h->messages);
    rc = cpdb_run_file(s, "/nonexistent/missing.py", 0, NULL, 0);
    OK(rc == CPDB_E_NOFILE, "a missing script: CPDB_E_NOFILE (%d)", rc);
    STR_EQ(cpdb_session_errmsg(s), "Can't open file "
           "'/nonexistent/missing.py': [Errno 2] No such file or directory",
           "cpdb_session_errmsg says why");
    OK(h->messages.data != NULL
       && strstr(h->messages.data, "Can't open file") != NULL,
       "on_message was told too");
}

/* Return: the size of what fd 1 received since it was redirected. */
static long
watched_size(FILE *watch)
{
    fflush(stdout);
    return fseek(watch, 0, SEEK_END) == 0 ? ftell(watch) : -1;
}

/* TAP on the standard output; exit status 1 if a check failed. */
int
main(int argc, char **argv)
{
    CpdbOptions opts;
    CpdbIo io;
    Host host;
    CpdbSession *s;
    char dir[] = "/tmp/cpdb-test-api-XXXXXX";
    FILE *watch = tmpfile();
    int saved_stdout = dup(1);

    tap_out = saved_stdout >= 0 ? fdopen(saved_stdout, "w") : NULL;
    if (tap_out == NULL || watch == NULL || mkdtemp(dir) == NULL) {
        printf("Bail out! cannot set up\n");
        return 1;
    }
    setvbuf(tap_out, NULL, _IOLBF, 0);
    /* Whatever the library writes on file descriptor 1 lands in watch. */
    fflush(stdout);
    dup2(fileno(watch), 1);

    Py_Initialize();
    memset(&opts, 0, sizeof opts);
    opts.quiet = 1;
    opts.no_init_files = 1;
    opts.backend = argc > 1 ? argv[1] : NULL;
    memset(&host, 0, sizeof host);
    io.read_line = host_read_line;
    io.write = host_write;
    io.ctx = &host;
    s = cpdb_session_new_io(&opts, &io);
    OK(s != NULL, "cpdb_session_new_io");
    if (s == NULL) {
        return tap_done();
    }
    OK(cpdb_version() != NULL && *cpdb_version() != '\0',
       "cpdb_version: %s", cpdb_version());

    check_idle_errors(s);
    run_prog(s, &host, dir);
    run_resume(s, &host, dir);
    run_boom(s, &host, dir);
    run_missing(s, &host);

    OK(host.n_reads == 0, "no line was read (%d read_line calls)",
       host.n_reads);
    OK(watched_size(watch) == 0, "nothing written on the standard output");
    cpdb_session_free(s);
    OK(Py_FinalizeEx() == 0, "Python finalizes");
    fflush(stdout);
    dup2(saved_stdout, 1);

    rmdir(dir);
    text_clear(&host.out);
    text_clear(&host.err);
    text_clear(&host.messages);
    return tap_done();
}
