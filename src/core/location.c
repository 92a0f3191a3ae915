/* Breakpoint location syntax. */
#include "core/location.h"
#include "base/util.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void
cpdb_location_fini(CpdbLocation *loc)
{
    free(loc->file);
    free(loc->func);
    free(loc->cond);
    memset(loc, 0, sizeof *loc);
}

static int
is_number(const char *s)
{
    if (*s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

/* A dotted name: identifier ('.' identifier)*. */
static int
is_dotted_name(const char *s)
{
    int at_start = 1;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '.') {
            if (at_start) {
                return 0;
            }
            at_start = 1;
            continue;
        }
        if (!(isalnum(c) || c == '_' || c >= 0x80)
            || (at_start && isdigit(c))) {
            return 0;
        }
        at_start = 0;
    }
    return !at_start;
}

/* Find where a condition starts: " if " (or a trailing " if") outside
   the location, or the first ','.  Return: the condition text start, and
   *spec_end where the location ends; NULL when there is no condition. */
static const char *
find_condition(const char *text, const char **spec_end)
{
    const char *p;
    for (p = text; *p; p++) {
        if (*p == ',') {
            *spec_end = p;
            return p + 1;
        }
        if ((p == text || isspace((unsigned char)p[-1]))
            && p[0] == 'i' && p[1] == 'f'
            && (p[2] == '\0' || isspace((unsigned char)p[2]))) {
            *spec_end = p;
            return p + 2;
        }
    }
    return NULL;
}

int
cpdb_location_parse(const char *text, CpdbLocation *loc, const char **err)
{
    const char *spec_end = NULL, *cond;
    char *spec, *colon;

    memset(loc, 0, sizeof *loc);
    *err = NULL;
    text = cpdb_skip_space(text);
    cond = find_condition(text, &spec_end);
    if (cond != NULL) {
        char *c = cpdb_strip_dup(cond);
        if (*c == '\0') {
            free(c);
            *err = "Argument required (condition after \"if\").";
            return -1;
        }
        loc->cond = c;
        spec = cpdb_xstrndup(text, (size_t)(spec_end - text));
    }
    else {
        spec = cpdb_xstrdup(text);
    }
    {
        char *stripped = cpdb_strip_dup(spec);
        free(spec);
        spec = stripped;
    }
    if (*spec == '\0') {
        loc->kind = CPDB_LOC_NONE;
    }
    else if (is_number(spec)) {
        loc->kind = CPDB_LOC_LINE;
        loc->line = strtol(spec, NULL, 10);
    }
    else if ((colon = strrchr(spec, ':')) != NULL) {
        char *right = colon + 1;
        *colon = '\0';
        if (*spec == '\0') {
            *err = "Bad location: a file name is expected before ':'.";
        }
        else if (is_number(right)) {
            loc->kind = CPDB_LOC_FILE_LINE;
            loc->file = cpdb_xstrdup(spec);
            loc->line = strtol(right, NULL, 10);
        }
        else if (is_dotted_name(right)) {
            loc->kind = CPDB_LOC_FILE_FUNCTION;
            loc->file = cpdb_xstrdup(spec);
            loc->func = cpdb_xstrdup(right);
        }
        else {
            *err = "Bad location: expected FILE:LINE or FILE:FUNCTION.";
        }
    }
    else if (is_dotted_name(spec)) {
        loc->kind = CPDB_LOC_FUNCTION;
        loc->func = cpdb_xstrdup(spec);
    }
    else {
        *err = "Bad location: expected LINE, FILE:LINE, FUNCTION or "
               "FILE:FUNCTION.";
    }
    free(spec);
    if (*err != NULL) {
        cpdb_location_fini(loc);
        return -1;
    }
    if ((loc->kind == CPDB_LOC_LINE || loc->kind == CPDB_LOC_FILE_LINE)
        && (loc->line < 1 || loc->line > INT_MAX)) {
        cpdb_location_fini(loc);
        *err = "Bad location: line numbers start at 1 and fit in an int.";
        return -1;
    }
    return 0;
}
