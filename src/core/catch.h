/* Catchpoints: "catch raise [TYPE...]" stops where an exception of one
   of the types (or a subclass) is raised, caught or not.  A catchpoint
   is a record of the breakpoint table, numbered with the breakpoints
   and enabled, disabled, deleted, given a condition or an ignore count
   as they are; it holds a CpdbCatch instead of a location.

   "Raised here" is read from the exception's traceback at the trace
   backend's exception event: the event comes again in every frame the
   exception passes through on its way out, and only in the frame that
   raised it does the traceback end at that frame.  A catchpoint made
   with --user leaves out the standard library (and installed
   packages): it stops where user code raises, or where an exception
   raised in library code first reaches user code, so exceptions raised
   and caught inside the library never stop. */
#ifndef CPDB_SRC_CATCH_H
#define CPDB_SRC_CATCH_H

#include "base/compat.h"

typedef struct CpdbCatch {
    char **types;           /* class names as typed (malloc each), or
                               none: any exception */
    int n_types;
    int user_only;          /* --user: library code left out */
    int user_uncaught;      /* --user-uncaught: only where user code
                               raises an exception that no frame of
                               user code above may catch before it
                               reaches library code (or leaves the
                               program): a try, except, finally or with
                               block open in such a frame counts as
                               catching it */
} CpdbCatch;

/* Return: a new catchpoint of the n names in types (copied).  Never
   NULL. */
CpdbCatch *cpdb_catch_new(char *const *types, int n, int user_only);
void cpdb_catch_free(CpdbCatch *c);

/* "raise --user ValueError KeyError", as the command to make it again
   takes it.  Return: malloc'd. */
char *cpdb_catch_describe(const CpdbCatch *c);

/* Whether name can name a class: identifiers joined by dots. */
int cpdb_catch_name_valid(const char *name);

/* Learn where the library lives (the folder of os, site's package
   folders), once per process, before the first --user catchpoint is
   checked.  Imports nothing; runs Python (site's functions): the caller
   holds the session's re-entrancy guard.  Leaves no exception. */
void cpdb_catch_learn_library(void);

/* Whether a file (co_filename) is the library's: under the standard
   library's or installed packages' folders (cpdb_catch_learn_library
   first), or frozen into python. */
int cpdb_catch_is_library_path(const char *path);
/* Whether the exception event of frame (exc: the exception, tb: the
   traceback the event carries) stops catchpoint c.  Runs no Python
   code.  Return: 1 or 0. */
int cpdb_catch_matches(const CpdbCatch *c, PyFrameObject *frame,
                       PyObject *exc, PyObject *tb);

#endif /* CPDB_SRC_CATCH_H */
