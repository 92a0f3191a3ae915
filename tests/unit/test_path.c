/* Folding the runs of one reference in a path, on made-up steps: what
   stays on each side, the count the fold stands for, runs too short to
   fold, and unnamed references that never fold.  No interpreter. */
#include "heap/path.h"
#include "tap.h"

#include <string.h>

/* Steps named after the letters of names ('-' unnamed), all leaving
   nodes of one kind but the ones marked upper case. */
static void
make_steps(CpdbPathStep *steps, const char *names, char *text)
{
    static const int kind_a = 0, kind_b = 0;
    size_t k;
    for (k = 0; names[k] != '\0'; k++) {
        memset(&steps[k], 0, sizeof steps[k]);
        text[2 * k] = (char)(names[k] | 0x20);
        text[2 * k + 1] = '\0';
        steps[k].at = k;
        steps[k].name = names[k] == '-' ? NULL : &text[2 * k];
        steps[k].kind = names[k] >= 'a' ? (const void *)&kind_a
                                        : (const void *)&kind_b;
    }
}

/* The steps as text: a letter for each visible step, "N" after a fold
   of N. */
static void
show(const CpdbPathStep *steps, size_t n, char *out)
{
    size_t k;
    *out = '\0';
    for (k = 0; k < n; k++) {
        if (steps[k].hidden) {
            continue;
        }
        out += strlen(out);
        if (steps[k].fold) {
            sprintf(out, "%c%zu", steps[k].name ? steps[k].name[0] : '-',
                    (size_t)steps[k].fold);
        }
        else {
            sprintf(out, "%c", steps[k].name ? steps[k].name[0] : '-');
        }
    }
}

typedef struct Case {
    const char *what, *names, *want;
    size_t visible;
} Case;

static const Case CASES[] = {
    {"a run of 20: 3 kept on each side, 14 folded",
     "hnnnnnnnnnnnnnnnnnnnnv", "hnnnn14nnnv", 9},
    {"a run of 9 is one short of folding", "hnnnnnnnnnv", "hnnnnnnnnnv",
     11},
    {"a run of 10 folds 4", "hnnnnnnnnnnv", "hnnnn4nnnv", 9},
    {"unnamed references never fold", "h------------v", "h------------v",
     14},
    {"the same name out of another kind breaks a run",
     "nnnnnnNnnnnnn", "nnnnnnnnnnnnn", 13},
    {"two runs fold apart", "aaaaaaaaaaabbbbbbbbbbb", "aaaa5aaabbbb5bbb",
     14},
};

int
main(void)
{
    size_t k;
    for (k = 0; k < CPDB_ARRAY_LEN(CASES); k++) {
        CpdbPathStep steps[64];
        char text[128], got[256];
        size_t n = strlen(CASES[k].names), visible;
        make_steps(steps, CASES[k].names, text);
        visible = cpdb_path_fold(steps, n, CPDB_PATH_KEEP,
                                 CPDB_PATH_MIN_FOLD);
        show(steps, n, got);
        OK(strcmp(got, CASES[k].want) == 0 && visible == CASES[k].visible,
           "%s: %s (%zu visible)", CASES[k].what, got, visible);
    }
    return tap_done();
}
