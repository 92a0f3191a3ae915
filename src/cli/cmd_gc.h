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
/* Whether args hold the word flag; *rest receives args without it
   (malloc'd). */
int cpdb_gc_has_flag(const char *args, const char *flag, char **rest);
/* A path of objects as "A .x -> B [0] -> C"; a closed one (a cycle) ends
   where it started.  *edges receives the number of references printed.
   Return: malloc'd. */
char *cpdb_gc_path_text(PyObject *const *nodes, size_t len,
                        const char *const *marks, int closed, size_t *edges);

/* cmd_census.c */
CmdResult cpdb_gc_types(CpdbSession *s, const char *args);
CmdResult cpdb_gc_growth(CpdbSession *s, const char *args);
CmdResult cpdb_gc_snapshot(CpdbSession *s, const char *args);
CmdResult cpdb_gc_diff(CpdbSession *s, const char *args);
CmdResult cpdb_gc_instances(CpdbSession *s, const char *args);

/* cmd_refs.c */
CmdResult cpdb_gc_refs(CpdbSession *s, const char *args);
CmdResult cpdb_gc_referrers(CpdbSession *s, const char *args);
CmdResult cpdb_gc_chain(CpdbSession *s, const char *args);
CmdResult cpdb_gc_leaks(CpdbSession *s, const char *args);
CmdResult cpdb_gc_graph(CpdbSession *s, const char *args);

#endif /* CPDB_SRC_CMD_GC_H */
