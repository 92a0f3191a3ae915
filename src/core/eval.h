/* Evaluating the user's Python in a frame: expressions, statements,
   conditions; $N value-history references; locals write-back. */
#ifndef CPDB_SRC_EVAL_H
#define CPDB_SRC_EVAL_H

#include "base/compat.h"

#include <stddef.h>

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

/* The globals Python at a stop runs in: frame's, or __main__'s when there
   is no frame.  Return: new reference, or NULL with an exception set. */
PyObject *cpdb_eval_globals(PyFrameObject *frame);
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
/* A restarted process: numbering goes on after n values, which belonged
   to the program's earlier run and are gone ($1..$n then say so). */
void cpdb_history_skip(CpdbSession *s, long n);
/* Drop the values of the history, which then holds nothing of the
   program: because the program runs again (earlier_run), or because the
   user asked.  Their numbers stay taken; using one says why it is gone.
   Return: how many values were dropped. */
long cpdb_history_drop(CpdbSession *s, int earlier_run);
/* The values that nothing but the history refers to (each reference to
   them is one of its entries), at most max of them: their numbers in
   numbers[0..).  Return: how many there are (more than max when some
   did not fit). */
long cpdb_history_sole(CpdbSession *s, long *numbers, long max);

/* Rewrite $N, $, $$, $$N and $name outside string literals into names
   that cpdb_eval_* binds whenever the compiled code runs; the history
   numbers used go to used[0..*n_used).
   Return: malloc'd text, or NULL with *err set to a static message when
   a history number does not exist or too many are used. */
char *cpdb_eval_rewrite_history(const char *text, long history_len,
                                long *used, int max_used, int *n_used,
                                const char **err);

/* Text (an error message) with the names $N and $name stand for in
   compiled code turned back into $N and $name, so that cpdb's internal
   names never show.  Return: malloc'd. */
char *cpdb_eval_public_names(const char *text);

/* The function an expression belongs to: the code of frame when code
   (compiled by cpdb_eval_compile) reads one of frame's local variables,
   as gdb ties a display to the block whose locals it names.  Return:
   new reference, or NULL (no exception) when it reads none. */
PyObject *cpdb_eval_local_scope(PyFrameObject *frame, PyObject *code);

/* Convenience variables (gdb's "set $name = EXPR"): one dict in the
   session, s->convenience, read by $name in any expression.
   Whether name[0..len) is a valid variable name (letters, digits, _). */
int cpdb_conv_name_valid(const char *name, size_t len);
/* Set $name.  Return 0, or -1 with an exception set (bad name). */
int cpdb_conv_set(CpdbSession *s, const char *name, PyObject *value);
/* Return: new reference to a list of (name, value), sorted by name; or
   NULL with an exception set. */
PyObject *cpdb_conv_list(CpdbSession *s);

#endif /* CPDB_SRC_EVAL_H */
