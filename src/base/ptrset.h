/* Addresses to numbers: open addressing, linear probing, grown at half
   full, so that "seen already?" and "where is it?" over a million
   objects stay linear (a scan of what was collected so far made gc
   refs and gc graph quadratic).  Pure C: it never dereferences what it
   holds. */
#ifndef CPDB_SRC_PTRSET_H
#define CPDB_SRC_PTRSET_H

#include <stddef.h>

typedef struct CpdbPtrEntry {
    const void *key;            /* NULL: the slot is empty */
    size_t value;
} CpdbPtrEntry;

typedef struct CpdbPtrSet {
    CpdbPtrEntry *slots;        /* malloc'd, or NULL */
    size_t mask;                /* slots - 1 (a power of two less 1) */
    size_t n;                   /* addresses held */
} CpdbPtrSet;

void cpdb_ptrset_init(CpdbPtrSet *set);
/* Release the storage; the set is empty again. */
void cpdb_ptrset_fini(CpdbPtrSet *set);
/* Make room for n addresses in all, so that adding them does not grow
   the table again and again. */
void cpdb_ptrset_reserve(CpdbPtrSet *set, size_t n);
/* Add p (not NULL) with value.  Return: 1 when it was not there, 0 when
   it was (its value is kept). */
int cpdb_ptrset_put(CpdbPtrSet *set, const void *p, size_t value);
/* The value of p (not NULL), added with value 0 when it is not there.
   Return: where the value is, until the set changes. */
size_t *cpdb_ptrset_value(CpdbPtrSet *set, const void *p);
/* Add p (not NULL).  Return: 1 when it was not there, 0 when it was. */
int cpdb_ptrset_add(CpdbPtrSet *set, const void *p);
/* Return: 1 with *value set when p is in the set, else 0. */
int cpdb_ptrset_get(const CpdbPtrSet *set, const void *p, size_t *value);

#endif /* CPDB_SRC_PTRSET_H */
