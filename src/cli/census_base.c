/* cpdb's calls into the program's modules (gc, tracemalloc, pprint),
   and the census baselines ("gc growth", "gc snapshot") that what those
   imports add must not disturb. */
#include "cli/census_base.h"
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/output.h"
#include "core/session.h"
#include "heap/heap.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

PyObject *
cpdb_module_call(CpdbSession *s, const char *module, const char *name,
                 const char *fmt, ...)
{
    PyObject *m = cpdb_census_import(s, module), *fn, *args, *r = NULL;
    va_list ap;
    if (m == NULL) {
        cpdb_error_exc(s, NULL);
        return NULL;
    }
    fn = PyObject_GetAttrString(m, name);
    va_start(ap, fmt);
    args = fmt ? Py_VaBuildValue(fmt, ap) : PyTuple_New(0);
    va_end(ap);
    if (fn != NULL && args != NULL && !PyTuple_Check(args)) {
        PyObject *t = PyTuple_Pack(1, args);
        Py_DECREF(args);
        args = t;
    }
    if (fn != NULL && args != NULL) {
        cpdb_guard_begin(&s->busy);
        r = PyObject_Call(fn, args, NULL);
        cpdb_guard_end(&s->busy);
    }
    if (r == NULL) {
        char *prefix = cpdb_xasprintf("%s: ", module);
        cpdb_error_exc(s, prefix);
        free(prefix);
    }
    Py_XDECREF(args);
    Py_XDECREF(fn);
    Py_DECREF(m);
    return r;
}

/* Take a census now (after a collection when collect is set).  Return 0,
   or -1 reported. */
int
cpdb_census_take(CpdbSession *s, CpdbCensus *c, int collect)
{
    CpdbTypeCount *tc;
    long n;

    memset(c, 0, sizeof *c);
    if (collect) {
        PyObject *r;
        /* The snapshot's list would keep everything alive. */
        cpdb_session_heap_forget(s);
        r = cpdb_module_call(s, "gc", "collect", NULL);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    tc = cpdb_session_census(s, &n);
    if (tc == NULL) {
        cpdb_error(s, "Out of memory.");
        return -1;
    }
    cpdb_census_of_types(c, tc, n);
    free(tc);
    return 0;
}

/* The session's tables (s->cli->census), made when first needed. */
CpdbCensusSnaps *
cpdb_census_snaps(CpdbSession *s)
{
    if (s->cli->census == NULL) {
        s->cli->census = cpdb_xcalloc(1, sizeof(CpdbCensusSnaps));
    }
    return s->cli->census;
}

void
cpdb_census_snaps_free(CpdbCensusSnaps *sn)
{
    int i;
    if (sn == NULL) {
        return;
    }
    cpdb_census_fini(&sn->growth_base);
    cpdb_census_fini(&sn->import_garbage);
    for (i = 0; i < sn->n; i++) {
        free(sn->names[i]);
        cpdb_census_fini(&sn->censuses[i]);
    }
    free(sn->names);
    free(sn->censuses);
    free(sn);
}

/* The objects the collector tracked since an import began, cpdb's own
   left out. */
typedef struct NewObjects {
    const CpdbHeapContext *ctx;
    CPDB_ARRAY(PyObject *) objs;    /* borrowed */
} NewObjects;

static int
new_visit(PyObject *o, void *arg)
{
    NewObjects *nw = arg;
    if (!cpdb_heap_is_own(nw->ctx, o)) {
        cpdb_array_push(&nw->objs, o);
    }
    return 1;
}

static int
address_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(PyObject *const *)a;
    uintptr_t y = (uintptr_t)*(PyObject *const *)b;
    return (x > y) - (x < y);
}

/* Fill c with the census of the garbage made since since was the
   youngest object the collector tracked (cpdb_gc_youngest; no collection
   in between): the objects made since that nothing made before refers
   to (the classes an import makes and drops, say), which the collector
   will free.  They are the youngest generation's objects after since:
   no snapshot of the whole heap is needed.  Nothing runs between the
   walk and the census.  Return 0, or -1 when since is gone (c then
   empty). */
static int
census_new_garbage(CpdbSession *s, PyObject *since, CpdbCensus *c)
{
    NewObjects nw = {NULL, {NULL, 0, 0}};
    CpdbHeapContext ctx;
    CpdbTypeCount *tc;
    uint8_t *garbage;
    size_t i, k = 0;
    int rc;

    memset(c, 0, sizeof *c);
    cpdb_session_heap_context(s, &ctx);
    nw.ctx = &ctx;
    rc = cpdb_gc_visit_young_after(since, new_visit, &nw);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        free(nw.objs.items);
        return -1;
    }
    qsort(nw.objs.items, nw.objs.n, sizeof(PyObject *), address_cmp);
    garbage = cpdb_census_unreachable(nw.objs.items, nw.objs.n);
    /* A weak reference to that garbage goes with it: the entries of the
       base classes' lists of subclasses are weak references that their
       callbacks take out. */
    for (i = 0; i < nw.objs.n; i++) {
        PyObject *o = nw.objs.items[i];
        long j;
        if (!garbage[i] && PyWeakref_Check(o)
            && (j = cpdb_census_index_of(nw.objs.items, nw.objs.n,
                                         ((PyWeakReference *)o)->wr_object))
               >= 0 && garbage[j]) {
            garbage[i] = 1;
        }
    }
    /* and so does a base class's list of subclasses (a dict) made for
       it alone: emptied, it is freed */
    for (i = 0; i < nw.objs.n; i++) {
        PyObject *o = nw.objs.items[i], *key, *value;
        Py_ssize_t pos = 0;
        int all = PyDict_CheckExact(o) && PyDict_GET_SIZE(o) > 0;
        while (all && !garbage[i] && PyDict_Next(o, &pos, &key, &value)) {
            long j = PyWeakref_Check(value)
                     ? cpdb_census_index_of(nw.objs.items, nw.objs.n, value)
                     : -1;
            all = j >= 0 && garbage[j];
        }
        if (all) {
            garbage[i] = 1;
        }
    }
    tc = cpdb_xmalloc(sizeof(CpdbTypeCount) * (nw.objs.n + 1));
    for (i = 0; i < nw.objs.n; i++) {
        if (garbage[i] && cpdb_heap_is_counted(nw.objs.items[i])) {
            tc[k].type = Py_TYPE(nw.objs.items[i]);
            tc[k++].count = 1;
        }
    }
    cpdb_census_of_types(c, tc, (long)k);
    free(tc);
    free(garbage);
    free(nw.objs.items);
    return 0;
}

/* Whether module is built into the interpreter (gc, _tracemalloc): its
   import runs no Python code and leaves no garbage to look for. */
static int
is_builtin_module(const char *module)
{
    PyObject *names = PySys_GetObject("builtin_module_names"); /* borrowed */
    PyObject *name = PyUnicode_FromString(module);
    int yes = names != NULL && name != NULL
              && PySequence_Contains(names, name) == 1;
    Py_XDECREF(name);
    PyErr_Clear();
    return yes;
}

PyObject *
cpdb_census_import(CpdbSession *s, const char *module)
{
    CpdbCensusSnaps *sn = s->cli->census;
    CpdbCensus before = {0}, after = {0}, garbage = {0}, none = {0};
    PyObject *name, *m, *since = NULL;
    long collections = -1;
    int discount, young = 0, i;

    name = PyUnicode_FromString(module);
    m = name != NULL ? PyImport_GetModule(name) : NULL;
    Py_XDECREF(name);
    if (m != NULL || PyErr_Occurred()) {
        return m;
    }
    /* Only the baselines kept need it: two censuses, and the youngest
       object now, to tell the objects the import makes (tracked after
       it) from those before. */
    discount = sn != NULL && (sn->have_growth || sn->n > 0)
               && cpdb_census_take(s, &before, 0) == 0;
    if (discount && !is_builtin_module(module)) {
        young = 1;
        collections = cpdb_gc_collections();
        since = cpdb_gc_youngest();
    }
    cpdb_guard_begin(&s->busy);
    m = PyImport_ImportModule(module);
    cpdb_guard_end(&s->busy);
    /* The garbage the import left (re's and enum's classes) is counted
       by the census after it, and freed by the next collection: left in
       the baselines, it would hide as much growth of its types.  A
       program that turned the collector off keeps it: it stays in the
       baselines then. */
    if (m == NULL) {
        discount = 0;
    }
    /* A collection during the import freed that garbage already. */
    else if (discount && young && cpdb_gc_collections() == collections
             && census_new_garbage(s, since, &garbage) < 0) {
        discount = 0;
    }
    Py_XDECREF(since);
    if (!cpdb_session_gc_enabled(s)) {
        cpdb_census_fini(&garbage);
    }
    cpdb_session_heap_forget(s);
    if (discount && cpdb_census_take(s, &after, 0) == 0) {
        if (sn->have_growth) {
            cpdb_census_shift(&sn->growth_base, &before, &after);
            cpdb_census_shift(&sn->growth_base, &garbage, &none);
        }
        for (i = 0; i < sn->n; i++) {
            cpdb_census_shift(&sn->censuses[i], &before, &after);
            cpdb_census_shift(&sn->censuses[i], &garbage, &none);
        }
        cpdb_census_fini(&sn->import_garbage);
        sn->import_garbage = garbage;       /* the table takes it over */
        memset(&garbage, 0, sizeof garbage);
        sn->garbage_stop = s->stop_serial;
        sn->garbage_eval = s->eval_serial;
    }
    cpdb_census_fini(&after);
    cpdb_census_fini(&before);
    cpdb_census_fini(&garbage);
    return m;
}

/* A census to compare with a baseline: census_take's, without the
   garbage of cpdb's import made at this stop (nothing has collected it
   yet).  Return 0, or -1 reported. */
int
cpdb_census_compared(CpdbSession *s, CpdbCensus *c, int collect)
{
    CpdbCensusSnaps *sn = cpdb_census_snaps(s);
    CpdbCensus none = {0};
    if (cpdb_census_take(s, c, collect) < 0) {
        return -1;
    }
    if (!collect && sn->garbage_stop == s->stop_serial
        && sn->garbage_eval == s->eval_serial) {
        cpdb_census_shift(c, &sn->import_garbage, &none);
    }
    return 0;
}
