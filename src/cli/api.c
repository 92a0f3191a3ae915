/* The public functions that involve the command interpreter: making a
   session (an engine with a command interpreter attached, the prompt
   handling its stops), the front-end's callbacks, and running commands.
   Attaching reads the init files. */
#include "cpdb/cpdb.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "core/hooks.h"
#include "cli/files.h"
#include "cli/output.h"
#include "core/session.h"
#include "core/source.h"
#include "remote/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- attaching the command interpreter ----------------------------------- */

/* Queue an init file if it is there and safe to read (files.h says
   what is checked); warn when it is there but refused. */
static void
queue_init_file(CpdbSession *s, const char *path, unsigned flags)
{
    char *why = NULL;
    if (cpdb_cli_queue_file(s->cli, path, flags, &why) < 0) {
        if (errno != ENOENT) {
            cpdb_error(s, "warning: %s not loaded: %s.", path, why);
        }
        free(why);
    }
}

static void
queue_init_files(CpdbSession *s)
{
    const char *home = getenv("HOME");
    char *home_rc = NULL, *cwd_rc, *real_home = NULL, *real_cwd = NULL;
    s->cli->queue_echo = 0;
    if (home != NULL && *home != '\0') {
        home_rc = cpdb_xasprintf("%s/.cpdbrc", home);
        queue_init_file(s, home_rc, CPDB_CMDFILE_HOME_INIT);
        real_home = realpath(home_rc, NULL);
    }
    cwd_rc = cpdb_path_absolute(".cpdbrc");
    real_cwd = realpath(cwd_rc, NULL);
    if (real_cwd != NULL
        && (real_home == NULL || strcmp(real_home, real_cwd) != 0)) {
        queue_init_file(s, cwd_rc, CPDB_CMDFILE_LOCAL_INIT);
    }
    s->cli->queue_echo = 1;
    free(home_rc);
    free(cwd_rc);
    free(real_home);
    free(real_cwd);
}

/* A terminal's width, when it has one worth using, for the listings. */
static void
use_columns(CpdbCli *c, int cols)
{
    if (cols > 20) {
        c->set.width = cols;
    }
}

static char **
complete_in_session(void *ctx, const char *line, int start,
                    const char *text, int *words)
{
    return cpdb_complete(ctx, line, start, text, words);
}

int
cpdb_cli_attach(CpdbSession *s, const CpdbIo *io)
{
    CpdbCli *c = cpdb_xcalloc(1, sizeof *c);
    s->cli = c;
    c->set.width = CPDB_DEFAULT_WIDTH;
    c->set.listsize = CPDB_DEFAULT_LISTSIZE;
    c->set.print_limit = CPDB_DEFAULT_PRINT_LIMIT;
    c->set.color = 1;
    c->queue_echo = 1;
    c->next_display = 1;
    if (io != NULL) {
        c->io = *io;
    }
    else {
        c->console = cpdb_console_new();
        cpdb_console_io(c->console, &c->io);
        cpdb_console_set_completer(c->console, complete_in_session, s);
        use_columns(c, cpdb_console_columns(c->console));
    }
    cpdb_cli_callbacks(&s->cb, s);
    cpdb_files_record_start(s);
    if (!s->opts.no_init_files) {
        queue_init_files(s);
    }
    cpdb_cli_restart_attach(s);
    return 0;
}

void
cpdb_cli_free(CpdbSession *s)
{
    CpdbCli *c = s->cli;
    size_t i;
    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->queue.n; i++) {
        free(c->queue.items[i]);
    }
    free(c->queue.items);
    for (i = 0; i < c->restore.n; i++) {
        free(c->restore.items[i]);
    }
    free(c->restore.items);
    free(c->last);
    for (i = 0; i < c->displays.n; i++) {
        free(c->displays.items[i].expr);
        Py_XDECREF(c->displays.items[i].code);
        Py_XDECREF(c->displays.items[i].scope);
    }
    free(c->displays.items);
    free(c->list_path);
    free(c->start_dir);
    cpdb_census_snaps_free(c->census);
    cpdb_mem_snaps_free(c->mem);
    cpdb_leak_sizes_free(c->leak);
    cpdb_bp_commands_free(c->bp_commands);
    cpdb_aliases_free(c->aliases);
    cpdb_console_free(c->console);
    free(c);
    s->cli = NULL;
}

/* --- sessions ------------------------------------------------------------ */

CpdbSession *
cpdb_session_new_io(const CpdbOptions *opts, const CpdbIo *io)
{
    CpdbSession *s;
    if (io != NULL && (io->read_line == NULL || io->write == NULL)) {
        return NULL;
    }
    s = cpdb_session_create(opts);
    if (s == NULL) {
        return NULL;
    }
    if (cpdb_cli_attach(s, io) < 0) {
        cpdb_session_destroy(s);
        return NULL;
    }
    return s;
}

/* A console elsewhere (cpdb --listen, cpdb -p): the output of Python
   typed at a stop goes there, not to the process's own streams, which
   are not the user's terminal.  write(text) of the file object that
   stands for sys.stdout and sys.stderr while it runs (s->eval_output). */
static PyObject *
output_write(PyObject *self, PyObject *arg)
{
    CpdbSession *s = PyCapsule_GetPointer(self, "cpdb.session");
    Py_ssize_t n;
    const char *text;
    if (s == NULL) {
        return NULL;
    }
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "write() argument must be str, not %s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    text = PyUnicode_AsUTF8AndSize(arg, &n);
    if (text == NULL) {
        return NULL;
    }
    cpdb_out(s, "%.*s", (int)n, text);
    return PyLong_FromSsize_t(PyUnicode_GET_LENGTH(arg));
}

static PyObject *
output_flush(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_RETURN_NONE;
}

static PyMethodDef output_write_def = {"write", output_write, METH_O, NULL};
static PyMethodDef output_flush_def = {"flush", output_flush, METH_NOARGS,
                                       NULL};

/* Return: new reference to an object with write() and flush() bound to
   s, or NULL with an exception set. */
static PyObject *
output_object(CpdbSession *s)
{
    PyObject *types = PyImport_ImportModule("types");
    PyObject *ns = types ? PyObject_GetAttrString(types, "SimpleNamespace")
                         : NULL;
    PyObject *w = cpdb_hooks_function(s, &output_write_def);
    PyObject *f = cpdb_hooks_function(s, &output_flush_def);
    PyObject *kw = Py_BuildValue("{sOsOsi}", "write", w, "flush", f,
                                 "encoding", 0);
    PyObject *args = PyTuple_New(0), *out = NULL;
    if (ns != NULL && w != NULL && f != NULL && kw != NULL && args != NULL) {
        PyObject *utf8 = PyUnicode_FromString("utf-8");
        if (utf8 != NULL && PyDict_SetItemString(kw, "encoding", utf8) == 0) {
            out = PyObject_Call(ns, args, kw);
        }
        Py_XDECREF(utf8);
    }
    Py_XDECREF(args);
    Py_XDECREF(kw);
    Py_XDECREF(f);
    Py_XDECREF(w);
    Py_XDECREF(ns);
    Py_XDECREF(types);
    return out;
}

CpdbSession *
cpdb_session_new_remote(const CpdbOptions *opts, struct CpdbRemote *r)
{
    CpdbSession *s;
    CpdbIo io;
    if (r == NULL) {
        return NULL;
    }
    cpdb_remote_engine_io(r, &io);
    s = cpdb_session_new_io(opts, &io);
    if (s == NULL) {
        return NULL;
    }
    s->cli->remote = r;
    cpdb_remote_engine_set_completer(r, complete_in_session, s);
    use_columns(s->cli, cpdb_remote_engine_columns(r));
    s->eval_output = output_object(s);
    PyErr_Clear();
    return s;
}

CpdbSession *
cpdb_session_new(const CpdbOptions *opts)
{
    return cpdb_session_new_io(opts, NULL);
}

void
cpdb_session_free(CpdbSession *s)
{
    if (s == NULL) {
        return;
    }
    cpdb_cli_free(s);
    cpdb_session_destroy(s);
}

int
cpdb_session_set_callbacks(CpdbSession *s, const CpdbCallbacks *cb)
{
    CpdbCallbacks prompt;
    if (s == NULL) {
        return CPDB_E_ARGS;
    }
    cpdb_cli_callbacks(&prompt, s);
    s->cli->host_on_stop = NULL;
    if (cb == NULL) {
        s->cb = prompt;
        return CPDB_OK;
    }
    s->cb = *cb;
    if (s->cb.on_stop == NULL) {
        s->cb.on_stop = prompt.on_stop;
    }
    else {
        /* "step N" and "next N" pass over stops before the host's */
        s->cli->host_on_stop = cb->on_stop;
        s->cb.on_stop = cpdb_cli_host_on_stop;
    }
    if (s->cb.on_post_mortem == NULL) {
        s->cb.on_post_mortem = prompt.on_post_mortem;
    }
    if (s->cb.on_exit == NULL) {
        s->cb.on_exit = prompt.on_exit;
    }
    if (s->cb.on_idle == NULL) {
        s->cb.on_idle = prompt.on_idle;
    }
    if (s->cb.on_message == NULL) {
        s->cb.on_message = prompt.on_message;
    }
    return CPDB_OK;
}

int
cpdb_session_queue_command(CpdbSession *s, const char *line)
{
    if (s == NULL || line == NULL) {
        return CPDB_E_ARGS;
    }
    cpdb_cli_queue(s->cli, line);
    return CPDB_OK;
}

int
cpdb_session_queue_file(CpdbSession *s, const char *path)
{
    char *why = NULL;
    int rc = CPDB_OK;
    if (s == NULL || path == NULL) {
        return CPDB_E_ARGS;
    }
    if (cpdb_cli_queue_file(s->cli, path, 0, &why) < 0) {
        cpdb_error(s, "Cannot read command file \"%s\": %s.", path, why);
        rc = cpdb_session_fail(s, CPDB_E_NOFILE, "Cannot read command "
                               "file \"%s\": %s.", path, why);
        free(why);
    }
    return rc;
}

int
cpdb_session_command(CpdbSession *s, const char *line)
{
    if (s == NULL || line == NULL) {
        return CPDB_E_ARGS;
    }
    if (cpdb_command_execute(s, line) == CMD_FAILED) {
        s->cli->n_failed++;
        return cpdb_session_fail(s, CPDB_E_COMMAND, "The command \"%s\" "
                                 "failed.", line);
    }
    return CPDB_OK;
}

int
cpdb_session_command_output(CpdbSession *s, const char *line, char **output)
{
    CpdbBuf b, *outer;
    int rc;
    if (s == NULL || line == NULL || output == NULL) {
        return CPDB_E_ARGS;
    }
    cpdb_session_flush_program(s);
    cpdb_buf_init(&b);
    outer = s->cli->capture;
    s->cli->capture = &b;
    rc = cpdb_session_command(s, line);
    s->cli->capture = outer;
    *output = cpdb_buf_take(&b);
    return rc;
}

int
cpdb_session_failed_commands(const CpdbSession *s)
{
    return s != NULL && s->cli != NULL ? s->cli->n_failed : 0;
}
