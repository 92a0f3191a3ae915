/* The gc family, part three: references out of and into an object,
   the shortest chain of references that keeps it alive, the objects
   nothing refers to, and Graphviz pictures.  The answers are the heap
   layer's (heap/refs.c, heap/dot.c), over one snapshot of the tracked
   objects per stop; here they are asked for and printed. */
#include "cli/cmd.h"
#include "cli/cmd_gc.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "cli/files.h"
#include "core/eval.h"
#include "heap/dot.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "heap/refs.h"
#include "heap/why.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static CmdResult
gc_refs(CpdbSession *s, const char *args)
{
    char count[32];
    PyObject *o;
    CpdbObjectArray c = {NULL, 0, 0};
    CpdbHeapContext ctx;
    CpdbEdgeNamer namer;
    size_t i, shown, total;
    long limit;
    char *brief, *expr;
    if (cpdb_gc_expr_count(s, args, CPDB_GC_LIST_DEFAULT, &expr, &limit) < 0) {
        return CMD_FAILED;
    }
    o = cpdb_gc_resolve(s, expr);
    free(expr);
    if (o == NULL) {
        return CMD_FAILED;
    }
    brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
    if (PyWeakref_Check(o)) {
        PyObject *target = cpdb_weakref_target(o);
        if (target != NULL) {
            char *t = cpdb_obj_brief(target, CPDB_WIDTH_BRIEF);
            long k = cpdb_history_add(s, target);
            cpdb_out(s, "%s refers weakly to:\n  (weak) -> $%ld = %s\n",
                     brief, k, t);
            free(t);
            Py_DECREF(target);
        }
        PyErr_Clear();
    }
    cpdb_session_heap_context(s, &ctx);
    total = cpdb_refs_referents_first(&ctx, o, (size_t)limit, &c);
    cpdb_heap_context_fini(&ctx);
    cpdb_out(s, "%s refers to %s object%s%s\n", brief,
             cpdb_gc_count_text(count, total),
             total == 1 ? "" : "s", total ? ":" : ".");
    /* Only the objects shown are named and recorded. */
    shown = c.n;
    cpdb_refs_namer_init(&namer, o);
    for (i = 0; i < shown; i++) {
        char *name = cpdb_refs_namer_name(&namer, c.items[i]);
        char *b = cpdb_obj_brief(c.items[i], CPDB_WIDTH_BRIEF);
        long k = cpdb_history_add(s, c.items[i]);
        cpdb_out(s, "  %s -> $%ld = %s\n", name ? name : "(refers to)", k, b);
        free(name);
        free(b);
    }
    cpdb_refs_namer_fini(&namer);
    cpdb_gc_more(s, total - shown, "objects", "gc refs OBJ N");
    cpdb_refs_array_fini(&c);
    free(brief);
    Py_DECREF(o);
    return CMD_STAY;
}

/* --- referrers and chains ------------------------------------------------ */

/* The snapshot index of o, taking the snapshot; -1 with a message when
   the collector does not track o. */
static long
tracked_index(CpdbSession *s, CpdbHeap **hp, PyObject *o, int need_back)
{
    CpdbHeap *h = cpdb_session_heap(s);
    long i;
    if (h == NULL || (need_back && cpdb_heap_build_back(h) < 0)) {
        cpdb_error_exc(s, NULL);
        return -1;
    }
    i = cpdb_heap_find(h, o);
    if (i < 0 && PyObject_GC_IsTracked(o)) {
        /* Made after the snapshot (by the expression, say): take a new
           one. */
        cpdb_session_heap_forget(s);
        h = cpdb_session_heap(s);
        if (h == NULL || (need_back && cpdb_heap_build_back(h) < 0)) {
            cpdb_error_exc(s, NULL);
            return -1;
        }
        i = cpdb_heap_find(h, o);
    }
    if (i < 0) {
        char *brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
        cpdb_error(s, "The garbage collector does not track %s (%s), so no "
                   "object is known to refer to it: atoms such as ints and "
                   "strs are not tracked.", brief,
                   PyObject_IS_GC(o) ? "untracked container" : "not a "
                   "container");
        free(brief);
    }
    *hp = h;
    return i;
}

/* "$3, $7" from the value history entries of w.  Return: malloc'd. */
static char *
history_names(const CpdbWhy *w)
{
    CpdbBuf b;
    int k;
    cpdb_buf_init(&b);
    for (k = 0; k < w->n_history; k++) {
        cpdb_buf_printf(&b, "%s$%ld", k ? ", " : "", w->history[k]);
    }
    return cpdb_buf_take(&b);
}

/* Say that o is frozen (gc.freeze()), where it matters: the collector
   never examines it, and gc.get_referrers() does not see it. */
static void
note_frozen(CpdbSession *s, PyObject *o)
{
    if (cpdb_gc_is_frozen(o)) {
        cpdb_out(s, "It is frozen (gc.freeze() moved it to the permanent "
                 "generation):\nthe collector never examines it; "
                 "gc.get_objects() and gc.get_referrers() leave it out.\n");
    }
}

/* Weak references to o, the first limit of them: listed, marked weak,
   never counted as keeping it alive. */
static void
print_weak_referrers(CpdbSession *s, PyObject *o, long limit)
{
    PyObject *refs = cpdb_refs_weakrefs(o);
    Py_ssize_t k, n = refs != NULL ? PyList_GET_SIZE(refs) : 0;
    for (k = 0; k < n && k < limit; k++) {
        PyObject *ref = PyList_GET_ITEM(refs, k);
        char *b = cpdb_obj_brief(ref, CPDB_WIDTH_BRIEF);
        long h = cpdb_history_add(s, ref);
        cpdb_out(s, "  (weak) $%ld = %s\n", h, b);
        free(b);
    }
    if (n > limit) {
        cpdb_gc_more(s, (size_t)(n - limit), "weak references",
                     "gc referrers OBJ N");
    }
    PyErr_Clear();
    Py_XDECREF(refs);
}

/* Print who refers to o, snapshot object i of h: the first limit of
   the objects, then how many more. */
static void
print_referrers(CpdbSession *s, CpdbHeap *h, PyObject *o,
                const CpdbReferrers *r, long limit)
{
    char count[32];
    char *brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
    size_t n = r->n_objects + r->roots.n, e;
    size_t shown = r->n_objects < (size_t)limit ? r->n_objects
                                                 : (size_t)limit;
    cpdb_out(s, "%s referrer%s of %s%s\n", cpdb_gc_count_text(count, n),
             n == 1 ? "" : "s", brief,
             n ? ":" : ".");
    for (e = 0; e < shown; e++) {
        PyObject *src = h->objs[r->objects[e]];
        char *name = cpdb_edge_name(src, o);
        char *b = cpdb_obj_brief(src, CPDB_WIDTH_BRIEF);
        long k = cpdb_history_add(s, src);
        cpdb_out(s, "  $%ld = %s  %s\n", k, b, name ? name : "");
        free(name);
        free(b);
    }
    cpdb_gc_more(s, r->n_objects - shown, "referrers", "gc referrers OBJ N");
    for (e = 0; e < r->roots.n; e++) {
        char *t = cpdb_refs_local_root_text(&r->roots.items[e]);
        cpdb_out(s, "  %s\n", t);
        free(t);
    }
    print_weak_referrers(s, o, limit);
    note_frozen(s, o);
    if (n == 0) {
        CpdbHeapContext ctx;
        CpdbWhy w;
        long i = cpdb_heap_find(h, o);
        int rc = -1;
        if (i >= 0) {
            cpdb_session_heap_context(s, &ctx);
            rc = cpdb_why_no_chain(h, &ctx, (uint32_t)i, 1, &w);
            cpdb_heap_context_fini(&ctx);
        }
        PyErr_Clear();
        if (rc == 0 && w.kind == CPDB_WHY_HISTORY) {
            char *hist = history_names(&w);
            cpdb_out(s, "Nothing the collector tracks refers to it: only "
                     "cpdb's value history keeps it alive (%s); \"delete "
                     "values\" drops it.\n", hist);
            free(hist);
        }
        else {
            cpdb_out(s, "Nothing the collector tracks refers to it: it is "
                     "held from C, or only from a running frame's "
                     "stack.\n");
        }
    }
    free(brief);
}

/* Print who refers to o, found in one pass over the heap without a
   snapshot: the first limit holders, then how many others; for a
   tracked o (the collector does not track an untracked object's holders
   in between) its weak references too.  Return: CMD_STAY, CMD_FAILED
   after reporting, or -1 when a tracked o has no referrer (the snapshot
   says why: nothing printed). */
static int
referrers_by_pass(CpdbSession *s, PyObject *o, long limit, int tracked)
{
    char count[32];
    CpdbObjectArray holders = {NULL, 0, 0};
    CpdbLocalRoots roots = {NULL, 0, 0};
    CpdbHeapContext ctx;
    char *brief;
    size_t n, e, shown;
    int rc;
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_refs_untracked_referrers(&ctx, o, &holders, &roots);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    n = holders.n + roots.n;
    if (tracked && n == 0) {
        cpdb_refs_array_fini(&holders);
        cpdb_refs_local_roots_fini(&roots);
        return -1;
    }
    brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
    shown = holders.n < (size_t)limit ? holders.n : (size_t)limit;
    cpdb_out(s, "%s referrer%s of %s%s\n", cpdb_gc_count_text(count, n),
             n == 1 ? "" : "s", brief,
             n ? ":" : ".");
    for (e = 0; e < shown; e++) {
        PyObject *src = holders.items[e];
        char *name = cpdb_edge_name(src, o);
        char *b = cpdb_obj_brief(src, CPDB_WIDTH_BRIEF);
        long k = cpdb_history_add(s, src);
        cpdb_out(s, "  $%ld = %s  %s\n", k, b, name ? name : "");
        free(name);
        free(b);
    }
    cpdb_gc_more(s, holders.n - shown, "referrers", "gc referrers OBJ N");
    for (e = 0; e < roots.n; e++) {
        char *t = cpdb_refs_local_root_text(&roots.items[e]);
        cpdb_out(s, "  %s\n", t);
        free(t);
    }
    if (tracked) {
        print_weak_referrers(s, o, limit);
        note_frozen(s, o);
    }
    if (n == 0) {
        cpdb_out(s, "Nothing the collector tracks refers to it: it is held "
                 "from C, or only from a running frame's stack.\n");
    }
    free(brief);
    cpdb_refs_array_fini(&holders);
    cpdb_refs_local_roots_fini(&roots);
    return CMD_STAY;
}

static CmdResult
gc_referrers(CpdbSession *s, const char *args)
{
    PyObject *o;
    CpdbHeap *h;
    CpdbHeapContext ctx;
    CpdbReferrers r;
    CmdResult result = CMD_FAILED;
    long i, limit;
    char *expr;
    int rc;
    if (cpdb_gc_expr_count(s, args, CPDB_GC_LIST_DEFAULT, &expr, &limit) < 0) {
        return CMD_FAILED;
    }
    o = cpdb_gc_resolve(s, expr);
    free(expr);
    if (o == NULL) {
        return CMD_FAILED;
    }
    if (!PyObject_IS_GC(o) || !PyObject_GC_IsTracked(o)) {
        result = (CmdResult)referrers_by_pass(s, o, limit, 0);
        goto done;
    }
    /* Cold, one pass over the heap answers: the snapshot's reverse
       references cost three times as much. */
    if (!cpdb_session_heap_has_back(s)
        && (rc = referrers_by_pass(s, o, limit, 1)) >= 0) {
        result = (CmdResult)rc;
        goto done;
    }
    i = tracked_index(s, &h, o, 1);
    if (i < 0) {
        goto done;
    }
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_refs_referrers(h, &ctx, (uint32_t)i, &r);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        goto done;
    }
    print_referrers(s, h, o, &r, limit);
    cpdb_refs_referrers_fini(&r);
    result = CMD_STAY;
done:
    Py_DECREF(o);
    return result;
}

/* --- chain --------------------------------------------------------------- */

/* Print a chain found: the path, root first, long runs of one
   reference folded, then each object shown on it recorded as $N (a
   folded run's objects are not: a chain through a linked list of a
   million nodes would fill the value history). */
static void
print_chain(CpdbSession *s, CpdbHeap *h, const CpdbChain *c)
{
    PyObject **nodes = cpdb_xmalloc(sizeof(PyObject *) * c->len);
    char **marks = cpdb_xcalloc(c->len, sizeof(char *));
    uint8_t *shown = cpdb_xcalloc(c->len / 8 + 1, 1);
    size_t refs = 0, k, hidden = 0;
    char *path_line, count[32];
    for (k = 0; k < c->len; k++) {
        nodes[k] = cpdb_refs_chain_node(h, c, k);
    }
    if (c->root >= 0) {
        /* The root is a stopped frame's variable. */
        char *var = cpdb_refs_local_root_text(&c->roots.items[c->root]);
        marks[0] = cpdb_xasprintf("%s ->", var);
        free(var);
    }
    path_line = cpdb_gc_path_text_shown(nodes, c->len,
                                        (const char *const *)marks, 0, &refs,
                                        shown);
    refs += marks[0] != NULL;
    cpdb_out(s, "Chain of %s reference%s:\n  %s\n",
             cpdb_gc_grouped(refs, count), refs == 1 ? "" : "s", path_line);
    free(path_line);
    free(marks[0]);
    free(marks);
    for (k = 0; k < c->len; k++) {
        char *b;
        long n;
        if (!cpdb_bit_get(shown, (uint32_t)k)) {
            hidden++;
            continue;
        }
        b = cpdb_obj_brief(nodes[k], CPDB_WIDTH_BRIEF);
        n = cpdb_history_add(s, nodes[k]);
        cpdb_out(s, "  $%ld = %s\n", n, b);
        free(b);
    }
    if (hidden > 0) {
        cpdb_out(s, "  (%s folded object%s not recorded)\n",
                 cpdb_gc_grouped(hidden, count), hidden == 1 ? "" : "s");
    }
    free(shown);
    free(nodes);
}

/* What frees a garbage cycle: the collector's state as the program set
   it (cpdb pauses it at a stop; that is not the program's doing). */
static void
print_collector_state(CpdbSession *s)
{
    PyObject *count = cpdb_module_call(s, "gc", "get_count", NULL);
    PyObject *thr = count ? cpdb_module_call(s, "gc", "get_threshold", NULL)
                          : NULL;
    PyObject *debug = thr ? cpdb_module_call(s, "gc", "get_debug", NULL)
                          : NULL;
    long flags = debug ? PyLong_AsLong(debug) : 0;
    const char *saveall = (flags & 32) ? " (DEBUG_SAVEALL is set: it will "
                          "move to gc.garbage, not be freed)" : "";
    if (debug == NULL) {
        PyErr_Clear();
    }
    else if (!cpdb_session_gc_enabled(s)) {
        cpdb_out(s, "Automatic collection is off (gc.disable()), so it "
                 "stays until a collection runs: \"gc collect\" frees "
                 "it%s.\n", saveall);
    }
    else {
        char *c = cpdb_repr(count, 0), *t = cpdb_repr(thr, 0);
        cpdb_out(s, "The collector frees it when it next collects the "
                 "generation holding it (counts %s, thresholds %s); \"gc "
                 "collect\" frees it now%s.\n", c, t, saveall);
        free(c);
        free(t);
    }
    Py_XDECREF(count);
    Py_XDECREF(thr);
    Py_XDECREF(debug);
}

/* Say that no chain leads to o from a module or a variable, and why it
   is alive all the same: a garbage cycle, cpdb's value history, or
   something the collector cannot see. */
static void
print_no_chain(CpdbSession *s, CpdbHeap *h, PyObject *o, uint32_t i)
{
    char *brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF), *hist;
    CpdbHeapContext ctx;
    CpdbWhy w;
    int rc;
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_why_no_chain(h, &ctx, i, 1, &w);     /* 1: o, ours */
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        free(brief);
        return;
    }
    hist = history_names(&w);
    cpdb_out(s, "No chain of references leads from a module or a stopped "
             "frame's variable to %s.\n", brief);
    if (w.kind == CPDB_WHY_CYCLE
        || (w.kind == CPDB_WHY_HISTORY && w.in_cycle)) {
        cpdb_out(s, "It is garbage: it and the %zu object%s holding it "
                 "make a reference cycle (or hang from one) that %s "
                 "refers to.\n", w.n_holders, w.n_holders == 1 ? "" : "s",
                 w.kind == CPDB_WHY_CYCLE ? "nothing else"
                 : "only cpdb's value history");
        print_collector_state(s);
        if (w.kind == CPDB_WHY_HISTORY) {
            cpdb_out(s, "But cpdb's value history holds it (%s): the "
                     "collector cannot free it until \"delete values\" "
                     "drops it.\n", hist);
        }
    }
    else if (w.kind == CPDB_WHY_HISTORY) {
        cpdb_out(s, "Only cpdb's value history keeps it alive: %s (the "
                 "program no longer refers to it); \"delete values\" drops "
                 "it.\n", hist);
    }
    else if (w.kind == CPDB_WHY_NOTHING) {
        cpdb_out(s, "Nothing refers to it but this command: the expression "
                 "made it, and it goes when the command ends.\n");
    }
    else {
        char *what = w.n_holders == 0 ? cpdb_xstrdup("it")
            : cpdb_xasprintf("it or one of the %zu object%s holding it",
                             w.n_holders, w.n_holders == 1 ? "" : "s");
        cpdb_out(s, "Something the collector cannot see holds %s: C code "
                 "or the interpreter, a running frame's value stack, or an "
                 "object the collector does not track%s%s%s.\n", what,
                 w.n_history ? " (cpdb's value history holds it too: " : "",
                 hist, w.n_history ? ")" : "");
        free(what);
    }
    free(hist);
    free(brief);
}

/* Say that no chain leads to o, an object the collector does not track,
   and what may hold it: the value history (its $N named), C code, or a
   running frame's stack. */
static void
print_no_chain_untracked(CpdbSession *s, PyObject *o)
{
    char *brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
    Py_ssize_t k, n = PyList_GET_SIZE(s->history);
    CpdbBuf hist;
    cpdb_buf_init(&hist);
    for (k = 0; k < n; k++) {
        if (PyList_GET_ITEM(s->history, k) == o) {
            cpdb_buf_printf(&hist, "%s$%ld", hist.len ? ", " : "",
                            (long)k + 1);
        }
    }
    cpdb_out(s, "No chain of references leads from a module or a stopped "
             "frame's variable to %s.\n", brief);
    if (hist.len > 0) {
        cpdb_out(s, "cpdb's value history holds it (%s): \"delete values\" "
                 "drops it.\n", hist.data);
    }
    else if (Py_REFCNT(o) == 1) {
        /* The one reference is the command's own. */
        cpdb_out(s, "Nothing refers to it but this command: the expression "
                 "made it, and it goes when the command ends.\n");
    }
    else {
        cpdb_out(s, "Something the collector cannot see holds it: C code "
                 "or the interpreter, a running frame's value stack, or an "
                 "object the collector does not track.\n");
    }
    cpdb_buf_fini(&hist);
    free(brief);
}

/* After a chain that runs through gc.garbage: say so, and what frees
   it. */
static void
print_chain_garbage(CpdbSession *s, CpdbHeap *h, const CpdbChain *c)
{
    PyObject **nodes = cpdb_xmalloc(sizeof(PyObject *) * (c->len + 1));
    PyObject *debug;
    CpdbWhy w;
    size_t k;
    for (k = 0; k < c->len; k++) {
        nodes[k] = cpdb_refs_chain_node(h, c, k);
    }
    if (cpdb_why_chain_garbage(nodes, c->len, &w)) {
        debug = cpdb_module_call(s, "gc", "get_debug", NULL);
        cpdb_out(s, "It is %s gc.garbage[%ld]: the collector found it "
                 "unreachable and kept it there %s. \"!del "
                 "gc.garbage[:]\" frees it.\n",
                 w.holder_in_garbage ? "held by" : "in", w.garbage_index,
                 debug != NULL && (PyLong_AsLong(debug) & 32)
                 ? "because DEBUG_SAVEALL is set (\"gc saveall off\" "
                   "stops that)"
                 : "(DEBUG_SAVEALL was set then, or its finalizer could "
                   "not be run)");
        PyErr_Clear();
        Py_XDECREF(debug);
    }
    free(nodes);
}

/* Print the chain c to o (from the target when to_target), found in
   h, where o is object i (h NULL and i -1 when c holds its objects and
   o is not tracked).  Return: CMD_STAY. */
static CmdResult
chain_print(CpdbSession *s, CpdbHeap *h, PyObject *o, long i, CpdbChain *c,
            int to_target)
{
    if (c->len == 0 && to_target) {
        char *brief = cpdb_obj_brief(o, CPDB_WIDTH_BRIEF);
        cpdb_out(s, "No chain of references leads from the target to %s.\n",
                 brief);
        free(brief);
    }
    else if (c->len == 0 && h != NULL && i >= 0) {
        print_no_chain(s, h, o, (uint32_t)i);
    }
    else if (c->len == 0) {
        print_no_chain_untracked(s, o);
    }
    else {
        print_chain(s, h, c);
        print_chain_garbage(s, h, c);
        note_frozen(s, o);
    }
    cpdb_refs_chain_fini(c);
    return CMD_STAY;
}

/* The chain to o from a module or a frame's variable (from target,
   when not NULL), looked for near o first (no snapshot: a short chain
   costs a few passes over the heap), unless this stop's reverse edges
   are built already.  Return: 1 when answered (*r the result), 0 to ask
   the snapshot. */
static int
chain_near(CpdbSession *s, PyObject *o, PyObject *target, CmdResult *r)
{
    CpdbHeapContext ctx;
    CpdbChain c;
    int rc;
    int untracked = !PyObject_IS_GC(o) || !PyObject_GC_IsTracked(o);
    /* The snapshot answers a tracked object; it has no index for an
       untracked one. */
    if (cpdb_session_heap_has_back(s) && !untracked) {
        return 0;
    }
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_refs_chain_near(&ctx, o, target, &c);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        *r = CMD_FAILED;
        return 1;
    }
    if (rc > 0 && c.len == 0 && !untracked && target == NULL) {
        /* Why it is alive all the same is worked out on the snapshot. */
        cpdb_refs_chain_fini(&c);
        return 0;
    }
    if (rc > 0) {
        *r = chain_print(s, NULL, o, -1, &c, target != NULL);
    }
    return rc;
}

/* Find and print the chain to snapshot object i (from target, a
   snapshot index, when >= 0).  Return: CMD_STAY, or CMD_FAILED after
   reporting. */
static CmdResult
chain_answer(CpdbSession *s, CpdbHeap *h, PyObject *o, long i, long target)
{
    CpdbHeapContext ctx;
    CpdbChain c;
    int rc;
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_refs_chain(h, &ctx, (uint32_t)i, target, &c);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    return chain_print(s, h, o, i, &c, target >= 0);
}

static CmdResult
gc_chain(CpdbSession *s, const char *args)
{
    /* " to " outside the expression's strings and brackets:
       d["go to x"] is one expression. */
    char *text = cpdb_strip_dup(args), *to;
    PyObject *o, *target = NULL;
    CpdbHeap *h;
    long i, t = -1;
    CmdResult r = CMD_FAILED;

    to = (char *)cpdb_find_token(text, "to");
    if (to != NULL && to != text) {
        to[-1] = '\0';
        target = cpdb_gc_resolve(s, to + 2);
        if (target == NULL) {
            free(text);
            return CMD_FAILED;
        }
    }
    o = cpdb_gc_resolve(s, text);
    free(text);
    if (o == NULL) {
        Py_XDECREF(target);
        return CMD_FAILED;
    }
    if (target != NULL
        && (!PyObject_IS_GC(target) || !PyObject_GC_IsTracked(target))) {
        cpdb_error(s, "The garbage collector does not track the target: "
                   "give one it tracks (a module, a class, an instance, "
                   "a list).");
        goto done;
    }
    if (chain_near(s, o, target, &r)) {
        goto done;
    }
    i = tracked_index(s, &h, o, 1);
    if (i < 0) {
        goto done;
    }
    if (target != NULL && (t = cpdb_heap_find(h, target)) < 0) {
        cpdb_error(s, "The garbage collector does not track the target.");
        goto done;
    }
    r = chain_answer(s, h, o, i, t);
done:
    Py_XDECREF(target);
    Py_DECREF(o);
    return r;
}

/* --- leaks --------------------------------------------------------------- */

/* The types of the objects nothing refers to, ten at most. */
#define LEAK_TYPES_SHOWN 10

static CmdResult
gc_leaks(CpdbSession *s, const char *args)
{
    long limit, n_leaks, shown = 0, n_types, t;
    const char *rest = cpdb_gc_opt_count(args, 10, &limit);
    const uint8_t *referred;
    CpdbTypeCount *types;
    CpdbHeapContext ctx;
    CpdbHeap *h;
    uint32_t i;

    if (*rest != '\0') {
        cpdb_error(s, "Bad argument \"%s\": gc leaks [N].", rest);
        return CMD_FAILED;
    }
    h = cpdb_session_heap(s);
    if (h == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    cpdb_session_heap_context(s, &ctx);
    referred = cpdb_refs_leaks(h, &ctx);
    cpdb_heap_context_fini(&ctx);
    if (referred == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    types = cpdb_refs_leak_types(h, referred, &n_types, &n_leaks);
    cpdb_out(s, "%ld of %u tracked objects have no referrer the collector "
             "knows of (held from C, by running frames, or leaked):\n",
             n_leaks, h->n);
    for (t = 0; t < n_types && t < LEAK_TYPES_SHOWN; t++) {
        char *name = cpdb_type_name(types[t].type);
        cpdb_out(s, "  %-40s %10ld\n", name, types[t].count);
        free(name);
    }
    if (n_types > LEAK_TYPES_SHOWN) {
        cpdb_gc_more(s, (size_t)(n_types - LEAK_TYPES_SHOWN), "types", NULL);
    }
    for (i = 0; i < h->n && shown < limit; i++) {
        if (!cpdb_bit_get(referred, i)) {
            char *b = cpdb_obj_brief(h->objs[i], CPDB_WIDTH_BRIEF);
            long k = cpdb_history_add(s, h->objs[i]);
            cpdb_out(s, "$%ld = %s\n", k, b);
            free(b);
            shown++;
        }
    }
    cpdb_gc_more(s, (size_t)(n_leaks - shown), "objects", "gc leaks N");
    free(types);
    return CMD_STAY;
}

/* --- graph --------------------------------------------------------------- */

/* The deepest graph of backrefs drawn a pass over the heap per depth:
   building the snapshot's reverse references costs about five passes
   (1.1 s and 0.21 s a pass at 5M objects). */
#define GRAPH_PASS_DEPTH 4

/* "gc graph OBJ [backrefs] [depth N] [max N] FILE", taken apart. */
typedef struct GraphArgs {
    char *text;                 /* malloc'd: the arguments, cut in place */
    const char *expr;           /* OBJ */
    const char *file;           /* FILE */
    const char *ext;            /* its extension: ".dot", ".png", ".svg" */
    CpdbDotOptions opt;
} GraphArgs;

/* Take the options off the end of a->text: what stays is the
   expression.  Return 0, or -1 after reporting. */
static int
graph_options(CpdbSession *s, GraphArgs *a)
{
    char *text = a->text;
    for (;;) {
        char *last = strrchr(text, ' ');
        char *word = last ? last + 1 : NULL;
        char *prev;
        long v;
        if (word == NULL) {
            return 0;
        }
        if (strcmp(word, "backrefs") == 0) {
            a->opt.backrefs = 1;
            *last = '\0';
            continue;
        }
        *last = '\0';
        prev = strrchr(text, ' ');
        if (prev == NULL || (strcmp(prev + 1, "depth") != 0
                             && strcmp(prev + 1, "max") != 0)) {
            *last = ' ';
            return 0;
        }
        if (cpdb_parse_int(word, &v) < 0 || v < 1 || v > 100000) {
            cpdb_error(s, "Bad %s \"%s\": a number is expected.", prev + 1,
                       word);
            return -1;
        }
        if (strcmp(prev + 1, "depth") == 0) {
            a->opt.depth = v;
        }
        else {
            a->opt.max_nodes = v;
        }
        *prev = '\0';
    }
}

/* Cut the last word of text off: the file name, which may be quoted
   ("my graph.png" or 'my graph.png') to hold spaces.  Return: the name
   (in text), or NULL when text has one word only. */
static char *
graph_file(char *text)
{
    size_t n = strlen(text);
    char *open = NULL, *space;
    if (n >= 2 && (text[n - 1] == '"' || text[n - 1] == '\'')) {
        open = memrchr(text, text[n - 1], n - 1);
    }
    if (open != NULL && open > text && open[-1] == ' ') {
        text[n - 1] = '\0';
        open[-1] = '\0';
        return open + 1;
    }
    space = strrchr(text, ' ');
    if (space == NULL) {
        return NULL;
    }
    *space = '\0';
    return space + 1;
}

/* Parse the arguments of "gc graph" into a (a->text to be freed, also
   on failure).  Return 0, or -1 after reporting. */
static int
graph_args(CpdbSession *s, const char *args, GraphArgs *a)
{
    char *file;
    memset(a, 0, sizeof *a);
    a->text = cpdb_strip_dup(args);
    a->opt.depth = 3;
    a->opt.max_nodes = 50;
    /* OBJ [backrefs] [depth N] [max N] FILE: options and the file come
       last; the expression is what stays. */
    file = graph_file(a->text);
    if (file == NULL) {
        cpdb_error(s, "Usage: gc graph OBJ [backrefs] [depth N] [max N] "
                   "FILE.dot|.png|.svg");
        return -1;
    }
    if (graph_options(s, a) < 0) {
        return -1;
    }
    a->expr = a->text;
    a->file = file;
    a->ext = strrchr(file, '.');
    if (a->ext == NULL || (strcmp(a->ext, ".dot") && strcmp(a->ext, ".png")
                           && strcmp(a->ext, ".svg"))) {
        cpdb_error(s, "Bad file \"%s\": FILE.dot, FILE.png or FILE.svg is "
                   "expected.", file);
        return -1;
    }
    return 0;
}

/* Write the DOT text to the file a names, rendered by Graphviz's dot
   for .png and .svg, and say so.  A relative name starts from the
   folder cpdb started in; only that file is written, whole or not at
   all (files.h).  Return: CMD_STAY, or CMD_FAILED after reporting. */
static CmdResult
graph_write(CpdbSession *s, const GraphArgs *a, const char *dot,
            size_t n_objects)
{
    char *path = cpdb_files_user_path(s, a->file), *why = NULL;
    char fmt[16];
    char *filter[] = {(char *)"dot", fmt, NULL};
    int rc;

    snprintf(fmt, sizeof fmt, "-T%s", a->ext + 1);
    rc = cpdb_files_write(path, dot, strlen(dot),
                          strcmp(a->ext, ".dot") == 0 ? NULL : filter,
                          &why);
    if (rc == 0) {
        cpdb_out(s, "Graph of %zu object%s (%s, depth %ld) written to %s.\n",
                 n_objects, n_objects == 1 ? "" : "s",
                 a->opt.backrefs ? "what refers to it" : "what it refers to",
                 a->opt.depth, path);
    }
    else if (rc == -2) {
        cpdb_error(s, "Cannot write \"%s\": Graphviz \"dot\" is not "
                   "installed (a FILE.dot needs no Graphviz).", path);
    }
    else {
        cpdb_error(s, "Cannot write \"%s\": %s.", path, why);
    }
    free(why);
    free(path);
    return rc == 0 ? CMD_STAY : CMD_FAILED;
}

static CmdResult
gc_graph(CpdbSession *s, const char *args)
{
    GraphArgs a;
    PyObject *o = NULL;
    CpdbHeap *h = NULL;
    CpdbHeapContext ctx;
    CpdbDotGraph g;
    CmdResult r = CMD_FAILED;
    char *dot;
    int rc;

    cpdb_dot_graph_init(&g);
    if (graph_args(s, args, &a) < 0
        || (o = cpdb_gc_resolve(s, a.expr)) == NULL) {
        goto done;
    }
    /* Referrers come from this stop's reverse references when they are
       built, or when the graph is deeper than GRAPH_PASS_DEPTH; else a
       pass over the heap per depth finds them, cheaper cold (and the
       only way for an object the collector does not track: the
       snapshot has no index for it). */
    if (a.opt.backrefs && PyObject_IS_GC(o) && PyObject_GC_IsTracked(o)
        && (cpdb_session_heap_has_back(s) || a.opt.depth > GRAPH_PASS_DEPTH)
        && (h = cpdb_session_heap(s)) == NULL) {
        cpdb_error_exc(s, NULL);
        goto done;
    }
    cpdb_session_heap_context(s, &ctx);
    rc = cpdb_dot_draw(o, h, &ctx, &a.opt, &g);
    cpdb_heap_context_fini(&ctx);
    if (rc < 0) {
        cpdb_error_exc(s, NULL);
        goto done;
    }
    dot = cpdb_dot_text(&g);
    r = graph_write(s, &a, dot, g.nodes.n);
    free(dot);
done:
    cpdb_dot_graph_fini(&g);
    Py_XDECREF(o);
    free(a.text);
    return r;
}

/* What keeps objects alive: gc refs, referrers, chain, graph, leaks. */
const CmdDef cpdb_gc_refs_cmds[] = {
    {"refs", NULL, CMD_CLASS_MEMORY, 0, gc_refs, "gc refs OBJ [N]",
     "Show what OBJ refers to, each reference named.\n"
     "OBJ is an expression, $N, or an address cpdb printed.  The first N\n"
     "objects (default 20) are shown, each recorded as $N; the count of\n"
     "the others follows.", NULL,
     cpdb_complete_python},
    {"referrers", NULL, CMD_CLASS_MEMORY, 0, gc_referrers,
     "gc referrers OBJ [N]",
     "Show the tracked objects that refer to OBJ, each reference named.\n"
     "The first N (default 20) are shown, each recorded as $N, then the\n"
     "count of the others; the stopped frames' variables that hold OBJ\n"
     "and its weak references follow.  OBJ may be an object the collector\n"
     "does not track (a str, a bytes, an int, a tuple of atoms): its\n"
     "holders are found in a pass over the heap, untracked tuples and\n"
     "dicts between looked through.  Frozen objects (gc.freeze()) are\n"
     "seen too, and a frozen OBJ is said to be.",
     NULL,
     cpdb_complete_python},
    {"chain", NULL, CMD_CLASS_MEMORY, 0, gc_chain,
     "gc chain OBJ [to TARGET]",
     "Show the shortest chain of references that keeps OBJ alive.\n"
     "It starts at a module (at a stopped frame's variable when no module\n"
     "holds OBJ, or at TARGET) and names each reference:\n"
     "module __main__ .compute -> function compute .__defaults__ -> tuple\n"
     "[0] -> dict ['key'] -> OBJ.  There is no depth limit; weak references\n"
     "do not count.  A long run of one reference folds into one step with\n"
     "its count (.next \xc3\x97 199,993); every object printed is recorded as\n"
     "$N.  With no chain, it says why OBJ is alive: garbage in a cycle the\n"
     "collector has not freed (and what frees it), only cpdb's value\n"
     "history ($N), or a holder the collector cannot see.  It says when\n"
     "the chain runs through gc.garbage, and when OBJ is frozen\n"
     "(gc.freeze()).  OBJ may be an object the collector does not track\n"
     "(a str, a bytes); TARGET may not.  The chain is found without the\n"
     "reverse references of the whole heap: backward from OBJ a level per\n"
     "pass over the heap, forward from the modules (or TARGET, then the\n"
     "frames' variables), until they meet.",
     NULL,
     cpdb_complete_python},
    {"graph", NULL, CMD_CLASS_MEMORY, 0, gc_graph,
     "gc graph OBJ [backrefs] [depth N] [max N] FILE",
     "Write a Graphviz graph of the references from OBJ (or to it).\n"
     "FILE ends in .dot, or in .png or .svg to render it with Graphviz's\n"
     "dot.  Depth 3 and 50 objects by default.  A graph of backrefs stops\n"
     "at modules and shows the stopped frames' variables that hold its\n"
     "objects; each depth is a pass over the heap (to depth 4; deeper, the\n"
     "reverse references of the whole heap are built), and OBJ may be an\n"
     "object the collector does not track.  A relative FILE is in the\n"
     "folder cpdb started in, wherever the program moved to; quote a name\n"
     "with spaces (\"my graph.png\").\n"
     "Only FILE is written, whole or not at all: a symbolic link there is\n"
     "replaced, not followed.", NULL,
     cpdb_complete_python},
    {"leaks", NULL, CMD_CLASS_MEMORY, 0, gc_leaks, "gc leaks [N]",
     "Show the tracked objects that no tracked object refers to.\n"
     "They are held from C: by an extension, by the interpreter, by running\n"
     "frames, or leaked by a missing Py_DECREF.  What the collector cannot\n"
     "see but cpdb can is left out: code objects' constants, static types'\n"
     "dictionaries, the stopped frames' variables.  Counts by type, then\n"
     "the first N objects (default 10) as $N.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
