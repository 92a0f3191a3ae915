/* More C stack on demand: run a function on a fresh stack segment when
   the current thread's stack is nearly used up.

   On 3.10 and 3.11 the frame-evaluation hook makes every Python call a
   C call (about 0.5 KB of C stack each), where python 3.11 runs a
   Python-to-Python call without one: a recursion 20,000 deep that
   python runs would overflow an 8 MB thread stack.  The hook checks the
   stack at each frame and, when less than a margin is left, goes on on
   a segment of its own (see stack.c).  Any thread, the main one
   included, and any thread stack size. */
#ifndef CPDB_SRC_STACK_H
#define CPDB_SRC_STACK_H

#include <stdint.h>

/* The address below which the current thread's stack is "low"; the
   initial UINTPTR_MAX makes the first check of each thread find out. */
extern _Thread_local uintptr_t cpdb_stack_low_mark
    __attribute__((tls_model("initial-exec")));

/* Return: whether the current thread should go on on a new segment
   before a deep call.  The cost of the check is one comparison. */
static inline int
cpdb_stack_is_low(void)
{
    return __builtin_expect(
        (uintptr_t)__builtin_frame_address(0) < cpdb_stack_low_mark, 0);
}

/* Run fn(arg) on a fresh stack segment if the stack is low (and one can
   be had), else here.  The first call in a thread only learns where its
   stack ends.  Return: what fn returned.  Async-signal-unsafe. */
void *cpdb_stack_call(void *(*fn)(void *), void *arg);

#endif
