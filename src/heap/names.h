/* Naming references and objects for people: ".attr", "['key']", "[3]",
   ".__defaults__", ".__closure__[0]", ".f_locals['x']"; and one-line
   object descriptions.  Worked out only for what is printed. */
#ifndef CPDB_SRC_HEAP_NAMES_H
#define CPDB_SRC_HEAP_NAMES_H

#include "base/compat.h"

/* The name of the reference from src to dst.  Return: malloc'd label,
   or NULL when none is found (the reference is still real). */
char *cpdb_edge_name(PyObject *src, PyObject *dst);

/* Whether dst is the attribute dictionary (__dict__) of src, which
   chains skip: "obj .attr" rather than "obj .__dict__ ['attr']". */
int cpdb_is_dict_of(PyObject *src, PyObject *dst);

/* "function compute", "module __main__", "dict (3 items)",
   "__main__.Big object", "list [1, 2, 3]": the type and a short repr
   cut to limit characters.  Return: malloc'd. */
char *cpdb_obj_brief(PyObject *o, long limit);
/* A repr cut to limit characters (0: all) that does not build the whole
   text of big built-in containers, strings and bytes.  Return: malloc'd. */
char *cpdb_bounded_repr(PyObject *o, long limit);

#endif /* CPDB_SRC_HEAP_NAMES_H */
