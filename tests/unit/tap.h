/* A minimal TAP producer for the unit tests. */
#ifndef CPDB_TESTS_TAP_H
#define CPDB_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define OK(cond, ...)                                                    \
    do {                                                                 \
        int ok_ = (cond) ? 1 : 0;                                        \
        tap_n++;                                                         \
        if (!ok_) {                                                      \
            tap_failed++;                                                \
        }                                                                \
        printf("%sok %d - ", ok_ ? "" : "not ", tap_n);                  \
        printf(__VA_ARGS__);                                             \
        printf("\n");                                                    \
        if (!ok_) {                                                      \
            printf("#   %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
        }                                                                \
    } while (0)

#define STR_EQ(a, b, ...)                                                \
    do {                                                                 \
        const char *sa_ = (a), *sb_ = (b);                               \
        OK(sa_ != NULL && sb_ != NULL && strcmp(sa_, sb_) == 0,          \
           __VA_ARGS__);                                                 \
        if (!(sa_ != NULL && sb_ != NULL && strcmp(sa_, sb_) == 0)) {    \
            printf("#   got \"%s\", expected \"%s\"\n",                  \
                   sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");          \
        }                                                                \
    } while (0)

static int
tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
