/* The command table: one record per command with its names, help text
   and handler.  Help, completion and docs/commands.md come from here. */
#ifndef CPDB_SRC_COMMAND_H
#define CPDB_SRC_COMMAND_H

typedef struct CpdbSession CpdbSession;

/* The candidates of one completion (cli/complete.c); a completer adds
   the ones that start with what is typed, with cpdb_complete_add(). */
typedef struct CpdbCompletion CpdbCompletion;
typedef void (*CmdCompleter)(CpdbSession *s, CpdbCompletion *c);

/* What a command did: CMD_FAILED when it reported an error (counted for
   --batch).  Whether the program goes on is the engine's state
   (cpdb_session_should_resume), not the command's answer. */
typedef enum { CMD_STAY, CMD_FAILED } CmdResult;
typedef CmdResult (*CmdFunc)(CpdbSession *s, const char *args);

typedef enum {
    CMD_CLASS_RUNNING,
    CMD_CLASS_BREAKPOINTS,
    CMD_CLASS_STACK,
    CMD_CLASS_DATA,
    CMD_CLASS_FILES,
    CMD_CLASS_MEMORY,
    CMD_CLASS_STATUS,
    CMD_CLASS_SUPPORT,
    CMD_CLASS_COUNT
} CmdClass;

enum {
    CMD_REPEATS = 1 << 0,       /* Enter on an empty line repeats it */
    CMD_NEEDS_FRAME = 1 << 1,   /* only when stopped in a frame */
    CMD_NEEDS_LIVE = 1 << 2,    /* only while the program runs (not
                                   after it ended or post-mortem) */
    CMD_REPEATS_BARE = 1 << 3,  /* Enter repeats the word without its
                                   arguments */
    CMD_DOLLAR_TO_FN = 1 << 4   /* with subcommands: arguments that start
                                   with '$' go to fn ("set $x = 1") */
};

typedef struct CmdDef {
    const char *name;           /* "backtrace" */
    const char *aliases;        /* "bt where", space-separated, or NULL */
    CmdClass cls;
    unsigned flags;
    CmdFunc fn;                 /* NULL when only subcommands; with
                                   subcommands, what it does alone */
    const char *usage;          /* "backtrace [COUNT]" */
    const char *doc;            /* one sentence ending in '.', then more */
    /* A prefix command's subcommands: a NULL-terminated list of tables
       (each ending with a NULL name), each exported by the file that
       implements them, so a subcommand's help sits by its code; or
       NULL. */
    const struct CmdDef *const *subcommands;
    CmdCompleter complete;      /* completes its arguments, or NULL */
} CmdDef;

/* The tables, one per family, each ending with a record whose name is
   NULL; cpdb_command_tables lists them, ending with NULL. */
extern const CmdDef cpdb_cmds_running[];
extern const CmdDef cpdb_cmds_break[];
extern const CmdDef cpdb_cmds_exceptions[];     /* cmd_exceptions.c */

extern const CmdDef cpdb_cmds_stack[];
extern const CmdDef cpdb_cmds_threads[];         /* cmd_threads.c */
extern const CmdDef cpdb_cmds_tasks[];          /* cmd_tasks.c */
extern const CmdDef cpdb_cmds_data[];
extern const CmdDef cpdb_cmds_files[];
extern const CmdDef cpdb_cmds_info[];
extern const CmdDef cpdb_cmds_support[];
extern const CmdDef cpdb_cmds_gc[];
extern const CmdDef cpdb_cmds_mem[];
extern const CmdDef cpdb_cmds_leak[];
extern const CmdDef cpdb_cmds_commands[];       /* cmd_commands.c */
extern const CmdDef cpdb_cmds_alias[];          /* cmd_alias.c */
extern const CmdDef cpdb_cmds_interact[];       /* cmd_interact.c */
extern const CmdDef cpdb_cmds_complete[];       /* cmd_complete.c */
extern const CmdDef *const cpdb_command_tables[];
extern const char *const cpdb_class_names[CMD_CLASS_COUNT];
extern const char *const cpdb_class_docs[CMD_CLASS_COUNT];

typedef enum {
    CMD_LOOKUP_FOUND,
    CMD_LOOKUP_NONE,
    CMD_LOOKUP_AMBIGUOUS
} CmdLookup;

/* Find a command by exact name, alias, or unique prefix of a name in a
   NULL-terminated list of tables.  On CMD_LOOKUP_AMBIGUOUS, *matches
   receives a malloc'd ", "-separated list of candidates. */
CmdLookup cpdb_command_lookup(const CmdDef *const *tables, const char *word,
                              const CmdDef **found, char **matches);

/* Whether word is d's name or one of its aliases (not a prefix). */
int cpdb_command_has_name(const CmdDef *d, const char *word);

/* The records of a NULL-terminated list of tables, in order:
       for (d = cpdb_command_next(tables, NULL); d != NULL;
            d = cpdb_command_next(tables, d))
   Return: the record after prev (the first when prev is NULL), or
   NULL at the end. */
const CmdDef *cpdb_command_next(const CmdDef *const *tables,
                                const CmdDef *prev);

/* Split a line into its command word and the rest.  The word is the
   leading run of letters, digits, '_' and '-', or a lone '?'.  Return 0,
   or -1 when the line does not start with a word. */
int cpdb_command_split(const char *line, char *word, int word_size,
                       const char **rest);

/* Length of a doc's summary: its first line without the final '.'. */
int cpdb_doc_summary_len(const char *doc);

/* Run one line typed at the prompt: a command, or Python. */
CmdResult cpdb_command_execute(CpdbSession *s, const char *line);
/* What Enter on an empty line runs after this line: the line itself,
   its bare command word ("list 20" continues as "list"), or nothing.
   Return: malloc'd line, or NULL when it does not repeat. */
char *cpdb_command_repeat_form(const char *line);
/* Run a subcommand of cmd ("info frame"). */
CmdResult cpdb_command_sub(CpdbSession *s, const CmdDef *cmd,
                           const char *args);

#endif /* CPDB_SRC_COMMAND_H */
