/* Parsing arguments that several commands share: lists of numbers
   ("delete 1 3-5", "undisplay 2"), checked whole before a command acts
   on any of them. */
#include "cli/cmd.h"
#include "cli/output.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Parse one number of a list: decimal digits only, 1 to max.
   Return 0 with *end after it, or -1. */
static int
parse_number(const char *p, const char **end, long max, long *out)
{
    char *e;
    if (!isdigit((unsigned char)*p)) {
        return -1;
    }
    errno = 0;
    *out = strtol(p, &e, 10);
    if (errno != 0 || *out < 1 || *out > max) {
        return -1;
    }
    *end = e;
    return 0;
}

static int
has_number(const int *numbers, size_t n, long v)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (numbers[i] == v) {
            return 1;
        }
    }
    return 0;
}

int
cpdb_cmd_number_list(CpdbSession *s, const char *args, const char *what,
                     const int *exists, size_t n_exists, int **out)
{
    CPDB_ARRAY(int) picked = {0};
    const char *p = cpdb_skip_space(args);

    *out = NULL;
    while (*p != '\0') {
        const char *end, *word = p;
        long lo, hi;
        size_t i, before = picked.n;
        int bad = parse_number(p, &end, INT_MAX, &lo) < 0;
        hi = lo;
        if (!bad && *end == '-') {
            /* "2-99999999999": up to any end that fits a long */
            bad = parse_number(end + 1, &end, LONG_MAX, &hi) < 0 || hi < lo;
        }
        if (bad || (*end != '\0' && !isspace((unsigned char)*end))) {
            size_t len = strcspn(word, " \t");
            cpdb_error(s, "Bad %s number \"%.*s\": numbers from 1 to %d or "
                       "ranges N-M are expected.", what, (int)len, word,
                       INT_MAX);
            free(picked.items);
            return -1;
        }
        for (i = 0; i < n_exists; i++) {
            if (exists[i] >= lo && exists[i] <= hi
                && !has_number(picked.items, picked.n, exists[i])) {
                cpdb_array_push(&picked, exists[i]);
            }
        }
        if (picked.n == before && !has_number(exists, n_exists, lo)) {
            if (lo == hi) {
                cpdb_error(s, "No %s number %ld.", what, lo);
            }
            else {
                cpdb_error(s, "No %ss numbered %ld to %ld.", what, lo, hi);
            }
            free(picked.items);
            return -1;
        }
        p = cpdb_skip_space(end);
    }
    *out = picked.items;
    return (int)picked.n;
}
