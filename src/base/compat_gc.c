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

/* --- memory blocks, for tracemalloc ------------------------------------ */

/* The collector's link before a tracked object's header: PyGC_Head,
   two words on every supported (GIL) build; 3.12+ declares it only in
   the internal headers this file does not include there. */
#if PY_VERSION_HEX < 0x030C0000
#define GC_HEAD_SIZE sizeof(PyGC_Head)
#else
#define GC_HEAD_SIZE (2 * sizeof(uintptr_t))
#endif

/* The flags of the types whose instances keep pointers before the GC
   link: a managed __dict__ from 3.11 (the "pre-header"), a managed
   __weakref__ too from 3.12 (Py_TPFLAGS_PREHEADER). */
#if PY_VERSION_HEX >= 0x030C0000
#define PREHEADER_FLAGS Py_TPFLAGS_PREHEADER
#elif PY_VERSION_HEX >= 0x030B0000
#define PREHEADER_FLAGS Py_TPFLAGS_MANAGED_DICT
#else
#define PREHEADER_FLAGS 0UL
#endif

const void *
cpdb_object_block(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    size_t before = 0;
    if (PyType_IS_GC(t)) {
        before += GC_HEAD_SIZE;
    }
    if ((PyType_GetFlags(t) & PREHEADER_FLAGS) != 0) {
        before += 2 * sizeof(PyObject *);
    }
    return (const char *)o - before;
}

/* 3.13 declares it in an internal header only (pycore_tracemalloc.h),
   still exported: the one way to ask tracemalloc about an address
   rather than an object, which tracemalloc's own get_object_traceback
   computes wrongly on 3.11 (it leaves out the pre-header). */
#if PY_VERSION_HEX >= 0x030D0000
PyAPI_FUNC(PyObject *) _PyTraceMalloc_GetTraceback(unsigned int domain,
                                                   uintptr_t ptr);
#endif

PyObject *
cpdb_tracemalloc_traceback(const void *block)
{
    return _PyTraceMalloc_GetTraceback(0, (uintptr_t)block);
}

int
cpdb_type_has_free_list(PyTypeObject *t)
{
    return t == &PyList_Type || t == &PyDict_Type || t == &PyTuple_Type
           || t == &PyFloat_Type;
}
