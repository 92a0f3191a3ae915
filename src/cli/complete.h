/* Tab completion: command and subcommand names from the command tables,
   and each command's arguments from the completer its record carries.
   The completers several commands share are here. */
#ifndef CPDB_SRC_COMPLETE_H
#define CPDB_SRC_COMPLETE_H

#include "cli/command.h"

/* Candidates for the word text, which starts at offset start of line.
   Return: malloc'd NULL-terminated array of malloc'd strings, sorted,
   without duplicates.  *words says whether the candidates are whole
   words (commands), after which a space is typed, or Python names. */
char **cpdb_complete(CpdbSession *s, const char *line, int start,
                     const char *text, int *words);

/* For completers: add a candidate head + name (head may be NULL),
   kept when it starts with what is typed. */
void cpdb_complete_add(CpdbCompletion *c, const char *head,
                       const char *name);
/* The names of a list of command tables (a prefix command's
   subcommands), or of every command when NULL. */
void cpdb_complete_commands(CpdbCompletion *c, const CmdDef *const *tables);

/* Completers: Python names in the selected frame (attributes after a
   dot, those starting with '_' hidden until a '_' is typed, as pdb);
   and locations: the functions of the current file, modules (imported,
   or on the import path) and what they define after "mod.", the
   functions or code lines of a file after "FILE:", and only "if" once
   a location is typed. */
void cpdb_complete_python(CpdbSession *s, CpdbCompletion *c);
void cpdb_complete_functions(CpdbSession *s, CpdbCompletion *c);
/* Type names of the tracked objects, as "gc types" prints them (and
   their last part), for "gc instances". */
void cpdb_complete_types(CpdbSession *s, CpdbCompletion *c);

#endif /* CPDB_SRC_COMPLETE_H */
