/* The public functions that involve the command interpreter: making a
   session (an engine with a command interpreter and its prompt), the
   front-end's callbacks, and running commands. */
#include "cpdb/cpdb.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/session.h"

#include <stdlib.h>

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
    if (s == NULL || path == NULL) {
        return CPDB_E_ARGS;
    }
    if (cpdb_cli_queue_file(s->cli, path) < 0) {
        cpdb_error(s, "Cannot read command file \"%s\".", path);
        return cpdb_session_fail(s, CPDB_E_NOFILE, "Cannot read command "
                                 "file \"%s\".", path);
    }
    return CPDB_OK;
}

int
cpdb_session_command(CpdbSession *s, const char *line)
{
    if (s == NULL || line == NULL) {
        return CPDB_E_ARGS;
    }
    if (cpdb_command_execute(s, line) == CMD_FAILED) {
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
