/* More C stack on demand (stack.h).

   A thread's own stack ends where pthread_getattr_np says; when a check
   finds less than STACK_MARGIN left, the call goes on on a segment
   mapped for it (ucontext), and comes back when it returns.  Segments
   are kept per thread for the next deep call (a recursion that goes up
   and down across the boundary maps nothing) and unmapped when the
   thread ends.  They are reserved, not committed (MAP_NORESERVE): only
   the pages a recursion touches cost memory, as on a thread's own
   stack. */
#include "base/stack.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define CPDB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CPDB_ASAN 1
#endif
#endif
#ifdef CPDB_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/* What the C code between two checks may use: a stop's prompt and
   commands, a repr that recurses in C (as deep as the recursion limit
   lets it), a C extension's own calls. */
#define STACK_MARGIN ((size_t)1 << 20)
/* About 500,000 Python frames of 3.11 with the hook each; a quarter,
   then a sixteenth, where the system will not reserve that much (strict
   overcommit, a ulimit -v). */
#define SEGMENT_SIZE ((size_t)256 << 20)
#define SEGMENT_SIZE_MIN ((size_t)16 << 20)

typedef struct Segment {
    struct Segment *inner;      /* the next one down, once mapped */
    char *map;                  /* the mapping: a guard page, then the
                                   stack */
    size_t map_size;
} Segment;

typedef struct ThreadStacks {
    Segment *first;             /* the segment entered from the thread's
                                   own stack, once mapped */
    Segment *cur;               /* where the thread runs; NULL: its own
                                   stack */
} ThreadStacks;

/* A call that goes on on a segment, as the trampoline finds it. */
typedef struct Call {
    void *(*fn)(void *);
    void *arg;
    void *result;
    ucontext_t back;            /* where the caller waits */
#ifdef CPDB_ASAN
    const void *from_bottom;    /* the caller's stack, for the way back */
    size_t from_size;
#endif
} Call;

_Thread_local uintptr_t cpdb_stack_low_mark
    __attribute__((tls_model("initial-exec"))) = UINTPTR_MAX;
static _Thread_local ThreadStacks stacks;
static _Thread_local Call *pending;

static pthread_key_t stacks_key;
static pthread_once_t stacks_once = PTHREAD_ONCE_INIT;

/* At a thread's end: unmap its segments. */
static void
free_segments(void *p)
{
    ThreadStacks *t = p;
    Segment *seg = t->first, *next;
    while (seg != NULL) {
        next = seg->inner;
        munmap(seg->map, seg->map_size);
        seg = next;
    }
    t->first = t->cur = NULL;
}

static void
make_key(void)
{
    if (pthread_key_create(&stacks_key, free_segments) != 0) {
        stacks_key = (pthread_key_t)-1;
    }
}

/* Where the current thread's own stack becomes low.  Return: the
   address, or 0 (never low) if the stack's extent is unknown. */
static uintptr_t
own_low_mark(void)
{
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) {
        return 0;
    }
    if (pthread_attr_getstack(&attr, &addr, &size) != 0) {
        addr = NULL;
    }
    pthread_attr_destroy(&attr);
    return addr ? (uintptr_t)addr + STACK_MARGIN : 0;
}

/* Return: the segment below the one the thread runs on, mapped now if
   it was not; NULL if it cannot be.  The segment is a struct at the
   stack's top end, so one mapping holds both. */
static Segment *
inner_segment(void)
{
    Segment **slot = stacks.cur ? &stacks.cur->inner : &stacks.first;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), size;
    char *map;
    Segment *seg;

    if (*slot != NULL) {
        return *slot;
    }
    pthread_once(&stacks_once, make_key);
    if (stacks_key == (pthread_key_t)-1
        || pthread_setspecific(stacks_key, &stacks) != 0) {
        return NULL;
    }
    for (size = SEGMENT_SIZE;; size /= 4) {
        map = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                   -1, 0);
        if (map != MAP_FAILED) {
            break;
        }
        if (size / 4 < SEGMENT_SIZE_MIN) {
            return NULL;
        }
    }
    /* An overflow of the segment itself faults at once. */
    if (mprotect(map, page, PROT_NONE) != 0) {
        munmap(map, size);
        return NULL;
    }
    seg = (Segment *)(map + size) - 1;
    seg->inner = NULL;
    seg->map = map;
    seg->map_size = size;
    *slot = seg;
    return seg;
}

/* The segment's first function: runs the pending call, then returns to
   the caller through uc_link.  Not instrumented by ASan: its frame must
   not live on the fake stack that the switch back ends. */
#ifdef CPDB_ASAN
__attribute__((no_sanitize_address))
#endif
static void
trampoline(void)
{
    Call *c = pending;
#ifdef CPDB_ASAN
    __sanitizer_finish_switch_fiber(NULL, &c->from_bottom, &c->from_size);
#endif
    c->result = c->fn(c->arg);
    /* The way back restores the signal mask saved on the way here: give
       it the one the call left, which the program may have changed. */
    pthread_sigmask(SIG_SETMASK, NULL, &c->back.uc_sigmask);
#ifdef CPDB_ASAN
    __sanitizer_start_switch_fiber(NULL, c->from_bottom, c->from_size);
#endif
}

/* Run c on seg and come back.  Return: 0, or -1 if the switch failed
   (c did not run). */
static int
run_on(Segment *seg, Call *c)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    ucontext_t ctx;
#ifdef CPDB_ASAN
    void *fake = NULL;
#endif
    int rc;

    if (getcontext(&ctx) != 0) {
        return -1;
    }
    ctx.uc_stack.ss_sp = seg->map + page;
    ctx.uc_stack.ss_size = (size_t)((char *)seg - seg->map) - page;
    ctx.uc_link = &c->back;
    makecontext(&ctx, trampoline, 0);
    pending = c;
    stacks.cur = seg;
    cpdb_stack_low_mark = (uintptr_t)ctx.uc_stack.ss_sp + STACK_MARGIN;
#ifdef CPDB_ASAN
    __sanitizer_start_switch_fiber(&fake, ctx.uc_stack.ss_sp,
                                   ctx.uc_stack.ss_size);
#endif
    rc = swapcontext(&c->back, &ctx);
#ifdef CPDB_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
    return rc;
}

void *
cpdb_stack_call(void *(*fn)(void *), void *arg)
{
    uintptr_t mark = cpdb_stack_low_mark;
    Segment *outer = stacks.cur, *seg;
    Call c;
    int rc;

    if (mark == UINTPTR_MAX) {
        /* The thread's first check: learn where its stack ends. */
        mark = cpdb_stack_low_mark = own_low_mark();
        if (!cpdb_stack_is_low()) {
            return fn(arg);
        }
    }
    seg = inner_segment();
    if (seg == NULL) {
        return fn(arg);         /* as deep as the stack goes */
    }
    c.fn = fn;
    c.arg = arg;
    c.result = NULL;
    rc = run_on(seg, &c);
    stacks.cur = outer;
    cpdb_stack_low_mark = mark;
    return rc == 0 ? c.result : fn(arg);
}
