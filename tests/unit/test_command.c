/* The command table: names unique, docs well formed, lookup by name,
   alias and unique prefix, splitting, and what Enter repeats. */
#include "cli/command.h"
#include "tap.h"

#include <ctype.h>
#include <stdlib.h>

static void
each_name(const CmdDef *d, void (*fn)(const char *, const CmdDef *))
{
    const char *a;
    fn(d->name, d);
    for (a = d->aliases; a != NULL && *a;) {
        const char *end = strchr(a, ' ');
        size_t n = end ? (size_t)(end - a) : strlen(a);
        char buf[64];
        if (n < sizeof buf) {
            memcpy(buf, a, n);
            buf[n] = '\0';
            fn(buf, d);
        }
        a = end ? end + 1 : a + n;
    }
}

static const char *seen[512];
static const CmdDef *seen_def[512];
static int n_seen, n_dupes;
static int seen_from;           /* names before it are another scope's */

static void
record(const char *name, const CmdDef *d)
{
    int i;
    for (i = seen_from; i < n_seen; i++) {
        if (strcmp(seen[i], name) == 0 && seen_def[i] != d) {
            printf("# \"%s\" names both %s and %s\n", name,
                   seen_def[i]->name, d->name);
            n_dupes++;
        }
    }
    if (n_seen < 512) {
        seen[n_seen] = strdup(name);
        seen_def[n_seen++] = d;
    }
}

/* A prefix command's subcommands: found across the tables its files
   export, unique names, n of them in all. */
static void
subcommands(const char *prefix, const char *const *names, int n)
{
    const CmdDef *d = NULL, *sub;
    int i, count = 0, saved_seen = n_seen, saved_dupes = n_dupes;
    cpdb_command_lookup(cpdb_command_tables, prefix, &d, NULL);
    if (d == NULL || d->subcommands == NULL) {
        OK(0, "%s is a prefix command", prefix);
        return;
    }
    seen_from = n_seen;
    for (sub = cpdb_command_next(d->subcommands, NULL); sub != NULL;
         sub = cpdb_command_next(d->subcommands, sub)) {
        each_name(sub, record);
        count++;
    }
    OK(n_dupes == saved_dupes, "\"%s\" subcommand names are unique", prefix);
    seen_from = 0;
    while (n_seen > saved_seen) {
        free((char *)seen[--n_seen]);
    }
    OK(count == n, "\"%s\" has %d subcommands in its tables (got %d)",
       prefix, n, count);
    for (i = 0; names[i] != NULL; i++) {
        const CmdDef *found = NULL;
        OK(cpdb_command_lookup(d->subcommands, names[i], &found, NULL)
           == CMD_LOOKUP_FOUND && found != NULL, "\"%s %s\" is found",
           prefix, names[i]);
    }
}

static int
doc_ok(const CmdDef *d)
{
    const char *nl = strchr(d->doc, '\n');
    size_t n = nl ? (size_t)(nl - d->doc) : strlen(d->doc);
    return n > 1 && isupper((unsigned char)d->doc[0])
           && d->doc[n - 1] == '.' && d->usage != NULL
           && strncmp(d->usage, d->name, strlen(d->name)) == 0;
}

static void
lookup(const char *word, CmdLookup want, const char *want_name)
{
    const CmdDef *d = NULL;
    char *matches = NULL;
    CmdLookup got = cpdb_command_lookup(cpdb_command_tables, word, &d,
                                        &matches);
    OK(got == want && (want_name == NULL
                       || (d != NULL && strcmp(d->name, want_name) == 0)),
       "lookup \"%s\" -> %s", word, want_name ? want_name : "none");
    if (got == CMD_LOOKUP_AMBIGUOUS) {
        printf("#   candidates: %s\n", matches);
    }
    free(matches);
}

static void
repeat(const char *line, const char *want)
{
    char *got = cpdb_command_repeat_form(line);
    OK((want == NULL && got == NULL)
       || (want != NULL && got != NULL && strcmp(want, got) == 0),
       "Enter after \"%s\" runs %s (got %s)", line, want ? want : "nothing",
       got ? got : "nothing");
    free(got);
}

int
main(void)
{
    int t, n_docs = 0, n_bad = 0;
    const CmdDef *d, *sub;
    char word[64];
    const char *rest;

    for (t = 0; cpdb_command_tables[t] != NULL; t++) {
        for (d = cpdb_command_tables[t]; d->name != NULL; d++) {
            each_name(d, record);
            n_docs++;
            if (!doc_ok(d)) {
                printf("# bad doc or usage: %s\n", d->name);
                n_bad++;
            }
            for (sub = d->subcommands
                       ? cpdb_command_next(d->subcommands, NULL) : NULL;
                 sub != NULL; sub = cpdb_command_next(d->subcommands, sub)) {
                if (!(sub->usage && sub->doc && isupper((unsigned char)
                                                        sub->doc[0]))) {
                    printf("# bad doc: %s %s\n", d->name, sub->name);
                    n_bad++;
                }
            }
            OK(d->cls < CMD_CLASS_COUNT, "%s has a class", d->name);
        }
    }
    OK(n_dupes == 0, "command names and aliases are unique");
    OK(n_bad == 0 && n_docs > 30,
       "%d commands, each doc's first line a sentence ending in '.'",
       n_docs);

    {
        /* Tables from several files each: the first and last of each. */
        static const char *const gc[] = {
            "info", "cycles", "types", "instances", "refs", "leaks", NULL
        };
        static const char *const info[] = {
            "breakpoints", "watchpoints", "catch", "locals", "frame",
            "display", "source", "trace", "gc", "program", "threads", NULL
        };
        subcommands("gc", gc, 15);
        subcommands("info", info, 14);
    }

    lookup("break", CMD_LOOKUP_FOUND, "break");
    lookup("b", CMD_LOOKUP_FOUND, "break");
    lookup("br", CMD_LOOKUP_FOUND, "break");
    lookup("cont", CMD_LOOKUP_FOUND, "continue");
    /* A prefix of an alias when no name starts so (pdb's "ret"). */
    lookup("ret", CMD_LOOKUP_FOUND, "finish");
    lookup("retu", CMD_LOOKUP_FOUND, "finish");
    lookup("wh", CMD_LOOKUP_FOUND, "whatis");
    lookup("c", CMD_LOOKUP_FOUND, "continue");
    lookup("n", CMD_LOOKUP_FOUND, "next");
    lookup("s", CMD_LOOKUP_FOUND, "step");
    lookup("l", CMD_LOOKUP_FOUND, "list");
    lookup("bt", CMD_LOOKUP_FOUND, "backtrace");
    lookup("w", CMD_LOOKUP_FOUND, "backtrace");
    lookup("where", CMD_LOOKUP_FOUND, "backtrace");
    lookup("u", CMD_LOOKUP_FOUND, "up");
    lookup("d", CMD_LOOKUP_FOUND, "down");
    lookup("p", CMD_LOOKUP_FOUND, "print");
    lookup("pp", CMD_LOOKUP_FOUND, "pp");
    lookup("q", CMD_LOOKUP_FOUND, "quit");
    lookup("r", CMD_LOOKUP_FOUND, "finish");
    lookup("return", CMD_LOOKUP_FOUND, "finish");
    lookup("ll", CMD_LOOKUP_FOUND, "longlist");
    lookup("unt", CMD_LOOKUP_FOUND, "until");
    lookup("h", CMD_LOOKUP_FOUND, "help");
    lookup("co", CMD_LOOKUP_AMBIGUOUS, NULL);
    lookup("di", CMD_LOOKUP_AMBIGUOUS, NULL);
    lookup("del", CMD_LOOKUP_FOUND, "delete");
    lookup("xyzzy", CMD_LOOKUP_NONE, NULL);
    lookup("", CMD_LOOKUP_NONE, NULL);

    OK(cpdb_command_split("  break  10 if x", word, sizeof word, &rest) == 0
       && strcmp(word, "break") == 0 && strcmp(rest, "10 if x") == 0,
       "split a command word from its arguments");
    OK(cpdb_command_split("p.x = 3", word, sizeof word, &rest) < 0,
       "\"p.x = 3\" is not a command");
    OK(cpdb_command_split("n(3)", word, sizeof word, &rest) < 0,
       "\"n(3)\" is not a command");
    OK(cpdb_command_split("[1, 2]", word, sizeof word, &rest) < 0,
       "\"[1, 2]\" is not a command");

    repeat("next", "next");
    repeat("n 3", "n 3");
    repeat("step", "step");
    repeat("list 20", "list");
    repeat("l", "l");
    repeat("run", NULL);
    repeat("kill", NULL);
    repeat("delete 1", NULL);
    repeat("quit", NULL);
    repeat("break 10", NULL);
    repeat("x = 1", NULL);
    repeat("c = 1", NULL);
    return tap_done();
}
