/* asyncio tasks as the engine sees them: the tasks of the event loop
   running in the stopped thread, the chain of coroutines each one is
   suspended in, and which task awaits which.  Read through asyncio's own
   API (all_tasks, current_task, get_coro, _fut_waiter), never imported
   by cpdb: a program that does not use asyncio has no tasks. */
#ifndef CPDB_SRC_TASKS_H
#define CPDB_SRC_TASKS_H

#include "base/compat.h"

#include <stddef.h>
#include <stdint.h>

typedef struct CpdbSession CpdbSession;

/* The numbers given to tasks: a task keeps its number while it lives,
   numbers are never given twice in a run (gdb's thread numbers). */
typedef struct CpdbTaskSeen {
    uintptr_t addr;         /* identity only, never dereferenced */
    int number;
} CpdbTaskSeen;

typedef struct CpdbTaskTable {
    CpdbTaskSeen *items;
    size_t n, cap;
    int last;               /* the last number given */
    int selected;           /* the task "task N" chose for "backtrace",
                               or 0: the stack of the stop */
    long selected_stop;     /* the stop (stop_serial) it was chosen at */
} CpdbTaskTable;

void cpdb_task_table_fini(CpdbTaskTable *t);

typedef enum {
    CPDB_TASK_PENDING,
    CPDB_TASK_RUNNING,      /* the current task of the loop */
    CPDB_TASK_DONE,
    CPDB_TASK_CANCELLED
} CpdbTaskState;

typedef struct CpdbTaskInfo {
    int number;
    PyObject *task;         /* strong */
    char *name;             /* malloc'd: task.get_name() */
    char *coro;             /* malloc'd: qualified name of its coroutine */
    CpdbTaskState state;
    /* strong list of the frames of its coroutine chain: the task's
       coroutine first, then each coroutine it awaits (cr_await); the
       last is where it is suspended.  Empty when finished. */
    PyObject *frames;
    PyObject *waiter;       /* strong: the future it waits on
                               (_fut_waiter: a Future, a task, a
                               gather), or NULL */
} CpdbTaskInfo;

/* Return: a name for the state ("pending", ...). */
const char *cpdb_task_state_name(CpdbTaskState state);

/* The tasks of the event loop running in the calling thread, by
   number.  Return: how many (0 when no loop runs), with *out a malloc'd
   array to release with cpdb_tasks_free; or -1 with an exception set.
   Runs Python as debugger work. */
Py_ssize_t cpdb_tasks_list(CpdbSession *s, CpdbTaskInfo **out);
void cpdb_tasks_free(CpdbTaskInfo *tasks, Py_ssize_t n);

/* The chain of tasks above one: [0] is task number (0: the current
   task of the running loop), [i + 1] the task that awaits [i]
   (directly, through a gather, a TaskGroup, shield).  Return: its
   length (0 without such a task), *out as for cpdb_tasks_list; or -1
   with an exception set. */
Py_ssize_t cpdb_tasks_awaiting(CpdbSession *s, int number,
                               CpdbTaskInfo **out);

/* frame, a coroutine's frame, is returning for good.  When it is the
   coroutine of the current asyncio task, where the program goes on in
   the program's terms: the innermost suspended frame of the task that
   awaits this one, else the first frame below the event loop (the code
   that called asyncio.run).  Return: new reference, or NULL (none, or
   not a task's coroutine); never leaves an exception. */
PyFrameObject *cpdb_task_resume_frame(CpdbSession *s, PyFrameObject *frame);

#endif /* CPDB_SRC_TASKS_H */
