/* The breakpoint table and the per-code-object cache that lets the trace
   hot path decide with one integer comparison whether a frame can stop.
   It stands alone (no session): its owner compiles conditions, gives the
   function that evaluates them, and hears of changes through a hook. */
#ifndef CPDB_SRC_BREAKPOINTS_H
#define CPDB_SRC_BREAKPOINTS_H

#include "base/compat.h"
#include "base/util.h"

struct CpdbWatch;
struct CpdbCatch;

typedef struct CpdbBreakpoint {
    int number;
    int enabled;
    int temporary;          /* deleted at its first stop (tbreak) */
    char *path;             /* canonical absolute file (malloc) */
    int file_id;            /* index in the session's file table */
    int line;               /* line that holds code */
    char *func;             /* function name as given, or NULL (malloc) */
    char *code_name;        /* a function breakpoint fires only in code
                               of this co_name (malloc) ... */
    int def_line;           /* ... and this co_firstlineno; NULL/0: any */
    char *cond;             /* condition source, or NULL (malloc) */
    PyObject *cond_code;    /* strong: compiled condition, or NULL */
    long ignore;            /* crossings still to ignore */
    long hits;              /* times it stopped the program (or was
                               ignored with a true condition) */
    struct CpdbWatch *watch;    /* owned: a watchpoint's expression and
                                   snapshot (core/watch.h), or NULL; a
                                   watchpoint has no file (file_id -1,
                                   path "", line 0) */
    struct CpdbCatch *catch;    /* owned: a catchpoint's exception types
                                   (core/catch.h), or NULL; no file, as
                                   a watchpoint */
} CpdbBreakpoint;

typedef struct CpdbBpTable {
    CpdbBreakpoint **items; /* owned, in number order */
    size_t n, cap;
    int next_number;
    unsigned generation;    /* bumped on every change; caches compare it */
    int n_watches;          /* records that are watchpoints */
    int n_catches;          /* records that are catchpoints */
    CPDB_ARRAY(char *) files;   /* canonical paths by file id (malloc) */
    Py_ssize_t code_extra;  /* the code-object extra slot of the cache */
    /* Told after every change (the owner makes the tracer see it). */
    void (*on_change)(void *ctx);
    void *change_ctx;
} CpdbBpTable;

/* Return 0, or -1 when no code-object extra slot is left. */
int cpdb_bp_table_init(CpdbBpTable *t);
void cpdb_bp_table_fini(CpdbBpTable *t);

/* Add a breakpoint at a resolved location.  cond_code: the compiled
   condition (the reference moves into the table), or NULL.  Return: the
   new breakpoint (owned by the table). */
CpdbBreakpoint *cpdb_bp_add(CpdbBpTable *t, const char *path, int line,
                            const char *func, const char *cond,
                            PyObject *cond_code, int temporary);
/* Add a watchpoint (core/watch.c makes w; it moves into the table).
   Return: its record (owned by the table). */
CpdbBreakpoint *cpdb_bp_add_watch(CpdbBpTable *t, struct CpdbWatch *w);
/* Add a catchpoint (c moves into the table).  Return: its record
   (owned by the table). */
CpdbBreakpoint *cpdb_bp_add_catch(CpdbBpTable *t, struct CpdbCatch *c);
/* Whether an enabled catchpoint exists: exception events are wanted
   everywhere. */
int cpdb_bp_catching(const CpdbBpTable *t);
CpdbBreakpoint *cpdb_bp_find(CpdbBpTable *t, int number);
/* Return 0, or -1 when there is no such breakpoint. */
int cpdb_bp_delete(CpdbBpTable *t, int number);
/* Make function breakpoint bp fire only in the function's own code
   (co_firstlineno def_line, co_name name), as pdb matches a function
   breakpoint by its code's name: never in the code that runs the def
   of a one-line function, nor in a comprehension on that line. */
void cpdb_bp_set_function_code(CpdbBpTable *t, CpdbBreakpoint *bp,
                               int def_line, const char *name);
/* Set or clear (cond NULL) a condition; cond_code moves in. */
void cpdb_bp_set_condition(CpdbBreakpoint *bp, const char *cond,
                           PyObject *cond_code);
/* Something about a breakpoint changed (enabled, say): caches decide
   again and the owner is told. */
void cpdb_bp_changed(CpdbBpTable *t);

/* Whether any enabled breakpoint lies in this code object.  Cached per
   code object and breakpoint generation.  Needs the GIL. */
int cpdb_bp_code_has_breaks(CpdbBpTable *t, PyCodeObject *code);

/* Whether the code object's file holds any breakpoint, enabled or not
   (bdb's break_anywhere: such frames are traced).  Cached like
   cpdb_bp_code_has_breaks(). */
int cpdb_bp_file_has_breaks(CpdbBpTable *t, PyCodeObject *code);

/* Whether an enabled breakpoint sits on this line of the code object's
   file (for backends that disable line events where none does), and
   whether the code object holds a function breakpoint (which needs the
   frame's start event to fire once per call). */
int cpdb_bp_line_has_break(CpdbBpTable *t, PyCodeObject *code, int line);
int cpdb_bp_code_has_function_break(CpdbBpTable *t, PyCodeObject *code);

/* How conditions are evaluated: fn runs code in frame and returns a new
   reference, or NULL with an exception set. */
typedef struct CpdbBpEval {
    PyObject *(*fn)(void *ctx, PyFrameObject *frame, PyObject *code);
    void *ctx;
} CpdbBpEval;

/* Decide whether the line event at (code, lineno) of frame stops at a
   breakpoint: counts hits, applies conditions (through eval) and ignore
   counts; the caller deletes a temporary breakpoint that fires.  A
   function breakpoint fires only at_entry: at the first line event
   after the frame's call event (once per call, as gdb; for a generator,
   once per resumption that starts at its first body line).  Return: the
   number of the breakpoint that stops (> 0), or 0; *temporary tells
   whether it is a temporary one.  *cond_error receives a malloc'd
   message if a condition raised (the breakpoint then stops). */
int cpdb_bp_check(CpdbBpTable *t, PyFrameObject *frame, PyCodeObject *code,
                  int lineno, int at_entry, const CpdbBpEval *eval,
                  char **cond_error, int *temporary);

/* Decide whether the exception event of frame (exc and its traceback
   tb, as the event gives them) stops at a catchpoint: counts hits,
   applies conditions and ignore counts as cpdb_bp_check().  Return: the
   number of the catchpoint that stops, or 0; *cond_error as
   cpdb_bp_check(). */
int cpdb_bp_check_catch(CpdbBpTable *t, PyFrameObject *frame, PyObject *exc,
                        PyObject *tb, const CpdbBpEval *eval,
                        char **cond_error);

/* The table of source files by identity. */
int cpdb_file_id(CpdbBpTable *t, const char *canonical_path);
/* File id of a code object's co_filename (cached in the code extra). */
int cpdb_code_file_id(CpdbBpTable *t, PyCodeObject *code);

#endif /* CPDB_SRC_BREAKPOINTS_H */
