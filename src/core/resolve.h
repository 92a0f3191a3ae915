/* Resolving a parsed location (core/location.h) to a source file and a
   line that holds code.  Errors come back as a CPDB_E_* code and a
   message; nothing is printed.  The resolution itself needs no session:
   what it must know of the program comes in a CpdbResolver. */
#ifndef CPDB_SRC_RESOLVE_H
#define CPDB_SRC_RESOLVE_H

#include "cpdb/cpdb.h"
#include "core/location.h"
#include "core/source.h"

#include <stddef.h>

typedef struct CpdbSession CpdbSession;

enum {
    CPDB_RESOLVE_ANY_LINE = 1 << 0, /* FILE:LINE need not hold code */
    CPDB_RESOLVE_DEF_LINE = 1 << 1  /* a function's def line, not body */
};

/* What resolving a location knows of the program. */
typedef struct CpdbResolver {
    CpdbSourceCache *sources;   /* borrowed: files read and compiled */
    char *const *files;         /* borrowed: files seen running */
    size_t n_files;
    const char *main_path;      /* borrowed: the program's main file (its
                                   folder's tree is searched), or NULL */
    char *default_file;         /* owned: the selected frame's file, else
                                   the program's; or NULL */
    int current_line;           /* the selected frame's line, or 0 */
    /* Where the function that name evaluates to in the selected frame
       is defined: *path (malloc'd, canonical) and *def_line.  Return 0,
       or -1 when it is not defined there.  May be NULL. */
    int (*find_function)(void *ctx, const char *name, char **path,
                         int *def_line);
    void *ctx;
} CpdbResolver;

typedef struct CpdbResolved {
    char *path;             /* canonical absolute file (malloc) */
    int line;
    int moved_from;         /* the line asked for, when it held no code
                               and line is the next one that does; or 0 */
    int def_line;           /* a function: its code's co_firstlineno */
    char *code_name;        /* a function: its code's co_name (malloc),
                               else NULL */
} CpdbResolved;

/* Return: CPDB_OK with *out filled (release with cpdb_resolved_fini),
   or a negative CPDB_E_* with *why (malloc'd) saying what is wrong and
   what is expected. */
int cpdb_location_resolve(const CpdbResolver *r, const CpdbLocation *loc,
                          unsigned flags, CpdbResolved *out, char **why);
void cpdb_resolved_fini(CpdbResolved *out);

/* Whether the module whose file is path (canonical) is imported, or is
   running_main (the running program's main file; NULL when none). */
int cpdb_file_loaded(const char *running_main, const char *path);

/* The session's resolver: where the program stands now.  Release with
   cpdb_resolver_fini. */
void cpdb_session_resolver(CpdbSession *s, CpdbResolver *r);
void cpdb_resolver_fini(CpdbResolver *r);
/* cpdb_file_loaded() for the session's program. */
int cpdb_file_is_loaded(CpdbSession *s, const char *path);
/* The file of the selected frame, else the program's main file.
   Return: malloc'd canonical path, or NULL. */
char *cpdb_default_file(CpdbSession *s);

#endif /* CPDB_SRC_RESOLVE_H */
