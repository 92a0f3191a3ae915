/* Source files: their lines, which lines hold code, and the functions
   defined in them, from compiling the file once. */
#ifndef CPDB_SRC_SOURCE_H
#define CPDB_SRC_SOURCE_H

#include "base/util.h"

typedef struct CpdbFuncInfo {
    char *qualname;         /* "Class.method", "outer.<locals>.inner" */
    int def_line;           /* co_firstlineno */
    int body_line;          /* first line with code after the def line */
    int last_line;
} CpdbFuncInfo;

typedef struct CpdbSource {
    char *path;             /* canonical absolute path */
    char **lines;           /* without newlines */
    int n_lines;
    long mtime;
    int analysed;           /* code_lines and funcs computed */
    int compiles;           /* the file compiled */
    unsigned char *code_lines;  /* [1..n_lines]: 1 if a line holds code */
    CpdbFuncInfo *funcs;
    int n_funcs;
} CpdbSource;

/* The files read so far.  busy: the owner's re-entrancy guard, held
   while a file compiles (a warning it gives may run Python code). */
typedef struct CpdbSourceCache {
    CpdbSource **items;
    size_t n, cap;
    CpdbGuard *busy;
} CpdbSourceCache;

void cpdb_source_cache_fini(CpdbSourceCache *c);

/* Return: borrowed source of a file (re-read when it changed on disk),
   or NULL when it cannot be read. */
CpdbSource *cpdb_source_get(CpdbSourceCache *c, const char *path);
/* Return: borrowed line text (no newline) or NULL when out of range. */
const char *cpdb_source_line(CpdbSourceCache *c, const char *path,
                             int lineno);

/* Compile the file once to learn its code lines and functions.
   Return 0, or -1 when it does not compile (no exception left set). */
int cpdb_source_analyse(CpdbSourceCache *c, CpdbSource *src);
/* Return: the first line >= lineno holding code, or 0 if none. */
int cpdb_source_code_line_at_or_after(CpdbSourceCache *c,
                                      CpdbSource *src, int lineno);
/* Return: borrowed function info for a qualified name (or a unique
   plain name), or NULL. */
const CpdbFuncInfo *cpdb_source_find_function(CpdbSourceCache *c,
                                              CpdbSource *src,
                                              const char *name);
/* Return: borrowed innermost function containing lineno, or NULL. */
const CpdbFuncInfo *cpdb_source_function_at(CpdbSourceCache *c,
                                            CpdbSource *src, int lineno);

/* Canonical form of a path for identity: realpath when the file exists,
   otherwise the absolute path.  Return: malloc'd. */
char *cpdb_path_canonical(const char *path);
/* Absolute, normalised path (no symlink resolution).  Return: malloc'd. */
char *cpdb_path_absolute(const char *path);

#endif /* CPDB_SRC_SOURCE_H */
