/* Files the user names to cpdb: where a relative name starts from,
   command files (init files, -x, source) read with limits and the
   safe-path checks, and output files (gc graph) written whole or not at
   all. */
#ifndef CPDB_SRC_FILES_H
#define CPDB_SRC_FILES_H

#include "base/util.h"

#include <stddef.h>

typedef struct CpdbSession CpdbSession;

/* Limits of command files. */
enum {
    CPDB_SOURCE_MAX_DEPTH = 10,         /* files sourced from files */
    CPDB_CMDFILE_MAX_LINE = 65536,      /* bytes in one line */
    CPDB_CMDFILE_MAX_SIZE = 4 << 20     /* bytes in one file (4 MiB) */
};

/* How a command file is checked before it is read. */
enum {
    /* ./.cpdbrc: not a symbolic link, owned by the user, not writable
       by group or others, in a folder that group and others cannot
       write to (unless it has the sticky bit). */
    CPDB_CMDFILE_LOCAL_INIT = 1,
    /* ~/.cpdbrc: may be a symbolic link (dotfile managers make them);
       the file must be owned by the user (or root) and not writable by
       group or others. */
    CPDB_CMDFILE_HOME_INIT = 2
};

typedef CPDB_ARRAY(char *) CpdbLines;

/* Record the folder cpdb started in (once, when the command interpreter
   is attached): relative file names given to commands start there,
   wherever the program has moved to with os.chdir(). */
void cpdb_files_record_start(CpdbSession *s);
/* name made absolute against that folder.  Return: malloc'd. */
char *cpdb_files_user_path(CpdbSession *s, const char *name);

/* Read the command lines of the file at path: opened first (never
   following a symbolic link for CPDB_CMDFILE_LOCAL_INIT), then checked
   on the open file, so nothing can be swapped in between.  A regular
   file only, at most CPDB_CMDFILE_MAX_SIZE bytes, lines of at most
   CPDB_CMDFILE_MAX_LINE bytes, no NUL byte; blank lines are left out,
   line ends ("\n", "\r\n") cut.
   Return: 0 with the lines appended to out (malloc'd, the caller's);
   -1 with *why (malloc'd), the reason as a clause ("it is a
   directory"), and nothing appended; errno is ENOENT when there is no
   such file. */
int cpdb_cmdfile_read(const char *path, unsigned flags, CpdbLines *out,
                      char **why);

/* Write a file the user named: into a new file beside it (mkstemp),
   renamed over path only once complete, so a failure leaves nothing
   half-written and a symbolic link at path is replaced, never followed.
   With filter (argv of a program such as {"dot", "-Tpng", NULL}, run
   without a shell), data is the program's standard input and what it
   writes is the file; its file names are never on its command line.
   Return: 0, or -1 with *why (malloc'd) for a one-line error: "dot"
   missing or failing (with the first line it printed), or the system's
   error. */
int cpdb_files_write(const char *path, const char *data, size_t len,
                     char *const filter[], char **why);

#endif /* CPDB_SRC_FILES_H */
