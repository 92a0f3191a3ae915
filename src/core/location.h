/* Parsing a breakpoint location as the user writes it:
     LINE, FILE:LINE, FUNCTION, FILE:FUNCTION, module.Class.method,
   optionally followed by "if CONDITION" (gdb) or ", CONDITION" (pdb).
   Pure text work: no interpreter needed. */
#ifndef CPDB_SRC_LOCATION_H
#define CPDB_SRC_LOCATION_H

typedef enum {
    CPDB_LOC_NONE,          /* nothing given: the current line */
    CPDB_LOC_LINE,          /* 12 */
    CPDB_LOC_FILE_LINE,     /* util.py:12 */
    CPDB_LOC_FUNCTION,      /* compute, mod.Class.method */
    CPDB_LOC_FILE_FUNCTION  /* util.py:compute */
} CpdbLocKind;

typedef struct CpdbLocation {
    CpdbLocKind kind;
    char *file;             /* malloc or NULL */
    long line;
    char *func;             /* malloc or NULL */
    char *cond;             /* malloc or NULL */
} CpdbLocation;

/* Return 0, or -1 with *err set to a static message saying what is
   expected. */
int cpdb_location_parse(const char *text, CpdbLocation *loc,
                        const char **err);
void cpdb_location_fini(CpdbLocation *loc);

#endif /* CPDB_SRC_LOCATION_H */
