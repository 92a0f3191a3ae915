/* cpdb: the command-line program.  It reads the options, starts the
   embedded interpreter as python3 would start for a script, and hands
   over to libcpdb. */
#include "cpdb/cpdb.h"
#include "cpdb_config.h"
#include "main_attach.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "Usage: cpdb [OPTIONS] SCRIPT.py [ARGS...]\n"
    "       cpdb [OPTIONS] -m MODULE [ARGS...]\n"
    "       cpdb [OPTIONS] DIR|FILE.zip [ARGS...]   (its __main__.py)\n"
    "       cpdb -p PID                     (attach to a running python)\n"
    "\n"
    "Debug a Python program: it runs as __main__ with sys.argv = [SCRIPT,\n"
    "ARGS...] and stops before its first line.\n"
    "\n"
    "Options:\n"
    "  -ex CMD, -c CMD  run debugger command CMD at the first stop\n"
    "                   (repeatable; in the order given)\n"
    "  -x FILE          run the debugger commands in FILE\n"
    "  --batch          run the -ex / -x commands, then exit; the exit\n"
    "                   status is non-zero if a command failed\n"
    "  -q, --quiet      do not print the banner\n"
    "  -nx              do not read ~/.cpdbrc and ./.cpdbrc\n"
    "  -p PID, --pid PID  attach to the running Python process PID; quit\n"
    "                   or detach leaves it running\n"
    "  --version        print the version and exit\n"
    "  --help           print this help and exit\n"
    "\n"
    "Type \"help\" at the (cpdb) prompt for the commands.\n";

typedef struct Args {
    CpdbOptions opts;
    const char **head;      /* argv[0] and cpdb's options, for "run" to
                               re-execute (restart_argv) */
    int n_head;
    const char **cmds;      /* -ex and -x, in order; -x entries start "@" */
    int n_cmds;
    const char *script;     /* or NULL */
    const char *module;     /* or NULL */
    long pid;               /* -p: the process to attach to, or 0 */
    int prog_argc;
    char **prog_argv;
} Args;

static int
add_cmd(Args *a, const char *cmd, int argc)
{
    if (a->cmds == NULL) {
        a->cmds = calloc((size_t)argc, sizeof(char *));
        if (a->cmds == NULL) {
            return -1;
        }
    }
    a->cmds[a->n_cmds++] = cmd;
    return 0;
}

typedef enum {
    OPT_COMMAND, OPT_FILE, OPT_BATCH, OPT_QUIET, OPT_NO_INIT, OPT_VERSION,
    OPT_HELP, OPT_MODULE, OPT_END, OPT_RESTORE, OPT_PID
} OptKind;

/* The option "run" adds when it re-executes cpdb: the state file the
   new process restores (not for users: not in --help). */
#define RESTORE_OPTION "--restart-state"


/* The options, with gdb's and pdb's spellings; what follows an option
   that takes a value is said in its error. */
static const struct {
    const char *names;      /* space-separated */
    OptKind kind;
    const char *value;      /* what its value is, or NULL */
} options[] = {
    {"-ex -c --eval-command", OPT_COMMAND, "a command"},
    {"-x --command", OPT_FILE, "a file"},
    {"--batch -batch", OPT_BATCH, NULL},
    {"-q --quiet -quiet", OPT_QUIET, NULL},
    {"-nx --nx", OPT_NO_INIT, NULL},
    {"--version -v", OPT_VERSION, NULL},
    {"--help -h", OPT_HELP, NULL},
    {"-m", OPT_MODULE, "a module name"},
    {"-p --pid", OPT_PID, "a process id"},
    {"--", OPT_END, NULL},
    {RESTORE_OPTION, OPT_RESTORE, "a file"},
};

/* Return: the index in options[] of the option named o, or -1. */
static int
find_option(const char *o)
{
    size_t i, n = strlen(o);
    for (i = 0; i < sizeof options / sizeof options[0]; i++) {
        const char *p = options[i].names;
        while (*p != '\0') {
            size_t len = strcspn(p, " ");
            if (len == n && strncmp(p, o, n) == 0) {
                return (int)i;
            }
            p += len + (p[len] == ' ');
        }
    }
    return -1;
}

/* Take in one option at argv[*i] (and its value).  Return: 0 to go on,
   2 when the program's name came (it is at argv[*i] after the call, or
   at argc), 1 to exit with status 0, -1 to exit with status 2. */
static int
take_option(Args *a, int argc, char **argv, int *i)
{
    const char *o = argv[*i];
    int k = find_option(o);
    const char *value = NULL;

    if (k < 0) {
        fprintf(stderr, "cpdb: unknown option %s (try --help)\n", o);
        return -1;
    }
    if (options[k].value != NULL) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "cpdb: option %s needs %s\n", o,
                    options[k].value);
            return -1;
        }
        value = argv[++*i];
    }
    if (options[k].kind != OPT_RESTORE && options[k].kind != OPT_END
        && options[k].kind != OPT_MODULE) {
        a->head[a->n_head++] = o;
        if (value != NULL) {
            a->head[a->n_head++] = value;
        }
    }
    switch (options[k].kind) {
    case OPT_COMMAND:
        return add_cmd(a, value, argc);
    case OPT_FILE: {
        char *at = malloc(strlen(value) + 2);
        if (at == NULL) {
            return -1;
        }
        sprintf(at, "@%s", value);
        return add_cmd(a, at, argc);
    }
    case OPT_BATCH:
        a->opts.batch = 1;
        a->opts.quiet = 1;
        return 0;
    case OPT_QUIET:
        a->opts.quiet = 1;
        return 0;
    case OPT_NO_INIT:
        a->opts.no_init_files = 1;
        return 0;
    case OPT_VERSION:
        printf("cpdb %s (embedding Python %s)\n", CPDB_VERSION,
               CPDB_PYTHON_VERSION);
        return 1;
    case OPT_HELP:
        fputs(usage, stdout);
        return 1;
    case OPT_MODULE:
        a->module = value;
        ++*i;
        return 2;
    case OPT_END:
        if (++*i < argc) {
            a->script = argv[(*i)++];
        }
        return 2;
    case OPT_PID: {
        char *end;
        long pid = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || pid <= 0 || pid > 0x3fffffff) {
            fprintf(stderr, "cpdb: %s needs a process id (a positive "
                    "number), not \"%s\"\n", o, value);
            return -1;
        }
        a->pid = pid;
        return 0;
    }
    case OPT_RESTORE:
        a->opts.restore_state = value;
        a->opts.quiet = 1;
        a->opts.no_init_files = 1;
        return 0;
    }
    return -1;
}

/* Return: -1 to exit with status 2, 1 to exit with 0, 0 to go on. */
static int
parse_args(int argc, char **argv, Args *a)
{
    int i, rc = 0;
    a->head = calloc((size_t)argc + 2, sizeof(char *));
    if (a->head == NULL) {
        return -1;
    }
    a->head[a->n_head++] = argv[0];
    for (i = 1; i < argc && rc == 0; i++) {
        if (argv[i][0] != '-' || argv[i][1] == '\0') {
            a->script = argv[i++];
            break;
        }
        rc = take_option(a, argc, argv, &i);
        if (rc == 2) {
            rc = 0;
            break;
        }
    }
    if (rc != 0) {
        return rc;
    }
    if (a->pid != 0) {
        if (a->script != NULL || a->module != NULL) {
            fprintf(stderr, "cpdb: -p PID attaches to a running process: "
                    "no script or -m MODULE goes with it\n");
            return -1;
        }
        return 0;
    }
    if (a->script == NULL && a->module == NULL) {
        fprintf(stderr, "cpdb: a script or -m MODULE is expected "
                "(try --help)\n");
        return -1;
    }
    a->prog_argc = argc - i;
    a->prog_argv = argv + i;
    a->head[a->n_head++] = RESTORE_OPTION;
    return 0;
}

/* Free what parse_args took: the -ex/-x list, the -x names and the
   options kept for a restart. */
static void
free_args(Args *a)
{
    int i;
    for (i = 0; i < a->n_cmds; i++) {
        if (a->cmds[i][0] == '@') {
            free((char *)a->cmds[i]);
        }
    }
    free(a->cmds);
    free(a->head);
}

/* sys.orig_argv as python3 would have it: python, then the script (or
   -m MODULE) and its arguments. */
static PyStatus
set_orig_argv(PyConfig *config, const Args *a)
{
    PyStatus status = PyStatus_Ok();
    const char *head[3];
    int n_head = 0, i;

    head[n_head++] = CPDB_PYTHON_EXE;
    if (a->module != NULL) {
        head[n_head++] = "-m";
        head[n_head++] = a->module;
    }
    else {
        head[n_head++] = a->script;
    }
    for (i = 0; i < n_head + a->prog_argc && !PyStatus_Exception(status);
         i++) {
        const char *arg = i < n_head ? head[i] : a->prog_argv[i - n_head];
        wchar_t *w = Py_DecodeLocale(arg, NULL);
        if (w == NULL) {
            return PyStatus_NoMemory();
        }
        status = PyWideStringList_Append(&config->orig_argv, w);
        PyMem_RawFree(w);
    }
    return status;
}

/* Start the interpreter as "python3 SCRIPT" would: the environment
   (PYTHONPATH, ...) applies, sys.executable is the real python, and
   cpdb's own options are not parsed as Python's. */
static int
start_python(const Args *a)
{
    PyConfig config;
    PyStatus status;
    char *argv[1];

    PyConfig_InitPythonConfig(&config);
    config.parse_argv = 0;
    argv[0] = (char *)(a->script ? a->script : a->module);
    status = PyConfig_SetBytesArgv(&config, 1, argv);
    if (!PyStatus_Exception(status)) {
        status = set_orig_argv(&config, a);
    }
    if (!PyStatus_Exception(status) && access(CPDB_PYTHON_EXE, X_OK) == 0) {
        status = PyConfig_SetBytesString(&config, &config.program_name,
                                         CPDB_PYTHON_EXE);
        if (!PyStatus_Exception(status)) {
            status = PyConfig_SetBytesString(&config, &config.executable,
                                             CPDB_PYTHON_EXE);
        }
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        fprintf(stderr, "cpdb: cannot start Python: %s\n",
                status.err_msg ? status.err_msg : "unknown error");
        return -1;
    }
    return 0;
}

/* End as python3 ends after an uncaught KeyboardInterrupt: killed by
   SIGINT (130 in a shell), so that a calling shell script stops too.
   Only when no one is at a terminal: there the user has ended the
   session themselves, and an exit status of 130 says what the program
   did. */
static void
die_of_signal(int sig, const Args *a, int interactive)
{
    if (sig == 0 || (!a->opts.batch && interactive)) {
        return;
    }
    fflush(stdout);
    fflush(stderr);
    signal(sig, SIG_DFL);
    kill(getpid(), sig);
}

int
main(int argc, char **argv)
{
    Args a;
    CpdbSession *s;
    int i, rc, status, sig, interactive = isatty(STDIN_FILENO);

    memset(&a, 0, sizeof a);
    /* CPDB_BACKEND picks the trace backend for a whole session (the test
       suite runs once with each); "set backend" at the prompt does it
       for one. */
    a.opts.backend = getenv("CPDB_BACKEND");
    rc = parse_args(argc, argv, &a);
    if (rc != 0) {
        free_args(&a);
        return rc < 0 ? 2 : 0;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (a.pid != 0) {
        free_args(&a);
        return cpdb_attach_main((pid_t)a.pid);
    }
    if (start_python(&a) < 0) {
        free_args(&a);
        return 1;
    }
    /* This program owns its process: kill and quit never unwind the
       program, and run re-executes cpdb (docs/embedding.md). */
    a.opts.own_process = 1;
    a.opts.restart_argv = (char *const *)a.head;
    s = cpdb_session_new(&a.opts);
    if (s == NULL) {
        fprintf(stderr, "cpdb: cannot create the debugger session\n");
        free_args(&a);
        return 1;
    }
    if (!a.opts.quiet) {
        printf("cpdb %s (Python %s) -- type \"help\" for help.\n",
               CPDB_VERSION, CPDB_PYTHON_VERSION);
    }
    for (i = 0; i < a.n_cmds && a.opts.restore_state == NULL; i++) {
        if (a.cmds[i][0] == '@') {
            if (cpdb_session_queue_file(s, a.cmds[i] + 1) < 0) {
                cpdb_session_free(s);
                Py_FinalizeEx();
                free_args(&a);
                return 1;
            }
        }
        else {
            cpdb_session_queue_command(s, a.cmds[i]);
        }
    }
    if (a.script != NULL) {
        rc = cpdb_run_file(s, a.script, a.prog_argc, a.prog_argv,
                           CPDB_RUN_STOP_AT_FIRST | CPDB_RUN_KEEP_PROMPT);
    }
    else {
        rc = cpdb_run_module(s, a.module, a.prog_argc, a.prog_argv,
                             CPDB_RUN_STOP_AT_FIRST | CPDB_RUN_KEEP_PROMPT);
    }
    status = cpdb_session_exit_status(s);
    if (status < 0) {
        status = 0;
    }
    if (rc == CPDB_E_NOFILE && status == 0) {
        status = 1;
    }
    if (a.opts.batch && cpdb_session_failed_commands(s) > 0 && status == 0) {
        status = 1;
    }
    sig = cpdb_session_exit_signal(s);
    cpdb_session_free(s);
    if (Py_FinalizeEx() < 0 && status == 0) {
        status = 120;
    }
    free_args(&a);
    if (status == 128 + sig) {
        die_of_signal(sig, &a, interactive);
    }
    return status;
}
