/* Command files read with their limits, and output files written whole
   or not at all (cli/files.c), in a temporary folder of the test's own. */
#include "cli/files.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/cpdb-test-files-XXXXXX";

/* Return: malloc'd path of name in the test's folder. */
static char *
in_dir(const char *name)
{
    return cpdb_xasprintf("%s/%s", dir, name);
}

/* Write len bytes of text to name.  Return: malloc'd path. */
static char *
make(const char *name, const char *text, size_t len)
{
    char *path = in_dir(name);
    FILE *f = fopen(path, "wb");
    if (f != NULL) {
        fwrite(text, 1, len, f);
        fclose(f);
    }
    return path;
}

static void
free_lines(CpdbLines *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->items[i]);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Read name; Return: the reason it was refused (malloc'd), or NULL
   with the lines in l. */
static char *
read_cmds(const char *path, CpdbLines *l)
{
    char *why = NULL;
    free_lines(l);
    if (cpdb_cmdfile_read(path, 0, l, &why) == 0) {
        return NULL;
    }
    OK(l->n == 0, "nothing is kept of a refused file");
    return why;
}

static void
test_lines(void)
{
    CpdbLines l = {0};
    char *path, *why, *big;
    size_t n;

    const char *crlf = "break f\r\n\r\n   \n\tp x\r\nlast";

    path = make("crlf", crlf, strlen(crlf));
    why = read_cmds(path, &l);
    OK(why == NULL && l.n == 3, "blank lines are left out, ends cut");
    if (l.n == 3) {
        STR_EQ(l.items[0], "break f", "\\r\\n is a line end");
        STR_EQ(l.items[1], "\tp x", "leading space stays");
        STR_EQ(l.items[2], "last", "a last line without \\n counts");
    }
    free(why);
    free(path);

    path = make("nul", "echo a\nb\0c\n", 11);
    why = read_cmds(path, &l);
    STR_EQ(why, "it holds binary data (a NUL byte on line 2)",
           "a NUL byte refuses the file and says on which line");
    free(why);
    free(path);

    /* The longest line allowed, then one byte more. */
    n = CPDB_CMDFILE_MAX_LINE;
    big = malloc(n + 3);
    memset(big, 'x', n + 1);
    big[n] = '\n';
    path = make("maxline", big, n + 1);
    why = read_cmds(path, &l);
    OK(why == NULL && l.n == 1 && strlen(l.items[0]) == n,
       "a line of exactly the limit is read");
    free(why);
    free(path);
    big[n] = 'x';
    big[n + 1] = '\n';
    path = make("longline", big, n + 2);
    why = read_cmds(path, &l);
    STR_EQ(why, "line 1 is longer than 65536 bytes", "one byte more is not");
    free(why);
    free(path);
    free(big);

    path = in_dir("huge");
    if (truncate(path, 0) < 0) {
        fclose(fopen(path, "w"));
    }
    OK(truncate(path, (off_t)CPDB_CMDFILE_MAX_SIZE + 1) == 0, "sparse file");
    why = read_cmds(path, &l);
    STR_EQ(why, "it is larger than 4 MiB", "a file over the size limit");
    free(why);
    free(path);

    why = read_cmds(dir, &l);
    STR_EQ(why, "it is a directory, not a file of commands", "a folder");
    free(why);
    why = read_cmds("/dev/null", &l);
    STR_EQ(why, "it is a character device, not a file of commands",
           "a device");
    free(why);
    path = in_dir("none");
    why = read_cmds(path, &l);
    OK(why != NULL && errno == ENOENT, "a missing file is told by errno");
    free(why);
    free(path);
    free_lines(&l);
}

/* Check that reading path as an init file (flags) is refused, saying
   expected (NULL: that it is read). */
static void
init_read(const char *path, unsigned flags, const char *expected,
          const char *what)
{
    CpdbLines l = {0};
    char *why = NULL;
    int rc = cpdb_cmdfile_read(path, flags, &l, &why);
    if (expected == NULL) {
        OK(rc == 0 && l.n == 1, "%s: read", what);
    }
    else {
        OK(rc < 0, "%s: refused", what);
        STR_EQ(why, expected, "%s: says why", what);
    }
    free(why);
    free_lines(&l);
}

static void
test_init_checks(void)
{
    const unsigned local = CPDB_CMDFILE_LOCAL_INIT;
    char *path = make("rc", "echo hi\n", 8), *link = in_dir("link");

    chmod(path, 0644);
    chmod(dir, 0700);
    init_read(path, local, NULL, "a safe local init file");
    chmod(path, 0620);
    init_read(path, local, "it is writable by its group (mode 0620)",
              "group-writable");
    chmod(path, 0644);
    OK(symlink("rc", link) == 0, "symlink made");
    init_read(link, local, "it is a symbolic link", "a link as ./.cpdbrc");
    init_read(link, CPDB_CMDFILE_HOME_INIT, NULL,
              "a link to a safe file as ~/.cpdbrc");
    chmod(dir, 0757);
    init_read(path, local, "its folder is writable by others (mode 0757)",
              "a folder others write to");
    chmod(dir, 01777);
    init_read(path, local, NULL, "the same folder with the sticky bit");
    chmod(dir, 0700);
    unlink(link);
    free(link);
    free(path);
}

/* Return: malloc'd contents of path, or NULL. */
static char *
contents(const char *path)
{
    size_t len;
    return cpdb_read_file(path, &len);
}

static void
test_write(void)
{
    char *path = in_dir("out.txt"), *victim = make("victim", "keep", 4);
    char *why = NULL, *text;
    char *cat[] = {(char *)"cat", NULL};
    char *fail[] = {(char *)"sh", (char *)"-c",
                    (char *)"echo partial; echo 'bad input' >&2; exit 4",
                    NULL};
    char *missing[] = {(char *)"no-such-program-cpdb", NULL};
    struct stat sb;

    OK(symlink(victim, path) == 0, "a link planted at the output");
    OK(cpdb_files_write(path, "new", 3, NULL, &why) == 0, "written");
    text = contents(victim);
    STR_EQ(text, "keep", "the link's target is untouched");
    free(text);
    OK(lstat(path, &sb) == 0 && S_ISREG(sb.st_mode),
       "the link is replaced by the file");
    text = contents(path);
    STR_EQ(text, "new", "with the text");
    free(text);

    OK(cpdb_files_write(path, "through cat", 11, cat, &why) == 0,
       "written through a filter");
    text = contents(path);
    STR_EQ(text, "through cat", "the filter's output is the file");
    free(text);

    OK(cpdb_files_write(path, "x", 1, fail, &why) == -1, "a failing filter");
    STR_EQ(why, "\"sh\" failed with status 4: bad input",
           "says how, with its first line of errors");
    free(why);
    text = contents(path);
    STR_EQ(text, "through cat", "the old file stays as it was");
    free(text);

    OK(cpdb_files_write(path, "x", 1, missing, &why) == -2,
       "a missing filter is told apart");
    free(why);
    free(path);
    free(victim);
}

int
main(void)
{
    char *cmd;
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_lines();
    test_init_checks();
    test_write();
    /* Nothing but the test's own files is left in the folder. */
    cmd = cpdb_xasprintf("test \"$(ls -A %s | tr '\\n' ' ')\" = "
                         "'crlf huge longline maxline nul out.txt rc "
                         "victim '", dir);
    OK(system(cmd) == 0, "no temporary file is left behind");
    free(cmd);
    cmd = cpdb_xasprintf("rm -rf %s", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "# cannot remove %s\n", dir);
    }
    free(cmd);
    return tap_done();
}
