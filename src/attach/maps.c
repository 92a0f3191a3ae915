/* /proc/PID/maps and /proc/PID/status, read without ptrace: the pre-flight
   checks and the injector find libc, libpython and the agent there. */
#include "attach/maps.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DELETED_SUFFIX " (deleted)"

int
cpdb_maps_parse_line(const char *line, CpdbMap *m)
{
    int pos = 0;
    size_t len;
    const char *path;

    memset(m, 0, sizeof *m);
    if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64
               "%n", &m->start, &m->end, m->perms, &m->offset, &m->dev_major,
               &m->dev_minor, &m->inode, &pos) != 7 || pos == 0
        || m->end < m->start) {
        return -1;
    }
    path = line + pos;
    while (*path == ' ' || *path == '\t') {
        path++;
    }
    len = strcspn(path, "\n");
    if (len >= sizeof m->path) {
        return -1;
    }
    memcpy(m->path, path, len);
    m->path[len] = '\0';
    /* The kernel appends the marker to the name of a file unlinked since
       it was mapped; the name alone is what the loader knows it by. */
    len = strlen(m->path);
    if (len > strlen(DELETED_SUFFIX)
        && strcmp(m->path + len - strlen(DELETED_SUFFIX),
                  DELETED_SUFFIX) == 0) {
        m->path[len - strlen(DELETED_SUFFIX)] = '\0';
        m->deleted = 1;
    }
    return 0;
}

int
cpdb_maps_read(pid_t pid, CpdbMaps *maps)
{
    char name[64], line[4200];
    FILE *f;

    maps->n = 0;
    snprintf(name, sizeof name, "/proc/%d/maps", (int)pid);
    f = fopen(name, "re");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        CpdbMap m;

        if (cpdb_maps_parse_line(line, &m) < 0) {
            continue;
        }
        if (maps->n == maps->cap) {
            size_t cap = maps->cap ? 2 * maps->cap : 64;
            CpdbMap *items = realloc(maps->items, cap * sizeof *items);

            if (items == NULL) {
                fclose(f);
                errno = ENOMEM;
                return -1;
            }
            maps->items = items;
            maps->cap = cap;
        }
        maps->items[maps->n++] = m;
    }
    /* An unreadable maps file (another user's process) opens but reads
       nothing, with the error on the first read. */
    if (ferror(f)) {
        int e = errno;

        fclose(f);
        errno = e ? e : EACCES;
        return -1;
    }
    fclose(f);
    return 0;
}

void
cpdb_maps_free(CpdbMaps *maps)
{
    free(maps->items);
    maps->items = NULL;
    maps->n = maps->cap = 0;
}

const CpdbMap *
cpdb_maps_find_base(const CpdbMaps *maps, const char *prefix)
{
    for (size_t i = 0; i < maps->n; i++) {
        const char *slash = strrchr(maps->items[i].path, '/');

        if (slash != NULL && maps->items[i].inode != 0
            && strncmp(slash + 1, prefix, strlen(prefix)) == 0) {
            return &maps->items[i];
        }
    }
    return NULL;
}

const CpdbMap *
cpdb_maps_find_offset(const CpdbMaps *maps, const CpdbMap *file,
                      uint64_t off)
{
    for (size_t i = 0; i < maps->n; i++) {
        const CpdbMap *m = &maps->items[i];

        if (m->inode == file->inode && m->dev_major == file->dev_major
            && m->dev_minor == file->dev_minor
            && strcmp(m->path, file->path) == 0 && off >= m->offset
            && off - m->offset < m->end - m->start) {
            return m;
        }
    }
    return NULL;
}

void
cpdb_maps_file_path(pid_t pid, const CpdbMap *m, char *buf, size_t size)
{
    struct stat st;
    int n = snprintf(buf, size, "/proc/%d/root%s", (int)pid, m->path);

    if (n < 0 || (size_t)n >= size || m->deleted || stat(buf, &st) < 0
        || st.st_ino != m->inode) {
        snprintf(buf, size, "/proc/%d/map_files/%llx-%llx", (int)pid,
                 (unsigned long long)m->start, (unsigned long long)m->end);
    }
}

int
cpdb_proc_status(pid_t pid, pid_t tid, const char *name, char *buf,
                 size_t size)
{
    char path[96], line[512];
    size_t n = strlen(name);
    FILE *f;
    int rc = -1;

    if (tid > 0) {
        snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid,
                 (int)tid);
    }
    else {
        snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    }
    f = fopen(path, "re");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            size_t len;

            v += strspn(v, " \t");
            len = strcspn(v, "\n");
            while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t')) {
                len--;
            }
            if (size > 0) {
                snprintf(buf, size, "%.*s", (int)len, v);
            }
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

int
cpdb_proc_line(pid_t pid, const char *name, char *buf, size_t size)
{
    char path[96];
    FILE *f;
    int rc = -1;

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    f = fopen(path, "re");
    if (f == NULL) {
        return -1;
    }
    if (size > 0 && fgets(buf, (int)size, f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        rc = 0;
    }
    fclose(f);
    return rc;
}
