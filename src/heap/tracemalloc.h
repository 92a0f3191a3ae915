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
} CpdbMemRow;

/* The memory held per line or per file, largest first. */
typedef struct CpdbMemTable {
    CPDB_ARRAY(CpdbMemRow) rows;
    int by_file;
} CpdbMemTable;

/* Fill t from a tracemalloc snapshot taken now (tm: the tracemalloc
   module, tracing), grouped by line or by file, largest first, without
   tracemalloc's own allocations and those of cpdb's expressions
   ("<cpdb>").  busy is held while tracemalloc's Python runs.  Return 0,
   or -1 with an exception set (t is then empty). */
int cpdb_mem_table_take(CpdbMemTable *t, PyObject *tm, int by_file,
                        CpdbGuard *busy);
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

/* The frames of a traceback tracemalloc gave (get_object_traceback),
   newest first; frames that cannot be read are left out (their depth
   is not reused).  Frees nothing of tb. */
void cpdb_mem_frames_of(PyObject *tb, CpdbMemFrames *out);
void cpdb_mem_frames_fini(CpdbMemFrames *f);

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
