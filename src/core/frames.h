/* The stack at a stop: frames innermost first, the selected frame, and
   how a frame is described (function, arguments, location). */
#ifndef CPDB_SRC_FRAMES_H
#define CPDB_SRC_FRAMES_H

#include "base/compat.h"

typedef struct CpdbSession CpdbSession;

typedef struct CpdbFrameEntry {
    PyFrameObject *frame;   /* strong */
    int lineno;             /* line where the frame stands */
} CpdbFrameEntry;

typedef struct CpdbStack {
    CpdbFrameEntry *items;  /* [0] is the innermost frame */
    size_t n, cap;
    int selected;
} CpdbStack;

void cpdb_stack_from_frame(CpdbSession *s, PyFrameObject *top);
void cpdb_stack_from_traceback(CpdbSession *s, PyObject *tb);
void cpdb_stack_clear(CpdbSession *s);
/* Return: borrowed selected entry, or NULL when there is no stack. */
CpdbFrameEntry *cpdb_stack_selection(CpdbSession *s);

/* Canonical file name as pdb prints it (absolute; "<string>" kept).
   Return: malloc'd. */
char *cpdb_code_path(PyCodeObject *code);
/* Return: malloc'd co_name of the frame's code. */
char *cpdb_frame_funcname(PyFrameObject *f);
/* The frame's arguments as "a=1, b='x'", each value cut to limit
   characters.  Return: malloc'd. */
char *cpdb_frame_args(PyFrameObject *f, long limit);
/* Names of the frame's arguments.  Return: new list or NULL. */
PyObject *cpdb_frame_arg_names(PyFrameObject *f);

#endif /* CPDB_SRC_FRAMES_H */
