/* What /proc tells about a process before cpdb touches it: its memory
   mappings (/proc/PID/maps) and fields of /proc/PID/status. */
#ifndef CPDB_SRC_ATTACH_MAPS_H
#define CPDB_SRC_ATTACH_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of /proc/PID/maps. */
typedef struct CpdbMap {
    uint64_t start, end;        /* [start, end) in the process */
    uint64_t offset;            /* file offset mapped at start */
    char perms[5];              /* "r-xp" */
    unsigned dev_major, dev_minor;
    uint64_t inode;             /* 0: anonymous */
    int deleted;                /* the path ended with " (deleted)" */
    char path[4096];            /* "" for anonymous mappings */
} CpdbMap;

typedef struct CpdbMaps {
    CpdbMap *items;
    size_t n, cap;
} CpdbMaps;

/* Parse one line of /proc/PID/maps (with or without its newline) into *m.
   Return: 0, or -1 when the line is not in the kernel's format. */
int cpdb_maps_parse_line(const char *line, CpdbMap *m);

/* Read /proc/PID/maps into *maps (emptied first; free it with
   cpdb_maps_free).  Return: 0, or -1 with errno set (ENOENT: no such
   process, EACCES: not allowed to read it). */
int cpdb_maps_read(pid_t pid, CpdbMaps *maps);
void cpdb_maps_free(CpdbMaps *maps);

/* Return: the first mapping whose file's name (the part after the last
   '/') begins with prefix, or NULL.  Borrowed: owned by maps. */
const CpdbMap *cpdb_maps_find_base(const CpdbMaps *maps, const char *prefix);

/* Return: the mapping of the file (dev, inode) that holds file offset
   off, or NULL.  Borrowed: owned by maps. */
const CpdbMap *cpdb_maps_find_offset(const CpdbMaps *maps,
                                     const CpdbMap *file, uint64_t off);

/* Put into buf the path by which cpdb opens the file of mapping m of
   process pid: /proc/PID/root/PATH (the target's mount namespace) when
   that is the mapped file, else /proc/PID/map_files/START-END (a file
   deleted since, or a root cpdb cannot see). */
void cpdb_maps_file_path(pid_t pid, const CpdbMap *m, char *buf,
                         size_t size);

/* Copy the value of the field name ("TracerPid") of /proc/PID/status, or
   of /proc/PID/task/TID/status when tid > 0, into buf (whitespace
   trimmed).  Return: 0, or -1 when the file or field is missing. */
int cpdb_proc_status(pid_t pid, pid_t tid, const char *name, char *buf,
                     size_t size);

/* Read the first line of /proc/PID/NAME ("comm") into buf without its
   newline.  Return: 0 or -1. */
int cpdb_proc_line(pid_t pid, const char *name, char *buf, size_t size);

#endif
