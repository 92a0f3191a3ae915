/* Breakpoint location syntax. */
#include "core/location.h"
#include "tap.h"

static void
check(const char *text, CpdbLocKind kind, const char *file, long line,
      const char *func, const char *cond)
{
    CpdbLocation loc;
    const char *err;
    int rc = cpdb_location_parse(text, &loc, &err);
    OK(rc == 0, "parse \"%s\"", text);
    if (rc != 0) {
        printf("#   error: %s\n", err);
        return;
    }
    OK(loc.kind == kind, "\"%s\": kind %d", text, (int)kind);
    OK(loc.line == line, "\"%s\": line %ld (got %ld)", text, line, loc.line);
    OK((file == NULL) == (loc.file == NULL)
       && (file == NULL || strcmp(file, loc.file) == 0),
       "\"%s\": file %s", text, file ? file : "none");
    OK((func == NULL) == (loc.func == NULL)
       && (func == NULL || strcmp(func, loc.func) == 0),
       "\"%s\": function %s", text, func ? func : "none");
    OK((cond == NULL) == (loc.cond == NULL)
       && (cond == NULL || strcmp(cond, loc.cond) == 0),
       "\"%s\": condition %s", text, cond ? cond : "none");
    cpdb_location_fini(&loc);
}

static void
bad(const char *text)
{
    CpdbLocation loc;
    const char *err = NULL;
    OK(cpdb_location_parse(text, &loc, &err) < 0 && err != NULL
       && err[strlen(err) - 1] == '.',
       "\"%s\" is refused with a sentence: %s", text, err ? err : "");
}

int
main(void)
{
    check("12", CPDB_LOC_LINE, NULL, 12, NULL, NULL);
    check("  12  ", CPDB_LOC_LINE, NULL, 12, NULL, NULL);
    check("", CPDB_LOC_NONE, NULL, 0, NULL, NULL);
    check("util.py:10", CPDB_LOC_FILE_LINE, "util.py", 10, NULL, NULL);
    check("/a/b/c.py:3", CPDB_LOC_FILE_LINE, "/a/b/c.py", 3, NULL, NULL);
    check("compute", CPDB_LOC_FUNCTION, NULL, 0, "compute", NULL);
    check("pkg.mod.Class.method", CPDB_LOC_FUNCTION, NULL, 0,
          "pkg.mod.Class.method", NULL);
    check("util.py:helper", CPDB_LOC_FILE_FUNCTION, "util.py", 0, "helper",
          NULL);
    check("12 if x > 3", CPDB_LOC_LINE, NULL, 12, NULL, "x > 3");
    check("a.py:7 if f(a, b)", CPDB_LOC_FILE_LINE, "a.py", 7, NULL,
          "f(a, b)");
    check("a.py:7, n == 2", CPDB_LOC_FILE_LINE, "a.py", 7, NULL, "n == 2");
    check("if ready", CPDB_LOC_NONE, NULL, 0, NULL, "ready");
    check("diff", CPDB_LOC_FUNCTION, NULL, 0, "diff", NULL);
    check("elif_x if y", CPDB_LOC_FUNCTION, NULL, 0, "elif_x", "y");
    bad("12 if");
    bad("a.py:");
    bad(":12");
    bad("a.py:1x");
    bad("0");
    bad("x-y");
    bad("3.5");
    return tap_done();
}
