/* The step / next / finish / until state machine.  It stops at the same
   events as pdb's: bdb's stopframe / returnframe / stoplineno rules,
   including --Call--, --Return-- and exception stops. */
#ifndef CPDB_SRC_STEPPER_H
#define CPDB_SRC_STEPPER_H

#include "cpdb/cpdb.h"
#include "base/compat.h"
#include "trace/trace.h"

typedef struct CpdbSession CpdbSession;

typedef enum {
    STOP_ANYWHERE,          /* step: the next event of any frame */
    STOP_IN_FRAME,          /* lines of stopframe at or after stoplineno */
    STOP_NOWHERE            /* continue: breakpoints only */
} CpdbStopKind;

typedef struct CpdbStepper {
    CpdbStopKind kind;
    PyObject *stopframe;    /* strong, or NULL */
    PyObject *returnframe;  /* strong, or NULL */
    PyObject *stop_code;    /* strong: code of stopframe, or NULL */
    PyObject *return_code;  /* strong: code of returnframe, or NULL */
    int stopframe_is_gen;   /* stopframe runs a generator or coroutine */
    int gen_done;           /* that generator or coroutine has returned
                               for good (not a yield) */
    int stoplineno;         /* STOP_IN_FRAME: >= 0 line floor, -1 never */
    int wait_for_main;      /* before the main file's first line */
    int wait_any_file;      /* with wait_for_main: before the first line
                               of any file (pdb.run*()) */
    const char *main_path;  /* borrowed: owned by the session's program */
    int finishing;          /* the running command is finish/return */
    int interrupt;          /* Ctrl-C asked for a stop */
    int watch_gone;         /* a watchpoint whose frame returned: the
                               next stop says so (its number), or 0 */
    unsigned long thread;   /* the thread step/next/finish/until
                               follow (threading.get_ident()), or 0:
                               other threads stop at breakpoints only */
    PyObject *entry_frame;  /* identity only, never dereferenced: the
                               frame whose call event came last and which
                               has had no line event yet */
} CpdbStepper;

void cpdb_step_init(CpdbStepper *st);
void cpdb_step_fini(CpdbStepper *st);

void cpdb_step_set_step(CpdbSession *s);
/* pdb's set_trace(): every frame from frame outwards is followed, and
   the next event stops. */
void cpdb_step_set_trace(CpdbSession *s, PyFrameObject *frame);
/* At a stop: mark the frames of the stack that pdb follows because their
   file holds breakpoints, so that deleting those breakpoints later (a
   temporary one, say) does not make the stepper lose them. */
void cpdb_step_mark_stack(CpdbSession *s);
/* Return: new reference to the object that marks followed frames. */
PyObject *cpdb_step_new_marker(void);
/* bdb's run(), runeval() and runcall(): the next line event of any
   frame stops, without --Call--, as the program's start does.  Once the
   code run so has returned, cpdb_step_end_first_line() forgets it if no
   line came. */
void cpdb_step_set_first_line(CpdbSession *s);
void cpdb_step_end_first_line(CpdbSession *s);
void cpdb_step_set_next(CpdbSession *s, PyFrameObject *frame);
void cpdb_step_set_return(CpdbSession *s, PyFrameObject *frame);
void cpdb_step_set_until(CpdbSession *s, PyFrameObject *frame, int lineno);
void cpdb_step_set_continue(CpdbSession *s);

/* Whether the stepper may stop in any frame at all (step, the start,
   Ctrl-C, the generator rule of next/finish): backends must then deliver
   every event. */
int cpdb_step_wants_all(CpdbSession *s);
/* Whether frames of this code may need events: it holds a breakpoint,
   it is the code of the frame that next/until/finish watch, or that of
   a watchpoint's frame. */
int cpdb_step_wants_code(CpdbSession *s, PyCodeObject *code);

/* Whether frames of this code need line events now: it holds a
   breakpoint, the stepper may stop in it, or it is a watchpoint's
   frame. */
int cpdb_step_wants_lines(CpdbSession *s, PyFrameObject *frame,
                          PyCodeObject *code);

/* Whether the stepping may stop in the calling thread: the thread it
   started in, or any after Ctrl-C and at the start. */
int cpdb_step_in_thread(CpdbSession *s);

/* One trace event.  May stop and hand the stop to the front-end.
   Return 0, or -1 with an exception set to unwind the program (kill,
   run, quit). */
int cpdb_step_on_event(CpdbSession *s, PyFrameObject *frame,
                       CpdbEvent ev, PyObject *arg);

/* Fill the client a trace backend is started with: its questions are
   answered by the stepper and the breakpoint table of s. */
void cpdb_step_client_init(CpdbSession *s, CpdbTraceClient *c);

#endif /* CPDB_SRC_STEPPER_H */
