/* The one writer: everything the command interpreter says goes through
   here, to its I/O, after the debugged program's own buffered output. */
#ifndef CPDB_SRC_OUTPUT_H
#define CPDB_SRC_OUTPUT_H

#include "base/compat.h"
#include "base/text.h"
#include "base/util.h"

typedef struct CpdbSession CpdbSession;

/* Write to the output. */
void cpdb_out(CpdbSession *s, const char *fmt, ...) CPDB_PRINTF(2, 3);
/* Write a one-line error (a newline is added). */
void cpdb_error(CpdbSession *s, const char *fmt, ...) CPDB_PRINTF(2, 3);
/* Report the pending Python exception as one line "Type: message",
   with an optional prefix, and clear it. */
void cpdb_error_exc(CpdbSession *s, const char *prefix);

/* Flush the program's sys.stdout and sys.stderr, then the output, so
   that the two streams interleave in time order. */
void cpdb_out_sync(CpdbSession *s);
/* Flush the output. */
void cpdb_out_flush(CpdbSession *s);

/* Whether colour may be used on the output. */
int cpdb_out_color(CpdbSession *s);
/* How wide a frame's argument values may be printed (bt, stops). */
long cpdb_cli_arg_width(CpdbSession *s);

#endif /* CPDB_SRC_OUTPUT_H */
