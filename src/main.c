/* cpdb: the command-line program.  It reads the options, starts the
   embedded interpreter as python3 would start for a script, and hands
   over to libcpdb. */
#include "cpdb/cpdb.h"
#include "cpdb_config.h"
#include "main_attach.h"
#include "dap/dap_main.h"
#include "remote/client.h"
#include "remote/engine.h"
#include "remote/net.h"
#include "remote/proto.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "Usage: cpdb [OPTIONS] SCRIPT.py [ARGS...]\n"
    "       cpdb [OPTIONS] -m MODULE [ARGS...]\n"
    "       cpdb [OPTIONS] DIR|FILE.zip [ARGS...]   (its __main__.py)\n"
    "       cpdb -p PID [--listen [HOST:]PORT]  (attach to a running python)\n"
    "       cpdb --listen [HOST:]PORT [OPTIONS] SCRIPT.py [ARGS...]\n"
    "       cpdb --connect HOST:PORT [--token TOKEN]\n"
    "       cpdb --dap [--listen [HOST:]PORT]   (a debug adapter for editors)\n"
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
    "  --listen [HOST:]PORT\n"
    "                   run the program with the debugger's prompt on\n"
    "                   the network: wait for one cpdb --connect (HOST\n"
    "                   127.0.0.1 if omitted; PORT 0 picks a free one);\n"
    "                   prints the port and the token it asks for\n"
    "  --allow-remote   let --listen use an address that is not loopback\n"
    "                   (the traffic is not encrypted: prefer ssh -L)\n"
    "  --connect HOST:PORT\n"
    "                   be the prompt of a cpdb --listen\n"
    "  --token TOKEN    the token --listen printed (or set CPDB_TOKEN;\n"
    "                   for --listen, CPDB_TOKEN sets the one it asks)\n"
    "  --dap            be a debug adapter (the Debug Adapter Protocol) on\n"
    "                   stdin and stdout, or with --listen for one client\n"
    "                   over TCP; the program comes in the launch request\n"
    "                   (docs/dap.md)\n"
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
    const char *listen;     /* --listen [HOST:]PORT, or NULL */
    const char *connect;    /* --connect HOST:PORT, or NULL */
    const char *token;      /* --token, or NULL */
    int allow_remote;
    const char *remote_fd;  /* the restore option's console socket */
    const char *script;     /* or NULL */
    const char *module;     /* or NULL */
    long pid;               /* -p: the process to attach to, or 0 */
    int dap;                /* --dap */
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
    OPT_HELP, OPT_MODULE, OPT_END, OPT_RESTORE, OPT_PID, OPT_LISTEN,
    OPT_CONNECT, OPT_TOKEN, OPT_ALLOW_REMOTE, OPT_REMOTE_FD, OPT_DAP
} OptKind;

/* The option "run" adds when it re-executes cpdb: the state file the
   new process restores (not for users: not in --help). */
#define RESTORE_OPTION "--restart-state"
/* ... and, for a --listen session, the connected console's socket:
   "FD:COLUMNS:COLOR" (the new process talks on it without a new
   handshake). */
#define REMOTE_FD_OPTION "--restart-remote"


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
    {"--listen", OPT_LISTEN, "an address [HOST:]PORT"},
    {"--connect", OPT_CONNECT, "an address HOST:PORT"},
    {"--token", OPT_TOKEN, "a token"},
    {"--allow-remote", OPT_ALLOW_REMOTE, NULL},
    {REMOTE_FD_OPTION, OPT_REMOTE_FD, "a socket"},
    {"--dap", OPT_DAP, NULL},
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
        && options[k].kind != OPT_MODULE && options[k].kind != OPT_REMOTE_FD
        && options[k].kind != OPT_TOKEN) {
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
    case OPT_LISTEN:
        a->listen = value;
        return 0;
    case OPT_CONNECT:
        a->connect = value;
        return 0;
    case OPT_TOKEN:
        a->token = value;
        return 0;
    case OPT_ALLOW_REMOTE:
        a->allow_remote = 1;
        return 0;
    case OPT_REMOTE_FD:
        a->remote_fd = value;
        return 0;
    case OPT_DAP:
        a->dap = 1;
        return 0;
    }
    return -1;
}

/* "FD:COLUMNS:COLOR" of the console's socket for a restart. */
static char remote_fd_text[64];

/* --connect is a console alone: no program, no --listen.  Return: 0,
   or -1 (said) to exit with status 2. */
static int
check_connect_args(const Args *a)
{
    if (a->script != NULL || a->module != NULL || a->listen != NULL) {
        fprintf(stderr, "cpdb: --connect takes no program and no --listen: "
                "the program runs where cpdb --listen runs\n");
        return -1;
    }
    return 0;
}

/* Return: -1 to exit with status 2, 1 to exit with 0, 0 to go on. */
static int
parse_args(int argc, char **argv, Args *a)
{
    int i, rc = 0;
    a->head = calloc((size_t)argc + 4, sizeof(char *));
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
        if (a->connect != NULL) {
            fprintf(stderr, "cpdb: -p PID attaches here; --connect is the "
                    "prompt of another cpdb (cpdb -p PID --listen PORT "
                    "serves one)\n");
            return -1;
        }
        if (a->script != NULL || a->module != NULL) {
            fprintf(stderr, "cpdb: -p PID attaches to a running process: "
                    "no script or -m MODULE goes with it\n");
            return -1;
        }
        return 0;
    }
    if (a->connect != NULL) {
        return check_connect_args(a);
    }
    if (a->dap) {
        /* A program here is started by an attach request (the launch
           request names its own). */
        a->prog_argc = argc - i;
        a->prog_argv = argv + i;
        return 0;
    }
    if (a->script == NULL && a->module == NULL) {
        fprintf(stderr, "cpdb: a script or -m MODULE is expected "
                "(try --help)\n");
        return -1;
    }
    a->prog_argc = argc - i;
    a->prog_argv = argv + i;
    if (a->listen != NULL) {
        /* Filled once the console is connected (listen_for_console). */
        a->head[a->n_head++] = REMOTE_FD_OPTION;
        a->head[a->n_head++] = remote_fd_text;
    }
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
    if (a->dap) {
        /* The program's output goes to the editor as it is written. */
        config.buffered_stdio = 0;
    }
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

/* --- the prompt over the network ----------------------------------------- */

/* cpdb --connect: this terminal is the prompt of a cpdb --listen.
   Return: the exit status the listener's session ended with, 1 when the
   connection failed, 2 for bad arguments. */
static int
run_connect(const Args *a)
{
    char *host = NULL, *port = NULL, err[512];
    const char *token = a->token != NULL ? a->token : getenv("CPDB_TOKEN");
    int fd, status, action;
    if (token == NULL || *token == '\0') {
        fprintf(stderr, "cpdb: --connect needs the token the listener "
                "printed: --token TOKEN, or CPDB_TOKEN in the "
                "environment\n");
        return 2;
    }
    if (cpdb_remote_parse_address(a->connect, 1, &host, &port, err,
                                  sizeof err) < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        return 2;
    }
    fd = cpdb_remote_connect(host, port, err, sizeof err);
    free(host);
    free(port);
    if (fd < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        return 1;
    }
    status = cpdb_remote_console_run(fd, token, &action, err, sizeof err);
    close(fd);
    if (status < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        return 1;
    }
    return status;
}

/* Refuse a non-loopback address without --allow-remote; warn with it.
   Return: 0, or -1 (said) to exit with status 2. */
static int
check_listen_host(const Args *a, const char *host, const char *port)
{
    char err[512];
    int loopback = cpdb_remote_is_loopback(host, port, err, sizeof err);
    if (loopback < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        return -1;
    }
    if (loopback) {
        return 0;
    }
    if (!a->allow_remote) {
        fprintf(stderr, "cpdb: %s is not a loopback address: anyone who "
                "can reach it could run code in the program, over an "
                "unencrypted connection; add --allow-remote to mean it, "
                "or listen on 127.0.0.1 and tunnel (ssh -L %s:localhost:%s "
                "HOST)\n", host, port, port);
        return -1;
    }
    fprintf(stderr, "cpdb: warning: the session's traffic (commands, "
            "values, the token) is not encrypted; an SSH tunnel keeps it "
            "private: listen on 127.0.0.1 and run ssh -L %s:localhost:%s "
            "HOST where the console is\n", port, port);
    return 0;
}

/* What the console is told runs here. */
static char *
program_text(const Args *a)
{
    const char *what = a->script != NULL ? a->script : a->module;
    size_t n = strlen(what) + 8;
    char *text = malloc(n);
    if (text != NULL) {
        snprintf(text, n, "%s%s", a->script != NULL ? "" : "-m ", what);
    }
    return text;
}

static int serve_dap(const Args *a, int in_fd, int out_fd,
                     const char *token, int lfd);

/* Accept connections on lfd until one gives the token, or speaks the
   Debug Adapter Protocol and gives it in its launch or attach request
   (an editor: its whole session runs here, and *dap_status is cpdb's
   exit status then).  Return: the console's channel, or NULL when
   accepting failed (said) or an editor's session ran. */
static CpdbRemote *
accept_console(const Args *a, int lfd, const char *token, int *dap_status)
{
    char peer[128], err[512], *info = program_text(a);
    CpdbRemote *r = NULL;
    while (r == NULL) {
        int fd = cpdb_remote_accept(lfd, peer, sizeof peer);
        if (fd < 0) {
            fprintf(stderr, "cpdb: cannot accept a connection: %s\n",
                    strerror(errno));
            break;
        }
        if (cpdb_remote_speaks_dap(fd, CPDB_REMOTE_HELLO_SECONDS) == 1) {
            int status;
            fprintf(stderr, "cpdb: connected to %s (a debug adapter "
                    "client)\n", peer);
            status = serve_dap(a, fd, fd, token, lfd);
            if (status != CPDB_DAP_REFUSED) {
                *dap_status = status;
                break;
            }
            fprintf(stderr, "cpdb: refused a connection from %s: wrong "
                    "token\n", peer);
            close(fd);
            continue;
        }
        r = cpdb_remote_engine_new(fd, token, info, NULL, err, sizeof err);
        if (r == NULL) {
            fprintf(stderr, "cpdb: refused a connection from %s: %s\n",
                    peer, err);
        }
        else {
            fprintf(stderr, "cpdb: connected to %s\n", peer);
        }
    }
    free(info);
    return r;
}

/* Bind the address of --listen (after the checks of its host) and say
   where, and the token a console must give: CPDB_TOKEN's, or a new one
   in token.  Return: the listening socket with *want the token, or -1
   with *status the exit status (2: a bad address, 1: failed; said). */
static int
open_listener(const Args *a, char *token, const char **want, int *status)
{
    char *host = NULL, *port = NULL, where[128], err[512];
    int lfd = -1;
    *status = 1;
    *want = getenv("CPDB_TOKEN");
    if (cpdb_remote_parse_address(a->listen, 0, &host, &port, err,
                                  sizeof err) < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        *status = 2;
        return -1;
    }
    if (check_listen_host(a, host, port) < 0) {
        *status = 2;
        goto done;
    }
    if (*want == NULL || **want == '\0') {
        if (cpdb_remote_new_token(token) < 0) {
            fprintf(stderr, "cpdb: no random bytes for a token: %s\n",
                    strerror(errno));
            goto done;
        }
        *want = token;
    }
    lfd = cpdb_remote_listen(host, port, where, sizeof where, err,
                             sizeof err);
    if (lfd < 0) {
        fprintf(stderr, "cpdb: %s\n", err);
        goto done;
    }
    fprintf(stderr, "cpdb: listening on %s (token %s)\n", where,
            *want == token ? token : "from CPDB_TOKEN");
done:
    free(host);
    free(port);
    return lfd;
}

/* The token --listen asks for: CPDB_TOKEN's, or listen_token. */
static char listen_token[CPDB_REMOTE_TOKEN_LEN + 1];

/* cpdb --listen: bind, say where and the token, and wait for a console
   that gives it.  After a restart ("run"), take the console's socket
   back instead.  Return: the channel, or NULL with *status the exit
   status (2: bad address, 1: failed; said), or NULL with *dap_status
   the exit status of an editor's session (accept_console). */
static CpdbRemote *
listen_for_console(const Args *a, int *status, int *dap_status)
{
    char *token = listen_token;
    const char *want;
    CpdbRemote *r = NULL;
    int lfd, fd, columns, color;

    *status = 1;
    if (a->remote_fd != NULL) {
        if (sscanf(a->remote_fd, "%d:%d:%d", &fd, &columns, &color) != 3
            || (r = cpdb_remote_engine_resume(fd, columns, color,
                                              NULL)) == NULL) {
            fprintf(stderr, "cpdb: the console's connection was lost in "
                    "the restart\n");
            return NULL;
        }
        snprintf(remote_fd_text, sizeof remote_fd_text, "%s",
                 a->remote_fd);
        return r;
    }
    lfd = open_listener(a, token, &want, status);
    if (lfd < 0) {
        return NULL;
    }
    r = accept_console(a, lfd, want, dap_status);
    close(lfd);
    if (r != NULL) {
        snprintf(remote_fd_text, sizeof remote_fd_text, "%d:%d:%d",
                 cpdb_remote_engine_fd(r), cpdb_remote_engine_columns(r),
                 cpdb_remote_engine_color(r));
    }
    return r;
}

/* The lines of the -ex commands and -x files, in order, for a console
   that answers the prompts of a session elsewhere with them.  Return 0
   with *lines (malloc'd, each malloc'd) and *n, or -1 (said) when a
   file cannot be read. */
static int
script_lines(const Args *a, char ***lines, size_t *n)
{
    size_t cap = 0;
    int i;
    *lines = NULL;
    *n = 0;
    for (i = 0; i < a->n_cmds; i++) {
        FILE *f = NULL;
        char *line = NULL;
        size_t len = 0;
        ssize_t got;
        if (a->cmds[i][0] == '@' && (f = fopen(a->cmds[i] + 1, "r")) == NULL) {
            fprintf(stderr, "cpdb: cannot read %s: %s\n", a->cmds[i] + 1,
                    strerror(errno));
            return -1;
        }
        for (;;) {
            if (f != NULL) {
                if ((got = getline(&line, &len, f)) < 0) {
                    break;
                }
                line[strcspn(line, "\n")] = '\0';
            }
            if (*n == cap) {
                cap = cap ? 2 * cap : 8;
                *lines = realloc(*lines, cap * sizeof **lines);
                if (*lines == NULL) {
                    abort();
                }
            }
            (*lines)[(*n)++] = strdup(f != NULL ? line : a->cmds[i]);
            if (f == NULL) {
                break;
            }
        }
        free(line);
        if (f != NULL) {
            fclose(f);
        }
    }
    return 0;
}

/* cpdb -p PID, and with --listen: the attached process's prompt is
   served to a cpdb --connect. */
static int
run_attach(const Args *a)
{
    char token[CPDB_REMOTE_TOKEN_LEN + 1];
    const char *want = NULL;
    char **lines;
    size_t n, k;
    CpdbConsoleScript script;
    int lfd = -1, status;
    if (script_lines(a, &lines, &n) < 0) {
        return 1;
    }
    script.lines = (const char *const *)lines;
    script.n_lines = n;
    script.then_end = a->opts.batch;
    if (a->listen != NULL) {
        lfd = open_listener(a, token, &want, &status);
    }
    if (a->listen == NULL || lfd >= 0) {
        status = cpdb_attach_main((pid_t)a->pid, lfd, want, &script);
    }
    if (lfd >= 0) {
        close(lfd);
    }
    for (k = 0; k < n; k++) {
        free(lines[k]);
    }
    free(lines);
    return status;
}

/* --- the debug adapter ---------------------------------------------------- */

static const Args *dap_args;

/* Start Python for the program a launch request names. */
static int
dap_start_python(const CpdbDapLaunch *l, char *err, size_t size)
{
    Args a = *dap_args;
    a.dap = 1;
    a.script = l->script;
    a.module = l->module;
    a.prog_argc = l->argc;
    a.prog_argv = l->argv;
    if (start_python(&a) < 0) {
        snprintf(err, size, "Cannot start Python %s.", CPDB_PYTHON_VERSION);
        return -1;
    }
    return 0;
}

static int
dap_attach_pid(long pid, char *err, size_t size)
{
    return cpdb_attach_dap((pid_t)pid, err, size);
}

/* Serve one debug adapter client on in_fd/out_fd (token: what launch
   and attach must give, or NULL; lfd: the listening socket it came
   from, or -1); the program of the command line, if any, is what an
   attach request starts.  Return: the exit status, or CPDB_DAP_REFUSED
   (a wrong token; lfd is still open). */
static int
serve_dap(const Args *a, int in_fd, int out_fd, const char *token, int lfd)
{
    CpdbDapConfig cfg;
    CpdbDapLaunch preset;
    memset(&cfg, 0, sizeof cfg);
    dap_args = a;
    cfg.listen_fd = lfd;
    cfg.in_fd = in_fd;
    cfg.out_fd = out_fd;
    cfg.token = token;
    cfg.backend = a->opts.backend;
    cfg.start_python = dap_start_python;
    cfg.attach_pid = dap_attach_pid;
    if (a->script != NULL || a->module != NULL) {
        preset.script = a->script;
        preset.module = a->module;
        preset.argc = a->prog_argc;
        preset.argv = a->prog_argv;
        cfg.preset = &preset;
    }
    return cpdb_dap_main(&cfg);
}

/* cpdb --dap [--listen ADDRESS].  Return: the exit status. */
static int
run_dap(const Args *a)
{
    char token[CPDB_REMOTE_TOKEN_LEN + 1], peer[128];
    const char *want = NULL;
    int status, in_fd, out_fd;

    if (a->listen != NULL) {
        int lfd = open_listener(a, token, &want, &status), fd;
        if (lfd < 0) {
            return status;
        }
        for (;;) {
            fd = cpdb_remote_accept(lfd, peer, sizeof peer);
            if (fd < 0) {
                fprintf(stderr, "cpdb: cannot accept a connection: %s\n",
                        strerror(errno));
                close(lfd);
                return 1;
            }
            fprintf(stderr, "cpdb: connected to %s\n", peer);
            status = serve_dap(a, fd, fd, want, lfd);
            if (status != CPDB_DAP_REFUSED) {
                close(lfd);
                return status;
            }
            fprintf(stderr, "cpdb: refused a connection from %s: wrong "
                    "token\n", peer);
            close(fd);
        }
    }
    else {
        /* The protocol keeps copies of the client's fds: 0, 1 and 2
           become the program's (/dev/null and pipes) at launch. */
        in_fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
        out_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
        if (in_fd < 0 || out_fd < 0) {
            fprintf(stderr, "cpdb: --dap needs stdin and stdout open\n");
            return 2;
        }
    }
    status = serve_dap(a, in_fd, out_fd, NULL, -1);
    return status == CPDB_DAP_REFUSED ? 1 : status;
}

int
main(int argc, char **argv)
{
    Args a;
    CpdbSession *s;
    CpdbRemote *remote = NULL;
    int i, rc, status, sig, interactive = isatty(STDIN_FILENO);
    int dap_status = -1;

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
    if (a.pid != 0) {
        status = run_attach(&a);
        free_args(&a);
        return status;
    }
    if (a.connect != NULL) {
        status = run_connect(&a);
        free_args(&a);
        return status;
    }
    if (a.dap) {
        status = run_dap(&a);
        free_args(&a);
        return status;
    }
    if (a.listen != NULL
        && (remote = listen_for_console(&a, &status, &dap_status))
               == NULL) {
        free_args(&a);
        /* An editor's session ran (the adapter's exit status), or the
           listener failed. */
        return dap_status >= 0 ? dap_status : status;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (start_python(&a) < 0) {
        cpdb_remote_engine_free(remote);
        free_args(&a);
        return 1;
    }
    /* This program owns its process: kill and quit never unwind the
       program, and run re-executes cpdb (docs/embedding.md). */
    a.opts.own_process = 1;
    a.opts.restart_argv = (char *const *)a.head;
    s = remote != NULL ? cpdb_session_new_remote(&a.opts, remote)
                       : cpdb_session_new(&a.opts);
    if (s == NULL) {
        fprintf(stderr, "cpdb: cannot create the debugger session\n");
        free_args(&a);
        return 1;
    }
    if (!a.opts.quiet && remote == NULL) {
        printf("cpdb %s (Python %s) -- type \"help\" for help.\n",
               CPDB_VERSION, CPDB_PYTHON_VERSION);
    }
    for (i = 0; i < a.n_cmds && a.opts.restore_state == NULL; i++) {
        if (a.cmds[i][0] == '@') {
            if (cpdb_session_queue_file(s, a.cmds[i] + 1) < 0) {
                cpdb_session_free(s);
                Py_FinalizeEx();
                cpdb_remote_engine_bye(remote, 1, CPDB_BYE_NONE);
                cpdb_remote_engine_free(remote);
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
    cpdb_remote_engine_bye(remote, status, CPDB_BYE_NONE);
    cpdb_remote_engine_free(remote);
    free_args(&a);
    if (status == 128 + sig) {
        die_of_signal(sig, &a, interactive);
    }
    return status;
}
