/* A minimal TAP producer for the unit tests. */
#ifndef CPDB_TESTS_TAP_H
#define CPDB_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

/* Where the results go: define TAP_OUT before the include to send them
   elsewhere than the standard output. */
#ifndef TAP_OUT
#define TAP_OUT stdout
#endif

static int tap_n, tap_failed;

#define OK(cond, ...)                                                    \
    do {                                                                 \
        int ok_ = (cond) ? 1 : 0;                                        \
        tap_n++;                                                         \
        if (!ok_) {                                                      \
            tap_failed++;                                                \
        }                                                                \
        fprintf(TAP_OUT, "%sok %d - ", ok_ ? "" : "not ", tap_n);        \
        fprintf(TAP_OUT, __VA_ARGS__);                                   \
        fprintf(TAP_OUT, "\n");                                          \
        if (!ok_) {                                                      \
            fprintf(TAP_OUT, "#   %s:%d: %s\n", __FILE__, __LINE__,      \
                    #cond);                                              \
        }                                                                \
    } while (0)

#define STR_EQ(a, b, ...)                                                \
    do {                                                                 \
        const char *sa_ = (a), *sb_ = (b);                               \
        OK(sa_ != NULL && sb_ != NULL && strcmp(sa_, sb_) == 0,          \
           __VA_ARGS__);                                                 \
        if (!(sa_ != NULL && sb_ != NULL && strcmp(sa_, sb_) == 0)) {    \
            fprintf(TAP_OUT, "#   got \"%s\", expected \"%s\"\n",        \
                    sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");         \
        }                                                                \
    } while (0)

static int
tap_done(void)
{
    fprintf(TAP_OUT, "1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
