/* The interface between the engine and a trace backend.  A backend
   watches the running program and delivers CALL / LINE / RETURN /
   EXCEPTION events to its client, keeping line events off in frames that
   cannot stop (the hot-path rule of DESIGN.md).  It knows nothing of the
   engine: what may stop where is asked of the client through the
   functions below, so arrows point from the engine down to the backends
   only. */
#ifndef CPDB_SRC_TRACE_H
#define CPDB_SRC_TRACE_H

#include "base/compat.h"
#include "base/util.h"

typedef enum {
    CPDB_EV_CALL,
    CPDB_EV_LINE,
    CPDB_EV_RETURN,
    CPDB_EV_EXCEPTION,
    CPDB_EV_COUNT
} CpdbEvent;

/* What a backend asks of the engine that follows the program.  ctx is
   passed back to every function.  The queries are pure (they run no
   Python code the program could see); on_event may stop the program
   and run the prompt. */
typedef struct CpdbTraceClient {
    void *ctx;
    /* Held while the engine itself runs Python: events of the thread
       that runs it are ignored (use cpdb_trace_ignored()).  Read on
       every event: a plain counter, not a call. */
    const CpdbGuard *busy;
    /* With busy held: whether the calling thread is the one that runs
       the engine's Python (other threads' events go to the engine,
       which holds them until the stop is over). */
    int (*busy_here)(void *ctx);
    /* One event.  Return 0, or -1 with an exception set to unwind the
       program. */
    int (*on_event)(void *ctx, PyFrameObject *frame, CpdbEvent ev,
                    PyObject *arg);
    /* Every frame needs events now (step, the start, Ctrl-C). */
    int (*wants_all)(void *ctx);
    /* Frames of this code may need events: a breakpoint in it, the
       code of the frame next/until/finish watch, or of a watchpoint's
       frame. */
    int (*wants_code)(void *ctx, PyCodeObject *code);
    /* This frame needs line events now. */
    int (*wants_lines)(void *ctx, PyFrameObject *frame, PyCodeObject *code);
    /* The engine may stop outside breakpoints (anything but continue,
       or a watchpoint: it needs the return of its frame). */
    int (*is_stepping)(void *ctx);
    /* Stepping may stop in the calling thread: it follows this one (or
       any, after Ctrl-C).  Breakpoints stop in every thread. */
    int (*in_step_thread)(void *ctx);
    /* While stepping: frames of this code can stop. */
    int (*code_matters)(void *ctx, PyCodeObject *code);
    /* next/finish are watching a generator or coroutine frame. */
    int (*watches_generator)(void *ctx);
    /* A catchpoint is set: exception events are wanted in every frame
       (asked when the breakpoints' generation changes, not per
       event). */
    int (*wants_exceptions)(void *ctx);
    /* Something may stop a thread: a breakpoint, watchpoint or
       catchpoint is set, or a step is under way. */
    int (*may_stop)(void *ctx);
    /* The breakpoint questions, cached per code object by the engine. */
    int (*code_has_breaks)(void *ctx, PyCodeObject *code);
    int (*code_has_function_break)(void *ctx, PyCodeObject *code);
    int (*file_has_breaks)(void *ctx, PyCodeObject *code);
    int (*line_has_break)(void *ctx, PyCodeObject *code, int line);
    /* Bumped whenever breakpoints change: read by pointer, as busy. */
    const unsigned *bp_generation;
    /* Events delivered since the program started, by CpdbEvent (the
       backend counts; "info trace" shows them). */
    unsigned long n_events[CPDB_EV_COUNT];
} CpdbTraceClient;

/* Whether a backend must ignore the event the calling thread is at. */
static inline int
cpdb_trace_ignored(CpdbTraceClient *c)
{
    return c->busy->depth && c->busy_here(c->ctx);
}

typedef struct CpdbTraceBackend {
    const char *name;
    /* Start delivering events of every thread to client (which must
       stay valid until stop).  0, or -1 with an exception set. */
    int (*start)(CpdbTraceClient *client);
    void (*stop)(CpdbTraceClient *client);
    /* What may stop changed while the program is stopped in frame top:
       give line events to every frame on the stack that may stop now,
       and take them away from those that cannot. */
    void (*refresh)(CpdbTraceClient *client, PyFrameObject *top);
    /* The backend's own Python object while it runs, never shown by
       heap commands (borrowed), or NULL. */
    PyObject *(*own_object)(void);
} CpdbTraceBackend;

extern const CpdbTraceBackend cpdb_trace_legacy;
extern const CpdbTraceBackend cpdb_trace_monitoring;

/* Legacy backend, attached to a running process: put cpdb's function
   in the slot of every thread that has none and give the frames they
   are running their line events, so that the next line any thread runs
   reaches the engine (a thread's frames that started before the attach
   never passed the gate).  Needs the GIL. */
void cpdb_trace_legacy_arm_threads(CpdbTraceClient *client);

/* The backend to use by default on this Python: monitoring where it
   exists (3.12+), legacy before. */
const CpdbTraceBackend *cpdb_trace_default(void);
/* Return: the backend of that name, or NULL. */
const CpdbTraceBackend *cpdb_trace_find(const char *name);
/* Whether a backend can run on this Python. */
int cpdb_trace_available(const CpdbTraceBackend *b);

#endif /* CPDB_SRC_TRACE_H */
