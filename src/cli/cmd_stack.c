/* Stack commands: backtrace, frame, up, down. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "core/frames.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <stdlib.h>

static void
print_frame_line(CpdbSession *s, int level)
{
    CpdbFrameEntry *e = &s->stack.items[level];
    PyCodeObject *code = PyFrame_GetCode(e->frame);
    char *path = cpdb_code_path(code);
    char *func = cpdb_frame_funcname(e->frame);
    char *args = cpdb_frame_args(e->frame, cpdb_cli_arg_width(s));
    cpdb_out(s, "%s#%-3d %s (%s) at %s:%d\n",
             level == s->stack.selected ? "> " : "  ", level, func, args,
             path, e->lineno);
    free(args);
    free(func);
    free(path);
    Py_DECREF(code);
}

static CmdResult
cmd_backtrace(CpdbSession *s, const char *args)
{
    long depth = (long)s->stack.n, n = depth, i, from = 0, to;
    const char *p = cpdb_skip_space(args);
    if (cpdb_cmd_bt_selected_task(s)) {
        return CMD_STAY;
    }
    if (*p != '\0' && (cpdb_parse_int(p, &n) < 0 || n == 0)) {
        cpdb_error(s, "Bad frame count \"%s\": a non-zero number is "
                   "expected.", p);
        return CMD_FAILED;
    }
    if (n < 0) {                    /* gdb: the outermost -n frames */
        from = depth + n < 0 ? 0 : depth + n;
        to = depth;
    }
    else {
        to = n < depth ? n : depth;
    }
    for (i = from; i < to; i++) {
        print_frame_line(s, (int)i);
    }
    if (to < depth && n > 0) {
        cpdb_out(s, "(More stack frames follow...)\n");
    }
    else {
        cpdb_cmd_bt_tasks(s);
    }
    return CMD_STAY;
}

static CmdResult
select_frame(CpdbSession *s, long level)
{
    s->stack.selected = (int)level;
    cpdb_cli_show_frame(s);
    return CMD_STAY;
}

static CmdResult
cmd_frame(CpdbSession *s, const char *args)
{
    long n;
    if (*cpdb_skip_space(args) == '\0') {
        print_frame_line(s, s->stack.selected);
        cpdb_cli_show_frame(s);
        return CMD_STAY;
    }
    if (cpdb_parse_int(args, &n) < 0 || n < 0 || n >= (long)s->stack.n) {
        cpdb_error(s, "No frame at level %s (the stack has frames 0 to "
                   "%zu).", cpdb_skip_space(args), s->stack.n - 1);
        return CMD_FAILED;
    }
    return select_frame(s, n);
}

static CmdResult
cmd_up(CpdbSession *s, const char *args)
{
    long n;
    if (cpdb_cmd_count(s, args, 1, &n) < 0) {
        return CMD_FAILED;
    }
    if ((size_t)s->stack.selected + 1 == s->stack.n) {
        cpdb_error(s, "Initial frame selected; you cannot go up.");
        return CMD_FAILED;
    }
    n += s->stack.selected;
    return select_frame(s, n >= (long)s->stack.n ? (long)s->stack.n - 1 : n);
}

static CmdResult
cmd_down(CpdbSession *s, const char *args)
{
    long n;
    if (cpdb_cmd_count(s, args, 1, &n) < 0) {
        return CMD_FAILED;
    }
    if (s->stack.selected == 0) {
        cpdb_error(s, "Bottom (innermost) frame selected; you cannot go "
                   "down.");
        return CMD_FAILED;
    }
    n = s->stack.selected - n;
    return select_frame(s, n < 0 ? 0 : n);
}

const CmdDef cpdb_cmds_stack[] = {
    {"backtrace", "bt where w", CMD_CLASS_STACK,
     CMD_REPEATS | CMD_NEEDS_FRAME, cmd_backtrace, "backtrace [N]",
     "Print the stack, innermost frame first, with each frame's arguments.\n"
     "With N > 0, only the innermost N frames; with N < 0, the outermost.\n"
     "The selected frame is marked with '>'.", NULL},
    {"frame", "f", CMD_CLASS_STACK, CMD_NEEDS_FRAME, cmd_frame,
     "frame [N]",
     "Select frame N (0 is the innermost) and show where it stands.\n"
     "Without N, describe the selected frame.", NULL},
    {"up", "u", CMD_CLASS_STACK, CMD_REPEATS | CMD_NEEDS_FRAME, cmd_up,
     "up [N]",
     "Select the frame N levels up (towards the caller); N defaults to 1.",
     NULL},
    {"down", "d", CMD_CLASS_STACK, CMD_REPEATS | CMD_NEEDS_FRAME, cmd_down,
     "down [N]",
     "Select the frame N levels down (towards the innermost); N defaults "
     "to 1.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
