/* The breakpoint table and the per-code-object cache that lets the trace
   hot path decide with one integer comparison whether a frame can stop. */
#ifndef CPDB_SRC_BREAKPOINTS_H
#define CPDB_SRC_BREAKPOINTS_H

#include "base/compat.h"

typedef struct CpdbSession CpdbSession;

typedef struct CpdbBreakpoint {
    int number;
    int enabled;
    int temporary;          /* deleted at its first stop (tbreak) */
    char *path;             /* canonical absolute file (malloc) */
    int file_id;            /* index in the session's file table */
    int line;               /* line that holds code */
    char *func;             /* function name as given, or NULL (malloc) */
    char *cond;             /* condition source, or NULL (malloc) */
    PyObject *cond_code;    /* strong: compiled condition, or NULL */
    long ignore;            /* crossings still to ignore */
    long hits;              /* times it stopped the program (or was
                               ignored with a true condition) */
} CpdbBreakpoint;

typedef struct CpdbBpTable {
    CpdbBreakpoint **items; /* owned, in number order */
    size_t n, cap;
    int next_number;
    unsigned generation;    /* bumped on every change; caches compare it */
} CpdbBpTable;

void cpdb_bp_table_init(CpdbBpTable *t);
void cpdb_bp_table_fini(CpdbBpTable *t);

/* Add a breakpoint at a resolved location.  Return: the new breakpoint
   (owned by the table); NULL with an exception set if cond does not
   compile. */
CpdbBreakpoint *cpdb_bp_add(CpdbSession *s, const char *path, int line,
                            const char *func, const char *cond,
                            int temporary);
CpdbBreakpoint *cpdb_bp_find(CpdbSession *s, int number);
int cpdb_bp_delete(CpdbSession *s, int number);
/* Set or clear (cond NULL) a condition.  Return 0, or -1 with an
   exception set if it does not compile. */
int cpdb_bp_set_condition(CpdbSession *s, CpdbBreakpoint *bp,
                          const char *cond);
void cpdb_bp_changed(CpdbSession *s);

/* Whether any enabled breakpoint lies in this code object.  Cached per
   code object and breakpoint generation.  Needs the GIL. */
int cpdb_bp_code_has_breaks(CpdbSession *s, PyCodeObject *code);

/* Whether the code object's file holds any breakpoint, enabled or not
   (bdb's break_anywhere: such frames are traced).  Cached like
   cpdb_bp_code_has_breaks(). */
int cpdb_bp_file_has_breaks(CpdbSession *s, PyCodeObject *code);

/* Whether an enabled breakpoint sits on this line of the code object's
   file (for backends that disable line events where none does), and
   whether the code object holds a function breakpoint (which needs the
   frame's start event to fire once per call). */
int cpdb_bp_line_has_break(CpdbSession *s, PyCodeObject *code, int line);
int cpdb_bp_code_has_function_break(CpdbSession *s, PyCodeObject *code);

/* Decide whether the line event at (code, lineno) of frame stops at a
   breakpoint: counts hits, applies conditions and ignore counts, and
   the caller deletes a temporary breakpoint that fires.  A function
   breakpoint
   fires only at_entry: at the first line event after the frame's call
   event (once per call, as gdb; for a generator, once per resumption
   that starts at its first body line).  Return: the number of the
   breakpoint that stops (> 0), or 0; *temporary tells whether it is a
   temporary one.  *cond_error receives a malloc'd message
   if a condition raised (the breakpoint then stops). */
int cpdb_bp_check(CpdbSession *s, PyFrameObject *frame, PyCodeObject *code,
                  int lineno, int at_entry, char **cond_error,
                  int *temporary);

/* The session-wide table of source files by identity. */
int cpdb_file_id(CpdbSession *s, const char *canonical_path);
/* File id of a code object's co_filename (cached in the code extra). */
int cpdb_code_file_id(CpdbSession *s, PyCodeObject *code);

#endif /* CPDB_SRC_BREAKPOINTS_H */
