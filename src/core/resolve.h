/* Resolving a parsed location (core/location.h) to a source file and a
   line that holds code.  Errors come back as a CPDB_E_* code and a
   message; nothing is printed. */
#ifndef CPDB_SRC_RESOLVE_H
#define CPDB_SRC_RESOLVE_H

#include "core/location.h"

typedef struct CpdbSession CpdbSession;

enum {
    CPDB_RESOLVE_ANY_LINE = 1 << 0, /* FILE:LINE need not hold code */
    CPDB_RESOLVE_DEF_LINE = 1 << 1  /* a function's def line, not body */
};

typedef struct CpdbResolved {
    char *path;             /* canonical absolute file (malloc) */
    int line;
    int moved_from;         /* the line asked for, when it held no code
                               and line is the next one that does; or 0 */
} CpdbResolved;

/* Return: CPDB_OK with *out filled (release with cpdb_resolved_fini),
   or a negative CPDB_E_* with *why (malloc'd) saying what is wrong and
   what is expected. */
int cpdb_location_resolve(CpdbSession *s, const CpdbLocation *loc,
                          unsigned flags, CpdbResolved *out, char **why);
void cpdb_resolved_fini(CpdbResolved *r);

/* Whether the module whose file is path (canonical) is imported, or is
   the running program's main file. */
int cpdb_file_is_loaded(CpdbSession *s, const char *path);
/* The file of the selected frame, else the program's main file.
   Return: malloc'd canonical path, or NULL. */
char *cpdb_default_file(CpdbSession *s);

#endif /* CPDB_SRC_RESOLVE_H */
