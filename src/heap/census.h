/* Censuses by type name: how many tracked objects each type has, the
   types that share a name counted together; the differences between two
   censuses; which types a name the user typed means, and the first
   objects of those types.  Data only: the memory commands print it. */
#ifndef CPDB_SRC_HEAP_CENSUS_H
#define CPDB_SRC_HEAP_CENSUS_H

#include "base/compat.h"
#include "heap/heap.h"

#include <stddef.h>
#include <stdint.h>

/* Objects per type name, the names sorted (strcmp) for lookups. */
typedef struct CpdbCensus {
    char **names;           /* malloc'd, each malloc'd */
    long *counts;           /* counts[i]: objects of types named names[i] */
    long n;                 /* names */
    long total;             /* objects */
} CpdbCensus;

/* Fill c from n (name, count) pairs: the counts of equal names are
   added up.  c need not be initialised; cpdb_census_fini frees it. */
void cpdb_census_of_names(CpdbCensus *c, const char *const *names,
                          const long *counts, long n);
/* Fill c from the per-type counts cpdb_heap_census returns, by the
   names cpdb_type_name gives.  Needs the GIL. */
void cpdb_census_of_types(CpdbCensus *c, const CpdbTypeCount *tc, long n);
void cpdb_census_fini(CpdbCensus *c);
/* Make dst (initialised, perhaps empty) a copy of src. */
void cpdb_census_copy(CpdbCensus *dst, const CpdbCensus *src);
/* Return: the count of name in c, 0 when c has none. */
long cpdb_census_get(const CpdbCensus *c, const char *name);
/* Add to c what changed from census from to census to, name by name (a
   count that would go below 0 becomes 0 and its name is dropped): c
   then takes as made before it what was made between from and to. */
void cpdb_census_shift(CpdbCensus *c, const CpdbCensus *from,
                       const CpdbCensus *to);

/* Which of n objects (borrowed, sorted by address) are garbage among
   themselves: referred to by nothing outside the set, but by one
   another (reference cycles), as the collector finds it: references
   from inside the set are taken off each reference count, and what
   keeps a count is reachable, with all it leads to in the set.  Runs
   no Python code.  Return: malloc'd flags, 1 for garbage. */
uint8_t *cpdb_census_unreachable(PyObject *const *objs, size_t n);
/* Return: the index of o in objs[0..n) (sorted by address), or -1. */
long cpdb_census_index_of(PyObject *const *objs, size_t n, PyObject *o);

/* One type of a census, or its change between two censuses. */
typedef struct CpdbCensusRow {
    const char *name;       /* borrowed: owned by a census given */
    long before;            /* objects in the older census (0 for one) */
    long after;             /* objects in the newer one */
    long change;            /* after - before */
} CpdbCensusRow;

/* The types of c, most objects first, then by name (before is 0).
   Return: malloc'd array of c->n rows. */
CpdbCensusRow *cpdb_census_rows(const CpdbCensus *c);

/* Only the types whose count went up (what "gc growth" shows). */
#define CPDB_CENSUS_GROWN_ONLY 1

/* The types whose counts differ between a (older) and b (newer), with
   those gone from b; the largest change first (either way), then by
   name.  flags: CPDB_CENSUS_GROWN_ONLY or 0.  Return: malloc'd array of
   *n rows naming a's and b's strings. */
CpdbCensusRow *cpdb_census_diff(const CpdbCensus *a, const CpdbCensus *b,
                                unsigned flags, size_t *n);

/* Whether a type name is one "gc types PATTERN" shows: any for an empty
   pattern, a glob match (fnmatch) when the pattern has * ? or [, else
   when the name contains the pattern. */
int cpdb_census_name_matches(const char *pattern, const char *name);

/* Keep, at the start of tc, the types that want names: their tp_name,
   their census name ("mypkg.Foo"), or its last part ("Foo").  Needs the
   GIL.  Return: the number of objects of those types; *n_types receives
   how many types were kept. */
long cpdb_census_select(CpdbTypeCount *tc, long *n_types, const char *want);

/* The first objects of some types, collected by a walk of the heap
   (cpdb_heap_walk's visitor cpdb_type_pick_visit). */
typedef struct CpdbTypePick {
    const CpdbTypeCount *types;     /* borrowed: the types wanted */
    long n_types;
    size_t limit;                   /* objects wanted */
    CPDB_ARRAY(PyObject *) objs;    /* strong: found, in heap order */
} CpdbTypePick;

/* Start a pick of up to limit objects of types[0..n_types). */
void cpdb_type_pick_init(CpdbTypePick *p, const CpdbTypeCount *types,
                         long n_types, size_t limit);
/* The walk's visitor (arg: the CpdbTypePick).  Runs no Python code.
   Return: 0 once limit objects are found, else 1. */
int cpdb_type_pick_visit(PyObject *o, void *arg);
void cpdb_type_pick_fini(CpdbTypePick *p);

#endif /* CPDB_SRC_HEAP_CENSUS_H */
