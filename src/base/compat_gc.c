/* Walking the objects the collector tracks without making a list of
   them (gc.get_objects() builds one: 8 bytes an object, and writes to
   every object's reference count).  3.12 has an API for it; 3.10 and
   3.11 keep the generations in the interpreter's state, read here
   through the internal headers, which is why this file is apart from
   compat.c (it needs Py_BUILD_CORE). */
#include <patchlevel.h>

#if PY_VERSION_HEX < 0x030C0000
#define Py_BUILD_CORE 1
#include <Python.h>
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"
#else
#include <Python.h>
#endif

#include "base/compat.h"

int
cpdb_gc_visit(int (*visit)(PyObject *o, void *arg), void *arg)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyUnstable_GC_VisitObjects(visit, arg);
    return 0;
#else
    struct _gc_runtime_state *gc = &PyInterpreterState_Get()->gc;
    int i;
    if (gc->collecting) {
        return -1;
    }
    for (i = 0; i < NUM_GENERATIONS; i++) {
        PyGC_Head *head = &gc->generations[i].head, *g;
        for (g = _PyGCHead_NEXT(head); g != head; g = _PyGCHead_NEXT(g)) {
            if (!visit((PyObject *)(g + 1), arg)) {
                return 0;
            }
        }
    }
    return 0;
#endif
}
