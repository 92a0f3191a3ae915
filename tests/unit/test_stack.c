/* More stack on demand: a C recursion that checks the stack as the
   frame-evaluation hook does goes deeper than the thread's stack. */
#include "tap.h"
#include "base/stack.h"

#include <pthread.h>
#include <stdint.h>

#define DEPTH 20000     /* about 10 MB of frames */

/* Return: (void *)n after recursing n deep, each frame 0.5 KB. */
static void *
down(void *arg)
{
    uintptr_t n = (uintptr_t)arg, r;
    volatile char pad[480];
    pad[0] = (char)n;
    pad[sizeof pad - 1] = 0;
    if (n == 0) {
        return NULL;
    }
    if (cpdb_stack_is_low()) {
        r = (uintptr_t)cpdb_stack_call(down, (void *)(n - 1));
    }
    else {
        r = (uintptr_t)down((void *)(n - 1));
    }
    return (void *)(r + 1 + (uintptr_t)(pad[sizeof pad - 1]));
}

static void *
in_thread(void *arg)
{
    (void)arg;
    return down((void *)(uintptr_t)DEPTH);
}

/* Return: what the recursion returned in a thread of stack_size. */
static uintptr_t
deep_in_thread(size_t stack_size)
{
    pthread_attr_t attr;
    pthread_t t;
    void *result = NULL;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_size);
    if (pthread_create(&t, &attr, in_thread, NULL) != 0) {
        return 0;
    }
    pthread_join(t, &result);
    pthread_attr_destroy(&attr);
    return (uintptr_t)result;
}

int
main(void)
{
    OK((uintptr_t)down((void *)(uintptr_t)DEPTH) == DEPTH,
       "%d frames deep in the main thread", DEPTH);
    OK((uintptr_t)down((void *)(uintptr_t)DEPTH) == DEPTH,
       "again, on the segments kept");
    OK(deep_in_thread(256 * 1024) == DEPTH,
       "%d frames deep in a thread of 256 KB", DEPTH);
    OK(deep_in_thread(8 * 1024 * 1024) == DEPTH,
       "%d frames deep in a thread of 8 MB", DEPTH);
    OK(!cpdb_stack_is_low(), "the main thread's stack is not low here");
    return tap_done();
}
