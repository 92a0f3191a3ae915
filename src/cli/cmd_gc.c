/* The gc family, part one: the collector's state, collections,
   DEBUG_SAVEALL, gc.garbage and its cycles; the helpers the family
   shares (naming the object a command means, printing paths); and the
   command table.  Censuses are in cmd_census.c, references, chains,
   leaks and graphs in cmd_refs.c; the answers are the heap layer's
   (heap/garbage.c, heap/refs.c). */
#include "cli/cmd.h"
#include "cli/cmd_gc.h"
#include "cli/command.h"
#include "core/eval.h"
#include "heap/garbage.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "heap/path.h"
#include "heap/refs.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- helpers ------------------------------------------------------------- */

/* Counts the tracked objects as the censuses do. */
static int
count_visit(PyObject *o, void *arg)
{
    *(Py_ssize_t *)arg += cpdb_heap_is_counted(o);
    return 1;
}

static PyObject *
gc_module(CpdbSession *s)
{
    PyObject *gc = cpdb_census_import(s, "gc");
    if (gc == NULL) {
        cpdb_error_exc(s, "Cannot use the gc module: ");
    }
    return gc;
}

/* Find the object a command names: an address cpdb printed (checked
   against the tracked objects, never dereferenced otherwise), or any
   expression, $N included.  Return: new reference, or NULL after
   reporting. */
PyObject *
cpdb_gc_resolve(CpdbSession *s, const char *text)
{
    char *t = cpdb_strip_dup(text);
    PyObject *o = NULL;
    if (*t == '\0') {
        cpdb_error(s, "Argument required (an expression, $N, or an address "
                   "cpdb printed).");
    }
    else if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        char *end;
        unsigned long long a;
        CpdbHeap *h;
        errno = 0;
        a = strtoull(t, &end, 16);
        if (*end != '\0' || errno != 0) {
            cpdb_error(s, "Bad address \"%s\": a hexadecimal address is "
                       "expected.", t);
        }
        else if ((h = cpdb_session_heap(s)) == NULL) {
            cpdb_error_exc(s, NULL);
        }
        else {
            long i = cpdb_heap_find(h, (const void *)(uintptr_t)a);
            if (i < 0) {
                cpdb_error(s, "No object tracked by the garbage collector "
                           "at %s.", t);
            }
            else {
                o = Py_NewRef(h->objs[i]);
            }
        }
    }
    else {
        /* Naming an object is not changing the heap: keep the snapshot
           (an object the expression made is found by tracked_index). */
        long serial = s->eval_serial;
        o = cpdb_eval_expr(s, cpdb_cmd_frame(s), t);
        s->eval_serial = serial;
        if (o == NULL) {
            cpdb_error_exc(s, NULL);
        }
    }
    free(t);
    return o;
}

/* Split "N REST" where N is optional. */
const char *
cpdb_gc_opt_count(const char *args, long dflt, long *n)
{
    const char *p = cpdb_skip_space(args);
    char *end;
    long v;
    *n = dflt;
    if (isdigit((unsigned char)*p)) {
        errno = 0;
        v = strtol(p, &end, 10);
        if (errno == 0 && v > 0 && (*end == '\0' || *end == ' '
                                    || *end == '\t')) {
            *n = v;
            return cpdb_skip_space(end);
        }
    }
    return p;
}

/* Whether text is one Python expression ($N read as a name). */
static int
is_expression(const char *text)
{
    char *t = cpdb_xstrdup(text), *p;
    PyObject *code;
    CpdbExcState st;
    for (p = t; *p; p++) {
        if (*p == '$') {
            *p = '_';
        }
    }
    cpdb_exc_save(&st);
    code = Py_CompileString(t, "<cpdb>", Py_eval_input);
    Py_XDECREF(code);
    PyErr_Clear();
    cpdb_exc_restore(&st);
    free(t);
    return code != NULL;
}

int
cpdb_gc_expr_count(CpdbSession *s, const char *args, long dflt, char **expr,
                   long *n)
{
    char *text = cpdb_strip_dup(args), *last = strrchr(text, ' ');
    *n = dflt;
    *expr = text;
    if (last == NULL || last[1] == '\0'
        || strspn(last + 1, "0123456789") != strlen(last + 1)
        || is_expression(text)) {
        return 0;
    }
    if (cpdb_parse_int(last + 1, n) < 0 || *n < 1) {
        cpdb_error(s, "Bad count \"%s\": a positive number is expected.",
                   last + 1);
        free(text);
        *expr = NULL;
        return -1;
    }
    *last = '\0';
    *expr = cpdb_strip_dup(text);
    free(text);
    return 0;
}

char *
cpdb_gc_count_text(char buf[32], size_t n)
{
    char digits[32];
    size_t len, i, o = 0;
    len = (size_t)snprintf(digits, sizeof digits, "%zu", n);
    for (i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            buf[o++] = ',';
        }
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

void
cpdb_gc_more(CpdbSession *s, size_t left, const char *what,
             const char *usage)
{
    char count[32];
    if (left > 0 && usage != NULL) {
        cpdb_out(s, "  ... and %s more %s (\"%s\" shows N).\n",
                 cpdb_gc_count_text(count, left), what, usage);
    }
    else if (left > 0) {
        cpdb_out(s, "  ... and %s more %s.\n",
                 cpdb_gc_count_text(count, left), what);
    }
}

int
cpdb_gc_has_flag(const char *args, const char *flag, char **rest)
{
    const char *f = strstr(args, flag);
    size_t n = strlen(flag);
    if (f != NULL && (f == args || f[-1] == ' ') && (f[n] == '\0'
                                                     || f[n] == ' ')) {
        CpdbBuf b;
        cpdb_buf_init(&b);
        cpdb_buf_addn(&b, args, (size_t)(f - args));
        cpdb_buf_add(&b, f + n);
        *rest = cpdb_strip_dup(b.data);
        cpdb_buf_fini(&b);
        return 1;
    }
    *rest = cpdb_strip_dup(args);
    return 0;
}

/* --- gc, info gc --------------------------------------------------------- */

static CmdResult
gc_info(CpdbSession *s, const char *args)
{
    PyObject *enabled, *threshold, *count, *garbage, *debug, *gc;
    long flags;
    Py_ssize_t tracked = 0;
    int walked;
    (void)args;
    /* Counted first, before the answers below make objects. */
    walked = cpdb_session_heap_walk(s, count_visit, &tracked);
    enabled = cpdb_module_call(s, "gc", "isenabled", NULL);
    threshold = enabled ? cpdb_module_call(s, "gc", "get_threshold", NULL)
                        : NULL;
    count = threshold ? cpdb_module_call(s, "gc", "get_count", NULL) : NULL;
    debug = count ? cpdb_module_call(s, "gc", "get_debug", NULL) : NULL;
    gc = debug ? gc_module(s) : NULL;
    garbage = gc ? PyObject_GetAttrString(gc, "garbage") : NULL;
    if (garbage == NULL) {
        PyErr_Clear();
        Py_XDECREF(enabled);
        Py_XDECREF(threshold);
        Py_XDECREF(count);
        Py_XDECREF(debug);
        Py_XDECREF(gc);
        return CMD_FAILED;
    }
    flags = PyLong_AsLong(debug);
    cpdb_out(s, "Automatic collection: %s\n",
             cpdb_session_gc_enabled(s) ? "enabled" : "disabled");
    {
        char *t = cpdb_repr(threshold, 0), *c = cpdb_repr(count, 0);
        cpdb_out(s, "Thresholds (gen 0, 1, 2): %s\n", t);
        cpdb_out(s, "Counts (gen 0, 1, 2): %s\n", c);
        free(t);
        free(c);
    }
    if (walked == 0) {
        cpdb_out(s, "Tracked objects: %zd\n", tracked);
    }
    cpdb_out(s, "gc.garbage: %zd object%s\n", PyObject_Length(garbage),
             PyObject_Length(garbage) == 1 ? "" : "s");
    cpdb_out(s, "Debug flags: %s%s%s%s%s\n", flags ? "" : "none",
             (flags & 1) ? "DEBUG_STATS " : "",
             (flags & 2) ? "DEBUG_COLLECTABLE " : "",
             (flags & 4) ? "DEBUG_UNCOLLECTABLE " : "",
             (flags & 32) ? "DEBUG_SAVEALL" : "");
    Py_DECREF(enabled);
    Py_DECREF(threshold);
    Py_DECREF(count);
    Py_DECREF(debug);
    Py_DECREF(gc);
    Py_DECREF(garbage);
    return CMD_STAY;
}

/* --- collect, saveall, garbage, cycles ----------------------------------- */

static CmdResult
gc_collect(CpdbSession *s, const char *args)
{
    long gen = 2;
    struct timespec t0, t1;
    PyObject *r;
    if (*cpdb_skip_space(args) != '\0'
        && (cpdb_parse_int(args, &gen) < 0 || gen < 0 || gen > 2)) {
        cpdb_error(s, "Bad generation \"%s\": 0, 1 or 2 is expected.",
                   cpdb_skip_space(args));
        return CMD_FAILED;
    }
    cpdb_session_heap_forget(s);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = cpdb_module_call(s, "gc", "collect", "(l)", gen);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r == NULL) {
        return CMD_FAILED;
    }
    cpdb_out(s, "Collected generation %ld: %ld unreachable object%s found "
             "in %.1f ms.\n", gen, PyLong_AsLong(r),
             PyLong_AsLong(r) == 1 ? "" : "s",
             (double)(t1.tv_sec - t0.tv_sec) * 1e3
             + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    Py_DECREF(r);
    cpdb_cmd_note_sole_values(s);
    return CMD_STAY;
}

static CmdResult
gc_saveall(CpdbSession *s, const char *args)
{
    char *v = cpdb_strip_dup(args);
    PyObject *flags, *r;
    long f;
    int on;
    if (strcmp(v, "on") == 0) {
        on = 1;
    }
    else if (strcmp(v, "off") == 0) {
        on = 0;
    }
    else {
        if (*v == '\0') {
            cpdb_error(s, "Argument required (\"on\" or \"off\").");
        }
        else {
            cpdb_error(s, "Bad argument \"%s\": \"on\" or \"off\" is "
                       "expected.", v);
        }
        free(v);
        return CMD_FAILED;
    }
    free(v);
    flags = cpdb_module_call(s, "gc", "get_debug", NULL);
    if (flags == NULL) {
        return CMD_FAILED;
    }
    f = PyLong_AsLong(flags);
    Py_DECREF(flags);
    f = on ? (f | 32) : (f & ~32L);
    r = cpdb_module_call(s, "gc", "set_debug", "(l)", f);
    if (r == NULL) {
        return CMD_FAILED;
    }
    Py_DECREF(r);
    cpdb_out(s, "DEBUG_SAVEALL is %s: %s\n", on ? "on" : "off",
             on ? "the collector keeps what it frees in gc.garbage."
                : "the collector frees unreachable objects again.");
    return CMD_STAY;
}

/* Take gc.garbage and the references among its objects.  Return 0, or
   -1 after reporting. */
static int
garbage_take(CpdbSession *s, CpdbGarbage *g)
{
    switch (cpdb_garbage_take(g)) {
    case CPDB_GARBAGE_OK:
        return 0;
    case CPDB_GARBAGE_NO_GC:
        cpdb_error_exc(s, "Cannot use the gc module: ");
        break;
    case CPDB_GARBAGE_NOT_A_LIST:
        cpdb_error(s, "gc.garbage is not a list.");
        break;
    case CPDB_GARBAGE_FAILED:
        cpdb_error_exc(s, NULL);
        break;
    case CPDB_GARBAGE_NO_MEMORY:
        cpdb_error(s, "Out of memory.");
        break;
    }
    return -1;
}

/* The references among gc.garbage out of object i, each to "#j":
   the first CPDB_GC_LIST_DEFAULT, then how many more. */
static void
print_garbage_refs(CpdbSession *s, const CpdbGarbage *g, Py_ssize_t i)
{
    PyObject *o = PyList_GET_ITEM(g->items, i);
    uint32_t e, first = g->refs.off[i], end = g->refs.off[i + 1];
    for (e = first; e < end && e - first < CPDB_GC_LIST_DEFAULT; e++) {
        uint32_t j = g->refs.adj[e];
        char *name = cpdb_edge_name(o, PyList_GET_ITEM(g->items, j));
        cpdb_out(s, "       %s -> #%u\n", name ? name : "(refers to)", j);
        free(name);
    }
    if (end - first > CPDB_GC_LIST_DEFAULT) {
        char count[32];
        cpdb_out(s, "       ... and %s more references among gc.garbage\n",
                 cpdb_gc_count_text(count, end - first
                                    - CPDB_GC_LIST_DEFAULT));
    }
}

static CmdResult
gc_garbage(CpdbSession *s, const char *args)
{
    CpdbGarbage g;
    Py_ssize_t i, n, shown;
    long limit;
    const char *rest = cpdb_gc_opt_count(args, CPDB_GC_LIST_DEFAULT, &limit);
    if (*rest != '\0') {
        cpdb_error(s, "Bad count \"%s\": a positive number is expected.",
                   rest);
        return CMD_FAILED;
    }
    if (garbage_take(s, &g) < 0) {
        return CMD_FAILED;
    }
    n = PyList_GET_SIZE(g.items);
    if (n == 0) {
        cpdb_out(s, "gc.garbage is empty.  \"gc saveall on\" keeps what the "
                 "collector frees there; objects it cannot free land there "
                 "too.\n");
    }
    else {
        cpdb_out(s, "gc.garbage holds %zd object%s:\n", n, n == 1 ? "" : "s");
    }
    /* Only the objects shown are recorded as $N. */
    shown = n < limit ? n : (Py_ssize_t)limit;
    for (i = 0; i < shown; i++) {
        PyObject *o = PyList_GET_ITEM(g.items, i);
        char *brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
        long k = cpdb_history_add(s, o);
        cpdb_out(s, "  #%zd $%ld = %s\n", i, k, brief);
        print_garbage_refs(s, &g, i);
        free(brief);
    }
    cpdb_gc_more(s, (size_t)(n - shown), "objects", "gc garbage N");
    cpdb_garbage_fini(&g);
    return CMD_STAY;
}

/* How an object on a path prints: modules, functions, classes and
   frames by name, the others by type; the last one of an open path in
   full.  Return: malloc'd. */
static char *
node_label(PyObject *o, int last)
{
    if (last) {
        return cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
    }
    if (PyModule_Check(o) || PyFunction_Check(o) || PyType_Check(o)
        || PyFrame_Check(o)) {
        return cpdb_obj_brief(o, CPDB_WIDTH_VALUE);
    }
    return cpdb_type_name(Py_TYPE(o));
}

char *
cpdb_gc_grouped(size_t n, char buf[32])
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%zu", n), i, j = 0;
    for (i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            buf[j++] = ',';
        }
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

char *
cpdb_gc_path_text_shown(PyObject *const *nodes, size_t len,
                        const char *const *marks, int closed,
                        size_t *edges, uint8_t *shown)
{
    CpdbPathSteps steps = {NULL, 0, 0};
    CpdbBuf b;
    size_t k, i;
    cpdb_buf_init(&b);
    *edges = 0;
    cpdb_path_steps(nodes, len, closed, &steps);
    cpdb_path_fold(steps.items, steps.n, CPDB_PATH_KEEP, CPDB_PATH_MIN_FOLD);
    for (k = 0; k < steps.n; k++) {
        const CpdbPathStep *st = &steps.items[k];
        const char *name = st->name ? st->name : "(refers to)";
        char *label;
        (*edges) += st->fold ? st->fold : !st->hidden;
        if (st->hidden) {
            continue;
        }
        if (marks != NULL && marks[st->at] != NULL) {
            cpdb_buf_printf(&b, "%s ", marks[st->at]);
        }
        label = node_label(nodes[st->at], 0);
        cpdb_buf_add(&b, label);
        free(label);
        if (st->fold) {
            char count[32];
            cpdb_buf_printf(&b, " %s \xc3\x97 %s -> ", name,
                            cpdb_gc_grouped(st->fold, count));
            continue;
        }
        cpdb_buf_printf(&b, " %s -> ", name);
        for (i = st->at; shown != NULL && i <= st->at + st->skip; i++) {
            cpdb_bit_set(shown, (uint32_t)i);
        }
    }
    /* where the path ends: its last node, or where a cycle started */
    i = closed ? 0 : len - 1;
    if (len > 0) {
        char *last = node_label(nodes[i], !closed);
        if (marks != NULL && marks[i] != NULL) {
            cpdb_buf_printf(&b, "%s ", marks[i]);
        }
        cpdb_buf_add(&b, last);
        free(last);
        if (shown != NULL) {
            cpdb_bit_set(shown, (uint32_t)i);
        }
    }
    cpdb_path_steps_fini(&steps);
    return cpdb_buf_take(&b);
}

char *
cpdb_gc_path_text(PyObject *const *nodes, size_t len,
                  const char *const *marks, int closed, size_t *edges)
{
    return cpdb_gc_path_text_shown(nodes, len, marks, closed, edges, NULL);
}

/* Print one cycle of gc.garbage, the n-th shape, with the count of the
   cycles of its shape: how many objects its component has, and the
   path round it, each object marked #index. */
static void
print_cycle(CpdbSession *s, PyObject *items, const CpdbCycle *c, size_t n,
            size_t like)
{
    PyObject **nodes = cpdb_xmalloc(sizeof(PyObject *) * c->len);
    char **marks = cpdb_xmalloc(sizeof(char *) * c->len);
    size_t k, edges;
    char *text, count[32];
    for (k = 0; k < c->len; k++) {
        nodes[k] = PyList_GET_ITEM(items, c->nodes[k]);
        marks[k] = cpdb_xasprintf("#%u", c->nodes[k]);
    }
    if (like > 1) {
        cpdb_out(s, "Cycle %zu: %s cycles like this one, %u object%s of "
                 "gc.garbage each\n", n, cpdb_gc_count_text(count, like),
                 c->members, c->members == 1 ? "" : "s");
    }
    else {
        cpdb_out(s, "Cycle %zu: %u object%s of gc.garbage\n", n, c->members,
                 c->members == 1 ? "" : "s");
    }
    text = cpdb_gc_path_text(nodes, c->len, (const char *const *)marks, 1,
                             &edges);
    cpdb_out(s, "  %s\n", text);
    free(text);
    for (k = 0; k < c->len; k++) {
        free(marks[k]);
    }
    free(marks);
    free(nodes);
}

static CmdResult
gc_cycles(CpdbSession *s, const char *args)
{
    CpdbGarbage g;
    CpdbCycles cycles = {NULL, 0, 0};
    CpdbCycleGroups groups = {NULL, 0, 0};
    Py_ssize_t n;
    size_t k, left = 0;
    long limit;
    const char *rest = cpdb_gc_opt_count(args, CPDB_GC_CYCLES_DEFAULT,
                                         &limit);
    if (*rest != '\0') {
        cpdb_error(s, "Bad count \"%s\": a positive number is expected.",
                   rest);
        return CMD_FAILED;
    }
    if (garbage_take(s, &g) < 0) {
        return CMD_FAILED;
    }
    n = PyList_GET_SIZE(g.items);
    cpdb_garbage_cycles(&g.refs, &cycles);
    cpdb_garbage_group_cycles(&g, &cycles, &groups);
    if (groups.n < cycles.n) {
        char c1[32], c2[32];
        cpdb_out(s, "%s cycles of %s shape%s:\n",
                 cpdb_gc_count_text(c1, cycles.n),
                 cpdb_gc_count_text(c2, groups.n), groups.n == 1 ? "" : "s");
    }
    for (k = 0; k < groups.n; k++) {
        if (k < (size_t)limit) {
            print_cycle(s, g.items, &cycles.items[groups.items[k].first],
                        k + 1, groups.items[k].count);
        }
        else {
            left += groups.items[k].count;
        }
    }
    if (groups.n > (size_t)limit) {
        char c1[32];
        cpdb_out(s, "  ... and %s more cycles of %zu more shapes (\"gc "
                 "cycles N\" shows N shapes).\n",
                 cpdb_gc_count_text(c1, left), groups.n - (size_t)limit);
    }
    if (n == 0) {
        cpdb_out(s, "gc.garbage is empty: no cycles to show.  \"gc saveall "
                 "on\" then \"gc collect\" keeps the cycles the collector "
                 "frees.\n");
    }
    else if (cycles.n == 0) {
        cpdb_out(s, "No reference cycles among the %zd objects of "
                 "gc.garbage.\n", n);
    }
    free(groups.items);
    cpdb_garbage_cycles_fini(&cycles);
    cpdb_garbage_fini(&g);
    return CMD_STAY;
}

/* --- the table ----------------------------------------------------------- */

/* The collector and gc.garbage: gc info, collect, garbage, saveall,
   cycles. */
const CmdDef cpdb_gc_collector_cmds[] = {
    {"info", NULL, CMD_CLASS_MEMORY, 0, gc_info, "gc info",
     "Show the collector's state.\n"
     "Enabled or not, thresholds, counts per generation, tracked objects,\n"
     "the length of gc.garbage and the debug flags.", NULL},
    {"collect", NULL, CMD_CLASS_MEMORY, 0, gc_collect, "gc collect [GEN]",
     "Run a collection of generation GEN (default 2, all).\n"
     "Prints how many unreachable objects it found and how long it took.",
     NULL},
    {"garbage", NULL, CMD_CLASS_MEMORY, 0, gc_garbage, "gc garbage [N]",
     "List gc.garbage and the references among its objects.\n"
     "The first N objects (default 20) are shown, each recorded as $N; a\n"
     "cycle reads as one.  The count of the others follows.", NULL},
    {"saveall", NULL, CMD_CLASS_MEMORY, 0, gc_saveall, "gc saveall on|off",
     "Keep what the collector frees in gc.garbage (DEBUG_SAVEALL).\n"
     "Then \"gc collect\" and \"gc cycles\" show the cycles the program "
     "made.", NULL},
    {"cycles", NULL, CMD_CLASS_MEMORY, 0, gc_cycles, "gc cycles [N]",
     "Group gc.garbage into reference cycles.\n"
     "Each prints as \"#0 A .attr -> #1 B .attr -> #0 A\".  Cycles of one\n"
     "shape (the same types and references round them) print once, with\n"
     "their count; the first N shapes (default 10) are shown.",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

/* The subcommands of "gc", each table from the file that implements
   them, in the order "help gc" lists them. */
static const CmdDef *const gc_tables[] = {
    cpdb_gc_collector_cmds, cpdb_gc_census_cmds, cpdb_gc_refs_cmds, NULL
};

const CmdDef cpdb_cmds_gc[] = {
    {"gc", NULL, CMD_CLASS_MEMORY, 0, gc_info, "gc [SUBCOMMAND]",
     "Examine the garbage collector and what keeps objects alive.\n"
     "\"gc\" alone shows the collector's state; \"help gc\" lists the\n"
     "subcommands.", gc_tables},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

/* "info gc". */
const CmdDef cpdb_info_gc_cmds[] = {
    {"gc", NULL, CMD_CLASS_STATUS, 0, gc_info, "info gc",
     "Show the garbage collector's state (as \"gc\").", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
