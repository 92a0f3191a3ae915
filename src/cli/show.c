/* Showing where the program stands: the location lines in pdb's
   format (which editors read), the frame after "frame", "up" and
   "down", and the displays. */
#include "cli/cli.h"
#include "cli/output.h"
#include "core/eval.h"
#include "core/frames.h"
#include "core/session.h"
#include "core/source.h"
#include "base/text.h"

#include <stdlib.h>

void
cpdb_cli_print_location(CpdbSession *s, const char *suffix)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
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
    line = cpdb_source_line(&s->sources, path, e->lineno);
    if (line != NULL) {
        char *stripped = cpdb_strip_dup(line);
        cpdb_out(s, "-> %s\n", stripped);
        free(stripped);
    }
    free(func);
    free(path);
    Py_DECREF(code);
}

/* "->VALUE" after the location of a --Return-- stop.  Return: malloc'd,
   or NULL when the selected frame is not the returning one. */
char *
cpdb_cli_return_suffix(CpdbSession *s, long limit)
{
    char *r, *suffix;
    if (s->stack.selected != 0 || s->stop_reason != CPDB_STOP_RETURN
        || s->stop_value == NULL) {
        return NULL;
    }
    r = cpdb_repr(s->stop_value, limit);
    suffix = cpdb_xasprintf("->%s", r);
    free(r);
    return suffix;
}

void
cpdb_cli_show_frame(CpdbSession *s)
{
    char *suffix = cpdb_cli_return_suffix(s, CPDB_WIDTH_VALUE);
    cpdb_cli_print_location(s, suffix);
    free(suffix);
    s->cli->list_next = 0;
}

/* The frame a display is evaluated in: the innermost one running the
   function whose locals it reads, else the selected one.  Return:
   borrowed; NULL when its function is not on the stack, or (for one
   that reads no locals) when no frame is selected. */
static PyFrameObject *
display_frame(CpdbSession *s, const CpdbDisplay *d)
{
    size_t i;
    if (d->scope == NULL) {
        return cpdb_session_frame(s);
    }
    for (i = 0; i < s->stack.n; i++) {
        PyFrameObject *f = s->stack.items[i].frame;
        PyCodeObject *code = PyFrame_GetCode(f);
        Py_DECREF(code);        /* the frame holds it: identity only */
        if ((PyObject *)code == d->scope) {
            return f;
        }
    }
    return NULL;
}

void
cpdb_cli_show_display(CpdbSession *s, const CpdbDisplay *d)
{
    PyFrameObject *frame = display_frame(s, d);
    PyObject *v;
    char *text;
    if (frame == NULL && d->scope != NULL) {
        return;
    }
    v = cpdb_eval_code(s, frame, d->code);
    if (v == NULL) {
        char *raw = cpdb_exc_take_line();
        char *why = cpdb_eval_public_names(raw);
        text = cpdb_xasprintf("<error: %s>", why);
        free(why);
        free(raw);
    }
    else {
        text = cpdb_repr(v, s->cli->set.print_limit);
        Py_DECREF(v);
    }
    cpdb_out(s, "%d: %s = %s\n", d->number, d->expr, text);
    free(text);
}

void
cpdb_cli_show_displays(CpdbSession *s)
{
    size_t i;
    for (i = 0; i < s->cli->displays.n; i++) {
        if (s->cli->displays.items[i].enabled) {
            cpdb_cli_show_display(s, &s->cli->displays.items[i]);
        }
    }
}
