/* Tab completion: command and subcommand names, function names for
   locations, Python names (and attributes after a dot) in the selected
   frame. */
#ifndef CPDB_SRC_COMPLETE_H
#define CPDB_SRC_COMPLETE_H

typedef struct CpdbSession CpdbSession;

/* Candidates for the word text, which starts at offset start of line.
   Return: malloc'd NULL-terminated array of malloc'd strings, sorted,
   without duplicates.  *words says whether the candidates are whole
   words (commands), after which a space is typed, or Python names. */
char **cpdb_complete(CpdbSession *s, const char *line, int start,
                     const char *text, int *words);
void cpdb_complete_free(char **candidates);

#endif /* CPDB_SRC_COMPLETE_H */
