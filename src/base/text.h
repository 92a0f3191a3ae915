/* Text of Python objects for people: repr and str cut to a length,
   exceptions as one line "Type: message". */
#ifndef CPDB_SRC_TEXT_H
#define CPDB_SRC_TEXT_H

#include "base/compat.h"

/* Widths that text of objects is cut to where space is short. */
enum {
    CPDB_WIDTH_BRIEF = 60,      /* an object in a heap listing */
    CPDB_WIDTH_VALUE = 40,      /* a return value on a location line,
                                   an argument, a graph node's label */
};

/* repr(o) as UTF-8, cut to limit characters (0: no limit) with a
   marker.  Never fails: a failing repr gives "<repr failed: ...>".
   Return: malloc'd. */
char *cpdb_repr(PyObject *o, long limit);
/* text cut to limit code points (0: all), the cut marked as
   cpdb_repr marks it.  Return: malloc'd. */
char *cpdb_cut_text(const char *text, long limit);
/* str(o) the same way. */
char *cpdb_str(PyObject *o, long limit);
/* The pending exception as "Type: message"; clears it.
   Return: malloc'd. */
char *cpdb_exc_take_line(void);
/* Format an exception value as traceback.format_exception_only's last
   line.  Return: malloc'd. */
char *cpdb_exc_line(PyObject *value);

#endif /* CPDB_SRC_TEXT_H */
