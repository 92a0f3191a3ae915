/* The command interpreter attached to a session: where its lines come
   from and its text goes, the prompt (the front-end callbacks a
   terminal user gets), settings, queued commands, displays, the listing
   position, and the memory commands' named snapshots.  Owned by the
   session (s->cli) and freed with it. */
#ifndef CPDB_SRC_CLI_H
#define CPDB_SRC_CLI_H

#include "cpdb/cpdb.h"
#include "base/compat.h"
#include "base/util.h"
#include "console/console.h"
#include "remote/engine.h"

typedef struct CpdbSession CpdbSession;
typedef struct CpdbCli CpdbCli;

/* Defaults and limits of the settings. */
enum {
    CPDB_DEFAULT_WIDTH = 80,        /* columns of one-line listings */
    CPDB_DEFAULT_LISTSIZE = 11,     /* lines "list" shows (pdb's 11) */
    CPDB_DEFAULT_PRINT_LIMIT = 4000 /* characters of a printed value */
};

typedef struct CpdbSettings {
    long width;             /* columns for one-line listings */
    long listsize;          /* lines shown by list */
    long print_limit;       /* characters of a printed repr (0: all) */
    int color;              /* use colour on a terminal */
    int maint_time;         /* report each command's time */
    int maint_space;        /* report each command's memory */
} CpdbSettings;

typedef struct CpdbDisplay {
    int number;
    int enabled;
    char *expr;             /* malloc */
    PyObject *code;         /* strong: compiled expression */
    PyObject *scope;        /* strong: code of the function whose locals
                               it reads (shown from the innermost frame
                               running it, or not at all), or NULL: the
                               selected frame */
} CpdbDisplay;

/* State kept by files of the memory commands between commands, each
   freed by its file's function (cpdb_cli_free calls them). */
typedef struct CpdbCensusSnaps CpdbCensusSnaps;    /* cmd_census.c */
typedef struct CpdbMemSnaps CpdbMemSnaps;          /* cmd_mem.c */
typedef struct CpdbLeakSizes CpdbLeakSizes;        /* heap/patterns.h */
void cpdb_census_snaps_free(CpdbCensusSnaps *c);
void cpdb_mem_snaps_free(CpdbMemSnaps *m);
void cpdb_leak_sizes_free(CpdbLeakSizes *t);
typedef struct CpdbBpCommands CpdbBpCommands;      /* cmd_commands.c */
typedef struct CpdbAliases CpdbAliases;            /* cmd_alias.c */
void cpdb_bp_commands_free(CpdbBpCommands *t);
void cpdb_aliases_free(CpdbAliases *t);

struct CpdbCli {
    CpdbIo io;              /* where lines come from and text goes */
    CpdbConsole *console;   /* owned: the terminal, when io is it */
    CpdbRemote *remote;     /* borrowed (the caller of
                               cpdb_session_new_remote frees it after the
                               session): the console elsewhere, when io
                               is it */
    CpdbBuf *capture;       /* borrowed: a command's text goes here
                               instead (cpdb_session_command_output) */
    CpdbSettings set;
    int n_failed;           /* commands that failed */

    /* Reading: queued lines first (init files, -ex, -x, source), each
       with a first byte saying whether to echo it ('e') or not ('q');
       Enter repeats last.  A command file's lines come between a "b" and
       an "x" item (cli.c). */
    CPDB_ARRAY(char *) queue;
    size_t queue_pos;
    int queue_echo;
    int source_depth;       /* command files the running line is in */
    char *last;             /* malloc, or NULL */
    char *start_dir;        /* malloc: where cpdb started (files.c), or
                               NULL */

    /* "step N" / "next N": further stops to show without a prompt. */
    long repeat;
    int repeat_next;        /* they are "next" stops (else "step") */
    /* A host's on_stop (cpdb_session_set_callbacks), given the stops
       that "step N" does not pass over; NULL with the prompt's. */
    void (*host_on_stop)(CpdbSession *s, const CpdbStop *stop, void *ctx);

    CPDB_ARRAY(CpdbDisplay) displays;
    int next_display;

    char *list_path;        /* where "list" continues (malloc) */
    int list_next;          /* next line "list" shows; 0: around current */
    long list_last_stop;    /* stop serial the listing belongs to */

    CpdbCensusSnaps *census;    /* named censuses, the growth baseline */
    CpdbMemSnaps *mem;          /* named tracemalloc snapshots */
    CpdbLeakSizes *leak;        /* container sizes at the last look */

    /* Typed by the user, kept as command text (user.h). */
    CpdbBpCommands *bp_commands;    /* "commands N" bodies */
    CpdbAliases *aliases;           /* "alias" */

    CPDB_ARRAY(char *) restore; /* state lines for the first stop */
};

/* Attach a command interpreter to s, reading and writing through io, or
   through the process's terminal when io is NULL; its prompt handles
   the stops.  Return 0, or -1 when out of memory. */
int cpdb_cli_attach(CpdbSession *s, const CpdbIo *io);
void cpdb_cli_free(CpdbSession *s);

/* The prompt's callbacks, for members a host leaves NULL. */
void cpdb_cli_callbacks(CpdbCallbacks *cb, CpdbSession *s);
/* The on_stop a session with a host's on_stop gets: the stops a
   "step N" or "next N" command passes over are shown as the prompt
   shows them; the others go to c->host_on_stop. */
void cpdb_cli_host_on_stop(CpdbSession *s, const CpdbStop *stop, void *ctx);

/* Read one command line after prompt: a queued one (echoed after the
   prompt), else from the I/O; Enter on an empty line gives the last
   repeatable command.  Return: malloc'd, or NULL at end of input (at
   once with --batch when the queue is empty). */
char *cpdb_cli_read(CpdbSession *s, const char *prompt);
/* The same without Enter repeating a command: for the lines of a
   "commands" body or an "interact" console.  Return: malloc'd, or NULL
   at end of input. */
char *cpdb_cli_read_raw(CpdbSession *s, const char *prompt);

/* Queue a command line (the init files' lines are not echoed). */
void cpdb_cli_queue(CpdbCli *c, const char *line);
/* Queue the lines of a command file (flags: CPDB_CMDFILE_*, files.h).
   Return 0, or -1 with *why (malloc'd): why it was not read. */
int cpdb_cli_queue_file(CpdbCli *c, const char *path, unsigned flags,
                        char **why);
/* Insert the lines of a command file so they run next ("source"),
   nested at most CPDB_SOURCE_MAX_DEPTH deep: past that, what is left of
   the files being sourced is skipped.  Return as cpdb_cli_queue_file. */
int cpdb_cli_insert_file(CpdbCli *c, const char *path, char **why);

/* Showing where the program stands (show.c).
   Print the pdb-style location of the selected frame:
   "> /abs/file.py(12)func()SUFFIX" and "-> source". */
void cpdb_cli_print_location(CpdbSession *s, const char *suffix);
/* "->VALUE" after the location of a --Return-- stop, the value cut to
   limit.  Return: malloc'd, or NULL when the selected frame is not the
   returning one. */
char *cpdb_cli_return_suffix(CpdbSession *s, long limit);
/* Print the location after "frame", "up", "down" (with the return value
   at a --Return-- of the innermost frame). */
void cpdb_cli_show_frame(CpdbSession *s);
/* At a stop in a thread other than the main one: "[Thread 2
   "worker-1"]", before the stop's own lines (cmd_threads.c). */
void cpdb_cli_print_thread_line(CpdbSession *s, const CpdbStop *stop);
/* Print the displays, or one of them. */
void cpdb_cli_show_displays(CpdbSession *s);
void cpdb_cli_show_display(CpdbSession *s, const CpdbDisplay *d);

/* --- running again (cmd_run.c, restart.c) --- */

typedef struct CpdbRedirects CpdbRedirects;     /* core/program.h */

/* Parse "run"'s arguments: words as a shell splits them (quotes, and
   backslash escapes), and redirections ("< in", "> out", ">> out",
   "2> err", "2>> err", "2>&1"), their files checked now and made
   absolute against the directory cpdb started in.  Return 0 with
   *argv (malloc'd strings) and the redirections added to redir (its
   text the canonical spelling), or -1 after reporting. */
int cpdb_cli_parse_run_args(CpdbSession *s, const char *text, int *argc,
                            char ***argv, CpdbRedirects *redir);
/* Append w so that cpdb_cli_parse_run_args reads it back as one word. */
void cpdb_cli_quote_word(CpdbBuf *b, const char *w);

/* The session's state as lines for the process "run" makes (commands,
   and "#cpdb" lines for what no command sets).  Return: malloc'd. */
char *cpdb_cli_save_state(CpdbSession *s);
/* Take in a state file's text (attach time): what must be in place
   before the program starts is set now, the commands wait for the first
   stop (cpdb_cli_restore_commands). */
void cpdb_cli_restore_state(CpdbSession *s, const char *text);
/* Run the restored commands, silently (errors are shown), before the
   first stop is shown. */
void cpdb_cli_restore_commands(CpdbSession *s);
/* For a session that owns its process: what a restart needs from the
   command interpreter, and the state a restart left (CpdbOptions). */
void cpdb_cli_restart_attach(CpdbSession *s);

#endif /* CPDB_SRC_CLI_H */
