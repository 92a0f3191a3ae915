/* The set of addresses that keeps gc refs and gc graph linear. */
#include "tap.h"
#include "base/ptrset.h"

#include <stdint.h>
#include <stdlib.h>

/* An address of the kind objects have: aligned, close together. */
static const void *
addr(size_t i)
{
    return (const void *)(uintptr_t)(0x7f0000000000ULL + i * 16);
}

int
main(void)
{
    CpdbPtrSet set;
    size_t i, v, n = 200000, missing = 0, wrong = 0;

    cpdb_ptrset_init(&set);
    OK(!cpdb_ptrset_get(&set, addr(1), &v), "an empty set holds nothing");
    OK(cpdb_ptrset_add(&set, addr(1)) == 1, "adding a new address says so");
    OK(cpdb_ptrset_add(&set, addr(1)) == 0, "adding it again says not");
    cpdb_ptrset_fini(&set);
    OK(set.n == 0 && set.slots == NULL, "fini leaves it empty");

    for (i = 0; i < n; i++) {
        cpdb_ptrset_put(&set, addr(i), i);
    }
    OK(set.n == n, "%zu addresses held", n);
    OK(set.n * 2 <= set.mask + 1, "grown to stay at most half full");
    for (i = 0; i < n; i++) {
        if (!cpdb_ptrset_get(&set, addr(i), &v)) {
            missing++;
        }
        else if (v != i) {
            wrong++;
        }
    }
    OK(missing == 0 && wrong == 0, "each found with its value");
    OK(!cpdb_ptrset_get(&set, addr(n), &v), "one never added is not found");
    OK(cpdb_ptrset_put(&set, addr(5), 99) == 0
       && cpdb_ptrset_get(&set, addr(5), &v) && v == 5,
       "put keeps the value of an address already there");
    *cpdb_ptrset_value(&set, addr(5)) = 99;
    OK(cpdb_ptrset_get(&set, addr(5), &v) && v == 99,
       "a value is changed where cpdb_ptrset_value says");
    OK(*cpdb_ptrset_value(&set, addr(n + 1)) == 0 && set.n == n + 1,
       "asking the value of a new address adds it with 0");
    cpdb_ptrset_fini(&set);

    cpdb_ptrset_reserve(&set, 1000);
    v = set.mask;
    for (i = 0; i < 1000; i++) {
        cpdb_ptrset_add(&set, addr(i));
    }
    OK(set.mask == v && set.mask + 1 >= 2000,
       "a reserved set does not grow while it fills");
    cpdb_ptrset_fini(&set);
    return tap_done();
}
