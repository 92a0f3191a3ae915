/* Helpers shared by the command handlers (cmd_*.c). */
#ifndef CPDB_SRC_CMD_H
#define CPDB_SRC_CMD_H

#include "base/compat.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "core/location.h"
#include "core/resolve.h"
#include "core/session.h"

typedef struct CpdbSession CpdbSession;

/* The tables of "info"'s subcommands, each in the file of its
   family (cmd_info.c lists them). */
extern const CmdDef cpdb_info_break_cmds[];     /* cmd_break.c */
extern const CmdDef cpdb_info_exceptions_cmds[];   /* cmd_exceptions.c */
extern const CmdDef cpdb_info_frame_cmds[];     /* cmd_info.c */
extern const CmdDef cpdb_info_data_cmds[];      /* cmd_data.c */
extern const CmdDef cpdb_info_source_cmds[];    /* cmd_source.c */
extern const CmdDef cpdb_info_trace_cmds[];     /* cmd_support.c */
extern const CmdDef cpdb_info_gc_cmds[];        /* cmd_gc.c */
extern const CmdDef cpdb_info_tasks_cmds[];     /* cmd_tasks.c */
extern const CmdDef cpdb_info_run_cmds[];       /* cmd_run.c */
extern const CmdDef cpdb_info_threads_cmds[];   /* cmd_threads.c */
/* After a backtrace in an asyncio task: the task and the tasks that
   await it, each with its suspended coroutines (cmd_tasks.c). */
void cpdb_cmd_bt_tasks(CpdbSession *s);
/* "backtrace" after "task N" chose a suspended task at this stop:
   print that task's coroutines and the tasks awaiting it.  Return 1,
   or 0 when no task is chosen (cmd_tasks.c). */
int cpdb_cmd_bt_selected_task(CpdbSession *s);
/* The object a heap command names: an expression, $N, or an address
   cpdb printed (checked against the tracked objects).  Return: new
   reference, or NULL after reporting. */
PyObject *cpdb_gc_resolve(CpdbSession *s, const char *text);
/* Call module.NAME(args...) (Py_BuildValue format, or NULL for no
   argument) as debugger work.  Return: new reference, or NULL after
   reporting the error. */
PyObject *cpdb_module_call(CpdbSession *s, const char *module,
                           const char *name, const char *fmt, ...);
/* Import module for cpdb's own use (tracemalloc for "mem", pprint for
   "pp"), as debugger work.  What a first import adds to the heap is
   cpdb's doing, not the program's growth: the census baselines kept
   ("gc growth"'s and "gc snapshot"'s) are raised by it, so that the
   next "gc growth" or "gc diff" leaves it out.  Return: new reference,
   or NULL with an exception set. */
PyObject *cpdb_census_import(CpdbSession *s, const char *module);
/* Note the sizes of module-level containers, for "leak hints" to tell
   which grew (cmd_leak.c; "gc snapshot" notes them too). */
void cpdb_leak_note_sizes(CpdbSession *s);
/* "delete values": drop the value history, and say how much went
   (cmd_data.c). */
CmdResult cpdb_cmd_delete_values(CpdbSession *s);
/* Say which values of the history nothing else keeps alive, if any
   (cmd_data.c). */
void cpdb_cmd_note_sole_values(CpdbSession *s);
/* The condition, hit count and ignore count lines of a breakpoint in
   "info breakpoints" (cmd_break.c). */
void cpdb_cmd_bp_counts(CpdbSession *s, const CpdbBreakpoint *bp);
/* The selected frame, or NULL. */
static inline PyFrameObject *
cpdb_cmd_frame(CpdbSession *s)
{
    return cpdb_session_frame(s);
}
/* Parse an optional count argument: empty gives dflt.  Return 0, or -1
   after reporting. */
int cpdb_cmd_count(CpdbSession *s, const char *args, long dflt, long *out);

/* Parse a list of numbers and ranges ("1 3-5") of what ("breakpoint",
   "display") against the numbers that exist, exists[0..n_exists): the
   first bad or missing one is reported, and nothing is chosen, so a
   command acts on all or none.  Return: how many were chosen, with
   *out a malloc'd array of them (in the list's order, each once); or
   -1 after reporting. */
int cpdb_cmd_number_list(CpdbSession *s, const char *args, const char *what,
                         const int *exists, size_t n_exists, int **out);

/* With the resolve flags (core/resolve.h): do not say that a line
   without code moved to the next one. */
#define CPDB_RESOLVE_QUIET (1 << 8)

/* Resolve a parsed location to a canonical file (*path, malloc'd) and a
   line, saying when the line moved.  Return 0, or -1 after reporting
   the error. */
/* The same, with all that resolving found (a function's code object's
   name and first line): *out to release with cpdb_resolved_fini. */
int cpdb_cmd_resolve_full(CpdbSession *s, const CpdbLocation *loc,
                          unsigned flags, CpdbResolved *out);
int cpdb_cmd_resolve(CpdbSession *s, const CpdbLocation *loc, char **path,
                     int *line, unsigned flags);

#endif /* CPDB_SRC_CMD_H */
