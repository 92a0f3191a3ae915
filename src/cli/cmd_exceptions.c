/* Exception commands: catchpoints ("catch raise", "catch uncaught",
   "info catch") and the chain of the exception that ended the program
   ("exceptions" in post-mortem, as pdb 3.13 has it). */
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/catch.h"
#include "core/session.h"
#include "base/text.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Most exception types one catchpoint names. */
#define MAX_CATCH_TYPES 32
/* Width of an exception's repr in the "exceptions" list, as pdb's. */
#define CHAIN_REPR_WIDTH 80

/* What name is now in the selected frame (its globals, then the
   builtins), when it can be known without running Python code.
   Return: borrowed, or NULL. */
static PyObject *
known_class(CpdbSession *s, const char *name)
{
    PyFrameObject *f = cpdb_cmd_frame(s);
    PyObject *found = NULL, *g, *builtins;
    if (strchr(name, '.') != NULL) {
        return NULL;        /* a module's attribute may be computed */
    }
    if (f != NULL && (g = cpdb_frame_globals(f)) != NULL) {
        if (PyDict_Check(g)) {
            found = PyDict_GetItemString(g, name);      /* borrowed */
        }
        Py_DECREF(g);
    }
    builtins = PyImport_AddModule("builtins");          /* borrowed */
    if (found == NULL && builtins != NULL) {
        found = PyDict_GetItemString(PyModule_GetDict(builtins), name);
    }
    PyErr_Clear();
    return found;
}

/* "catch raise [--user|--user-uncaught] [TYPE...]". */
static CmdResult
catch_raise(CpdbSession *s, const char *args)
{
    char *copy = cpdb_xstrdup(args), *word, *save = NULL;
    char *types[MAX_CATCH_TYPES];
    int n = 0, user = 0, user_uncaught = 0, ok = 1;
    CpdbBreakpoint *bp;
    char *what;

    for (word = strtok_r(copy, " \t", &save); ok && word != NULL;
         word = strtok_r(NULL, " \t", &save)) {
        PyObject *known;
        if (strcmp(word, "--user") == 0) {
            user = 1;
        }
        else if (strcmp(word, "--user-uncaught") == 0) {
            user = user_uncaught = 1;
        }
        else if (!cpdb_catch_name_valid(word)) {
            cpdb_error(s, "Bad exception type \"%s\": a class name "
                       "(ValueError, json.JSONDecodeError), --user or "
                       "--user-uncaught is expected.", word);
            ok = 0;
        }
        else if (n == MAX_CATCH_TYPES) {
            cpdb_error(s, "Too many exception types: at most %d.",
                       MAX_CATCH_TYPES);
            ok = 0;
        }
        else if ((known = known_class(s, word)) != NULL
                 && !(PyType_Check(known)
                      && PyType_IsSubtype((PyTypeObject *)known,
                            (PyTypeObject *)PyExc_BaseException))) {
            cpdb_error(s, "\"%s\" is not an exception class.", word);
            ok = 0;
        }
        else {
            types[n++] = word;
        }
    }
    if (!ok) {
        free(copy);
        return CMD_FAILED;
    }
    if (user) {
        cpdb_guard_begin(&s->busy);
        cpdb_catch_learn_library();
        cpdb_guard_end(&s->busy);
    }
    bp = cpdb_bp_add_catch(&s->bps, cpdb_catch_new(types, n, user));
    bp->catch->user_uncaught = user_uncaught;
    what = cpdb_catch_describe(bp->catch);
    cpdb_out(s, "Catchpoint %d (%s)\n", bp->number, what);
    free(what);
    free(copy);
    return CMD_STAY;
}

/* "catch uncaught [on|off]". */
static CmdResult
catch_uncaught(CpdbSession *s, const char *args)
{
    char *v = cpdb_strip_dup(args);
    int rc = 0;
    if (*v == '\0' || strcmp(v, "on") == 0) {
        s->catch_uncaught = 1;
    }
    else if (strcmp(v, "off") == 0) {
        s->catch_uncaught = 0;
    }
    else {
        cpdb_error(s, "Bad argument \"%s\": \"on\" or \"off\" is expected.",
                   v);
        rc = -1;
    }
    free(v);
    if (rc == 0) {
        cpdb_out(s, "An uncaught exception %s.\n", s->catch_uncaught
                 ? "stops in post-mortem"
                 : "ends the program with its traceback (no post-mortem)");
    }
    return rc == 0 ? CMD_STAY : CMD_FAILED;
}

static const CmdDef catch_subcmds[] = {
    {"raise", "throw", CMD_CLASS_BREAKPOINTS, 0, catch_raise,
     "catch raise [--user|--user-uncaught] [TYPE...]",
     "Stop where an exception of a TYPE, or of a subclass, is raised.\n"
     "It stops whether the exception is caught or not, in the frame that\n"
     "raised it (for an exception raised by a C function, the line that\n"
     "called it), after a line naming the exception; $_exception holds\n"
     "it.  Without TYPE, any exception.  TYPE is a class name as the\n"
     "class calls itself (ValueError, JSONDecodeError), or with its module\n"
     "or package (json.JSONDecodeError), matched when the exception is\n"
     "raised: a class not imported yet is fine.  --user leaves out the\n"
     "standard library and installed packages: the program stops where\n"
     "its own code raises, or where an exception raised in library code\n"
     "first reaches its code, so exceptions raised and caught inside the\n"
     "library never stop it.  --user-uncaught stops only where the\n"
     "program's own code raises an exception that none of its frames\n"
     "above may catch before it reaches library code or leaves the\n"
     "program (a frame inside a try, with or finally block counts as\n"
     "catching it): a callback's error that a library swallows.\n"
     "Catchpoints are numbered with the\n"
     "breakpoints: \"delete\", \"disable\", \"enable\", \"condition\" and\n"
     "\"ignore\" work on them.  While one is enabled, Python 3.10 and\n"
     "3.11 run every frame with the trace function (slower); 3.12+ pays\n"
     "only for exceptions raised.", NULL, NULL},
    {"uncaught", NULL, CMD_CLASS_BREAKPOINTS, 0, catch_uncaught,
     "catch uncaught [on|off]",
     "Whether an uncaught exception stops in post-mortem (on by default).\n"
     "Off: the program ends with its traceback, as under python.", NULL,
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};

static const CmdDef *const catch_tables[] = {catch_subcmds, NULL};

/* --- info catch --------------------------------------------------------- */

static CmdResult
info_catch(CpdbSession *s, const char *args)
{
    size_t i;
    (void)args;
    cpdb_out(s, "Num     Type           Disp Enb What\n");
    cpdb_out(s, "%-7s %-14s %-4s %-3s %s\n", "-", "catchpoint", "keep",
             s->catch_uncaught ? "y" : "n", "uncaught (post-mortem)");
    for (i = 0; i < s->bps.n; i++) {
        CpdbBreakpoint *bp = s->bps.items[i];
        char num[16], *what;
        if (bp->catch == NULL) {
            continue;
        }
        what = cpdb_catch_describe(bp->catch);
        snprintf(num, sizeof num, "%d", bp->number);
        cpdb_out(s, "%-7s %-14s %-4s %-3s %s\n", num, "catchpoint", "keep",
                 bp->enabled ? "y" : "n", what);
        free(what);
        cpdb_cmd_bp_counts(s, bp);
    }
    return CMD_STAY;
}

const CmdDef cpdb_info_exceptions_cmds[] = {
    {"catch", NULL, CMD_CLASS_STATUS, 0, info_catch, "info catch",
     "List the catchpoints.\n"
     "The first line is \"catch uncaught\" (no number: it cannot be\n"
     "deleted, only turned off); then each \"catch raise\" with its\n"
     "number, whether it is enabled, its types, condition and hit count.",
     NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};

/* --- exceptions --------------------------------------------------------- */

static void
list_chain(CpdbSession *s)
{
    Py_ssize_t i, n = PyList_GET_SIZE(s->exc_chain);
    for (i = 0; i < n; i++) {
        PyObject *exc = PyList_GET_ITEM(s->exc_chain, i);   /* borrowed */
        PyObject *tb = PyException_GetTraceback(exc);
        char *r = cpdb_repr(exc, CHAIN_REPR_WIDTH);
        char num[24];
        if (tb == NULL || tb == Py_None) {
            snprintf(num, sizeof num, "  -");
        }
        else {
            snprintf(num, sizeof num, "%3zd", i);
        }
        cpdb_out(s, "%s %s %s\n", i == s->exc_selected ? ">" : " ", num, r);
        Py_XDECREF(tb);
        free(r);
    }
}

static CmdResult
cmd_exceptions(CpdbSession *s, const char *args)
{
    const char *why = NULL;
    long n;
    if (s->exc_chain == NULL
        || (s->state != CPDB_PROG_POST_MORTEM
            && s->state != CPDB_PROG_TRACEBACK)) {
        cpdb_error(s, "No exception chain: \"exceptions\" works in "
                   "post-mortem.");
        return CMD_FAILED;
    }
    if (*cpdb_skip_space(args) == '\0') {
        list_chain(s);
        return CMD_STAY;
    }
    if (cpdb_parse_int(args, &n) < 0) {
        cpdb_error(s, "Bad exception number \"%s\": a number from "
                   "\"exceptions\" is expected.", cpdb_skip_space(args));
        return CMD_FAILED;
    }
    if (cpdb_session_select_exception(s, (Py_ssize_t)n, &why) < 0) {
        cpdb_error(s, "%s", why);
        return CMD_FAILED;
    }
    cpdb_cli_print_location(s, NULL);
    return CMD_STAY;
}

const CmdDef cpdb_cmds_exceptions[] = {
    {"catch", NULL, CMD_CLASS_BREAKPOINTS, 0, NULL, "catch SUBCOMMAND",
     "Set a catchpoint: stop where exceptions are raised.\n"
     "\"catch raise [--user] [TYPE...]\" stops where one is raised, caught\n"
     "or not; \"catch uncaught [on|off]\" chooses whether an exception\n"
     "that ends the program stops in post-mortem (on by default).  \"info\n"
     "catch\" lists them.", catch_tables, NULL},
    {"exceptions", NULL, CMD_CLASS_STACK, 0, cmd_exceptions,
     "exceptions [N]",
     "List or select the exceptions of a chained exception (post-mortem).\n"
     "An exception raised while handling another (its __context__) or\n"
     "\"from\" another (its __cause__) makes a chain; \"exceptions\" lists\n"
     "it, oldest first, numbered, with \">\" at the selected one (at first\n"
     "the one that ended the program; \"-\" for one without traceback).\n"
     "\"exceptions N\" selects exception N: \"bt\", \"up\", \"down\",\n"
     "\"print\" and $_exception then work on its traceback.", NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};
