/* The session: settings and state of one debugger, the stop (a prompt
   inside a trace event), post-mortem, and the run loop that starts the
   program again on "run". */
#include "core/session.h"
#include "cli/command.h"
#include "core/eval.h"
#include "core/hooks.h"
#include "cli/output.h"
#include "base/util.h"
#include "cpdb_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void
free_code_info(void *extra)
{
    free(extra);
}

const char *
cpdb_version(void)
{
    return CPDB_VERSION;
}

/* Queue an init file if it is safe to read: owned by us and not
   writable by others (gdb's safe-path rule for ./.gdbinit). */
static void
queue_init_file(CpdbSession *s, const char *path, int check_owner)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        return;
    }
    if (check_owner && (sb.st_uid != getuid() || (sb.st_mode & S_IWOTH))) {
        cpdb_error(s, "Not reading %s: it must be owned by you and not "
                   "writable by others.", path);
        return;
    }
    if (cpdb_repl_queue_file(&s->repl, path) < 0) {
        cpdb_error(s, "Cannot read %s.", path);
    }
}

static void
queue_init_files(CpdbSession *s)
{
    const char *home = getenv("HOME");
    char *home_rc = NULL, *cwd_rc, *real_home = NULL, *real_cwd = NULL;
    s->repl.queue_echo = 0;
    if (home != NULL && *home != '\0') {
        home_rc = cpdb_xasprintf("%s/.cpdbrc", home);
        queue_init_file(s, home_rc, 0);
        real_home = realpath(home_rc, NULL);
    }
    cwd_rc = cpdb_path_absolute(".cpdbrc");
    real_cwd = realpath(cwd_rc, NULL);
    if (real_cwd != NULL
        && (real_home == NULL || strcmp(real_home, real_cwd) != 0)) {
        queue_init_file(s, cwd_rc, 1);
    }
    s->repl.queue_echo = 1;
    free(home_rc);
    free(cwd_rc);
    free(real_home);
    free(real_cwd);
}

/* A private copy of a standard stream (see CpdbSession.in). */
static FILE *
dup_stream(int fd, const char *mode, FILE *fallback)
{
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    FILE *f = copy >= 0 ? fdopen(copy, mode) : NULL;
    if (f == NULL) {
        if (copy >= 0) {
            close(copy);
        }
        return fallback;
    }
    return f;
}

static void
close_stream(FILE *f)
{
    if (f != NULL && f != stdin && f != stdout && f != stderr) {
        fclose(f);
    }
}

CpdbSession *
cpdb_session_new(const CpdbOptions *opts)
{
    CpdbSession *s = cpdb_xcalloc(1, sizeof *s);
    if (opts != NULL) {
        s->opts = *opts;
    }
    fflush(stdout);
    s->in = dup_stream(STDIN_FILENO, "r", stdin);
    s->out = dup_stream(STDOUT_FILENO, "w", stdout);
    s->err = dup_stream(STDERR_FILENO, "w", stderr);
    setvbuf(s->out, NULL, _IOLBF, 0);
    setvbuf(s->err, NULL, _IONBF, 0);
    if (!isatty(fileno(s->in))) {
        /* Read commands from a pipe byte by byte, so that what follows a
           command stays in the pipe for the program's own reads. */
        setvbuf(s->in, NULL, _IONBF, 0);
    }
    s->set.width = 80;
    s->set.listsize = 10;
    s->set.print_limit = 4000;
    s->set.color = 1;
    s->exit_status = -1;
    s->next_display = 1;
    s->heap.stop_serial = -1;
    cpdb_repl_init(&s->repl, fileno(s->in));
    cpdb_bp_table_init(&s->bps);
    cpdb_step_init(&s->step);
    s->backend = cpdb_trace_default();
    {
        /* CPDB_BACKEND picks another backend for the whole session (the
           test suite runs once with each); "set backend" at the prompt
           does it for one. */
        const char *name = getenv("CPDB_BACKEND");
        const CpdbTraceBackend *b = name ? cpdb_trace_find(name) : NULL;
        if (b != NULL && cpdb_trace_available(b)) {
            s->backend = b;
        }
    }
    s->history = PyList_New(0);
    s->kill_exc = PyErr_NewException("cpdb.Kill", PyExc_BaseException,
                                     NULL);
    s->code_extra = cpdb_code_extra_index(free_code_info);
    s->trace_marker = cpdb_step_new_marker();
    if (s->history == NULL || s->kill_exc == NULL || s->code_extra < 0
        || s->trace_marker == NULL) {
        PyErr_Clear();
        cpdb_session_free(s);
        return NULL;
    }
    if (isatty(fileno(s->out))) {
        const char *cols = getenv("COLUMNS");
        long c;
        if (cols != NULL && cpdb_parse_int(cols, &c) == 0 && c > 20) {
            s->set.width = c;
        }
    }
    if (!s->opts.no_init_files) {
        queue_init_files(s);
    }
    return s;
}

void
cpdb_session_free(CpdbSession *s)
{
    int i;
    if (s == NULL) {
        return;
    }
    if (s->tracing) {
        s->backend->stop(s);
    }
    cpdb_stack_clear(s);
    cpdb_heap_clear(&s->heap);
    Py_CLEAR(s->stop_value);
    cpdb_step_fini(&s->step);
    cpdb_bp_table_fini(&s->bps);
    for (i = 0; i < s->n_files; i++) {
        free(s->files[i]);
    }
    free(s->files);
    cpdb_source_cache_fini(&s->sources);
    for (i = 0; i < s->n_displays; i++) {
        free(s->displays[i].expr);
        Py_XDECREF(s->displays[i].code);
    }
    free(s->displays);
    free(s->list_path);
    cpdb_program_fini(&s->prog);
    cpdb_repl_fini(&s->repl);
    Py_XDECREF(s->history);
    Py_XDECREF(s->kill_exc);
    Py_XDECREF(s->trace_marker);
    if (s->out != NULL) {
        fflush(s->out);
    }
    close_stream(s->in);
    close_stream(s->out);
    close_stream(s->err);
    free(s);
}

int
cpdb_session_queue_command(CpdbSession *s, const char *line)
{
    if (s == NULL || line == NULL) {
        return CPDB_E_ARGS;
    }
    cpdb_repl_queue(&s->repl, line);
    return CPDB_OK;
}

int
cpdb_session_queue_file(CpdbSession *s, const char *path)
{
    if (s == NULL || path == NULL) {
        return CPDB_E_ARGS;
    }
    if (cpdb_repl_queue_file(&s->repl, path) < 0) {
        cpdb_error(s, "Cannot read command file \"%s\".", path);
        return CPDB_E_NOFILE;
    }
    return CPDB_OK;
}

int
cpdb_session_command(CpdbSession *s, const char *line)
{
    if (s == NULL || line == NULL) {
        return CPDB_E_ARGS;
    }
    return cpdb_command_execute(s, line) == CMD_FAILED ? CPDB_E_COMMAND
                                                       : CPDB_OK;
}

int
cpdb_session_exit_status(const CpdbSession *s)
{
    return s->exit_status;
}

int
cpdb_session_failed_commands(const CpdbSession *s)
{
    return s->n_failed;
}

int
cpdb_session_raise_kill(CpdbSession *s)
{
    PyErr_SetString(s->kill_exc, "the debugger ended the program");
    return -1;
}

void
cpdb_session_refresh_trace(CpdbSession *s)
{
    PyFrameObject *top = NULL;
    if (!s->tracing || s->state != CPDB_PROG_RUNNING) {
        return;
    }
    if (s->at_stop && s->stack.n > 0) {
        top = s->stack.items[0].frame;
    }
    else {
        top = PyEval_GetFrame();                        /* borrowed */
    }
    if (top != NULL) {
        s->backend->refresh(s, top);
    }
}

void
cpdb_session_program_ended(CpdbSession *s, int status)
{
    s->exit_status = status;
    cpdb_out_sync(s);
    cpdb_out(s, "Program exited with status %d.\n", status);
}

/* --- what a stop shows -------------------------------------------------- */

void
cpdb_session_print_location(CpdbSession *s, const char *suffix)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    PyCodeObject *code;
    char *path, *func;
    const char *line;

    if (e == NULL) {
        return;
    }
    code = PyFrame_GetCode(e->frame);
    path = cpdb_code_path(code);
    func = cpdb_frame_funcname(e->frame);
    cpdb_out(s, "> %s(%d)%s()%s\n", path, e->lineno, func,
             suffix ? suffix : "");
    line = cpdb_source_line(s, path, e->lineno);
    if (line != NULL) {
        char *stripped = cpdb_strip_dup(line);
        cpdb_out(s, "-> %s\n", stripped);
        free(stripped);
    }
    free(func);
    free(path);
    Py_DECREF(code);
}

void
cpdb_session_show_display(CpdbSession *s, const CpdbDisplay *d)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    PyObject *v = cpdb_eval_code(s, e ? e->frame : NULL, d->code);
    char *text;
    if (v == NULL) {
        char *why = cpdb_exc_take_line();
        text = cpdb_xasprintf("<error: %s>", why);
        free(why);
    }
    else {
        text = cpdb_repr(v, s->set.print_limit);
        Py_DECREF(v);
    }
    cpdb_out(s, "%d: %s = %s\n", d->number, d->expr, text);
    free(text);
}

void
cpdb_session_show_displays(CpdbSession *s)
{
    int i;
    for (i = 0; i < s->n_displays; i++) {
        if (s->displays[i].enabled) {
            cpdb_session_show_display(s, &s->displays[i]);
        }
    }
}

static void
print_stop_header(CpdbSession *s, CpdbStopReason reason, int bp,
                  PyObject *value)
{
    CpdbFrameEntry *e = cpdb_stack_selected(s);
    switch (reason) {
    case CPDB_STOP_BREAK:
    case CPDB_STOP_BREAK_TEMP: {
        PyCodeObject *code = PyFrame_GetCode(e->frame);
        char *path = cpdb_code_path(code);
        char *func = cpdb_frame_funcname(e->frame);
        char *args = cpdb_frame_args(s, e->frame);
        int color = cpdb_out_color(s);
        cpdb_out(s, "%s%sreakpoint %d%s, %s (%s) at %s:%d\n",
                 color ? "\033[1m" : "",
                 reason == CPDB_STOP_BREAK_TEMP ? "Temporary b" : "B", bp,
                 color ? "\033[0m" : "", func, args, path, e->lineno);
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
        if (value != NULL) {
            /* As pdb: the StopIteration of a finished generator, which
               has no traceback, is "internal". */
            PyObject *tb = PyException_GetTraceback(value);
            char *line = cpdb_exc_line(value);
            int internal = (tb == NULL || tb == Py_None)
                && Py_TYPE(value) == (PyTypeObject *)PyExc_StopIteration;
            cpdb_out(s, "%s%s\n", internal ? "Internal " : "", line);
            Py_XDECREF(tb);
            free(line);
        }
        break;
    case CPDB_STOP_INTERRUPT:
        cpdb_out(s, "Program received signal SIGINT, Interrupt.\n");
        break;
    default:
        break;
    }
}

static void
print_stop(CpdbSession *s, CpdbStopReason reason, int bp, PyObject *value)
{
    char *suffix = NULL;
    print_stop_header(s, reason, bp, value);
    if (reason == CPDB_STOP_RETURN && value != NULL) {
        char *r = cpdb_repr(value, s->set.width > 40 ? s->set.width / 2 : 40);
        suffix = cpdb_xasprintf("->%s", r);
        free(r);
    }
    cpdb_session_print_location(s, suffix);
    free(suffix);
    if (reason == CPDB_STOP_RETURN && value != NULL && s->step.finishing) {
        long n = cpdb_history_add(s, value);
        char *r = cpdb_repr(value, s->set.print_limit);
        cpdb_out(s, "Value returned is $%ld = %s\n", n, r);
        free(r);
    }
    cpdb_session_show_displays(s);
}

static void prompt_commands(CpdbSession *s);

/* While the prompt is up, the collector does not run by itself: cpdb's
   own allocations would otherwise set off collections of the program's
   heap, freeing the very garbage being looked at (and taking seconds on
   big heaps).  Python run at the prompt sees the program's setting
   (cpdb_session_gc_program / cpdb_session_gc_debugger). */
static void
gc_pause(CpdbSession *s)
{
    if (s->gc_pause_depth++ == 0) {
        s->gc_paused = PyGC_Disable();
    }
}

static void
gc_resume(CpdbSession *s)
{
    if (--s->gc_pause_depth == 0 && s->gc_paused) {
        PyGC_Enable();
        s->gc_paused = 0;
    }
}

void
cpdb_session_gc_program(CpdbSession *s)
{
    if (s->gc_paused) {
        PyGC_Enable();
    }
}

void
cpdb_session_gc_debugger(CpdbSession *s)
{
    if (s->gc_paused) {
        /* the program's code may have turned it off: then it stays off */
        s->gc_paused = PyGC_Disable();
    }
}

int
cpdb_session_gc_enabled(CpdbSession *s)
{
    return s->gc_paused || PyGC_IsEnabled();
}

/* Read and run commands until one resumes the program or asks to
   unwind it; end of input asks to quit. */
static void
prompt_loop(CpdbSession *s)
{
    gc_pause(s);
    prompt_commands(s);
    gc_resume(s);
}

static void
prompt_commands(CpdbSession *s)
{
    for (;;) {
        char *line, *stripped;
        CmdResult r;

        cpdb_out_sync(s);
        line = cpdb_repl_read(s, "(cpdb) ");
        if (line == NULL) {
            s->request = CPDB_REQ_QUIT;
            return;
        }
        stripped = cpdb_strip_dup(line);
        free(line);
        r = cpdb_command_execute(s, stripped);
        free(stripped);
        if (r == CMD_FAILED) {
            s->n_failed++;
        }
        if (r == CMD_RESUME || s->request != CPDB_REQ_NONE) {
            return;
        }
    }
}

/* Whether this stop only counts down a "step N" / "next N". */
static int
pass_repeated_stop(CpdbSession *s, PyFrameObject *frame,
                   CpdbStopReason reason)
{
    CpdbStepper *st = &s->step;
    if (st->repeat <= 0) {
        return 0;
    }
    if (reason == CPDB_STOP_BREAK || reason == CPDB_STOP_BREAK_TEMP
        || reason == CPDB_STOP_INTERRUPT) {
        st->repeat = 0;
        return 0;
    }
    st->repeat--;
    if (st->kind == STOP_ANYWHERE) {
        cpdb_step_set_step(s);
    }
    else {
        cpdb_step_set_next(s, frame);
    }
    return 1;
}

int
cpdb_session_stop(CpdbSession *s, PyFrameObject *frame,
                  CpdbStopReason reason, int bp, PyObject *value)
{
    CpdbExcState st;
    long repeat = s->step.repeat;

    if (s->busy || s->at_stop) {
        return 0;
    }
    cpdb_exc_save(&st);
    gc_pause(s);                /* before cpdb makes any object */
    s->at_stop = 1;
    s->stop_serial++;
    s->stop_reason = reason;
    s->stop_bp = bp;
    cpdb_stack_from_frame(s, frame);
    cpdb_step_mark_stack(s);
    if (reason == CPDB_STOP_BREAK_TEMP) {
        cpdb_bp_delete(s, bp);      /* after marking: it counted */
    }
    Py_XSETREF(s->stop_value, Py_XNewRef(value));
    cpdb_out_sync(s);
    if (repeat > 0 && pass_repeated_stop(s, frame, reason)) {
        print_stop(s, reason, bp, value);
    }
    else {
        s->step.repeat = 0;
        print_stop(s, reason, bp, value);
        prompt_loop(s);
    }
    s->at_stop = 0;
    cpdb_heap_forget(s);
    cpdb_stack_clear(s);
    Py_CLEAR(s->stop_value);
    cpdb_out_sync(s);
    gc_resume(s);
    cpdb_exc_restore(&st);
    if (s->request != CPDB_REQ_NONE) {
        return cpdb_session_raise_kill(s);
    }
    return 0;
}

CpdbRunOutcome
cpdb_session_post_mortem(CpdbSession *s, PyObject *exc)
{
    PyObject *tb = PyException_GetTraceback(exc);
    if (tb == NULL || tb == Py_None) {
        Py_XDECREF(tb);
        return CPDB_RUN_EXITED;
    }
    s->state = CPDB_PROG_POST_MORTEM;
    cpdb_stack_from_traceback(s, tb);
    Py_DECREF(tb);
    Py_XSETREF(s->stop_value, Py_NewRef(exc));
    s->stop_reason = CPDB_STOP_POST_MORTEM;
    s->stop_serial++;
    cpdb_out_sync(s);
    cpdb_out(s, "Uncaught exception. Entering post mortem debugging "
             "(\"continue\" ends the program).\n");
    cpdb_session_print_location(s, NULL);
    s->at_stop = 1;
    prompt_loop(s);
    s->at_stop = 0;
    cpdb_heap_forget(s);
    cpdb_stack_clear(s);
    Py_CLEAR(s->stop_value);
    s->state = CPDB_PROG_IDLE;
    if (s->request == CPDB_REQ_RUN || s->request == CPDB_REQ_QUIT) {
        return CPDB_RUN_KILLED;
    }
    s->request = CPDB_REQ_NONE;
    return CPDB_RUN_EXITED;
}

void
cpdb_session_idle_prompt(CpdbSession *s)
{
    s->request = CPDB_REQ_NONE;
    prompt_loop(s);
}

/* --- running ------------------------------------------------------------ */

/* Run the program, and again on "run", until the user quits or input
   ends; with KEEP_PROMPT the prompt stays after the program ends. */
static int
run_loop(CpdbSession *s, unsigned flags)
{
    int started_once = 0;
    for (;;) {
        int status = 0;
        CpdbRunOutcome outcome;

        CpdbHooks hooks;
        cpdb_hooks_install(s, &hooks);
        outcome = cpdb_program_run(s, &status, flags);
        cpdb_hooks_remove(s, &hooks);
        if (outcome == CPDB_RUN_NOT_STARTED) {
            if (!started_once && status != 0) {
                s->exit_status = status;
                return CPDB_E_NOFILE;
            }
        }
        else if (outcome == CPDB_RUN_EXITED && s->detached) {
            /* A child the program forked reached the end of the main
               code: it ends as it would under python3, without a word. */
            s->exit_status = status;
            return CPDB_E_QUIT;
        }
        else if (outcome == CPDB_RUN_EXITED) {
            cpdb_session_program_ended(s, status);
        }
        started_once = 1;
        if (outcome == CPDB_RUN_KILLED && s->request == CPDB_REQ_KILL) {
            cpdb_out_sync(s);
            cpdb_out(s, "Program killed.\n");
        }
        if (s->request == CPDB_REQ_QUIT) {
            return CPDB_E_QUIT;
        }
        if (s->request != CPDB_REQ_RUN) {
            if (!(flags & CPDB_RUN_KEEP_PROMPT)) {
                return CPDB_OK;
            }
            cpdb_session_idle_prompt(s);
            if (s->request != CPDB_REQ_RUN) {
                return CPDB_E_QUIT;
            }
        }
        s->request = CPDB_REQ_NONE;
    }
}

int
cpdb_run_file(CpdbSession *s, const char *path, int argc,
              char *const argv[], unsigned flags)
{
    if (s == NULL || path == NULL || argc < 0) {
        return CPDB_E_ARGS;
    }
    cpdb_program_set(&s->prog, CPDB_PROG_FILE, path, argc, argv);
    return run_loop(s, flags);
}

int
cpdb_run_module(CpdbSession *s, const char *module, int argc,
                char *const argv[], unsigned flags)
{
    if (s == NULL || module == NULL || argc < 0) {
        return CPDB_E_ARGS;
    }
    cpdb_program_set(&s->prog, CPDB_PROG_MODULE, module, argc, argv);
    return run_loop(s, flags);
}

int
cpdb_break_insert(CpdbSession *s, const char *file, int line,
                  const char *cond)
{
    char *cmd;
    int before, rc;
    if (s == NULL || file == NULL || line < 1) {
        return CPDB_E_ARGS;
    }
    cmd = cond ? cpdb_xasprintf("break %s:%d if %s", file, line, cond)
               : cpdb_xasprintf("break %s:%d", file, line);
    before = s->bps.next_number;
    rc = cpdb_session_command(s, cmd);
    free(cmd);
    if (rc < 0) {
        return rc;
    }
    return s->bps.next_number > before ? before : CPDB_E_COMMAND;
}

int
cpdb_break_here(CpdbSession *s)
{
    PyFrameObject *frame = PyEval_GetFrame();           /* borrowed */
    int rc;
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    if (frame == NULL) {
        return CPDB_E_STATE;
    }
    if (!s->tracing) {
        if (s->backend->start(s) < 0) {
            PyErr_Clear();
            return CPDB_E_PYTHON;
        }
        s->tracing = 1;
        s->state = CPDB_PROG_RUNNING;
    }
    rc = cpdb_session_stop(s, frame, CPDB_STOP_HERE, 0, NULL);
    if (rc < 0) {
        PyErr_Clear();
        return CPDB_E_QUIT;
    }
    return CPDB_OK;
}
