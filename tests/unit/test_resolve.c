/* Resolving locations over a program tree written here, with a resolver
   filled by hand (no session): files found by the end of their path, the
   program's own files before others, ambiguity, lines without code,
   functions by name, by qualified name and by module, and the errors. */
#include "core/resolve.h"
#include "base/compat.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/cpdb-test-resolve-XXXXXX";

static void
write_file(const char *rel, const char *text)
{
    char *path = cpdb_xasprintf("%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    free(path);
}

static char *
in_root(const char *rel)
{
    char *path = cpdb_xasprintf("%s/%s", root, rel);
    char *canon = cpdb_path_canonical(path);
    free(path);
    return canon;
}

/* Resolve text; return the code, with *out and *why filled. */
static int
resolve(const CpdbResolver *r, const char *text, unsigned flags,
        CpdbResolved *out, char **why)
{
    CpdbLocation loc;
    const char *err;
    int rc;
    *why = NULL;
    memset(out, 0, sizeof *out);
    if (cpdb_location_parse(text, &loc, &err) < 0) {
        *why = cpdb_xstrdup(err);
        return CPDB_E_ARGS;
    }
    rc = cpdb_location_resolve(r, &loc, flags, out, why);
    cpdb_location_fini(&loc);
    return rc;
}

/* Expect text to resolve to rel:line. */
static void
resolves_to(const CpdbResolver *r, const char *text, unsigned flags,
            const char *rel, int line, int moved_from)
{
    CpdbResolved out;
    char *why, *want = in_root(rel);
    int rc = resolve(r, text, flags, &out, &why);
    OK(rc == CPDB_OK && out.path != NULL && strcmp(out.path, want) == 0
       && out.line == line && out.moved_from == moved_from,
       "\"%s\" is %s:%d%s (got %d %s:%d, moved from %d; %s)", text, rel,
       line, moved_from ? " (moved)" : "", rc,
       out.path ? out.path : "-", out.line, out.moved_from,
       why ? why : "");
    cpdb_resolved_fini(&out);
    free(why);
    free(want);
}

/* Expect text to fail with code and a message containing part. */
static void
refused(const CpdbResolver *r, const char *text, int code, const char *part)
{
    CpdbResolved out;
    char *why;
    int rc = resolve(r, text, 0, &out, &why);
    OK(rc == code && why != NULL && strstr(why, part) != NULL
       && out.path == NULL, "\"%s\" is refused with %d: %s", text, rc,
       why ? why : "(no message)");
    free(why);
}

/* A find_function that knows one name, as the selected frame would. */
static int
frame_knows(void *ctx, const char *name, char **path, int *def_line)
{
    if (strcmp(name, "alias") != 0) {
        return -1;
    }
    *path = in_root(ctx);
    *def_line = 1;
    return 0;
}

int
main(void)
{
    CpdbResolver r;
    CpdbSourceCache sources;
    char *main_path, *lib, *cmd;
    PyObject *sys_path, *dir;

    if (mkdtemp(root) == NULL) {
        printf("Bail out! no temporary folder\n");
        return 1;
    }
    cmd = cpdb_xasprintf("mkdir -p %s/prog/pkg %s/prog/other %s/lib", root,
                         root, root);
    if (system(cmd) != 0) {
        printf("Bail out! %s\n", cmd);
        return 1;
    }
    free(cmd);
    write_file("prog/main.py",
               "import os\n"                    /* 1 */
               "\n"                             /* 2 */
               "# a comment\n"                  /* 3 */
               "def compute(x):\n"              /* 4 */
               "    \"\"\"Doc.\"\"\"\n"         /* 5 */
               "    return x + 1\n"             /* 6 */
               "\n"                             /* 7 */
               "class Klass:\n"                 /* 8 */
               "    def method(self):\n"        /* 9 */
               "        return 2\n"             /* 10 */
               "\n"                             /* 11 */
               "value = compute(1)\n");         /* 12 */
    write_file("prog/pkg/util.py", "def tool():\n    return 1\n");
    write_file("prog/other/util.py", "def tool():\n    return 2\n");
    write_file("prog/pkg/alone.py", "X = 1\n\n\nY = 2\n");
    write_file("lib/helper.py",
               "def helper_fn(a):\n    b = a\n    return b\n");

    Py_Initialize();
    lib = cpdb_xasprintf("%s/lib", root);
    sys_path = PySys_GetObject("path");                 /* borrowed */
    dir = PyUnicode_FromString(lib);
    PyList_Insert(sys_path, 0, dir);
    Py_DECREF(dir);

    memset(&sources, 0, sizeof sources);
    memset(&r, 0, sizeof r);
    main_path = in_root("prog/main.py");
    r.sources = &sources;
    r.main_path = main_path;
    r.default_file = cpdb_xstrdup(main_path);

    resolves_to(&r, "12", 0, "prog/main.py", 12, 0);
    resolves_to(&r, "2", 0, "prog/main.py", 4, 2);
    resolves_to(&r, "5", 0, "prog/main.py", 6, 5);
    resolves_to(&r, "3", CPDB_RESOLVE_ANY_LINE, "prog/main.py", 3, 0);
    resolves_to(&r, "main.py:6", 0, "prog/main.py", 6, 0);
    resolves_to(&r, "pkg/util.py:2", 0, "prog/pkg/util.py", 2, 0);
    resolves_to(&r, "alone.py:2", 0, "prog/pkg/alone.py", 4, 2);
    resolves_to(&r, "helper.py:3", 0, "lib/helper.py", 3, 0);
    resolves_to(&r, "compute", 0, "prog/main.py", 6, 0);
    resolves_to(&r, "compute", CPDB_RESOLVE_DEF_LINE, "prog/main.py", 4, 0);
    resolves_to(&r, "Klass.method", 0, "prog/main.py", 10, 0);
    resolves_to(&r, "method", 0, "prog/main.py", 10, 0);
    resolves_to(&r, "pkg/util.py:tool", 0, "prog/pkg/util.py", 2, 0);
    resolves_to(&r, "helper.helper_fn", 0, "lib/helper.py", 2, 0);

    refused(&r, "util.py:1", CPDB_E_NOFILE, "Ambiguous file name "
            "\"util.py\"");
    refused(&r, "nothere.py:1", CPDB_E_NOFILE,
            "No source file named nothere.py.");
    refused(&r, "99", CPDB_E_ARGS, "Line 99 out of range");
    refused(&r, "pkg/alone.py:5", CPDB_E_ARGS, "Line 5 out of range");
    refused(&r, "nope", CPDB_E_ARGS, "Function \"nope\" not defined.");
    refused(&r, "", CPDB_E_STATE, "No default breakpoint location");

    r.current_line = 6;
    resolves_to(&r, "", 0, "prog/main.py", 6, 0);
    r.find_function = frame_knows;
    r.ctx = (void *)"lib/helper.py";
    resolves_to(&r, "alias", 0, "lib/helper.py", 2, 0);
    free(r.default_file);
    r.default_file = NULL;
    refused(&r, "12", CPDB_E_STATE, "No default source file");

    {
        char *helper = in_root("lib/helper.py");
        OK(cpdb_file_loaded(main_path, main_path)
           && !cpdb_file_loaded(NULL, main_path),
           "the main file is loaded only while the program runs");
        OK(!cpdb_file_loaded(NULL, helper), "helper is not imported yet");
        Py_XDECREF(PyImport_ImportModule("helper"));
        OK(cpdb_file_loaded(NULL, helper), "once imported, it is loaded");
        free(helper);
    }

    cpdb_source_cache_fini(&sources);
    free(main_path);
    cmd = cpdb_xasprintf("rm -rf %s", root);
    if (system(cmd) != 0) {
        printf("# could not remove %s\n", root);
    }
    free(cmd);
    free(lib);
    Py_FinalizeEx();
    return tap_done();
}
