/* Known ways Python programs leak, looked for in a heap snapshot: each
   pattern is a query that appends hints (what was found, why it leaks,
   the fix, the object to look at).  Data only: "leak hints" prints the
   hints, numbered, and records their objects as $N. */
#ifndef CPDB_SRC_HEAP_PATTERNS_H
#define CPDB_SRC_HEAP_PATTERNS_H

#include "base/compat.h"
#include "base/util.h"
#include "heap/heap.h"

#include <stdint.h>

/* The thresholds: below them a container is not worth a hint. */
#define CPDB_LEAK_DEFAULT_ITEMS 50  /* items in a mutable default */
#define CPDB_LEAK_CACHE_ENTRIES 100 /* entries in an unbounded lru_cache */
#define CPDB_LEAK_METHOD_SELVES 10  /* instances kept by a method's cache */
#define CPDB_LEAK_QUERIES 100       /* Django queries kept */
#define CPDB_LEAK_GREW_ITEMS 10     /* growth of a module-level container */
#define CPDB_LEAK_MAX_GROWING 5     /* growing containers told of */
/* How far below module globals the sizes of containers are noted: up to
   CPDB_LEAK_WALK_DEPTH references below a global (APP.state.sessions is
   2), through classes and instances from outside the standard library,
   dicts (str and int keys), lists and tuples, the first
   CPDB_LEAK_WALK_ITEMS items of each, CPDB_LEAK_WALK_OBJECTS objects
   looked into in all (so a look stays quick on any heap). */
#define CPDB_LEAK_WALK_DEPTH 4
#define CPDB_LEAK_WALK_ITEMS 100
#define CPDB_LEAK_WALK_OBJECTS 20000

typedef enum CpdbLeakKind {
    CPDB_LEAK_DJANGO_QUERIES,   /* Django's query log with DEBUG on */
    CPDB_LEAK_MUTABLE_DEFAULT,  /* a big list/dict/set as a default */
    CPDB_LEAK_METHOD_CACHE,     /* lru_cache on a method keeps selves */
    CPDB_LEAK_UNBOUNDED_CACHE,  /* lru_cache(maxsize=None), big */
    CPDB_LEAK_GROWING,          /* a module-level container grew */
    CPDB_LEAK_GARBAGE,          /* gc.garbage holds what was not freed */
    CPDB_LEAK_SAVED_DEL,        /* gc.garbage (saveall) holds __del__s */
    CPDB_LEAK_DEL_CYCLES        /* objects with __del__ in cycles */
} CpdbLeakKind;

/* One hint, as "leak hints" prints it: "N. TITLE", the advice, and
   "$N = OBJECT". */
typedef struct CpdbLeakHint {
    CpdbLeakKind kind;
    char *title;            /* malloc'd: one line, no number, no newline */
    char *advice;           /* malloc'd: lines indented by three spaces,
                               each ending in a newline */
    PyObject *obj;          /* strong: the object to record, or NULL */
} CpdbLeakHint;

typedef CPDB_ARRAY(CpdbLeakHint) CpdbLeakHints;

/* Release the hints' texts and objects; hints is empty after. */
void cpdb_leak_hints_clear(CpdbLeakHints *hints);

/* The sizes of the containers module globals hold and those below them
   (CPDB_LEAK_WALK_DEPTH), to tell at the next look which grew. */
typedef struct CpdbSized {
    char *name;             /* malloc'd: the path, "module.name",
                               "module.Class.name", "app.APP.state.sessions",
                               "app.registry._handlers['k']" */
    uintptr_t ptr;          /* the container (compared, never read) */
    Py_ssize_t len;
} CpdbSized;

struct CpdbLeakSizes {
    CPDB_ARRAY(CpdbSized) items;    /* sorted by name, then ptr */
    int taken;              /* once a table exists */
};
typedef struct CpdbLeakSizes CpdbLeakSizes;

/* Fill t (need not be initialised) with the sizes now, read through
   tp_traverse and len(). */
void cpdb_leak_sizes_take(CpdbLeakSizes *t);
void cpdb_leak_sizes_fini(CpdbLeakSizes *t);

/* What a look for leak patterns reads. */
typedef struct CpdbLeakLook {
    CpdbHeap *h;                    /* borrowed: the snapshot */
    const CpdbHeapContext *ctx;     /* borrowed: its guard is held
                                       while the queries run */
    const CpdbLeakSizes *last;      /* borrowed: sizes at the last look
                                       (taken 0: none) */
    /* How a code object's file is named for people (malloc'd); NULL:
       co_filename as it is. */
    char *(*code_path)(PyCodeObject *code);
} CpdbLeakLook;

/* Every pattern in the order "leak hints" tells them; *now receives the
   sizes for the next look.  Return 0 with no exception set, or -1 when
   Ctrl-C stopped it: KeyboardInterrupt set (cpdb_heap_interrupted), and
   out and *now freed. */
int cpdb_leak_hints(const CpdbLeakLook *look, CpdbLeakSizes *now,
                    CpdbLeakHints *out);

/* The patterns one by one, each appending to out. */
void cpdb_leak_django(CpdbHeap *h, CpdbLeakHints *out);
void cpdb_leak_defaults(CpdbHeap *h, char *(*code_path)(PyCodeObject *),
                        CpdbLeakHints *out);
void cpdb_leak_lru_caches(CpdbHeap *h, CpdbLeakHints *out);
void cpdb_leak_growing(const CpdbLeakSizes *last, const CpdbLeakSizes *now,
                       CpdbLeakHints *out);
void cpdb_leak_garbage(CpdbLeakHints *out);
void cpdb_leak_del_cycles(CpdbHeap *h, CpdbLeakHints *out);

#endif /* CPDB_SRC_HEAP_PATTERNS_H */
