/* tracemalloc's answers as plain C rows: the memory held per line (or
   per file) now, the differences between two such tables, where an
   object was allocated, and tracemalloc's own figures.  tracemalloc has
   no C interface for these, so its Python functions are called; no
   snapshot object is kept (nothing of cpdb's shows up in a heap answer).
   Data only: the mem commands print it. */
#ifndef CPDB_SRC_HEAP_TRACEMALLOC_H
#define CPDB_SRC_HEAP_TRACEMALLOC_H

#include "base/compat.h"
#include "base/util.h"

#include <stddef.h>

/* One line (or file) of a statistics table. */
typedef struct CpdbMemRow {
    char *file;             /* malloc'd */
    long line;              /* 0 when grouped by file */
    long long size;         /* bytes */
    long long count;        /* blocks */
    int library_only;       /* own-code table: no frame of the program's
                               own code, counted at the newest frame */
    int cut;                /* and some traceback was cut at the limit */
} CpdbMemRow;

/* The memory held per line or per file, largest first. */
typedef struct CpdbMemTable {
    CPDB_ARRAY(CpdbMemRow) rows;
    int by_file;
    int own_code;           /* grouped by the program's own frames */
    long frames;            /* the frames tracemalloc keeps per trace */
} CpdbMemTable;

/* Fill t from tracemalloc's traces now (tm: the tracemalloc module,
   tracing), grouped by line or by file, largest first, without
   tracemalloc's own allocations and those of cpdb's expressions (a
   "<cpdb>" frame).  A trace counts at its newest frame, or with
   own_code at its newest frame in the program's own code (see
   cpdb_mem_is_library), or at its newest frame when it has none.  busy
   is held while tracemalloc runs.  Return 0, or -1 with an exception
   set (t is then empty). */
int cpdb_mem_table_take(CpdbMemTable *t, PyObject *tm, int by_file,
                        int own_code, CpdbGuard *busy);

/* Whether a traceback's file is library code rather than the
   program's own: under stdlib_dir (the standard library's folder,
   ending in '/', or NULL), in a site-packages or dist-packages folder,
   frozen ("<frozen importlib._bootstrap>") or unknown ("<unknown>"). */
int cpdb_mem_is_library(const char *file, const char *stdlib_dir);
void cpdb_mem_table_fini(CpdbMemTable *t);
/* Return: the bytes of all the rows. */
long long cpdb_mem_table_total(const CpdbMemTable *t);

/* How one line's memory changed from a table to another. */
typedef struct CpdbMemChange {
    const char *file;       /* borrowed: owned by one of the tables */
    long line;
    long long size_diff, count_diff;
    long long size_now;     /* bytes in the newer table */
} CpdbMemChange;

/* The lines whose memory or blocks differ between a (older) and b
   (newer), gone and new ones included, the largest change in bytes
   first (either way), then by file and line.  *total receives the sum
   of the changes.  Return: malloc'd array of *n changes. */
CpdbMemChange *cpdb_mem_table_diff(const CpdbMemTable *a,
                                   const CpdbMemTable *b, size_t *n,
                                   long long *total);

/* One frame of the traceback of an allocation. */
typedef struct CpdbMemFrame {
    long depth;             /* 0 for the newest frame */
    char *file;             /* malloc'd */
    long line;
} CpdbMemFrame;

typedef CPDB_ARRAY(CpdbMemFrame) CpdbMemFrames;

void cpdb_mem_frames_fini(CpdbMemFrames *f);

/* Where tracemalloc saw an object's memory allocated. */
typedef struct CpdbMemWhere {
    CpdbMemFrames frames;   /* of the object's own block, newest first;
                               none when tracemalloc has no trace of it */
    int free_list;          /* its type makes objects from a free list */
    const char *part;       /* static: "item array", "key table", or
                               NULL: when the object's own block has no
                               trace, the block of its contents traced */
    CpdbMemFrames part_frames;
} CpdbMemWhere;

/* Fill w for o.  The block is looked up at its true start
   (cpdb_object_block): tracemalloc's get_object_traceback misses the
   instances of ordinary classes on 3.11.  Needs tracemalloc tracing.
   Return 0, or -1 with an exception set. */
int cpdb_mem_where(PyObject *o, CpdbMemWhere *w);
void cpdb_mem_where_fini(CpdbMemWhere *w);

/* Right after tracing starts: give a trace to the blocks waiting in
   CPython's free lists of lists, dicts, floats and small tuples, and to
   those of the lists, dicts and tuples of the collector's young
   generations, which were allocated before and so have none.  A new
   object made in such a block would have no trace either (reuse is no
   allocation); tracemalloc moves an existing trace to the new object.
   The traces name a frame of "<cpdb: older than mem start>": left out
   of every table, and no trace for cpdb_mem_where.  No collection runs.
   The gc module must be imported.  busy is held while it runs.  Return
   0, or -1 with an exception set. */
int cpdb_mem_trace_free_lists(CpdbGuard *busy);
/* Make what cpdb_mem_trace_free_lists runs (once a process), to be
   called before tracing starts: made after, it would itself leave
   untraced blocks in the free lists.  Return 0, or -1 with an exception
   set. */
int cpdb_mem_free_lists_tracer_make(void);

/* What tracemalloc reports of itself while tracing. */
typedef struct CpdbMemStatus {
    long frames;            /* frames kept per allocation */
    long long traced;       /* bytes traced now */
    long long peak;         /* and at the peak */
    long long own;          /* bytes tracemalloc uses */
} CpdbMemStatus;

/* Fill st (tm: the tracemalloc module).  Return 0, or -1 with an
   exception set. */
int cpdb_mem_status(CpdbMemStatus *st, PyObject *tm, CpdbGuard *busy);

#endif /* CPDB_SRC_HEAP_TRACEMALLOC_H */
