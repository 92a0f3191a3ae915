/* Leak patterns on a made-up heap: an interpreter of the test's own, a
   program that has each pattern run in it, a snapshot taken with a heap
   context of the test's (no debugger session), then the queries. */
#include "heap/heap.h"
#include "heap/patterns.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define LEAKY_FILE "/made/up/leaky.py"

/* Each pattern once, the sizes below every threshold elsewhere. */
static const char leaky_source[] =
    "import functools\n"                                    /* 1 */
    "\n"
    "class Conn:\n"                                         /* 3 */
    "    def __del__(self):\n"
    "        pass\n"
    "\n"
    "class Handler:\n"                                      /* 7 */
    "    @functools.lru_cache(maxsize=None)\n"
    "    def render(self, n):\n"
    "        return n\n"
    "\n"
    "def lookup(key, _memo={}):\n"                          /* 12 */
    "    _memo[key] = [key]\n"
    "    return _memo[key]\n"
    "\n"
    "def small(key, _seen=[]):\n"                           /* 16 */
    "    _seen.append(key)\n"
    "\n"
    "@functools.lru_cache(maxsize=None)\n"                  /* 19 */
    "def square(x):\n"
    "    return x * x\n"
    "\n"
    "@functools.lru_cache(maxsize=32)\n"                    /* 23 */
    "def bounded(x):\n"
    "    return x\n"
    "\n"
    "registry = []\n"                                       /* 27 */
    "handlers = [Handler() for _ in range(12)]\n"
    "for i in range(120):\n"
    "    lookup(i)\n"
    "    square(i)\n"
    "    bounded(i)\n"
    "    registry.append(i)\n"
    "for h in handlers:\n"
    "    h.render(1)\n"
    "for i in range(5):\n"
    "    small(i)\n"
    "a, b = Conn(), Conn()\n"
    "a.peer, b.peer = b, a\n"
    "pair = a\n"
    "del a, b, h, i\n";

/* Run source in __main__ as LEAKY_FILE.  Return 0, or -1. */
static int
run(const char *source)
{
    PyObject *main = PyImport_AddModule("__main__");     /* borrowed */
    PyObject *globals = main ? PyModule_GetDict(main) : NULL;
    PyObject *code = Py_CompileString(source, LEAKY_FILE, Py_file_input);
    PyObject *r = code && globals ? PyEval_EvalCode(code, globals, globals)
                                  : NULL;
    int rc = r != NULL ? 0 : -1;
    if (r == NULL) {
        PyErr_Print();
    }
    Py_XDECREF(r);
    Py_XDECREF(code);
    return rc;
}

/* Return: new reference to the value of a Python expression in
   __main__, or NULL. */
static PyObject *
value(const char *expr)
{
    PyObject *main = PyImport_AddModule("__main__");
    PyObject *globals = PyModule_GetDict(main);
    PyObject *r = PyRun_String(expr, Py_eval_input, globals, globals);
    if (r == NULL) {
        PyErr_Print();
    }
    return r;
}

/* Look for every pattern in a snapshot taken now; last: the sizes of
   the look before.  *now receives the sizes. */
static void
look(CpdbLeakSizes *last, CpdbLeakSizes *now, CpdbLeakHints *hints)
{
    CpdbGuard busy = {0};
    CpdbHeapContext ctx;
    CpdbHeap h;
    CpdbLeakLook lk;

    memset(&ctx, 0, sizeof ctx);
    memset(&h, 0, sizeof h);
    ctx.busy = &busy;
    OK(cpdb_heap_take(&h, &ctx) == 0, "a snapshot of %u objects", h.n);
    lk.h = &h;
    lk.ctx = &ctx;
    lk.last = last;
    lk.code_path = NULL;
    cpdb_leak_hints(&lk, now, hints);
    OK(busy.depth == 0 && !PyErr_Occurred(),
       "the guard is released and no exception is left");
    cpdb_heap_clear(&h);
    cpdb_heap_context_fini(&ctx);
}

/* Return: the index of the hint of kind k in hints, or -1; *count
   receives how many of that kind there are. */
static long
find_kind(const CpdbLeakHints *hints, CpdbLeakKind k, int *count)
{
    size_t i;
    long first = -1;
    *count = 0;
    for (i = 0; i < hints->n; i++) {
        if (hints->items[i].kind == k) {
            if (first < 0) {
                first = (long)i;
            }
            ++*count;
        }
    }
    return first;
}

/* Check that hints has one hint of kind k (what: its description), with
   title, advice, and the object expr gives in __main__ (expr NULL: no
   object). */
static void
expect(const CpdbLeakHints *hints, CpdbLeakKind k, const char *what,
       const char *title, const char *expr)
{
    int count;
    long i = find_kind(hints, k, &count);
    PyObject *want;
    OK(count == 1, "one hint of %s (got %d)", what, count);
    if (i < 0) {
        return;
    }
    STR_EQ(hints->items[i].title, title, "the title of %s", what);
    OK(hints->items[i].advice != NULL
       && strncmp(hints->items[i].advice, "   ", 3) == 0
       && hints->items[i].advice[strlen(hints->items[i].advice) - 1]
          == '\n', "the advice of %s is indented lines", what);
    want = expr ? value(expr) : NULL;
    OK(hints->items[i].obj == want, "the object of %s is %s", what,
       expr ? expr : "none");
    Py_XDECREF(want);
}

static void
test_clean(void)
{
    CpdbLeakSizes last, now;
    CpdbLeakHints hints = {NULL, 0, 0};
    size_t i;

    cpdb_leak_sizes_take(&last);
    OK(last.taken, "sizes are noted");
    look(&last, &now, &hints);
    OK(hints.n == 0, "a clean heap gives no hint (got %zu)", hints.n);
    for (i = 0; i < hints.n; i++) {
        printf("#   %s\n", hints.items[i].title);
    }
    cpdb_leak_hints_clear(&hints);
    cpdb_leak_sizes_fini(&last);
    cpdb_leak_sizes_fini(&now);
}

static void
test_leaky(void)
{
    CpdbLeakSizes first = {{NULL, 0, 0}, 0}, last, now;
    CpdbLeakHints hints = {NULL, 0, 0};
    int count;
    long i;

    OK(run(leaky_source) == 0, "the leaky program runs");
    /* No sizes noted before: growth cannot be told yet. */
    look(&first, &last, &hints);
    OK(find_kind(&hints, CPDB_LEAK_GROWING, &count) < 0,
       "growth needs two looks");
    cpdb_leak_hints_clear(&hints);

    OK(run("registry.extend(range(30))\n") == 0, "the registry grows");
    look(&last, &now, &hints);
    expect(&hints, CPDB_LEAK_MUTABLE_DEFAULT, "a mutable default",
           "A mutable default argument used as a cache: lookup(_memo=...) "
           "at " LEAKY_FILE ":12 holds a dict of 120 items.",
           "lookup.__defaults__[0]");
    expect(&hints, CPDB_LEAK_UNBOUNDED_CACHE, "an unbounded lru_cache",
           "An unbounded functools.lru_cache: square holds 120 entries "
           "(maxsize=None).", "square");
    expect(&hints, CPDB_LEAK_METHOD_CACHE, "a method's lru_cache",
           "functools.lru_cache on a method keeps instances alive: "
           "Handler.render's cache holds 12 __main__.Handler objects (12 "
           "entries, maxsize=None).", "Handler.render");
    expect(&hints, CPDB_LEAK_GROWING, "a growing module-level list",
           "A module-level container grows: __main__.registry went from "
           "120 to 150 items since the last \"leak hints\" or \"gc "
           "snapshot\".", "registry");
    i = find_kind(&hints, CPDB_LEAK_DEL_CYCLES, &count);
    OK(count == 1 && i >= 0, "one hint of __del__ in cycles");
    if (i >= 0) {
        STR_EQ(hints.items[i].title, "2 objects with __del__ "
               "(__main__.Conn, ...) are in reference cycles.",
               "the title of __del__ in cycles");
        OK(hints.items[i].obj != NULL
           && strcmp(Py_TYPE(hints.items[i].obj)->tp_name, "Conn") == 0,
           "its object is a Conn");
    }
    OK(find_kind(&hints, CPDB_LEAK_GARBAGE, &count) < 0
       && find_kind(&hints, CPDB_LEAK_DJANGO_QUERIES, &count) < 0,
       "no garbage, no Django");
    OK(hints.n == 5, "5 hints in all (got %zu)", hints.n);
    cpdb_leak_hints_clear(&hints);
    OK(hints.n == 0 && hints.items == NULL, "the hints are released");
    cpdb_leak_sizes_fini(&last);
    cpdb_leak_sizes_fini(&now);
}

static void
test_garbage(void)
{
    CpdbLeakHints hints = {NULL, 0, 0};
    int count;
    long i;

    OK(run("import gc\ngc.garbage.append([1])\n") == 0,
       "something in gc.garbage");
    cpdb_leak_garbage(&hints);
    i = find_kind(&hints, CPDB_LEAK_GARBAGE, &count);
    OK(count == 1 && hints.n == 1, "one hint of gc.garbage");
    if (i >= 0) {
        STR_EQ(hints.items[i].title, "gc.garbage holds 1 object the "
               "collector found unreachable but could not free.",
               "the title of gc.garbage");
        OK(hints.items[i].obj == NULL, "no object recorded for it");
    }
    cpdb_leak_hints_clear(&hints);
    OK(run("gc.garbage.clear()\n") == 0, "gc.garbage emptied");
    cpdb_leak_garbage(&hints);
    OK(hints.n == 0, "no hint when gc.garbage is empty");
}

/* Return: the size noted under name in t, or -1 when none is. */
static Py_ssize_t
noted(const CpdbLeakSizes *t, const char *name)
{
    size_t i;
    for (i = 0; i < t->items.n; i++) {
        if (strcmp(t->items.items[i].name, name) == 0) {
            return t->items.items[i].len;
        }
    }
    return -1;
}

/* The walk below module globals: paths, the depth, the items of a
   container, a container reached twice, a cycle. */
static void
test_walk(void)
{
    CpdbLeakSizes t;

    OK(run("class State:\n"
           "    def __init__(self):\n"
           "        self.sessions = {1: 2}\n"
           "        self.me = self\n"
           "class App:\n"
           "    kinds = {'a': [1, 2]}\n"
           "    def __init__(self):\n"
           "        self.state = State()\n"
           "APP = App()\n"
           "SHARED = [7]\n"
           "TABLE = {'rows': [[] for _ in range(150)], 9: (SHARED, [3])}\n"
           "NEST = {'a': {'b': {'c': {'d': [1], 'x': {'e': [1]}}}}}\n")
       == 0, "a program with containers below its globals");
    cpdb_leak_sizes_take(&t);
    OK(noted(&t, "__main__.APP.state.sessions") == 1,
       "an instance's instance's attribute");
    OK(noted(&t, "__main__.App.kinds['a']") == 2,
       "a dict value under a class attribute");
    OK(noted(&t, "__main__.TABLE['rows'][99]") == 0
       && noted(&t, "__main__.TABLE['rows'][100]") == -1,
       "the first %d items of a container", CPDB_LEAK_WALK_ITEMS);
    OK(noted(&t, "__main__.TABLE[9][1]") == 1, "an int key, a tuple item");
    OK(noted(&t, "__main__.SHARED") == 1
       && noted(&t, "__main__.TABLE[9][0]") == -1,
       "a container reached twice is noted once, by the shorter path");
    OK(noted(&t, "__main__.NEST['a']['b']['c']['d']") == 1
       && noted(&t, "__main__.NEST['a']['b']['c']['x']['e']") == -1,
       "%d references below a global, not more", CPDB_LEAK_WALK_DEPTH);
    cpdb_leak_sizes_fini(&t);
    OK(run("del State, App, APP, SHARED, TABLE, NEST\n") == 0,
       "the program's globals are gone again");
}

int
main(void)
{
    Py_Initialize();
    test_clean();
    test_walk();
    test_leaky();
    test_garbage();
    OK(Py_FinalizeEx() == 0, "the interpreter ends cleanly");
    return tap_done();
}
