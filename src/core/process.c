/* The process the cpdb program owns.  "run" re-executes it, so that the
   program starts with fresh modules as python3 would start it (a second
   run in the same interpreter keeps every module the first imported:
   Django's settings stay configured, leak counts start high); quit
   leaves it with _exit(), so that nothing of the program runs after
   the user asked it to end. */
#include "core/process.h"
#include "core/program.h"
#include "core/session.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

enum {
    MAX_STATE_BYTES = 16 << 20,     /* a state file larger is not ours */
    MAX_FD_SCAN = 65536             /* without /proc: fds looked at */
};

/* --- the process at start ------------------------------------------------ */

/* Call fn(fd, arg) for each open fd >= 3. */
static void
each_open_fd(void (*fn)(int fd, void *arg), void *arg)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (d == NULL) {
        long max = sysconf(_SC_OPEN_MAX);
        int fd;
        if (max < 0 || max > MAX_FD_SCAN) {
            max = MAX_FD_SCAN;
        }
        for (fd = 3; fd < max; fd++) {
            if (fcntl(fd, F_GETFD) >= 0) {
                fn(fd, arg);
            }
        }
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end == '\0' && end != e->d_name && fd >= 3 && fd <= INT_MAX
            && fd != dirfd(d)) {
            fn((int)fd, arg);
        }
    }
    closedir(d);
}

static void
note_inherited(int fd, void *arg)
{
    CpdbProcess *p = arg;
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) {
        cpdb_array_push(&p->inherited, fd);
    }
}

void
cpdb_process_init(CpdbProcess *p)
{
    char cwd[PATH_MAX];
    size_t n = 0, i;
    int sig;

    memset(p, 0, sizeof *p);
    p->start_dir = cpdb_xstrdup(getcwd(cwd, sizeof cwd) ? cwd : ".");
    while (environ != NULL && environ[n] != NULL) {
        n++;
    }
    p->start_environ = cpdb_xcalloc(n + 1, sizeof(char *));
    for (i = 0; i < n; i++) {
        p->start_environ[i] = cpdb_xstrdup(environ[i]);
    }
    sigprocmask(SIG_SETMASK, NULL, &p->start_mask);
    sigemptyset(&p->start_ignored);
    for (sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
            sigaddset(&p->start_ignored, sig);
        }
    }
    each_open_fd(note_inherited, p);
}

void
cpdb_process_fini(CpdbProcess *p)
{
    size_t i;
    free(p->start_dir);
    for (i = 0; p->start_environ != NULL && p->start_environ[i]; i++) {
        free(p->start_environ[i]);
    }
    free(p->start_environ);
    free(p->inherited.items);
    Py_CLEAR(p->real_exit);
    memset(p, 0, sizeof *p);
}

/* --- leaving ------------------------------------------------------------- */

void
cpdb_session_leave(CpdbSession *s)
{
    int status = s->exit_status >= 0 ? s->exit_status : 0;
    if (s->final_status != NULL) {
        status = s->final_status(s, status);
    }
    cpdb_session_flush_program(s);
    fflush(NULL);
    _exit(status);
}

/* --- re-executing -------------------------------------------------------- */

/* Write text to a new file in a new private directory.  Return: the
   file's path (malloc'd; *dir the directory's), or NULL with *why. */
static char *
write_state(const char *text, char **dir, char **why)
{
    const char *tmp = getenv("TMPDIR");
    char *path;
    size_t len = strlen(text), done = 0;
    int fd;

    *dir = cpdb_xasprintf("%s/cpdb-XXXXXX",
                          tmp != NULL && *tmp == '/' ? tmp : "/tmp");
    if (mkdtemp(*dir) == NULL) {
        *why = cpdb_xasprintf("Cannot make a directory for the session's "
                              "state: %s.", strerror(errno));
        free(*dir);
        *dir = NULL;
        return NULL;
    }
    path = cpdb_xasprintf("%s/state-XXXXXX", *dir);
    errno = 0;
    fd = mkostemp(path, O_CLOEXEC);
    while (fd >= 0 && done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    if (fd < 0 || done < len || close(fd) < 0) {
        *why = cpdb_xasprintf("Cannot save the session's state: %s.",
                              done < len && errno == 0 ? "short write"
                                                       : strerror(errno));
        if (fd >= 0) {
            unlink(path);
        }
        rmdir(*dir);
        free(*dir);
        *dir = NULL;
        free(path);
        return NULL;
    }
    return path;
}

/* The new command line: cpdb and its options (the last one names the
   state file), the state file, then "-m MODULE" or "-- SCRIPT" and the
   program's arguments. */
static char **
restart_argv(CpdbSession *s, const char *state)
{
    CPDB_ARRAY(char *) a = {0};
    char *const *head = s->opts.restart_argv;
    int i;
    for (i = 0; head[i] != NULL; i++) {
        cpdb_array_push(&a, head[i]);
    }
    cpdb_array_push(&a, (char *)state);
    cpdb_array_push(&a, s->prog.kind == CPDB_PROG_MODULE ? "-m" : "--");
    cpdb_array_push(&a, s->prog.target);
    for (i = 0; i < s->prog.argc; i++) {
        cpdb_array_push(&a, s->prog.argv[i]);
    }
    cpdb_array_push(&a, NULL);
    return a.items;
}

static void
close_on_exec_unless_inherited(int fd, void *arg)
{
    CpdbProcess *p = arg;
    size_t i;
    int flags;
    for (i = 0; i < p->inherited.n; i++) {
        if (p->inherited.items[i] == fd) {
            return;
        }
    }
    flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) {
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* The signal dispositions and mask the new image inherits: those of
   the start (handlers are reset by exec; an ignored signal and the mask
   are not, so what the program set would stay). */
static void
signals_as_at_start(const CpdbProcess *p)
{
    int sig;
    for (sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        int was_ignored = sigismember(&p->start_ignored, sig) == 1;
        if (sig == SIGKILL || sig == SIGSTOP
            || sigaction(sig, NULL, &sa) != 0) {
            continue;
        }
        if ((sa.sa_handler == SIG_IGN) != was_ignored) {
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = was_ignored ? SIG_IGN : SIG_DFL;
            sigemptyset(&sa.sa_mask);
            sigaction(sig, &sa, NULL);
        }
    }
    sigprocmask(SIG_SETMASK, &p->start_mask, NULL);
}

int
cpdb_session_reexec(CpdbSession *s, int finalize)
{
    char *text, *dir = NULL, *why = NULL, *path, **argv;
    int err;

    if (!s->opts.own_process || s->opts.restart_argv == NULL
        || s->opts.restart_argv[0] == NULL) {
        cpdb_session_message(s, "Cannot run the program again: this "
                             "session does not own its process.");
        return -1;
    }
    text = s->save_state != NULL ? s->save_state(s) : cpdb_xstrdup("");
    path = write_state(text, &dir, &why);
    free(text);
    if (path == NULL) {
        cpdb_session_message(s, "%s", why);
        free(why);
        return -1;
    }
    argv = restart_argv(s, path);
    cpdb_program_unredirect(s);
    cpdb_session_flush_program(s);
    /* Only the thread that started Python may finalize it. */
    finalize = finalize && gettid() == getpid();
    if (finalize) {
        Py_FinalizeEx();        /* no Python from here on */
    }
    fflush(NULL);
    if (chdir(s->process.start_dir) < 0) {
        err = errno;
        goto failed;
    }
    each_open_fd(close_on_exec_unless_inherited, &s->process);
    signals_as_at_start(&s->process);
    execve("/proc/self/exe", argv, s->process.start_environ);
    if (strchr(argv[0], '/') != NULL) {
        execve(argv[0], argv, s->process.start_environ);
    }
    err = errno;
failed:
    if (finalize) {
        fprintf(stderr, "cpdb: cannot run the program again: %s\n",
                strerror(err));
        unlink(path);
        rmdir(dir);
        _exit(1);
    }
    cpdb_session_message(s, "Cannot run the program again: %s.",
                         strerror(err));
    unlink(path);
    rmdir(dir);
    free(argv);
    free(path);
    free(dir);
    return -1;
}

char *
cpdb_process_take_state(const char *path, char **why)
{
    struct stat sb, dsb;
    char *dir = cpdb_xstrdup(path), *slash = strrchr(dir, '/'), *text;
    size_t done = 0;
    int fd = -1;

    text = NULL;
    *why = NULL;
    if (slash == NULL || slash == dir) {
        *why = cpdb_xasprintf("Bad state file \"%s\".", path);
        goto done;
    }
    *slash = '\0';
    /* Made by mkdtemp and mkstemp: a directory only we can use, a
       regular file of ours.  Anything else is refused (and kept). */
    if (lstat(dir, &dsb) < 0 || !S_ISDIR(dsb.st_mode)
        || dsb.st_uid != getuid() || (dsb.st_mode & 077) != 0
        || (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0
        || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)
        || sb.st_uid != getuid() || sb.st_size > MAX_STATE_BYTES) {
        *why = cpdb_xasprintf("Not restoring the session from \"%s\": it "
                              "is not a state file cpdb wrote.", path);
        goto done;
    }
    text = cpdb_xmalloc((size_t)sb.st_size + 1);
    while (done < (size_t)sb.st_size) {
        ssize_t n = read(fd, text + done, (size_t)sb.st_size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    text[done] = '\0';
    unlink(path);
    rmdir(dir);
done:
    if (fd >= 0) {
        close(fd);
    }
    free(dir);
    return text;
}

/* --- os._exit ------------------------------------------------------------ */

static PyObject *
program_exit(PyObject *self, PyObject *arg)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    long n;
    int overflow = 0;
    if (s == NULL) {
        return NULL;
    }
    n = PyLong_Check(arg) ? PyLong_AsLongAndOverflow(arg, &overflow) : 0;
    if (!PyLong_Check(arg) || overflow || n < INT_MIN || n > INT_MAX
        || s->detached || s->at_stop || s->busy.depth > 0
        || s->state != CPDB_PROG_RUNNING || s->process.real_exit == NULL) {
        /* not the program's own exit: the real one (or its error) */
        PyObject *posix, *r;
        if (s->process.real_exit != NULL) {
            return PyObject_CallOneArg(s->process.real_exit, arg);
        }
        posix = PyImport_ImportModule("posix");
        r = posix ? PyObject_CallMethod(posix, "_exit", "O", arg) : NULL;
        Py_XDECREF(posix);
        return r;
    }
    cpdb_session_flush_program(s);
    cpdb_session_end_here(s, CPDB_STOP_EXITED, (int)(n & 0xff));
}

static PyMethodDef program_exit_def = {
    "_exit", program_exit, METH_O,
    "Exit the process with the given status (cpdb reports it and stays "
    "at its prompt)."
};

/* Put fn as _exit in module name (if imported). */
static void
set_exit(const char *name, PyObject *fn)
{
    PyObject *modules = PyImport_GetModuleDict();       /* borrowed */
    PyObject *m = PyDict_GetItemString(modules, name);  /* borrowed */
    if (m != NULL && PyObject_SetAttrString(m, "_exit", fn) < 0) {
        PyErr_Clear();
    }
}

void
cpdb_process_hook_exit(CpdbSession *s)
{
    PyObject *posix = PyImport_ImportModule("posix");
    PyObject *fn = cpdb_hooks_function(s, &program_exit_def);
    if (posix != NULL && fn != NULL && s->process.real_exit == NULL) {
        s->process.real_exit = PyObject_GetAttrString(posix, "_exit");
    }
    if (s->process.real_exit != NULL) {
        set_exit("posix", fn);
        set_exit("os", fn);
    }
    PyErr_Clear();
    Py_XDECREF(fn);
    Py_XDECREF(posix);
}

/* Whether module name's _exit is cpdb's stand-in. */
static int
is_stand_in(const char *name)
{
    PyObject *modules = PyImport_GetModuleDict();       /* borrowed */
    PyObject *m = PyDict_GetItemString(modules, name);  /* borrowed */
    PyObject *fn = m ? PyObject_GetAttrString(m, "_exit") : NULL;
    int yes = fn != NULL && PyCFunction_Check(fn)
              && PyCFunction_GET_FUNCTION(fn) == program_exit;
    PyErr_Clear();
    Py_XDECREF(fn);
    return yes;
}

void
cpdb_process_unhook_exit(CpdbSession *s)
{
    if (s->process.real_exit == NULL) {
        return;
    }
    if (is_stand_in("posix")) {
        set_exit("posix", s->process.real_exit);
    }
    if (is_stand_in("os")) {
        set_exit("os", s->process.real_exit);
    }
    Py_CLEAR(s->process.real_exit);
}
