/* Pre-flight checks (docs/attach.md, "Before any ptrace call"): everything
   that /proc tells without stopping the process, each failure a one-line
   error that names the cause and what to do. */
#include "attach/attach.h"
#include "attach/elfsym.h"
#include "attach/maps.h"
#include "attach/target.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAP_SYS_PTRACE_BIT 19

void
cpdb_target_denied(pid_t pid, char *err, size_t errlen)
{
    char comm[32] = "?", buf[128];
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
    int scope = -1;
    long uid;
    unsigned long long caps = 0;

    if (f != NULL) {
        if (fscanf(f, "%d", &scope) != 1) {
            scope = -1;
        }
        fclose(f);
    }
    cpdb_proc_line(pid, "comm", comm, sizeof comm);
    if (cpdb_proc_status(getpid(), 0, "CapEff", buf, sizeof buf) == 0) {
        caps = strtoull(buf, NULL, 16);
    }
    /* Uid: real effective saved fs; the kernel compares them all with
       ours, the effective one tells the user whose process it is. */
    uid = -1;
    if (cpdb_proc_status(pid, 0, "Uid", buf, sizeof buf) == 0) {
        char *p = buf + strcspn(buf, " \t");

        uid = strtol(p, NULL, 10);
    }
    if (scope > 0 && !(caps & (1ull << CAP_SYS_PTRACE_BIT))) {
        snprintf(err, errlen, "not permitted to trace process %d (%s): "
                 "Yama ptrace_scope is %d%s; run cpdb with CAP_SYS_PTRACE "
                 "(as root) or set kernel.yama.ptrace_scope to 0",
                 (int)pid, comm, scope,
                 scope == 1 ? " (only descendants may be traced)"
                 : scope == 2 ? " (only admins may trace)"
                 : " (no tracing at all)");
    }
    else if (uid >= 0 && (uid_t)uid != geteuid()
             && !(caps & (1ull << CAP_SYS_PTRACE_BIT))) {
        snprintf(err, errlen, "not permitted to trace process %d (%s): it "
                 "runs as uid %ld and cpdb as uid %ld without "
                 "CAP_SYS_PTRACE; run cpdb as uid %ld, or with "
                 "CAP_SYS_PTRACE (as root)",
                 (int)pid, comm, uid, (long)geteuid(), uid);
    }
    else if (!(caps & (1ull << CAP_SYS_PTRACE_BIT))) {
        snprintf(err, errlen, "not permitted to trace process %d (%s): no "
                 "CAP_SYS_PTRACE and the process is not dumpable (setuid, "
                 "or a container's policy); run cpdb with CAP_SYS_PTRACE",
                 (int)pid, comm);
    }
    else {
        snprintf(err, errlen, "not permitted to trace process %d (%s): the "
                 "kernel refused (a security module's policy?); check the "
                 "system log", (int)pid, comm);
    }
}

int
cpdb_target_traced(pid_t pid, pid_t tid, char *err, size_t errlen)
{
    char comm[32] = "?", tcomm[32] = "?", buf[32];
    long tracer = 0;

    if (cpdb_proc_status(pid, tid, "TracerPid", buf, sizeof buf) == 0) {
        tracer = strtol(buf, NULL, 10);
    }
    if (tracer <= 0) {
        return 0;
    }
    cpdb_proc_line(pid, "comm", comm, sizeof comm);
    cpdb_proc_line((pid_t)tracer, "comm", tcomm, sizeof tcomm);
    snprintf(err, errlen, "process %d (%s) is already traced by %s (pid "
             "%ld); detach it first", (int)pid, comm, tcomm, tracer);
    return 1;
}

/* Return: how many threads the process has (its main thread may be a
   zombie while the others run). */
static int
n_tasks(pid_t pid)
{
    char path[64];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    if ((d = opendir(path)) == NULL) {
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        n += de->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

/* Return: 0 with *minor from a file name "libpython3.N..." or "python3.N"
   (prefix given), else -1. */
static int
minor_from_name(const char *name, const char *prefix, int *minor)
{
    const char *slash = strrchr(name, '/');
    char *end;
    long v;

    name = slash ? slash + 1 : name;
    if (strncmp(name, prefix, strlen(prefix)) != 0) {
        return -1;
    }
    v = strtol(name + strlen(prefix), &end, 10);
    if (end == name + strlen(prefix) || v < 0 || v > 99) {
        return -1;
    }
    *minor = (int)v;
    return 0;
}

/* Read Py_Version (exported since 3.11: PY_VERSION_HEX as a constant)
   from the file itself.  Return: 0 with the value in *hex, or -1. */
static int
read_py_version(const CpdbElf *e, uint32_t *hex)
{
    uint64_t value, off;

    if (cpdb_elf_symbol(e, "Py_Version", &value, NULL) < 0
        || cpdb_elf_file_offset(e, value, &off) < 0
        || cpdb_elf_pread(e, off, hex, sizeof *hex) < 0) {
        return -1;
    }
    return 0;
}

const CpdbMap *
cpdb_target_python_map(pid_t pid, const CpdbMaps *maps, int *is_static)
{
    const CpdbMap *lib = cpdb_maps_find_base(maps, "libpython3.");
    char link[64], exe[4096];
    ssize_t n;

    *is_static = 0;
    if (lib != NULL) {
        return lib;
    }
    snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
    n = readlink(link, exe, sizeof exe - 1);
    if (n <= 0 && maps->n > 0) {
        /* Not allowed to read the link (the maps may still be readable):
           the executable is the first file mapped. */
        for (size_t i = 0; i < maps->n; i++) {
            if (maps->items[i].inode != 0 && maps->items[i].path[0] == '/'
                && maps->items[i].offset == 0) {
                *is_static = 1;
                return &maps->items[i];
            }
        }
    }
    if (n <= 0) {
        return NULL;            /* a kernel thread has no executable */
    }
    exe[n] = '\0';
    if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0) {
        exe[n - 10] = '\0';
    }
    for (size_t i = 0; i < maps->n; i++) {
        if (maps->items[i].offset == 0
            && strcmp(maps->items[i].path, exe) == 0) {
            *is_static = 1;
            return &maps->items[i];
        }
    }
    return NULL;
}

/* Find the file that holds libpython and the version it says.
   Return: 0, 1 when the process is not CPython, 2 when cpdb may not read
   its files, -1 with err set. */
static int
find_python(CpdbTarget *t, const CpdbMaps *maps, char *err, size_t errlen)
{
    const CpdbMap *m = cpdb_target_python_map(t->pid, maps,
                                              &t->static_python);
    char why[128];
    CpdbElf e;
    uint32_t hex = 0;
    uint64_t v;
    int minor = -1;

    if (m == NULL) {
        return 1;
    }
    cpdb_maps_file_path(t->pid, m, t->python_path, sizeof t->python_path);
    minor_from_name(m->path, t->static_python ? "python3." : "libpython3.",
                    &minor);
    if (cpdb_elf_open(t->python_path, &e, why, sizeof why) < 0) {
        if (errno == EACCES || errno == EPERM) {
            return 2;
        }
        if (t->static_python) {
            return 1;
        }
        snprintf(err, errlen, "cannot read %s of process %d (%s): %s",
                 m->path, (int)t->pid, t->comm, why);
        return -1;
    }
    if (t->static_python && cpdb_elf_symbol(&e, "_PyRuntime", &v, NULL) < 0
        && cpdb_elf_symbol(&e, "Py_AddPendingCall", &v, NULL) < 0
        && cpdb_elf_symbol(&e, "Py_Version", &v, NULL) < 0) {
        cpdb_elf_close(&e);
        return 1;
    }
    if (read_py_version(&e, &hex) == 0 && (hex >> 24) == 3) {
        t->major = 3;
        t->minor = (int)((hex >> 16) & 0xff);
        snprintf(t->version, sizeof t->version, "%u.%u.%u", hex >> 24,
                 (hex >> 16) & 0xff, (hex >> 8) & 0xff);
    }
    else if (minor >= 0) {
        t->major = 3;
        t->minor = minor;
        snprintf(t->version, sizeof t->version, "3.%d", minor);
    }
    cpdb_elf_close(&e);
    if (t->major == 0) {
        snprintf(err, errlen, "cannot tell which Python version process %d "
                 "(%s) runs (no Py_Version, no version in the file name "
                 "%s)", (int)t->pid, t->comm, t->python_path);
        return -1;
    }
    return 0;
}

int
cpdb_target_gone(pid_t pid)
{
    char buf[64], ppid[32] = "";
    CpdbMaps maps = {0};
    int empty;

    if (cpdb_proc_status(pid, 0, "State", buf, sizeof buf) < 0) {
        return 1;
    }
    if ((buf[0] == 'Z' || buf[0] == 'X') && n_tasks(pid) <= 1) {
        return 1;
    }
    /* Exiting: its memory is gone before its state says so.  Kernel
       threads (children of kthreadd, pid 2) never had any. */
    empty = cpdb_maps_read(pid, &maps) == 0 && maps.n == 0;
    cpdb_maps_free(&maps);
    cpdb_proc_status(pid, 0, "PPid", ppid, sizeof ppid);
    return empty && pid != 2 && strcmp(ppid, "2") != 0;
}

int
cpdb_target_probe(pid_t pid, CpdbTarget *t, char *err, size_t errlen)
{
    CpdbMaps maps = {0};
    char buf[64], path[64];
    int rc;

    memset(t, 0, sizeof *t);
    t->pid = pid;
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH)
        || access(path, F_OK) < 0) {
        snprintf(err, errlen, "no process with id %d", (int)pid);
        return -1;
    }
    cpdb_proc_line(pid, "comm", t->comm, sizeof t->comm);
    if (cpdb_proc_status(pid, 0, "Tgid", buf, sizeof buf) == 0
        && strtol(buf, NULL, 10) != pid) {
        snprintf(err, errlen, "%d is a thread of process %s; give the "
                 "process id", (int)pid, buf);
        return -1;
    }
    if (cpdb_proc_status(pid, 0, "State", buf, sizeof buf) == 0) {
        if (cpdb_target_gone(pid)) {
            snprintf(err, errlen, "process %d (%s) has exited", (int)pid,
                     t->comm);
            return -1;
        }
        if (buf[0] == 'T') {
            snprintf(err, errlen, "process %d (%s) is stopped; resume it "
                     "first (kill -CONT %d)", (int)pid, t->comm, (int)pid);
            return -1;
        }
    }
    if (cpdb_target_traced(pid, 0, err, errlen)) {
        return -1;
    }
    if (cpdb_maps_read(pid, &maps) < 0) {
        if (errno == ENOENT || errno == ESRCH) {
            snprintf(err, errlen, "no process with id %d", (int)pid);
        }
        else {
            cpdb_target_denied(pid, err, errlen);
        }
        cpdb_maps_free(&maps);
        return -1;
    }
    rc = find_python(t, &maps, err, errlen);
    t->has_agent = cpdb_maps_find_base(&maps, "cpdb-agent-") != NULL;
    cpdb_maps_free(&maps);
    if (rc != 0 && cpdb_target_gone(pid)) {
        /* It ended while we read it: its maps were emptied. */
        snprintf(err, errlen, "process %d (%s) has exited", (int)pid,
                 t->comm);
        return -1;
    }
    if (rc == 1) {
        snprintf(err, errlen, "process %d (%s) is not a CPython process",
                 (int)pid, t->comm);
        return -1;
    }
    if (rc == 2) {
        cpdb_target_denied(pid, err, errlen);
        return -1;
    }
    if (rc < 0) {
        return -1;
    }
    if (t->major != 3 || t->minor < CPDB_ATTACH_MIN_MINOR
        || t->minor > CPDB_ATTACH_MAX_MINOR) {
        snprintf(err, errlen, "process %d (%s) runs Python %s; cpdb serves "
                 "Python 3.%d to 3.%d", (int)pid, t->comm, t->version,
                 CPDB_ATTACH_MIN_MINOR, CPDB_ATTACH_MAX_MINOR);
        return -1;
    }
    return 0;
}
