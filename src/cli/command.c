/* The command table machinery: lookup by name, alias or unique prefix;
   splitting a line; dispatch; and lines that are not commands, which
   run as Python in the selected frame (as in pdb). */
#include "cli/command.h"
#include "cli/cli.h"
#include "core/eval.h"
#include "cli/output.h"
#include "cli/user.h"
#include "core/session.h"
#include "base/interrupt.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

const CmdDef *const cpdb_command_tables[] = {
    cpdb_cmds_running, cpdb_cmds_break, cpdb_cmds_stack,
    cpdb_cmds_exceptions, cpdb_cmds_threads, cpdb_cmds_data,
    cpdb_cmds_files, cpdb_cmds_info, cpdb_cmds_support, cpdb_cmds_gc,
    cpdb_cmds_mem, cpdb_cmds_leak, cpdb_cmds_commands, cpdb_cmds_alias,
    cpdb_cmds_interact, cpdb_cmds_complete, cpdb_cmds_tasks, NULL
};

const char *const cpdb_class_names[CMD_CLASS_COUNT] = {
    "running", "breakpoints", "stack", "data", "files", "memory", "status",
    "support"
};

const char *const cpdb_class_docs[CMD_CLASS_COUNT] = {
    "Running the program: start, continue, step, finish, stop.",
    "Making the program stop at certain points.",
    "Examining the stack.",
    "Examining and changing data.",
    "Listing source files.",
    "Finding memory leaks: the garbage collector, references, tracemalloc.",
    "Status inquiries (info).",
    "Support facilities: help, settings, command files."
};

int
cpdb_command_has_name(const CmdDef *d, const char *word)
{
    const char *a;
    size_t n = strlen(word);
    if (strcmp(d->name, word) == 0) {
        return 1;
    }
    for (a = d->aliases; a != NULL && *a != '\0';) {
        const char *end = strchr(a, ' ');
        size_t len = end ? (size_t)(end - a) : strlen(a);
        if (len == n && strncmp(a, word, n) == 0) {
            return 1;
        }
        a = end ? end + 1 : a + len;
    }
    return 0;
}

/* A word that starts no command's name may start one of its aliases:
   pdb's "ret" is "return" (an alias of finish).  Names come first, so
   an alias never makes a prefix that worked before ambiguous.
   Return: CMD_LOOKUP_FOUND when every alias it starts belongs to one
   command, else CMD_LOOKUP_NONE. */
static CmdLookup
lookup_alias_prefix(const CmdDef *const *tables, int n_tables,
                    const char *word, const CmdDef **found)
{
    size_t len = strlen(word);
    const CmdDef *d, *match = NULL;
    int t;
    for (t = 0; t < n_tables && tables[t] != NULL; t++) {
        for (d = tables[t]; d->name != NULL; d++) {
            const char *a = d->aliases;
            while (a != NULL && *a != '\0') {
                const char *end = strchr(a, ' ');
                size_t n = end ? (size_t)(end - a) : strlen(a);
                if (n >= len && strncmp(a, word, len) == 0) {
                    if (match != NULL && match != d) {
                        return CMD_LOOKUP_NONE;
                    }
                    match = d;
                }
                a = end ? end + 1 : a + n;
            }
        }
    }
    *found = match;
    return match != NULL ? CMD_LOOKUP_FOUND : CMD_LOOKUP_NONE;
}

static CmdLookup
lookup_in(const CmdDef *const *tables, int n_tables, const char *word,
          const CmdDef **found, char **matches)
{
    int t, n_prefix = 0;
    size_t len = strlen(word);
    const CmdDef *d, *prefix_match = NULL;
    CpdbBuf names;

    *found = NULL;
    if (matches != NULL) {
        *matches = NULL;
    }
    if (len == 0) {
        return CMD_LOOKUP_NONE;
    }
    for (t = 0; t < n_tables && tables[t] != NULL; t++) {
        for (d = tables[t]; d->name != NULL; d++) {
            if (cpdb_command_has_name(d, word)) {
                *found = d;
                return CMD_LOOKUP_FOUND;
            }
        }
    }
    cpdb_buf_init(&names);
    for (t = 0; t < n_tables && tables[t] != NULL; t++) {
        for (d = tables[t]; d->name != NULL; d++) {
            if (strncmp(d->name, word, len) == 0) {
                if (n_prefix > 0) {
                    cpdb_buf_add(&names, ", ");
                }
                cpdb_buf_add(&names, d->name);
                prefix_match = d;
                n_prefix++;
            }
        }
    }
    if (n_prefix == 1) {
        cpdb_buf_fini(&names);
        *found = prefix_match;
        return CMD_LOOKUP_FOUND;
    }
    if (n_prefix == 0) {
        cpdb_buf_fini(&names);
        return lookup_alias_prefix(tables, n_tables, word, found);
    }
    if (matches != NULL) {
        *matches = cpdb_buf_take(&names);
    }
    cpdb_buf_fini(&names);
    return CMD_LOOKUP_AMBIGUOUS;
}

CmdLookup
cpdb_command_lookup(const CmdDef *const *tables, const char *word,
                    const CmdDef **found, char **matches)
{
    return lookup_in(tables, 1 << 20, word, found, matches);
}

const CmdDef *
cpdb_command_next(const CmdDef *const *tables, const CmdDef *prev)
{
    size_t t = 0;
    if (prev != NULL) {
        const CmdDef *d = NULL;
        for (; tables[t] != NULL; t++) {
            for (d = tables[t]; d->name != NULL && d != prev; d++) {
            }
            if (d == prev) {
                break;
            }
        }
        if (tables[t] == NULL) {
            return NULL;
        }
        if ((prev + 1)->name != NULL) {
            return prev + 1;
        }
        t++;
    }
    for (; tables[t] != NULL; t++) {
        if (tables[t]->name != NULL) {
            return tables[t];
        }
    }
    return NULL;
}

static int
is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

int
cpdb_command_split(const char *line, char *word, int word_size,
                   const char **rest)
{
    const char *p = cpdb_skip_space(line), *start = p;
    size_t n;
    if (*p == '?') {
        p++;                /* help's "?", never Python */
    }
    else if (!isalpha((unsigned char)*p) && *p != '_') {
        return -1;
    }
    while (*start != '?' && is_word_char(*p)) {
        p++;
    }
    n = (size_t)(p - start);
    if (*p != '\0' && *p != ' ' && *p != '\t') {
        return -1;          /* "p.x", "n(3)": Python, not a command */
    }
    if (n >= (size_t)word_size) {
        return -1;
    }
    memcpy(word, start, n);
    word[n] = '\0';
    *rest = cpdb_skip_space(p);
    return 0;
}

/* Whether the text after a word is an assignment ("c = 3", "n += 1"),
   which makes the line Python even if the word names a command. */
static int
is_assignment(const char *rest)
{
    static const char *const ops[] = {
        "//=", "**=", ">>=", "<<=", "+=", "-=", "*=", "/=", "%=", "&=",
        "|=", "^=", "@=", ":=", NULL
    };
    int i;
    if (rest[0] == '=' && rest[1] != '=') {
        return 1;
    }
    for (i = 0; ops[i] != NULL; i++) {
        if (strncmp(rest, ops[i], strlen(ops[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

static PyFrameObject *
selected_frame(CpdbSession *s)
{
    CpdbFrameEntry *e = cpdb_stack_selection(s);
    return e ? e->frame : NULL;
}

/* A line that is not a command runs as Python.  word is the line's
   first word when it has one: if the line turns out not to be Python
   either, it is reported as an unknown command. */
static CmdResult
run_python(CpdbSession *s, const char *text, const char *word)
{
    PyObject *value = NULL;
    if (cpdb_eval_line(s, selected_frame(s), text, &value) < 0) {
        /* A bare word that names nothing is neither a command nor a
           name: say both (the user may have meant either). */
        int bare = word != NULL && strcmp(text, word) == 0
            && PyErr_ExceptionMatches(PyExc_NameError);
        int unknown = word != NULL
            && PyErr_ExceptionMatches(PyExc_SyntaxError);
        if (bare || unknown) {
            PyErr_Clear();
            cpdb_error(s, "Undefined command%s: \"%s\".  Try \"help\".",
                       bare ? " or name" : "", word);
        }
        else {
            cpdb_error_exc(s, NULL);
        }
        return CMD_FAILED;
    }
    if (value != NULL && value != Py_None) {
        char *r = cpdb_repr(value, s->cli->set.print_limit);
        cpdb_out(s, "%s\n", r);
        free(r);
    }
    Py_XDECREF(value);
    return CMD_STAY;
}

/* Whether a command takes no arguments: its usage line is only its
   name (lower-case words, as "info locals"), with no ARG, [OPTION] or
   choice in it. */
static int
takes_no_arguments(const CmdDef *d)
{
    const char *p;
    if (d->usage == NULL || d->subcommands != NULL) {
        return 0;
    }
    for (p = d->usage; *p != '\0'; p++) {
        if (!islower((unsigned char)*p) && *p != ' ' && *p != '-') {
            return 0;
        }
    }
    return 1;
}

static CmdResult
run_command(CpdbSession *s, const CmdDef *d, const char *args)
{
    if ((d->flags & CMD_NEEDS_FRAME) && cpdb_stack_selection(s) == NULL) {
        cpdb_error(s, "No stack: the program is not being run.");
        return CMD_FAILED;
    }
    if ((d->flags & CMD_NEEDS_LIVE) && cpdb_session_live_error(s)) {
        cpdb_error(s, "%s", cpdb_session_live_error(s));
        return CMD_FAILED;
    }
    if ((d->flags & CMD_DOLLAR_TO_FN) && *cpdb_skip_space(args) == '$') {
        return d->fn(s, args);
    }
    if (d->fn == NULL || (d->flags & CMD_DOLLAR_TO_FN)
        || (d->subcommands != NULL && *cpdb_skip_space(args) != '\0')) {
        return cpdb_command_sub(s, d, args);
    }
    if (takes_no_arguments(d) && *cpdb_skip_space(args) != '\0') {
        cpdb_error(s, "\"%s\" takes no argument.", d->usage);
        return CMD_FAILED;
    }
    return d->fn(s, args);
}

static CmdResult execute_line(CpdbSession *s, const char *line);
/* Set while the line an alias made runs: it is not expanded again
   (cpdb_alias_expand already applied the aliases it uses). */
static int depth_of_alias;

/* Resident and peak resident memory in bytes from /proc (0 elsewhere);
   reset the peak to the current size when asked. */
static void
memory_now(long *rss, long *peak, int reset)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    *rss = *peak = 0;
    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "VmRSS:", 6) == 0) {
                *rss = strtol(line + 6, NULL, 10) * 1024;
            }
            else if (strncmp(line, "VmHWM:", 6) == 0) {
                *peak = strtol(line + 6, NULL, 10) * 1024;
            }
        }
        fclose(f);
    }
    if (reset && (f = fopen("/proc/self/clear_refs", "w")) != NULL) {
        fputs("5", f);      /* the peak starts again from the current size */
        fclose(f);
    }
}

static double
seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

CmdResult
cpdb_command_execute(CpdbSession *s, const char *line)
{
    int time_it = s->cli->set.maint_time, space_it = s->cli->set.maint_space;
    double cpu0 = 0, wall0 = 0;
    long rss0 = 0, peak0, rss1, peak1;
    CmdResult r;
    /* A Ctrl-C counts from here: one that cancelled a line before, or
       came while nothing could stop, must not cut this command short. */
    cpdb_interrupt_wrap();
    cpdb_interrupt_clear();
    if (!time_it && !space_it) {
        return execute_line(s, line);
    }
    if (space_it) {
        memory_now(&rss0, &peak0, 1);
    }
    cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
    wall0 = seconds(CLOCK_MONOTONIC);
    r = execute_line(s, line);
    if (time_it) {
        cpdb_out(s, "Command execution time: %.6f (cpu), %.6f (wall)\n",
                 seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
                 seconds(CLOCK_MONOTONIC) - wall0);
    }
    if (space_it) {
        memory_now(&rss1, &peak1, 0);
        cpdb_out(s, "Space used: %ld (%+ld for this command), peak %+ld\n",
                 rss1, rss1 - rss0, peak1 > rss0 ? peak1 - rss0 : 0);
    }
    return r;
}

static CmdResult
execute_line(CpdbSession *s, const char *line)
{
    char word[64], *matches = NULL;
    const char *p = cpdb_skip_space(line), *rest;
    const CmdDef *d;
    CmdResult r;

    if (*p == '\0' || *p == '#') {
        return CMD_STAY;
    }
    /* --- aliases (cmd_alias.c) --- */
    if (depth_of_alias == 0) {
        char *err, *expanded = cpdb_alias_expand(s, p, &err);
        if (err != NULL) {
            cpdb_error(s, "%s", err);
            free(err);
            return CMD_FAILED;
        }
        if (expanded != NULL) {
            depth_of_alias++;
            r = execute_line(s, expanded);
            depth_of_alias--;
            free(expanded);
            return r;
        }
    }
    /* --- */
    if (*p == '!') {
        return run_python(s, p + 1, NULL);
    }
    if (*p == '$') {
        /* "$x = 5" assigns a convenience variable, as "set $x = 5":
           never a Python assignment to the name $x stands for. */
        const char *q = p + 1;
        while (isalnum((unsigned char)*q) || *q == '_') {
            q++;
        }
        q = cpdb_skip_space(q);
        if (q > p + 1 && is_assignment(q)) {
            if (q[0] != '=') {
                cpdb_error(s, "Bad assignment \"%s\": convenience "
                           "variables take \"$NAME = EXPR\".", p);
                return CMD_FAILED;
            }
            if (cpdb_command_lookup(cpdb_command_tables, "set", &d, NULL)
                == CMD_LOOKUP_FOUND) {
                return run_command(s, d, p);
            }
        }
    }
    if (cpdb_command_split(p, word, sizeof word, &rest) < 0
        || is_assignment(rest)) {
        return run_python(s, p, NULL);
    }
    switch (cpdb_command_lookup(cpdb_command_tables, word, &d, &matches)) {
    case CMD_LOOKUP_FOUND:
        return run_command(s, d, rest);
    case CMD_LOOKUP_AMBIGUOUS:
        cpdb_error(s, "Ambiguous command \"%s\": %s.", word, matches);
        free(matches);
        return CMD_FAILED;
    case CMD_LOOKUP_NONE:
    default:
        r = run_python(s, p, word);
        return r;
    }
}

int
cpdb_doc_summary_len(const char *doc)
{
    const char *nl = strchr(doc, '\n');
    int n = nl ? (int)(nl - doc) : (int)strlen(doc);
    if (n > 0 && doc[n - 1] == '.') {
        n--;
    }
    return n;
}

CmdResult
cpdb_command_sub(CpdbSession *s, const CmdDef *cmd, const char *args)
{
    char word[64], *matches = NULL;
    const char *rest;
    const CmdDef *d;

    if (*cpdb_skip_space(args) == '\0') {
        cpdb_out(s, "\"%s\" must be followed by the name of a subcommand.\n"
                 "List of %s subcommands:\n\n", cmd->name, cmd->name);
        for (d = cpdb_command_next(cmd->subcommands, NULL); d != NULL;
             d = cpdb_command_next(cmd->subcommands, d)) {
            cpdb_out(s, "%s %s -- %.*s.\n", cmd->name, d->name,
                     cpdb_doc_summary_len(d->doc), d->doc);
        }
        return CMD_STAY;
    }
    if (cpdb_command_split(args, word, sizeof word, &rest) < 0) {
        cpdb_error(s, "Undefined %s command: \"%s\".  Try \"help %s\".",
                   cmd->name, cpdb_skip_space(args), cmd->name);
        return CMD_FAILED;
    }
    switch (cpdb_command_lookup(cmd->subcommands, word, &d, &matches)) {
    case CMD_LOOKUP_FOUND:
        return run_command(s, d, rest);
    case CMD_LOOKUP_AMBIGUOUS:
        cpdb_error(s, "Ambiguous %s command \"%s\": %s.", cmd->name, word,
                   matches);
        free(matches);
        return CMD_FAILED;
    case CMD_LOOKUP_NONE:
    default:
        cpdb_error(s, "Undefined %s command: \"%s\".  Try \"help %s\".",
                   cmd->name, word, cmd->name);
        return CMD_FAILED;
    }
}

char *
cpdb_command_repeat_form(const char *line)
{
    char word[64];
    const char *rest;
    const CmdDef *d;
    const char *p = cpdb_skip_space(line);

    if (cpdb_command_split(p, word, sizeof word, &rest) < 0
        || is_assignment(rest)
        || cpdb_command_lookup(cpdb_command_tables, word, &d, NULL)
           != CMD_LOOKUP_FOUND) {
        return NULL;
    }
    if (d->flags & CMD_REPEATS_BARE) {
        return cpdb_xstrdup(word);
    }
    if (d->flags & CMD_REPEATS) {
        return cpdb_strip_dup(p);
    }
    return NULL;
}
