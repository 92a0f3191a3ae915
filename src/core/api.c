/* The public functions the engine answers itself (include/cpdb/cpdb.h):
   running, resuming, the stopped thread's frames, evaluation and
   breakpoints.  Each checks its arguments and the program's state, and
   says why it failed through cpdb_session_errmsg(). */
#include "cpdb/cpdb.h"
#include "core/eval.h"
#include "core/frames.h"
#include "core/resolve.h"
#include "core/session.h"
#include "base/text.h"
#include "base/util.h"
#include "cpdb_config.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

const char *
cpdb_version(void)
{
    return CPDB_VERSION;
}

const char *
cpdb_session_errmsg(const CpdbSession *s)
{
    return s != NULL && s->errmsg != NULL ? s->errmsg : "";
}

void
cpdb_free(void *p)
{
    free(p);
}

int
cpdb_session_exit_status(const CpdbSession *s)
{
    return s != NULL ? s->exit_status : -1;
}

int
cpdb_session_exit_signal(const CpdbSession *s)
{
    return s != NULL && s->exit_sigint && s->exit_status == 128 + SIGINT
           ? SIGINT : 0;
}

/* --- running ------------------------------------------------------------ */

int
cpdb_run_file(CpdbSession *s, const char *path, int argc,
              char *const argv[], unsigned flags)
{
    if (s == NULL || path == NULL || argc < 0 || (argc > 0 && argv == NULL)) {
        return CPDB_E_ARGS;
    }
    cpdb_program_set(&s->prog, CPDB_PROG_FILE, path, argc, argv);
    return cpdb_session_run(s, flags);
}

int
cpdb_run_module(CpdbSession *s, const char *module, int argc,
                char *const argv[], unsigned flags)
{
    if (s == NULL || module == NULL || argc < 0
        || (argc > 0 && argv == NULL)) {
        return CPDB_E_ARGS;
    }
    cpdb_program_set(&s->prog, CPDB_PROG_MODULE, module, argc, argv);
    return cpdb_session_run(s, flags);
}

int
cpdb_break_here(CpdbSession *s)
{
    PyFrameObject *frame = PyEval_GetFrame();           /* borrowed */
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    if (frame == NULL) {
        return cpdb_session_fail(s, CPDB_E_STATE, "No Python frame runs "
                                 "in this thread.");
    }
    if (!s->tracing) {
        if (s->backend->start(&s->trace) < 0) {
            char *why = cpdb_exc_take_line();
            cpdb_session_fail(s, CPDB_E_PYTHON, "Cannot start tracing: %s",
                              why);
            free(why);
            return CPDB_E_PYTHON;
        }
        s->tracing = 1;
        s->state = CPDB_PROG_RUNNING;
    }
    if (cpdb_session_stop(s, frame, CPDB_STOP_HERE, 0, NULL, NULL) < 0) {
        PyErr_Clear();
        return CPDB_E_QUIT;
    }
    return CPDB_OK;
}

/* --- resuming ------------------------------------------------------------ */

/* The program must be stopped at a live frame. */
static int
require_live(CpdbSession *s)
{
    const char *why;
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    why = cpdb_session_live_error(s);
    if (why != NULL) {
        return cpdb_session_fail(s, CPDB_E_STATE, "%s", why);
    }
    return CPDB_OK;
}

/* And, to step, in the stopped thread's frames: stepping follows the
   thread that stopped (the others are not at a trace event). */
static int
require_stopped_thread(CpdbSession *s)
{
    int rc = require_live(s);
    if (rc < 0) {
        return rc;
    }
    if (s->threads.selected != s->threads.stopped) {
        return cpdb_session_fail(s, CPDB_E_STATE, "Another thread is "
                                 "selected: step, next, finish, until and "
                                 "jump work in the stopped one (\"thread "
                                 "%d\" selects it again).",
                                 s->threads.stopped_number);
    }
    return CPDB_OK;
}

static int
resumed(CpdbSession *s)
{
    s->resumed = 1;
    return CPDB_OK;
}

/* At the stop made when every thread was in C (attached), no thread is
   at a trace event: step and next stop at the next line any thread
   runs; finish and until have no frame to follow.  Return: 1 when that
   stop is the current one (*rc is the answer), else 0. */
static int
attached_step(CpdbSession *s, int can, int *rc)
{
    if (s == NULL || !s->at_stop || s->stop_reason != CPDB_STOP_ATTACHED) {
        return 0;
    }
    if (!can) {
        *rc = cpdb_session_fail(s, CPDB_E_STATE, "Every thread is in C "
                                "code: no Python frame runs to follow. "
                                "\"step\" or \"next\" stops at the next "
                                "line any thread runs.");
        return 1;
    }
    cpdb_step_set_continue(s);
    cpdb_attach_interrupt(s);
    *rc = resumed(s);
    return 1;
}

int
cpdb_exec_continue(CpdbSession *s)
{
    if (s != NULL && s->at_stop && (s->state == CPDB_PROG_POST_MORTEM
                                    || s->state == CPDB_PROG_TRACEBACK)) {
        return resumed(s);      /* the program ends, or goes on */
    }
    if (require_live(s) < 0) {
        return CPDB_E_STATE;
    }
    cpdb_step_set_continue(s);
    return resumed(s);
}

int
cpdb_exec_step(CpdbSession *s)
{
    int rc;
    if (attached_step(s, 1, &rc)) {
        return rc;
    }
    if (require_stopped_thread(s) < 0) {
        return CPDB_E_STATE;
    }
    cpdb_step_set_step(s);
    return resumed(s);
}

int
cpdb_exec_next(CpdbSession *s)
{
    int rc;
    if (attached_step(s, 1, &rc)) {
        return rc;
    }
    if (require_stopped_thread(s) < 0) {
        return CPDB_E_STATE;
    }
    cpdb_step_set_next(s, cpdb_session_frame(s));
    return resumed(s);
}

int
cpdb_exec_finish(CpdbSession *s)
{
    int rc;
    if (attached_step(s, 0, &rc)) {
        return rc;
    }
    if (require_stopped_thread(s) < 0) {
        return CPDB_E_STATE;
    }
    cpdb_step_set_return(s, cpdb_session_frame(s));
    return resumed(s);
}

int
cpdb_exec_until(CpdbSession *s, int line)
{
    CpdbFrameEntry *e;
    int rc;
    if (attached_step(s, 0, &rc)) {
        return rc;
    }
    if (require_stopped_thread(s) < 0) {
        return CPDB_E_STATE;
    }
    e = cpdb_stack_selection(s);
    if (line == 0) {
        line = e->lineno + 1;
    }
    else if (line <= e->lineno) {
        return cpdb_session_fail(s, CPDB_E_ARGS, "\"until\" line %d is not "
                                 "after the current line %d.", line,
                                 e->lineno);
    }
    cpdb_step_set_until(s, e->frame, line);
    return resumed(s);
}

int
cpdb_exec_jump(CpdbSession *s, int line)
{
    CpdbFrameEntry *e;
    PyObject *n;
    int rc;
    if (require_stopped_thread(s) < 0) {
        return CPDB_E_STATE;
    }
    if (line < 1) {
        return cpdb_session_fail(s, CPDB_E_ARGS, "Bad line number %d: a "
                                 "line number is expected.", line);
    }
    if (s->stack.selected != 0) {
        return cpdb_session_fail(s, CPDB_E_STATE, "You can only jump within "
                                 "the innermost frame.");
    }
    e = cpdb_stack_selection(s);
    /* The interpreter lets a trace function move a frame's line: the
       frame must carry one (it does if cpdb follows it). */
    cpdb_frame_mark(e->frame, s->trace_marker);
    n = PyLong_FromLong(line);
    rc = n ? PyObject_SetAttrString((PyObject *)e->frame, "f_lineno", n)
           : -1;
    Py_XDECREF(n);
    if (rc < 0) {
        char *why = cpdb_exc_take_line();
        cpdb_session_fail(s, CPDB_E_PYTHON, "Jump failed: %s", why);
        free(why);
        return CPDB_E_PYTHON;
    }
    e->lineno = PyFrame_GetLineNumber(e->frame);
    return CPDB_OK;
}

int
cpdb_exec_kill(CpdbSession *s)
{
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    if (s->state == CPDB_PROG_IDLE) {
        return cpdb_session_fail(s, CPDB_E_STATE,
                                 "The program is not being run.");
    }
    s->request = CPDB_REQ_KILL;
    return CPDB_OK;
}

int
cpdb_exec_run(CpdbSession *s)
{
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    if (s->opts.attached) {
        return cpdb_session_fail(s, CPDB_E_STATE, "The process was running "
                                 "before cpdb attached: it cannot be "
                                 "started again from here.");
    }
    if (s->prog.kind == CPDB_PROG_NONE) {
        return cpdb_session_fail(s, CPDB_E_STATE, "No program to run: start "
                                 "cpdb with a script or -m MODULE.");
    }
    s->request = CPDB_REQ_RUN;
    return CPDB_OK;
}

int
cpdb_exec_quit(CpdbSession *s)
{
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    s->request = CPDB_REQ_QUIT;
    return CPDB_OK;
}

/* --- the stopped thread -------------------------------------------------- */

int
cpdb_stack_depth(CpdbSession *s)
{
    return s != NULL && s->at_stop ? (int)s->stack.n : 0;
}

/* Find frame level of the stop.  Return: CPDB_OK with *e set, or the
   CPDB_E_* whose reason is recorded: CPDB_E_STATE when the program is
   not stopped, CPDB_E_ARGS when there is no such level. */
static int
entry_at(CpdbSession *s, int level, CpdbFrameEntry **e)
{
    *e = NULL;
    if (cpdb_stack_depth(s) == 0) {
        return cpdb_session_fail(s, CPDB_E_STATE, "No stack: the program "
                                 "is not stopped.");
    }
    if (level < 0 || (size_t)level >= s->stack.n) {
        return cpdb_session_fail(s, CPDB_E_ARGS, "No frame at level %d (the "
                                 "stack has frames 0 to %zu).", level,
                                 s->stack.n - 1);
    }
    *e = &s->stack.items[level];
    return CPDB_OK;
}

int
cpdb_stack_frame(CpdbSession *s, int level, CpdbFrameInfo *info)
{
    CpdbFrameEntry *e;
    PyCodeObject *code;
    int rc;
    if (s == NULL || info == NULL) {
        return CPDB_E_ARGS;
    }
    memset(info, 0, sizeof *info);
    if ((rc = entry_at(s, level, &e)) < 0) {
        return rc;
    }
    code = PyFrame_GetCode(e->frame);
    info->file = cpdb_code_path(code);
    info->line = e->lineno;
    info->function = cpdb_frame_funcname(e->frame);
    Py_DECREF(code);
    return CPDB_OK;
}

void
cpdb_frame_info_fini(CpdbFrameInfo *info)
{
    if (info != NULL) {
        free(info->file);
        free(info->function);
        memset(info, 0, sizeof *info);
    }
}

int
cpdb_stack_select(CpdbSession *s, int level)
{
    CpdbFrameEntry *e;
    int rc;
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    if ((rc = entry_at(s, level, &e)) < 0) {
        return rc;
    }
    s->stack.selected = level;
    return level;
}

int
cpdb_stack_selected(CpdbSession *s)
{
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    if (cpdb_stack_depth(s) == 0) {
        return cpdb_session_fail(s, CPDB_E_STATE, "No stack: the program is "
                                 "not stopped.");
    }
    return s->stack.selected;
}

PyObject *
cpdb_stack_locals(CpdbSession *s, int level)
{
    CpdbFrameEntry *e;
    PyObject *mapping, *copy;
    if (s == NULL || entry_at(s, level, &e) < 0) {
        return NULL;
    }
    mapping = cpdb_frame_locals(e->frame);
    copy = mapping ? PyDict_New() : NULL;
    if (copy != NULL && PyDict_Merge(copy, mapping, 1) < 0) {
        Py_CLEAR(copy);
    }
    Py_XDECREF(mapping);
    if (copy == NULL) {
        char *why = cpdb_exc_take_line();
        cpdb_session_fail(s, CPDB_E_PYTHON, "%s", why);
        free(why);
    }
    return copy;
}

int
cpdb_evaluate(CpdbSession *s, int level, const char *expr, PyObject **value)
{
    PyFrameObject *frame = NULL;
    if (s == NULL || expr == NULL || value == NULL) {
        return CPDB_E_ARGS;
    }
    *value = NULL;
    if (cpdb_stack_depth(s) > 0) {      /* else in __main__ */
        CpdbFrameEntry *e;
        int rc = entry_at(s, level, &e);
        if (rc < 0) {
            return rc;
        }
        frame = e->frame;
    }
    *value = cpdb_eval_expr(s, frame, expr);
    if (*value == NULL) {
        char *why = cpdb_exc_take_line();
        cpdb_session_fail(s, CPDB_E_PYTHON, "%s", why);
        free(why);
        return CPDB_E_PYTHON;
    }
    return CPDB_OK;
}

/* --- breakpoints ------------------------------------------------------- */

int
cpdb_break_insert(CpdbSession *s, const char *file, int line,
                  const char *cond)
{
    CpdbLocation loc;
    CpdbResolver where;
    CpdbResolved r;
    CpdbBreakpoint *bp;
    PyObject *code = NULL;
    char *why;
    int rc;

    if (s == NULL || file == NULL || line < 1) {
        return CPDB_E_ARGS;
    }
    memset(&loc, 0, sizeof loc);
    loc.kind = CPDB_LOC_FILE_LINE;
    loc.file = (char *)file;
    loc.line = line;
    if (cond != NULL && (code = cpdb_eval_compile(s, cond, 1)) == NULL) {
        why = cpdb_exc_take_line();
        cpdb_session_fail(s, CPDB_E_PYTHON, "Bad condition: %s", why);
        free(why);
        return CPDB_E_PYTHON;
    }
    cpdb_session_resolver(s, &where);
    rc = cpdb_location_resolve(&where, &loc, 0, &r, &why);
    cpdb_resolver_fini(&where);
    if (rc < 0) {
        Py_XDECREF(code);
        cpdb_session_fail(s, rc, "%s", why);
        free(why);
        return rc;
    }
    bp = cpdb_bp_add(&s->bps, r.path, r.line, NULL, cond, code, 0);
    cpdb_resolved_fini(&r);
    return bp->number;
}

int
cpdb_break_delete(CpdbSession *s, int number)
{
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    if (cpdb_bp_delete(&s->bps, number) < 0) {
        return cpdb_session_fail(s, CPDB_E_ARGS, "No breakpoint number %d.",
                                 number);
    }
    return CPDB_OK;
}
