/* Why an object is alive with no chain from a module, on heaps a test
   makes in an interpreter of its own: a cycle nothing else holds, the
   same cycle held from outside, an object only the value history holds,
   and a chain that runs through gc.garbage. */
#include "heap/why.h"
#include "tap.h"

/* A snapshot of exactly objs[0..n) (the snapshot's list holds one
   reference to each, as cpdb's does), its reverse edges built. */
static void
snapshot(CpdbHeap *h, PyObject **objs, Py_ssize_t n)
{
    PyObject *list = PyList_New(n);
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        PyList_SET_ITEM(list, i, Py_NewRef(objs[i]));
    }
    memset(h, 0, sizeof *h);
    OK(cpdb_heap_of_list(h, list) == 0 && cpdb_heap_build_back(h) == 0,
       "a snapshot of %zd objects", n);
    Py_DECREF(list);
}

static void
test_cycle_and_history(void)
{
    CpdbHeapContext ctx;
    CpdbHeap h;
    CpdbWhy w;
    PyObject *a = PyList_New(0), *b = PyList_New(0), *c = PyList_New(0);
    PyObject *objs[3], *history = PyList_New(0);

    /* a <-> b, a cycle; c alone */
    PyList_Append(a, b);
    PyList_Append(b, a);
    objs[0] = a;
    objs[1] = b;
    objs[2] = c;
    snapshot(&h, objs, 3);
    memset(&ctx, 0, sizeof ctx);
    ctx.history = history;

    /* the test holds a, b and c once each: the "extra" the caller holds
       for the one asked about; b's and c's own are outside holders */
    Py_DECREF(b);
    OK(cpdb_why_no_chain(&h, &ctx, 0, 1, &w) == 0 && w.kind == CPDB_WHY_CYCLE
       && w.in_cycle && w.n_holders == 1,
       "a cycle nothing else holds is garbage (kind %d, %zu holders)",
       (int)w.kind, w.n_holders);

    Py_INCREF(b);       /* now held from outside */
    OK(cpdb_why_no_chain(&h, &ctx, 0, 1, &w) == 0
       && w.kind == CPDB_WHY_UNKNOWN,
       "the same cycle held from outside is not garbage");
    Py_DECREF(b);

    PyList_Append(history, Py_None);
    PyList_Append(history, c);
    OK(cpdb_why_no_chain(&h, &ctx, 2, 0, &w) == 0 && w.kind != CPDB_WHY_HISTORY,
       "c, held by the test too, is not the history's alone");
    OK(cpdb_why_no_chain(&h, &ctx, 2, 1, &w) == 0
       && w.kind == CPDB_WHY_HISTORY && w.n_history == 1
       && w.history[0] == 2 && !w.in_cycle,
       "c held only by the history is named $2 (kind %d, $%ld)",
       (int)w.kind, w.n_history ? w.history[0] : 0L);

    PyList_Append(history, a);
    OK(cpdb_why_no_chain(&h, &ctx, 0, 1, &w) == 0
       && w.kind == CPDB_WHY_HISTORY && w.in_cycle && w.history[0] == 3,
       "a cycle the history holds: both said");

    cpdb_heap_clear(&h);
    Py_DECREF(history);
    Py_DECREF(a);
    Py_DECREF(c);
}

static void
test_chain_through_garbage(void)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *garbage = PyObject_GetAttrString(gc, "garbage");
    PyObject *held = PyList_New(0), *inner = PyList_New(0);
    PyObject *nodes[4];
    CpdbWhy w;

    PyList_Append(held, inner);
    PyList_Append(garbage, held);
    nodes[0] = gc;
    nodes[1] = garbage;
    nodes[2] = held;
    nodes[3] = inner;
    OK(cpdb_why_chain_garbage(nodes, 3, &w) == 1
       && w.kind == CPDB_WHY_GARBAGE && !w.holder_in_garbage
       && w.garbage_index == PyList_GET_SIZE(garbage) - 1,
       "an object in gc.garbage");
    OK(cpdb_why_chain_garbage(nodes, 4, &w) == 1 && w.holder_in_garbage,
       "an object held by one in gc.garbage");
    OK(cpdb_why_chain_garbage(nodes + 2, 2, &w) == 0,
       "a chain that does not pass gc.garbage");
    PySequence_DelItem(garbage, PyList_GET_SIZE(garbage) - 1);
    Py_DECREF(inner);
    Py_DECREF(held);
    Py_DECREF(garbage);
    Py_DECREF(gc);
}

int
main(void)
{
    Py_Initialize();
    test_cycle_and_history();
    test_chain_through_garbage();
    OK(Py_FinalizeEx() == 0, "the interpreter ends cleanly");
    return tap_done();
}
