/* Addresses to numbers (ptrset.h). */
#include "base/ptrset.h"
#include "base/util.h"

#include <stdint.h>
#include <stdlib.h>

/* The first slot to probe for p: objects are aligned, so the low bits
   say little; a multiplicative hash spreads the rest. */
static size_t
slot_of(const void *p, size_t mask)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & mask;
}

void
cpdb_ptrset_init(CpdbPtrSet *set)
{
    set->slots = NULL;
    set->mask = 0;
    set->n = 0;
}

void
cpdb_ptrset_fini(CpdbPtrSet *set)
{
    free(set->slots);
    cpdb_ptrset_init(set);
}

/* The slot of p in slots: the one that holds it, or the empty one where
   it goes. */
static CpdbPtrEntry *
find(CpdbPtrEntry *slots, size_t mask, const void *p)
{
    size_t i = slot_of(p, mask);
    while (slots[i].key != NULL && slots[i].key != p) {
        i = (i + 1) & mask;
    }
    return &slots[i];
}

/* Make the table size slots (a power of two, more than twice what it
   holds), moving what it holds. */
static void
resize(CpdbPtrSet *set, size_t size)
{
    size_t i;
    CpdbPtrEntry *slots = cpdb_xcalloc(size, sizeof *slots);
    for (i = 0; set->slots != NULL && i <= set->mask; i++) {
        if (set->slots[i].key != NULL) {
            *find(slots, size - 1, set->slots[i].key) = set->slots[i];
        }
    }
    free(set->slots);
    set->slots = slots;
    set->mask = size - 1;
}

void
cpdb_ptrset_reserve(CpdbPtrSet *set, size_t n)
{
    size_t size = set->slots ? set->mask + 1 : 16;
    while (size / 2 < n) {
        size *= 2;
    }
    if (set->slots == NULL || size > set->mask + 1) {
        resize(set, size);
    }
}

int
cpdb_ptrset_get(const CpdbPtrSet *set, const void *p, size_t *value)
{
    CpdbPtrEntry *e;
    if (set->slots == NULL) {
        return 0;
    }
    e = find(set->slots, set->mask, p);
    if (e->key == NULL) {
        return 0;
    }
    *value = e->value;
    return 1;
}

int
cpdb_ptrset_put(CpdbPtrSet *set, const void *p, size_t value)
{
    CpdbPtrEntry *e;
    if (set->slots == NULL || (set->n + 1) * 2 > set->mask + 1) {
        resize(set, set->slots ? (set->mask + 1) * 2 : 16);
    }
    e = find(set->slots, set->mask, p);
    if (e->key != NULL) {
        return 0;
    }
    e->key = p;
    e->value = value;
    set->n++;
    return 1;
}

size_t *
cpdb_ptrset_value(CpdbPtrSet *set, const void *p)
{
    size_t v;
    if (!cpdb_ptrset_get(set, p, &v)) {
        cpdb_ptrset_put(set, p, 0);
    }
    return &find(set->slots, set->mask, p)->value;
}

int
cpdb_ptrset_add(CpdbPtrSet *set, const void *p)
{
    return cpdb_ptrset_put(set, p, 0);
}
