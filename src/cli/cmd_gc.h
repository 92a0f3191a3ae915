/* The gc family's commands, in three files: cmd_gc.c (the collector,
   gc.garbage and its cycles, the helpers and the command table),
   cmd_census.c (counts by type and instances), cmd_refs.c (references,
   chains, objects nothing refers to, graphs). */
#ifndef CPDB_SRC_CMD_GC_H
#define CPDB_SRC_CMD_GC_H

#include "base/compat.h"
#include "cli/command.h"

#include <stddef.h>

/* "N REST" where N is optional: *n receives N or dflt.  Return: REST. */
const char *cpdb_gc_opt_count(const char *args, long dflt, long *n);
/* How many objects a listing shows when not told (gc refs, referrers,
   garbage), and how many groups "gc cycles" shows. */
enum {
    CPDB_GC_LIST_DEFAULT = 20,
    CPDB_GC_CYCLES_DEFAULT = 10
};

/* "OBJ [N]": *expr receives OBJ (malloc'd) and *n the count N, or dflt.
   A last word of digits is a count only when the whole text is not an
   expression ("x 5" is x and 5; "x - 5" and "5" are expressions).
   Return 0, or -1 after reporting a count that is not positive. */
int cpdb_gc_expr_count(CpdbSession *s, const char *args, long dflt,
                       char **expr, long *n);
/* n with its thousands grouped ("199,990") in buf.  Return: buf. */
char *cpdb_gc_count_text(char buf[32], size_t n);
/* Say that a listing left left items out (nothing when none), and how
   to see more, unless usage is NULL:
   "  ... and 199,990 more referrers ("gc referrers OBJ N" shows N)." */
void cpdb_gc_more(CpdbSession *s, size_t left, const char *what,
                  const char *usage);
/* Whether args hold the word flag; *rest receives args without it
   (malloc'd). */
int cpdb_gc_has_flag(const char *args, const char *flag, char **rest);
/* A path of objects as "A .x -> B [0] -> C"; a closed one (a cycle) ends
   where it started.  *edges receives the number of references printed.
   Return: malloc'd. */
char *cpdb_gc_path_text(PyObject *const *nodes, size_t len,
                        const char *const *marks, int closed, size_t *edges);

/* The tables of "gc"'s subcommands, one per file. */
extern const CmdDef cpdb_gc_collector_cmds[];   /* cmd_gc.c */
extern const CmdDef cpdb_gc_census_cmds[];      /* cmd_census.c */
extern const CmdDef cpdb_gc_refs_cmds[];        /* cmd_refs.c */

#endif /* CPDB_SRC_CMD_GC_H */
