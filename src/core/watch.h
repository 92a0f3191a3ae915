/* Watchpoints: "watch EXPR" stops after the line where the value of EXPR
   changed, in the frame where it was set.  A watchpoint is a record of
   the breakpoint table (numbered with the breakpoints, listed, enabled,
   disabled, deleted, given a condition or an ignore count as they are)
   that holds a CpdbWatch instead of a location.

   Change is found by comparing a snapshot taken at each line event of
   the watched frame: the value itself (identity, then ==), and for a
   list, dict, set or bytearray a shallow copy, so that in-place changes
   (append, item assignment) count.  A change deeper down (a list inside
   a dict) is not seen. */
#ifndef CPDB_SRC_WATCH_H
#define CPDB_SRC_WATCH_H

#include "base/compat.h"
#include "core/breakpoints.h"

typedef struct CpdbSession CpdbSession;

typedef struct CpdbWatch {
    char *expr;             /* as typed (malloc) */
    PyObject *code;         /* strong: the compiled expression */
    PyObject *frame;        /* strong: the frame it is evaluated in */
    PyObject *frame_code;   /* strong: that frame's code */
    PyObject *value;        /* strong: the last value, or NULL when the
                               expression raised */
    PyObject *copy;         /* strong: shallow copy of a container value,
                               untracked by the collector (cpdb's own:
                               heap commands never see it), or NULL */
    char *error;            /* why it raised, when value is NULL (malloc) */
} CpdbWatch;

void cpdb_watch_free(CpdbWatch *w);

/* Watch the expression code (compiled from expr by cpdb_eval_compile) in
   frame.  Its value now is the first snapshot; an expression that
   raises now (a local not assigned yet) is watched too, and changes when
   it gives a value.  Return: the new record (owned by the breakpoint
   table). */
CpdbBreakpoint *cpdb_watch_insert(CpdbSession *s, PyFrameObject *frame,
                                  const char *expr, PyObject *code);

/* Enable bp; a watchpoint that was disabled takes a new snapshot, so
   that only changes made from now on stop. */
void cpdb_watch_enable(CpdbSession *s, CpdbBreakpoint *bp);

/* Whether an enabled watchpoint follows frames of this code, or this
   frame.  One comparison when there is no watchpoint. */
int cpdb_watch_wants_code(CpdbBpTable *t, PyCodeObject *code);
int cpdb_watch_wants_frame(CpdbBpTable *t, PyFrameObject *frame);
/* Whether any watchpoint is enabled. */
int cpdb_watch_active(CpdbBpTable *t);

/* At a line event of frame: evaluate its watchpoints and compare.
   Return: the number of the first whose value changed (and whose
   condition and ignore count let it stop), with *old the value before
   and *now the value now (new references, NULL where the expression
   raised: the watch's error says why now); or 0. */
int cpdb_watch_check(CpdbSession *s, PyFrameObject *frame, PyObject **old,
                     PyObject **now);

/* What the front-end is told of a watchpoint whose frame returned. */
#define CPDB_WATCH_GONE_TEXT "Watchpoint %d deleted because the program " \
    "has left the block in which its expression is valid."

/* frame returns for good (NULL: every frame): delete its watchpoints.
   Return: the lowest
   number of an enabled one deleted (the others are told as messages),
   or 0. */
int cpdb_watch_leave(CpdbSession *s, PyFrameObject *frame);

/* The program ended: delete every watchpoint (their frames are gone),
   telling the front-end of each. */
void cpdb_watch_drop_all(CpdbSession *s);

#endif /* CPDB_SRC_WATCH_H */
