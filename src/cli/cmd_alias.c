/* Aliases, in pdb's form and gdb's:
     alias NAME COMMAND...        pdb: %1..%9 take the arguments, %* all
     alias [-a] NAME = COMMAND    gdb: the arguments follow COMMAND
   An alias is the first word of a line; the line it makes is looked at
   again (aliases may use aliases, as in pdb) up to a depth that stops a
   loop.  A pdb alias may hide a command, as pdb allows; a gdb alias may
   not, as gdb refuses it; neither may be "alias" or "unalias". */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/user.h"
#include "core/session.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Aliases applied to one line before it is given up as a loop. */
#define CPDB_ALIAS_DEPTH 32
/* Parameters %1..%9, as pdb. */
#define CPDB_ALIAS_PARAMS 9

typedef struct Alias {
    char *name;             /* malloc */
    char *text;             /* malloc: the command it stands for */
    int gdb_form;           /* "alias NAME = COMMAND": arguments follow */
    int abbrev;             /* gdb's -a */
} Alias;

struct CpdbAliases {
    CPDB_ARRAY(Alias) items;
};

void
cpdb_aliases_free(CpdbAliases *t)
{
    size_t i;
    if (t == NULL) {
        return;
    }
    for (i = 0; i < t->items.n; i++) {
        free(t->items.items[i].name);
        free(t->items.items[i].text);
    }
    free(t->items.items);
    free(t);
}

static Alias *
find_alias(CpdbSession *s, const char *name)
{
    CpdbAliases *t = s->cli->aliases;
    size_t i;
    for (i = 0; t != NULL && i < t->items.n; i++) {
        if (strcmp(t->items.items[i].name, name) == 0) {
            return &t->items.items[i];
        }
    }
    return NULL;
}

void
cpdb_alias_names(CpdbSession *s, void (*fn)(void *ctx, const char *name),
                 void *ctx)
{
    CpdbAliases *t = s->cli->aliases;
    size_t i;
    for (i = 0; t != NULL && i < t->items.n; i++) {
        fn(ctx, t->items.items[i].name);
    }
}

/* The definition as the user would type it. */
static void
write_one(CpdbBuf *b, const Alias *a)
{
    if (a->gdb_form) {
        cpdb_buf_printf(b, "alias %s%s = %s", a->abbrev ? "-a " : "",
                        a->name, a->text);
    }
    else {
        cpdb_buf_printf(b, "alias %s %s", a->name, a->text);
    }
}

void
cpdb_aliases_write(CpdbSession *s, CpdbBuf *out)
{
    CpdbAliases *t = s->cli->aliases;
    size_t i;
    for (i = 0; t != NULL && i < t->items.n; i++) {
        write_one(out, &t->items.items[i]);
        cpdb_buf_addc(out, '\n');
    }
}

/* The words of text split at blanks.  Return: their count (at most
   max), each in words[] as a malloc'd string. */
static int
split_words(const char *text, char **words, int max)
{
    int n = 0;
    const char *p = cpdb_skip_space(text);
    while (*p != '\0' && n < max) {
        const char *end = p;
        while (*end != '\0' && !isspace((unsigned char)*end)) {
            end++;
        }
        words[n++] = cpdb_xstrndup(p, (size_t)(end - p));
        p = cpdb_skip_space(end);
    }
    return n;
}

/* One step of expansion: the line alias a makes of the arguments args.
   Return: malloc'd, or NULL with *err set (malloc'd). */
static char *
apply_alias(const Alias *a, const char *args, char **err)
{
    char *argv[CPDB_ALIAS_PARAMS + 1];
    int argc, i, used = 0;
    CpdbBuf b;
    const char *p;

    args = cpdb_skip_space(args);
    cpdb_buf_init(&b);
    if (a->gdb_form) {
        cpdb_buf_add(&b, a->text);
        if (*args != '\0') {
            cpdb_buf_printf(&b, " %s", args);
        }
        return cpdb_buf_take(&b);
    }
    argc = split_words(args, argv, CPDB_ALIAS_PARAMS + 1);
    for (p = a->text; *p != '\0'; p++) {
        if (p[0] == '%' && p[1] == '*') {
            cpdb_buf_add(&b, args);
            used = CPDB_ALIAS_PARAMS + 1;
            p++;
        }
        else if (p[0] == '%' && p[1] >= '1' && p[1] <= '9') {
            int k = p[1] - '0';
            if (k > argc) {
                *err = cpdb_xasprintf("Not enough arguments for alias "
                                      "\"%s\": %d expected.", a->name, k);
                break;
            }
            cpdb_buf_add(&b, argv[k - 1]);
            used = used > k ? used : k;
            p++;
        }
        else {
            cpdb_buf_addc(&b, *p);
        }
    }
    if (*err == NULL && argc > used) {
        *err = cpdb_xasprintf("Too many arguments for alias \"%s\": %d "
                              "expected.", a->name, used);
    }
    for (i = 0; i < argc; i++) {
        free(argv[i]);
    }
    if (*err != NULL) {
        cpdb_buf_fini(&b);
        return NULL;
    }
    return cpdb_buf_take(&b);
}

char *
cpdb_alias_expand(CpdbSession *s, const char *line, char **err)
{
    char word[64], *cur = NULL;
    const char *rest;
    int depth;

    *err = NULL;
    if (s->cli->aliases == NULL) {
        return NULL;
    }
    for (depth = 0;; depth++) {
        const Alias *a;
        char *next;
        const char *text = cur ? cur : line;
        if (cpdb_command_split(text, word, sizeof word, &rest) < 0
            || (a = find_alias(s, word)) == NULL
            || (rest[0] == '=' && rest[1] != '=')) {
            return cur;     /* Python ("x = 1") or no alias: done */
        }
        if (depth == CPDB_ALIAS_DEPTH) {
            *err = cpdb_xasprintf("Alias \"%s\" expands to itself "
                                  "(aliases nested more than %d deep).",
                                  word, CPDB_ALIAS_DEPTH);
            free(cur);
            return NULL;
        }
        next = apply_alias(a, rest, err);
        free(cur);
        if (next == NULL) {
            return NULL;
        }
        cur = next;
    }
}

/* Whether name is a word an alias may have. */
static int
is_alias_name(const char *name)
{
    char word[64];
    const char *rest;
    return cpdb_command_split(name, word, sizeof word, &rest) == 0
           && *rest == '\0';
}

static void
list_aliases(CpdbSession *s)
{
    CpdbAliases *t = s->cli->aliases;
    size_t i;
    if (t == NULL || t->items.n == 0) {
        cpdb_out(s, "No aliases.\n");
        return;
    }
    for (i = 0; i < t->items.n; i++) {
        const Alias *a = &t->items.items[i];
        cpdb_out(s, "%s = %s%s\n", a->name, a->text,
                 a->gdb_form ? " ..." : "");
    }
}

/* Take "NAME = COMMAND" (gdb) or "NAME COMMAND" (pdb) apart into a.
   Return 0, or -1 after reporting. */
static int
parse_definition(CpdbSession *s, const char *args, Alias *a)
{
    const char *p = cpdb_skip_space(args), *end, *cmd;
    char word[64], *matches = NULL;
    const char *rest;
    const CmdDef *d;

    memset(a, 0, sizeof *a);
    if (strncmp(p, "-a", 2) == 0 && (p[2] == ' ' || p[2] == '\t')) {
        a->abbrev = 1;
        p = cpdb_skip_space(p + 2);
    }
    for (end = p; *end != '\0' && !isspace((unsigned char)*end)
                  && *end != '='; end++) {
    }
    a->name = cpdb_xstrndup(p, (size_t)(end - p));
    cmd = cpdb_skip_space(end);
    if (*cmd == '=') {
        a->gdb_form = 1;
        cmd = cpdb_skip_space(cmd + 1);
    }
    else if (a->abbrev) {
        cpdb_error(s, "Usage: alias [-a] NAME = COMMAND.");
        return -1;
    }
    if (!is_alias_name(a->name)) {
        cpdb_error(s, "Bad alias name \"%s\": a word of letters, digits, "
                   "'_' and '-' is expected.", a->name);
        return -1;
    }
    if (strcmp(a->name, "alias") == 0 || strcmp(a->name, "unalias") == 0) {
        cpdb_error(s, "\"%s\" cannot be an alias: it would not be "
                   "undone.", a->name);
        return -1;
    }
    a->text = cpdb_strip_dup(cmd);
    if (*a->text == '\0') {
        cpdb_error(s, "Argument required (the command \"%s\" stands for).",
                   a->name);
        return -1;
    }
    if (!a->gdb_form) {
        return 0;
    }
    /* gdb: COMMAND must be a command, and NAME not one already. */
    if (cpdb_command_split(a->text, word, sizeof word, &rest) < 0
        || cpdb_command_lookup(cpdb_command_tables, word, &d, &matches)
           != CMD_LOOKUP_FOUND) {
        free(matches);
        cpdb_error(s, "Invalid command to alias to: \"%s\".", a->text);
        return -1;
    }
    if (cpdb_command_lookup(cpdb_command_tables, a->name, &d, NULL)
        == CMD_LOOKUP_FOUND && cpdb_command_has_name(d, a->name)) {
        cpdb_error(s, "Alias \"%s\" would hide the command \"%s\" (gdb's "
                   "form; pdb's \"alias %s COMMAND\" may).", a->name,
                   d->name, a->name);
        return -1;
    }
    if (find_alias(s, a->name) != NULL) {
        cpdb_error(s, "Alias already exists: \"%s\" (\"unalias %s\" "
                   "first).", a->name, a->name);
        return -1;
    }
    return 0;
}

static void
alias_clear(Alias *a)
{
    free(a->name);
    free(a->text);
}

static CmdResult
cmd_alias(CpdbSession *s, const char *args)
{
    const char *p = cpdb_skip_space(args);
    Alias a, *old;
    CpdbCli *c = s->cli;

    if (*p == '\0') {
        list_aliases(s);
        return CMD_STAY;
    }
    if (is_alias_name(p)) {
        const Alias *one = find_alias(s, p);
        if (one == NULL) {
            cpdb_error(s, "Unknown alias \"%s\".", p);
            return CMD_FAILED;
        }
        cpdb_out(s, "%s = %s%s\n", one->name, one->text,
                 one->gdb_form ? " ..." : "");
        return CMD_STAY;
    }
    if (parse_definition(s, p, &a) < 0) {
        alias_clear(&a);
        return CMD_FAILED;
    }
    if ((old = find_alias(s, a.name)) != NULL) {
        alias_clear(old);       /* pdb: a new definition replaces it */
        *old = a;
        return CMD_STAY;
    }
    if (c->aliases == NULL) {
        c->aliases = cpdb_xcalloc(1, sizeof *c->aliases);
    }
    cpdb_array_push(&c->aliases->items, a);
    return CMD_STAY;
}

static CmdResult
cmd_unalias(CpdbSession *s, const char *args)
{
    char *name = cpdb_strip_dup(args);
    Alias *a = find_alias(s, name);
    CpdbAliases *t = s->cli->aliases;
    CmdResult r = CMD_STAY;
    if (*name == '\0') {
        cpdb_error(s, "Argument required (the name of an alias).");
        r = CMD_FAILED;
    }
    else if (a == NULL) {
        cpdb_error(s, "Unknown alias \"%s\".", name);
        r = CMD_FAILED;
    }
    else {
        size_t at = (size_t)(a - t->items.items);
        alias_clear(a);
        memmove(a, a + 1, sizeof *a * (t->items.n - at - 1));
        t->items.n--;
    }
    free(name);
    return r;
}

const CmdDef cpdb_cmds_alias[] = {
    {"alias", NULL, CMD_CLASS_SUPPORT, 0, cmd_alias,
     "alias [NAME [COMMAND] | [-a] NAME = COMMAND]",
     "Define a new name for a command line, as pdb and gdb do.\n"
     "\"alias NAME COMMAND\" (pdb's form): NAME typed as the first word\n"
     "of a line runs COMMAND, with %1 to %9 replaced by the words after\n"
     "NAME and %* by all of them (too many or too few words is an\n"
     "error).  COMMAND may use other aliases.  As in pdb, such an alias\n"
     "may hide a command of the same name until \"unalias NAME\".\n"
     "\"alias [-a] NAME = COMMAND\" (gdb's form): the words after NAME\n"
     "follow COMMAND, which must start with a command; as in gdb, NAME\n"
     "may not be a command's name or an alias already.\n"
     "\"alias\" lists the aliases, \"alias NAME\" shows one.  No alias\n"
     "may be called \"alias\" or \"unalias\".", NULL, NULL},
    {"unalias", NULL, CMD_CLASS_SUPPORT, 0, cmd_unalias, "unalias NAME",
     "Delete an alias.", NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};
