/* What the user defines at the prompt and cpdb keeps as command text:
   the command lists of breakpoints ("commands N" ... "end") and aliases.
   Each has one home (cmd_commands.c, cmd_alias.c) and a function that
   writes it out as cpdb commands, which, read back, define it again (to
   keep them across a restart, or to save them in a file). */
#ifndef CPDB_SRC_USER_H
#define CPDB_SRC_USER_H

#include "base/util.h"

typedef struct CpdbSession CpdbSession;

/* The commands of breakpoint number (as typed, "silent" included).
   Return: the number of lines, *lines borrowed (owned by the session,
   valid until the next command); 0 when it has none. */
size_t cpdb_bp_commands_get(CpdbSession *s, int number,
                            char *const **lines);
/* Whether breakpoint number's commands start with "silent": its stops
   are not shown. */
int cpdb_bp_commands_silent(CpdbSession *s, int number);
/* Run the commands of breakpoint number at one of its stops, until one
   resumes the program (which ends the list, as in gdb).  Return: 1 when
   the program was resumed, else 0 (the prompt follows). */
int cpdb_bp_commands_run(CpdbSession *s, int number);
/* Print breakpoint number's commands under its "info breakpoints"
   entry. */
void cpdb_bp_commands_show(CpdbSession *s, int number);
/* Append the definitions of every existing breakpoint's commands, as
   "commands N" ... "end" blocks. */
void cpdb_bp_commands_write(CpdbSession *s, CpdbBuf *out);

/* The line an alias makes of line, when line's first word is an alias
   (applied again to the result's first word, as pdb does).  Return:
   malloc'd line; NULL when no alias applies, or (*err set, malloc'd)
   when the arguments do not fit or aliases loop. */
char *cpdb_alias_expand(CpdbSession *s, const char *line, char **err);
/* Call fn with the name of each alias (for completion). */
void cpdb_alias_names(CpdbSession *s,
                      void (*fn)(void *ctx, const char *name), void *ctx);
/* Append the definitions of the aliases, one "alias ..." line each. */
void cpdb_aliases_write(CpdbSession *s, CpdbBuf *out);

#endif /* CPDB_SRC_USER_H */
