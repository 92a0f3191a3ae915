/* The one writer: everything cpdb says goes through here, after the
   debugged program's own buffered output. */
#ifndef CPDB_SRC_OUTPUT_H
#define CPDB_SRC_OUTPUT_H

#include "base/compat.h"
#include "base/util.h"

typedef struct CpdbSession CpdbSession;

/* Write to cpdb's standard output. */
void cpdb_out(CpdbSession *s, const char *fmt, ...) CPDB_PRINTF(2, 3);
/* Write a one-line error (a newline is added). */
void cpdb_error(CpdbSession *s, const char *fmt, ...) CPDB_PRINTF(2, 3);
/* Report the pending Python exception as one line "Type: message",
   with an optional prefix, and clear it. */
void cpdb_error_exc(CpdbSession *s, const char *prefix);

/* Flush the program's sys.stdout and sys.stderr, then cpdb's stdout, so
   that the two streams interleave in time order. */
void cpdb_out_sync(CpdbSession *s);

/* repr(o) as UTF-8, cut to limit characters (0: no limit) with a
   marker.  Never fails: a failing repr gives "<repr failed: ...>".
   Return: malloc'd. */
char *cpdb_repr(PyObject *o, long limit);
/* str(o) the same way. */
char *cpdb_str(PyObject *o, long limit);
/* The pending exception as "Type: message"; clears it.
   Return: malloc'd. */
char *cpdb_exc_take_line(void);
/* Format an exception value as traceback.format_exception_only's last
   line.  Return: malloc'd. */
char *cpdb_exc_line(PyObject *value);

/* Whether colour may be used on stdout. */
int cpdb_out_color(CpdbSession *s);

#endif /* CPDB_SRC_OUTPUT_H */
