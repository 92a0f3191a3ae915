/* Support commands: help (from the command tables), set / show
   (settings and "set var"), echo, source. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "cli/files.h"
#include "core/eval.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"
#include "cpdb_config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* --- help --------------------------------------------------------------- */

static void
help_class(CpdbSession *s, int cls)
{
    int t;
    const CmdDef *d;
    cpdb_out(s, "%s\n\nList of commands:\n\n", cpdb_class_docs[cls]);
    for (t = 0; cpdb_command_tables[t] != NULL; t++) {
        for (d = cpdb_command_tables[t]; d->name != NULL; d++) {
            if ((int)d->cls == cls) {
                cpdb_out(s, "%s -- %.*s.\n", d->name,
                         cpdb_doc_summary_len(d->doc), d->doc);
            }
        }
    }
    cpdb_out(s, "\nType \"help\" followed by command name for full "
             "documentation.\n");
}

static void
help_command(CpdbSession *s, const CmdDef *d, const char *prefix)
{
    const CmdDef *sub;
    cpdb_out(s, "Usage: %s\n%s\n", d->usage, d->doc);
    if (d->aliases != NULL) {
        cpdb_out(s, "Aliases: %s\n", d->aliases);
    }
    if (d->subcommands != NULL) {
        cpdb_out(s, "\nList of %s%s subcommands:\n\n", prefix, d->name);
        for (sub = cpdb_command_next(d->subcommands, NULL); sub != NULL;
             sub = cpdb_command_next(d->subcommands, sub)) {
            cpdb_out(s, "%s%s %s -- %.*s.\n", prefix, d->name, sub->name,
                     cpdb_doc_summary_len(sub->doc), sub->doc);
        }
    }
}

static CmdResult
cmd_help(CpdbSession *s, const char *args)
{
    char word[64], *matches = NULL;
    const char *rest;
    const CmdDef *d;
    int i;

    if (*cpdb_skip_space(args) == '\0') {
        cpdb_out(s, "List of classes of commands:\n\n");
        for (i = 0; i < CMD_CLASS_COUNT; i++) {
            cpdb_out(s, "%-12s -- %s\n", cpdb_class_names[i],
                     cpdb_class_docs[i]);
        }
        cpdb_out(s, "\nType \"help\" followed by a class name for a list of "
                 "commands in that class.\n"
                 "Type \"help\" followed by command name for full "
                 "documentation.\n"
                 "A line that is not a command runs as Python in the "
                 "selected frame\n(\"!\" forces Python).  Command names may "
                 "be abbreviated if unambiguous.\n");
        return CMD_STAY;
    }
    if (cpdb_command_split(args, word, sizeof word, &rest) < 0) {
        cpdb_error(s, "Undefined command: \"%s\".  Try \"help\".",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    for (i = 0; i < CMD_CLASS_COUNT; i++) {
        if (strcmp(word, cpdb_class_names[i]) == 0) {
            help_class(s, i);
            return CMD_STAY;
        }
    }
    switch (cpdb_command_lookup(cpdb_command_tables, word, &d, &matches)) {
    case CMD_LOOKUP_FOUND:
        break;
    case CMD_LOOKUP_AMBIGUOUS:
        cpdb_error(s, "Ambiguous command \"%s\": %s.", word, matches);
        free(matches);
        return CMD_FAILED;
    default:
        cpdb_error(s, "Undefined command: \"%s\".  Try \"help\".", word);
        return CMD_FAILED;
    }
    if (*rest != '\0' && d->subcommands != NULL) {
        const CmdDef *sub;
        char subword[64];
        const char *subrest;
        if (cpdb_command_split(rest, subword, sizeof subword, &subrest) == 0
            && cpdb_command_lookup(d->subcommands, subword, &sub, NULL)
               == CMD_LOOKUP_FOUND) {
            help_command(s, sub, "");
            return CMD_STAY;
        }
        cpdb_error(s, "Undefined %s command: \"%s\".  Try \"help %s\".",
                   d->name, rest, d->name);
        return CMD_FAILED;
    }
    help_command(s, d, "");
    return CMD_STAY;
}

/* "help" completes command and class names. */
static void
complete_help(CpdbSession *s, CpdbCompletion *c)
{
    int i;
    (void)s;
    cpdb_complete_commands(c, NULL);
    for (i = 0; i < CMD_CLASS_COUNT; i++) {
        cpdb_complete_add(c, NULL, cpdb_class_names[i]);
    }
}

/* --- settings ------------------------------------------------------------ */

static int
set_number(CpdbSession *s, const char *args, long min, long *out,
           const char *what)
{
    long v, max = 1000000;
    if (cpdb_parse_int(args, &v) < 0 || v < min || v > max) {
        cpdb_error(s, "Bad value \"%s\" for %s: a number from %ld to %ld "
                   "is expected.", cpdb_skip_space(args), what, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static CmdResult
set_width(CpdbSession *s, const char *args)
{
    return set_number(s, args, 20, &s->cli->set.width, "width") ? CMD_FAILED
                                                            : CMD_STAY;
}

static CmdResult
set_listsize(CpdbSession *s, const char *args)
{
    return set_number(s, args, 1, &s->cli->set.listsize, "listsize")
           ? CMD_FAILED : CMD_STAY;
}

static CmdResult
set_print_limit(CpdbSession *s, const char *args)
{
    return set_number(s, args, 0, &s->cli->set.print_limit, "print-limit")
           ? CMD_FAILED : CMD_STAY;
}

static int
parse_bool(const char *args, int *out)
{
    char *v = cpdb_strip_dup(args);
    int rc = 0;
    if (strcmp(v, "on") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0) {
        *out = 1;
    }
    else if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0
             || strcmp(v, "no") == 0) {
        *out = 0;
    }
    else {
        rc = -1;
    }
    free(v);
    return rc;
}

static CmdResult
set_color(CpdbSession *s, const char *args)
{
    if (parse_bool(args, &s->cli->set.color) < 0) {
        cpdb_error(s, "Bad value \"%s\" for color: \"on\" or \"off\" is "
                   "expected.", cpdb_skip_space(args));
        return CMD_FAILED;
    }
    return CMD_STAY;
}

static CmdResult
set_backend(CpdbSession *s, const char *args)
{
    char *name = cpdb_strip_dup(args), *why;
    const CpdbTraceBackend *b = cpdb_trace_find(name);
    if (b == NULL) {
        cpdb_error(s, "Unknown backend \"%s\": \"legacy\" or \"monitoring\" "
                   "is expected.", name);
        free(name);
        return CMD_FAILED;
    }
    free(name);
    if (!cpdb_trace_available(b)) {
        cpdb_error(s, "The %s backend needs Python 3.12 or newer (this is "
                   "%s).", b->name, CPDB_PYTHON_VERSION);
        return CMD_FAILED;
    }
    if (cpdb_session_set_backend(s, b, &why) < 0) {
        cpdb_error(s, "%s", why);
        free(why);
        return CMD_FAILED;
    }
    return CMD_STAY;
}

/* set var NAME = EXPR: an assignment run in the selected frame. */
static CmdResult
set_var(CpdbSession *s, const char *args)
{
    PyObject *value = NULL;
    const char *p = cpdb_skip_space(args);
    const char *eq = strchr(p, '=');
    if (*p == '\0' || eq == NULL || eq == p || eq[1] == '=') {
        cpdb_error(s, "Bad assignment \"%s\": expected NAME = EXPR.", p);
        return CMD_FAILED;
    }
    if (cpdb_eval_line(s, cpdb_cmd_frame(s), p, &value) < 0) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    Py_XDECREF(value);
    return CMD_STAY;
}

static const CmdDef set_subcommands[] = {
    {"variable", "var", CMD_CLASS_SUPPORT, 0, set_var, "set var NAME = EXPR",
     "Assign to a variable in the selected frame.\n"
     "Locals assigned this way keep their value when the program goes on.",
     NULL,
     cpdb_complete_python},
    {"width", NULL, CMD_CLASS_SUPPORT, 0, set_width, "set width N",
     "Set the width one-line listings are cut to (info locals, bt).", NULL},
    {"backend", NULL, CMD_CLASS_SUPPORT, 0, set_backend,
     "set backend legacy|monitoring",
     "Choose how cpdb watches the program.\n"
     "\"monitoring\" (sys.monitoring, Python 3.12+, the default there) costs\n"
     "nothing where no breakpoint is; \"legacy\" (a C trace function) "
     "works on\n"
     "every version.  The switch can be made while the program is stopped.",
     NULL},
    {"listsize", NULL, CMD_CLASS_SUPPORT, 0, set_listsize, "set listsize N",
     "Set how many lines \"list\" shows.", NULL},
    {"print-limit", NULL, CMD_CLASS_SUPPORT, 0, set_print_limit,
     "set print-limit N",
     "Set the characters of a printed value shown before it is cut (0: no "
     "limit).", NULL},
    {"color", "colour", CMD_CLASS_SUPPORT, 0, set_color, "set color on|off",
     "Use colour on a terminal (never when NO_COLOR is set).", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

static CmdResult
show_value(CpdbSession *s, const char *args, const char *what)
{
    (void)args;
    if (strcmp(what, "width") == 0) {
        cpdb_out(s, "Width is %ld.\n", s->cli->set.width);
    }
    else if (strcmp(what, "listsize") == 0) {
        cpdb_out(s, "Number of source lines listed is %ld.\n",
                 s->cli->set.listsize);
    }
    else if (strcmp(what, "print-limit") == 0) {
        cpdb_out(s, "Printed values are cut after %ld characters%s.\n",
                 s->cli->set.print_limit,
                 s->cli->set.print_limit == 0 ? " (no limit)" : "");
    }
    else if (strcmp(what, "color") == 0) {
        cpdb_out(s, "Colour is %s.\n", s->cli->set.color ? "on" : "off");
    }
    return CMD_STAY;
}

static CmdResult
show_width(CpdbSession *s, const char *a)
{
    return show_value(s, a, "width");
}

static CmdResult
show_listsize(CpdbSession *s, const char *a)
{
    return show_value(s, a, "listsize");
}

static CmdResult
show_print_limit(CpdbSession *s, const char *a)
{
    return show_value(s, a, "print-limit");
}

static CmdResult
show_color(CpdbSession *s, const char *a)
{
    return show_value(s, a, "color");
}

static CmdResult
show_backend(CpdbSession *s, const char *a)
{
    (void)a;
    cpdb_out(s, "The trace backend is \"%s\"%s.\n", s->backend->name,
             s->backend == cpdb_trace_default() ? " (the default here)" : "");
    return CMD_STAY;
}

static CmdResult
show_version(CpdbSession *s, const char *a)
{
    (void)a;
    cpdb_out(s, "cpdb %s (Python %s)\n", CPDB_VERSION, Py_GetVersion());
    return CMD_STAY;
}

static const CmdDef show_subcommands[] = {
    {"width", NULL, CMD_CLASS_SUPPORT, 0, show_width, "show width",
     "Show the width one-line listings are cut to.", NULL},
    {"listsize", NULL, CMD_CLASS_SUPPORT, 0, show_listsize, "show listsize",
     "Show how many lines \"list\" shows.", NULL},
    {"print-limit", NULL, CMD_CLASS_SUPPORT, 0, show_print_limit,
     "show print-limit", "Show where printed values are cut.", NULL},
    {"color", "colour", CMD_CLASS_SUPPORT, 0, show_color, "show color",
     "Show whether colour is used on a terminal.", NULL},
    {"backend", NULL, CMD_CLASS_SUPPORT, 0, show_backend, "show backend",
     "Show the trace backend in use.", NULL},
    {"version", NULL, CMD_CLASS_SUPPORT, 0, show_version, "show version",
     "Show the versions of cpdb and of the embedded Python.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

/* --- echo, source ------------------------------------------------------- */

static CmdResult
cmd_echo(CpdbSession *s, const char *args)
{
    CpdbBuf b;
    const char *p;
    cpdb_buf_init(&b);
    for (p = args; *p; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            switch (*p) {
            case 'n':
                cpdb_buf_addc(&b, '\n');
                break;
            case 't':
                cpdb_buf_addc(&b, '\t');
                break;
            default:
                cpdb_buf_addc(&b, *p);
                break;
            }
        }
        else {
            cpdb_buf_addc(&b, *p);
        }
    }
    cpdb_out(s, "%s", b.data);
    cpdb_buf_fini(&b);
    return CMD_STAY;
}

static CmdResult
cmd_source(CpdbSession *s, const char *args)
{
    char *name = cpdb_strip_dup(args), *path, *why = NULL;
    CmdResult r = CMD_STAY;
    if (*name == '\0') {
        cpdb_error(s, "Argument required (file name of commands).");
        free(name);
        return CMD_FAILED;
    }
    path = cpdb_files_user_path(s, name);
    if (cpdb_cli_insert_file(s->cli, path, &why) < 0) {
        cpdb_error(s, "Cannot read command file \"%s\": %s.", path, why);
        r = CMD_FAILED;
    }
    free(why);
    free(path);
    free(name);
    return r;
}

static CmdResult
maint_time(CpdbSession *s, const char *args)
{
    if (parse_bool(args, &s->cli->set.maint_time) < 0) {
        cpdb_error(s, "Bad value \"%s\": \"on\" or \"off\" is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    return CMD_STAY;
}

static CmdResult
maint_space(CpdbSession *s, const char *args)
{
    if (parse_bool(args, &s->cli->set.maint_space) < 0) {
        cpdb_error(s, "Bad value \"%s\": \"on\" or \"off\" is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    return CMD_STAY;
}

static const CmdDef maint_subcommands[] = {
    {"time", NULL, CMD_CLASS_SUPPORT, 0, maint_time,
     "maintenance time on|off",
     "Print the time each command takes.\n"
     "After each command: \"Command execution time: CPU (cpu), WALL "
     "(wall)\", in seconds.", NULL},
    {"space", NULL, CMD_CLASS_SUPPORT, 0, maint_space,
     "maintenance space on|off",
     "Print the memory each command takes.\n"
     "After each command: \"Space used: RSS (+GROWTH for this command), "
     "peak +PEAK\",\nin bytes of resident memory; PEAK is the most the "
     "command added at any moment\n(Linux only; elsewhere 0).", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

/* --- info --------------------------------------------------------------- */

static CmdResult
info_trace(CpdbSession *s, const char *args)
{
    (void)args;
    cpdb_out(s, "Trace backend: %s.\n", s->backend->name);
    cpdb_out(s, "Events seen since the program started: %lu call, %lu line, "
             "%lu return, %lu exception.\n",
             s->trace.n_events[CPDB_EV_CALL],
             s->trace.n_events[CPDB_EV_LINE],
             s->trace.n_events[CPDB_EV_RETURN],
             s->trace.n_events[CPDB_EV_EXCEPTION]);
    cpdb_out(s, "Line events reach only frames that hold a breakpoint or "
             "that the stepper may stop in.\n");
    return CMD_STAY;
}

/* "info trace". */
const CmdDef cpdb_info_trace_cmds[] = {
    {"trace", NULL, CMD_CLASS_STATUS, 0, info_trace, "info trace",
     "Show the trace backend and how many events it has delivered.\n"
     "Frames that cannot stop get no line events: the count shows it.",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

static const CmdDef *const set_tables[] = {set_subcommands, NULL};
static const CmdDef *const show_tables[] = {show_subcommands, NULL};
static const CmdDef *const maint_tables[] = {maint_subcommands, NULL};

const CmdDef cpdb_cmds_support[] = {
    {"help", "h ?", CMD_CLASS_SUPPORT, 0, cmd_help,
     "help [COMMAND | CLASS]",
     "Print the list of command classes, or help on a class or command.",
     NULL,
     complete_help},
    {"set", NULL, CMD_CLASS_SUPPORT, 0, NULL, "set SETTING VALUE",
     "Change a setting, or assign a variable with \"set var\".",
     set_tables},
    {"show", NULL, CMD_CLASS_SUPPORT, 0, NULL, "show SETTING",
     "Show a setting.", show_tables},
    {"echo", NULL, CMD_CLASS_SUPPORT, 0, cmd_echo, "echo TEXT",
     "Print TEXT; \\n starts a new line.", NULL},
    {"source", NULL, CMD_CLASS_SUPPORT, 0, cmd_source, "source FILE",
     "Run the commands in FILE, one per line.\n"
     "A relative FILE is in the folder cpdb started in, wherever the\n"
     "program moved to.  FILE must be a regular text file: no folder,\n"
     "device or pipe, no NUL byte, lines of at most 64 KiB, 4 MiB in all.\n"
     "Files sourced from files nest at most 10 deep (init files and -x\n"
     "files count as one): past that, the rest of the files being sourced\n"
     "is skipped.", NULL},
    {"maintenance", "mt", CMD_CLASS_SUPPORT, 0, NULL,
     "maintenance time|space on|off",
     "Measure cpdb itself: the time or memory each command takes.",
     maint_tables},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
