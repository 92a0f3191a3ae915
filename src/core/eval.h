/* Evaluating the user's Python in a frame: expressions, statements,
   conditions; $N value-history references; locals write-back. */
#ifndef CPDB_SRC_EVAL_H
#define CPDB_SRC_EVAL_H

#include "base/compat.h"

typedef struct CpdbSession CpdbSession;

/* Compile text as an expression ("eval") or statements ("exec") after
   replacing $N references.  Return: new code object, or NULL with a
   SyntaxError set. */
PyObject *cpdb_eval_compile(CpdbSession *s, const char *text, int as_expr);

/* Evaluate an expression in frame (NULL: the __main__ module).
   Return: new reference, or NULL with an exception set. */
PyObject *cpdb_eval_expr(CpdbSession *s, PyFrameObject *frame,
                         const char *text);

/* Run a line of Python in frame as pdb does: an expression's value is
   returned in *value (new reference, NULL for statements).  Assignments
   to locals stick.  Return 0, or -1 with an exception set. */
int cpdb_eval_line(CpdbSession *s, PyFrameObject *frame, const char *text,
                   PyObject **value);

/* Run a compiled code object in frame (conditions, displays).
   Return: new reference or NULL with an exception set. */
PyObject *cpdb_eval_code(CpdbSession *s, PyFrameObject *frame,
                         PyObject *code);

/* The namespaces Python runs in at frame (NULL: __main__'s dict for
   both): *globals and *locals receive new references.  Return 0, or -1
   with an exception set. */
int cpdb_eval_namespaces(PyFrameObject *frame, PyObject **globals,
                         PyObject **locals);
/* Run code in the namespaces given, as debugger work (no stops, the
   collector as the program set it).  Return: new reference, or NULL
   with an exception set. */
PyObject *cpdb_eval_code_in(CpdbSession *s, PyObject *code,
                            PyObject *globals, PyObject *locals);

/* Value history: record v (gdb's $N).  Return: N. */
long cpdb_history_add(CpdbSession *s, PyObject *v);

/* Rewrite $N, $, $$ and $$N outside string literals into names that
   cpdb_eval_* binds; the history numbers used go to used[0..*n_used).
   Return: malloc'd text, or NULL with *err set to a static message when
   a history number does not exist or too many are used. */
char *cpdb_eval_rewrite_history(const char *text, long history_len,
                                long *used, int max_used, int *n_used,
                                const char **err);

#endif /* CPDB_SRC_EVAL_H */
