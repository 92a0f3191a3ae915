/* Files the user names to cpdb.  The program shares cpdb's process, so
   its os.chdir() moves cpdb too: relative names start from the folder
   cpdb started in.  A command file is opened first and checked on the
   open descriptor (gdb's safe-path rule for ./.cpdbrc, with no window
   between the check and the read); an output file is written beside its
   name and renamed into place, so a symbolic link planted there is
   replaced rather than followed, and a failure leaves nothing. */
#include "cli/files.h"
#include "cli/cli.h"
#include "core/session.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- where relative names start ------------------------------------------ */

void
cpdb_files_record_start(CpdbSession *s)
{
    free(s->cli->start_dir);
    s->cli->start_dir = getcwd(NULL, 0);    /* NULL: the folder is gone */
}

char *
cpdb_files_user_path(CpdbSession *s, const char *name)
{
    const char *dir = s->cli->start_dir;
    if (name[0] == '/' || dir == NULL) {
        return cpdb_xstrdup(name);
    }
    return cpdb_xasprintf("%s%s%s", dir,
                          dir[strlen(dir) - 1] == '/' ? "" : "/", name);
}

/* --- command files ------------------------------------------------------- */

/* What a file that is not a regular one is.  Return: static text. */
static const char *
file_kind(mode_t mode)
{
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISCHR(mode)) {
        return "a character device";
    }
    if (S_ISBLK(mode)) {
        return "a block device";
    }
    if (S_ISFIFO(mode)) {
        return "a pipe";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "not a regular file";
}

/* Who may write a file or folder besides its owner.  A folder with the
   sticky bit (/tmp) lets others add files but not replace ours, so it
   counts as safe.  Return: static text, or NULL when nobody. */
static const char *
writers(const struct stat *sb, int is_dir)
{
    if (is_dir && (sb->st_mode & S_ISVTX)) {
        return NULL;
    }
    if (sb->st_mode & S_IWOTH) {
        return "others";
    }
    if (sb->st_mode & S_IWGRP) {
        return "its group";
    }
    return NULL;
}

/* Check an init file (and, for ./.cpdbrc, its folder) on the open
   descriptors.  Return: NULL when it may be read, else the reason
   (malloc'd). */
static char *
init_file_unsafe(unsigned flags, const struct stat *sb,
                 const struct stat *dir_sb)
{
    const char *who;
    uid_t me = getuid();
    if (sb->st_uid != me
        && ((flags & CPDB_CMDFILE_LOCAL_INIT) || sb->st_uid != 0)) {
        return cpdb_xasprintf("it is owned by uid %u, not by you",
                              (unsigned)sb->st_uid);
    }
    if ((who = writers(sb, 0)) != NULL) {
        return cpdb_xasprintf("it is writable by %s (mode %04o)", who,
                              (unsigned)(sb->st_mode & 07777));
    }
    if (dir_sb != NULL && (who = writers(dir_sb, 1)) != NULL) {
        return cpdb_xasprintf("its folder is writable by %s (mode %04o)",
                              who, (unsigned)(dir_sb->st_mode & 07777));
    }
    return NULL;
}

/* Open path for reading without blocking (a FIFO would wait for a
   writer), for an init file also its folder, and check what they are.
   Return: the descriptor, or -1 with *why (malloc'd) and errno the
   reason it could not be opened (EINVAL when it was refused). */
static int
open_checked(const char *path, unsigned flags, struct stat *sb, char **why)
{
    int fd, dir_fd = -1, err;
    struct stat dir_sb;
    int local = (flags & CPDB_CMDFILE_LOCAL_INIT) != 0;

    if (local) {
        /* The folder first, then the file in it: the checks then hold
           for the very folder the file was opened in. */
        const char *slash = strrchr(path, '/');
        char *dir = slash == NULL ? cpdb_xstrdup(".")
                    : cpdb_xstrndup(path, slash == path ? 1
                                    : (size_t)(slash - path));
        /* O_PATH: enough for fstat and openat, and a folder we may
           enter but not list is no reason to warn */
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        free(dir);
        fd = dir_fd < 0 ? -1
             : openat(dir_fd, slash == NULL ? path : slash + 1,
                      O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    }
    else {
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    }
    err = errno;
    if (fd < 0) {
        *why = cpdb_xstrdup(local && err == ELOOP
                            ? "it is a symbolic link" : strerror(err));
        goto fail;
    }
    err = EINVAL;
    if (fstat(fd, sb) < 0 || (dir_fd >= 0 && fstat(dir_fd, &dir_sb) < 0)) {
        *why = cpdb_xstrdup(strerror(errno));
        goto fail;
    }
    if (!S_ISREG(sb->st_mode)) {
        *why = cpdb_xasprintf("it is %s, not a file of commands",
                              file_kind(sb->st_mode));
        goto fail;
    }
    if ((flags & (CPDB_CMDFILE_LOCAL_INIT | CPDB_CMDFILE_HOME_INIT))
        && (*why = init_file_unsafe(flags, sb,
                                    dir_fd >= 0 ? &dir_sb : NULL)) != NULL) {
        goto fail;
    }
    if (dir_fd >= 0) {
        close(dir_fd);
    }
    return fd;
fail:
    if (fd >= 0) {
        close(fd);
    }
    if (dir_fd >= 0) {
        close(dir_fd);
    }
    errno = err;
    return -1;
}

/* Read at most max bytes of fd into b.  Return: 0, 1 when there was
   more, -1 with errno set. */
static int
read_at_most(int fd, CpdbBuf *b, size_t max)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            return 0;
        }
        if (b->len + (size_t)n > max) {
            return 1;
        }
        cpdb_buf_addn(b, chunk, (size_t)n);
    }
}

/* Cut text into its non-blank lines, appended to out.  Return: 0, or
   -1 with *why (malloc'd) and nothing appended. */
static int
split_lines(const char *text, size_t len, CpdbLines *out, char **why)
{
    const char *p = text, *end = text + len, *nul;
    size_t first = out->n;
    int lineno = 1;

    if ((nul = memchr(text, '\0', len)) != NULL) {
        const char *q;
        for (q = text; q < nul; q++) {
            lineno += *q == '\n';
        }
        *why = cpdb_xasprintf("it holds binary data (a NUL byte on line "
                              "%d)", lineno);
        return -1;
    }
    for (; p < end; lineno++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        size_t n = (size_t)(stop - p);
        char *line;
        while (n > 0 && p[n - 1] == '\r') {
            n--;
        }
        if (n > CPDB_CMDFILE_MAX_LINE) {
            *why = cpdb_xasprintf("line %d is longer than %d bytes", lineno,
                                  CPDB_CMDFILE_MAX_LINE);
            while (out->n > first) {
                free(out->items[--out->n]);
            }
            return -1;
        }
        line = cpdb_xstrndup(p, n);
        if (*cpdb_skip_space(line) == '\0') {
            free(line);             /* blank lines in a file never repeat */
        }
        else {
            cpdb_array_push(out, line);
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return 0;
}

int
cpdb_cmdfile_read(const char *path, unsigned flags, CpdbLines *out,
                  char **why)
{
    struct stat sb;
    CpdbBuf b;
    int fd, rc = -1, more;

    *why = NULL;
    fd = open_checked(path, flags, &sb, why);
    if (fd < 0) {
        return -1;
    }
    cpdb_buf_init(&b);
    if (sb.st_size > CPDB_CMDFILE_MAX_SIZE) {
        more = 1;
    }
    else if ((more = read_at_most(fd, &b, CPDB_CMDFILE_MAX_SIZE)) < 0) {
        *why = cpdb_xstrdup(strerror(errno));
        goto done;
    }
    if (more) {
        *why = cpdb_xasprintf("it is larger than %d MiB",
                              CPDB_CMDFILE_MAX_SIZE >> 20);
        goto done;
    }
    rc = split_lines(b.data, b.len, out, why);
done:
    cpdb_buf_fini(&b);
    close(fd);
    errno = EINVAL;         /* it is there (see open_checked) */
    return rc;
}

/* --- output files -------------------------------------------------------- */

/* Return: 0, or -1 with errno set. */
static int
write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The first line a failed filter wrote to its stderr (f), as
   ": LINE", or "".  Return: malloc'd. */
static char *
first_line(FILE *f)
{
    char line[200];
    size_t n;
    rewind(f);
    if (fgets(line, sizeof line, f) == NULL) {
        return cpdb_xstrdup("");
    }
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    return n > 0 ? cpdb_xasprintf(": %s", line) : cpdb_xstrdup("");
}

/* Run filter with data on its standard input and its standard output
   going to out_fd.  Return: 0, -2 when the program is not found, -1
   with *why (malloc'd). */
static int
run_filter(char *const filter[], const char *data, size_t len, int out_fd,
           char **why)
{
    FILE *in = tmpfile(), *err = tmpfile();    /* unnamed, private */
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc = -1, status, e;

    if (in == NULL || err == NULL
        || write_all(fileno(in), data, len) < 0
        || lseek(fileno(in), 0, SEEK_SET) < 0) {
        *why = cpdb_xstrdup(strerror(errno));
        goto done;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fileno(in), 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, fileno(err), 2);
    e = posix_spawnp(&pid, filter[0], &fa, NULL, filter, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        if (e == ENOENT) {
            rc = -2;
        }
        else {
            *why = cpdb_xasprintf("cannot run \"%s\": %s", filter[0],
                                  strerror(e));
        }
        goto done;
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            *why = cpdb_xstrdup(strerror(errno));
            goto done;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        rc = 0;
    }
    else {
        char *said = first_line(err);
        *why = WIFSIGNALED(status)
               ? cpdb_xasprintf("\"%s\" was killed by signal %d%s",
                                filter[0], WTERMSIG(status), said)
               : cpdb_xasprintf("\"%s\" failed with status %d%s", filter[0],
                                WEXITSTATUS(status), said);
        free(said);
    }
done:
    if (in != NULL) {
        fclose(in);
    }
    if (err != NULL) {
        fclose(err);
    }
    return rc;
}

int
cpdb_files_write(const char *path, const char *data, size_t len,
                 char *const filter[], char **why)
{
    const char *slash = strrchr(path, '/');
    char *tmp;
    mode_t mask;
    int fd, rc = -1;

    *why = NULL;
    tmp = slash == NULL ? cpdb_xasprintf(".%s.XXXXXX", path)
          : cpdb_xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path,
                           slash + 1);
    fd = mkostemp(tmp, O_CLOEXEC);          /* O_CREAT | O_EXCL, 0600 */
    if (fd < 0) {
        *why = cpdb_xstrdup(strerror(errno));
        free(tmp);
        return -1;
    }
    if (filter != NULL) {
        rc = run_filter(filter, data, len, fd, why);
    }
    else if ((rc = write_all(fd, data, len)) < 0) {
        *why = cpdb_xstrdup(strerror(errno));
    }
    /* The mode a new file gets from fopen(): umask can only be read by
       setting it, so it is put back at once. */
    mask = umask(022);
    umask(mask);
    if (rc == 0 && fchmod(fd, 0666 & ~mask) < 0) {
        *why = cpdb_xstrdup(strerror(errno));
        rc = -1;
    }
    if (close(fd) < 0 && rc == 0) {         /* a full disk shows here */
        *why = cpdb_xstrdup(strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        *why = cpdb_xstrdup(strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}
