/* Rewriting value-history references ($N, $, $$, $$N) and convenience
   variables ($name), and turning them back in messages. */
#include "core/eval.h"
#include "tap.h"

#include <stdlib.h>

static void
check(const char *text, long len, const char *want, int n_want)
{
    long used[8];
    int n_used = -1;
    const char *err = NULL;
    char *got = cpdb_eval_rewrite_history(text, len, used, 8, &n_used, &err);
    STR_EQ(got, want, "rewrite \"%s\" with %ld values", text, len);
    OK(n_used == n_want, "\"%s\": %d references (got %d)", text, n_want,
       n_used);
    free(got);
}

static void
refused(const char *text, long len)
{
    long used[2];
    int n_used;
    const char *err = NULL;
    char *got = cpdb_eval_rewrite_history(text, len, used, 2, &n_used, &err);
    OK(got == NULL && err != NULL, "\"%s\" with %ld values is refused: %s",
       text, len, err ? err : "");
    free(got);
}

static void
public_names(const char *text, const char *want)
{
    char *got = cpdb_eval_public_names(text);
    STR_EQ(got, want, "public names of \"%s\"", text);
    free(got);
}

int
main(void)
{
    check("$1 + 1", 3, "__cpdb_h1__ + 1", 1);
    check("$", 3, "__cpdb_h3__", 1);
    check("$$", 3, "__cpdb_h2__", 1);
    check("$$2", 3, "__cpdb_h1__", 1);
    check("[$1, $2]", 2, "[__cpdb_h1__, __cpdb_h2__]", 2);
    check("'$1' + \"$2\"", 2, "'$1' + \"$2\"", 0);
    check("'''a $1 ''' + $2", 2, "'''a $1 ''' + __cpdb_h2__", 1);
    check("x  # $1", 1, "x  ", 0);
    check("'it\\'s $1' + $1", 1, "'it\\'s $1' + __cpdb_h1__", 1);
    check("plain", 0, "plain", 0);
    check("$base + $1", 1, "__cpdb_v_base__ + __cpdb_h1__", 1);
    check("$_x9", 0, "__cpdb_v__x9__", 0);
    check("'$base'", 0, "'$base'", 0);
    public_names("name '__cpdb_h12__' is not defined",
                 "name '$12' is not defined");
    public_names("__cpdb_v_base__ + __cpdb_v__x__", "$base + $_x");
    public_names("__cpdb_h__ __cpdb_v___", "__cpdb_h__ __cpdb_v___");
    OK(cpdb_conv_name_valid("a_1", 3) && cpdb_conv_name_valid("_", 1)
       && !cpdb_conv_name_valid("1a", 2) && !cpdb_conv_name_valid("", 0)
       && !cpdb_conv_name_valid("a-b", 3),
       "convenience variable names are identifiers");
    refused("$1", 0);
    refused("$4", 3);
    refused("$$5", 3);
    refused("$1 + $1 + $1", 3);
    return tap_done();
}
