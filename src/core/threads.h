/* The program's threads: all-stop (one thread at a time inside the
   engine, the others held where they reach it), gdb-style numbers, the
   selected thread, and the list "info threads" shows. */
#ifndef CPDB_SRC_THREADS_H
#define CPDB_SRC_THREADS_H

#include "base/compat.h"
#include "base/util.h"
#include "heap/heap.h"

typedef struct CpdbSession CpdbSession;

typedef struct CpdbThreadTable {
    unsigned long main_ident;   /* the thread that runs signal handlers
                                   (and the program's main code) */
    int n_numbers;          /* numbers given so far, in order of first
                               sight; each thread keeps its own in its
                               thread state's dict (system and thread
                               state ids are reused, that dict is not) */
    unsigned long agent;    /* attached (cpdb -p): the debugger's own
                               thread, never numbered or listed; or 0 */
    unsigned long stop_as;  /* a stop the agent makes for a thread in C
                               (attach.c): that thread; or 0 */
    unsigned long engine;   /* the thread inside the engine now (an
                               event, a stop), or 0 */
    unsigned long stopped;  /* the thread of the current stop
                               (threading.get_ident()), or 0 */
    unsigned long selected; /* the thread whose frames are the stack at
                               the stop ("thread N"), or 0 */
    int stopped_number, selected_number;    /* theirs, or 0 */
    PyFrameObject *stop_frame;  /* strong: where the stopped thread
                                   stands at a live stop, or NULL */
    PyObject *var;          /* strong: $_thread's value, made when read,
                               or NULL */
    /* What the heap's contexts borrow for the stop's length: the other
       threads' frames (strong) and their threads' labels (malloc'd). */
    CPDB_ARRAY(PyFrameObject *) held_frames;
    CPDB_ARRAY(char *) held_labels;
} CpdbThreadTable;

void cpdb_threads_fini(CpdbThreadTable *t);
/* The program starts in the calling thread: it is the main one, number
   1. */
void cpdb_threads_start(CpdbSession *s);

/* Attached to a running process from the calling thread (the agent's):
   the interpreter's main thread is the main one, and every thread gets
   its number now, oldest first, the agent's none. */
void cpdb_threads_adopt(CpdbSession *s);
/* Take the numbers out of the threads' dicts (detach). */
void cpdb_threads_forget(CpdbSession *s);

/* Wait, without the GIL, while another thread is inside the engine (at a
   stop, say): all-stop.  Needs the GIL; returns with it. */
void cpdb_threads_hold(CpdbSession *s);
/* The calling thread enters the engine (after cpdb_threads_hold).
   Return: the thread that was inside before, for cpdb_threads_leave. */
unsigned long cpdb_threads_enter(CpdbSession *s);
void cpdb_threads_leave(CpdbSession *s, unsigned long before);
/* With s->busy held: whether the calling thread's events are ignored
   (the engine's Python runs in it; or it is the main thread, which runs
   signal handlers); other threads' events are held. */
int cpdb_threads_busy_here(CpdbSession *s);

/* A stop begins in the calling thread: it is the stopped and the
   selected one.  frame: where it stopped, or NULL for a stop on a
   traceback (no thread but this one can be selected then). */
void cpdb_threads_stop_begin(CpdbSession *s, PyFrameObject *frame);
void cpdb_threads_stop_end(CpdbSession *s);

/* Return: the number of the thread of that state, given it now if it
   has none. */
int cpdb_threads_number(CpdbSession *s, PyThreadState *ts);
/* Return: the calling thread's number. */
int cpdb_threads_current(CpdbSession *s);

/* One Python thread as "info threads" shows it. */
typedef struct CpdbThreadInfo {
    int number;
    unsigned long ident;
    unsigned long native_id;    /* 0 where unknown */
    char *name;                 /* malloc'd, or NULL when unnamed */
    PyFrameObject *frame;       /* strong: its innermost Python frame, or
                                   NULL */
    char *in_c;                 /* malloc'd: the C function it is in
                                   ("time.sleep"; "?" when unknown), or
                                   NULL when it is not in one */
    int is_stopped;             /* the thread of the stop */
    int is_selected;
} CpdbThreadInfo;

/* Every Python thread, by number.  Needs the GIL, at a stop.  Return:
   malloc'd array (free with cpdb_threads_list_free), *n its length. */
CpdbThreadInfo *cpdb_threads_list(CpdbSession *s, size_t *n);
void cpdb_threads_list_free(CpdbThreadInfo *list, size_t n);

/* At a stop: make thread number its frames the stack (bt, frame, up,
   down, print).  Return 0, or -1 with *why (static text). */
int cpdb_threads_select(CpdbSession *s, int number, const char **why);

/* At a stop: append every other thread's frames to ctx (innermost
   first, thread by thread), with their depths and their threads' labels,
   so that the heap commands see them as roots. */
void cpdb_threads_heap_frames(CpdbSession *s, CpdbHeapContext *ctx);

/* $_thread: the selected thread's number (at a stop; else the calling
   thread's), as gdb has it.  Return: borrowed, or NULL with an
   exception set. */
PyObject *cpdb_threads_var(CpdbSession *s);

/* The name of a thread as threading knows it.  Return: malloc'd, or
   NULL. */
char *cpdb_threads_name(CpdbSession *s, unsigned long ident);

#endif /* CPDB_SRC_THREADS_H */
