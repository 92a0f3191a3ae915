/* Reading commands: queued commands first (init files, -ex, -x), then
   libedit on a terminal or plain lines otherwise. */
#ifndef CPDB_SRC_REPL_H
#define CPDB_SRC_REPL_H

typedef struct CpdbSession CpdbSession;

typedef struct CpdbRepl {
    char **queue;           /* queued command lines (malloc) */
    int n_queue, cap_queue, pos_queue;
    int queue_echo;         /* echo queued lines after the prompt */
    int interactive;        /* stdin is a terminal: use libedit */
    int editline_ready;
    char *history_path;     /* ~/.cpdb_history (malloc) or NULL */
    char *last;             /* last command, for Enter (malloc) or NULL */
} CpdbRepl;

void cpdb_repl_init(CpdbRepl *r, int in_fd);
void cpdb_repl_fini(CpdbRepl *r);
void cpdb_repl_queue(CpdbRepl *r, const char *line);
/* Queue the lines of a command file.  Return 0, or -1 (errno set). */
int cpdb_repl_queue_file(CpdbRepl *r, const char *path);
/* Insert the lines of a command file so they run next ("source").
   Return 0, or -1 (errno set). */
int cpdb_repl_insert_file(CpdbRepl *r, const char *path);

/* Read one command line after printing prompt.  Return: malloc'd line
   without its newline, or NULL at end of input. */
char *cpdb_repl_read(CpdbSession *s, const char *prompt);

#endif /* CPDB_SRC_REPL_H */
