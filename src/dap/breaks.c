/* Breakpoints as the client sets them: by source (each setBreakpoints
   replaces that file's), by function name, and the exception filters.
   cpdb's table holds them; the adapter keeps what only it knows: the
   client's ids, hit conditions and log messages (dap.h). */
#include "dap/dap.h"
#include "base/text.h"
#include "core/breakpoints.h"
#include "core/catch.h"
#include "core/eval.h"
#include "core/location.h"
#include "core/resolve.h"
#include "core/session.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
break_fini(DapBreak *b)
{
    free(b->source);
    free(b->hit_condition);
    free(b->log_message);
}

/* Forget the client's breakpoints of one kind: those of source (a
   file's), or the function breakpoints when source is NULL. */
static void
drop_breaks(Dap *d, const char *source)
{
    size_t i, k = 0;
    for (i = 0; i < d->breaks.n; i++) {
        DapBreak *b = &d->breaks.items[i];
        int mine = source != NULL
                   ? (!b->function && strcmp(b->source, source) == 0)
                   : b->function;
        if (!mine) {
            d->breaks.items[k++] = *b;
            continue;
        }
        if (b->number > 0) {
            cpdb_bp_delete(&d->s->bps, b->number);
        }
        break_fini(b);
    }
    d->breaks.n = k;
}

/* Check a hit condition: "[OP] N" with OP one of >= > == < <= % (none:
   ==), as debugpy reads them.  Return: NULL, or what is expected. */
static const char *
hit_parse(const char *text, char op[3], long *n)
{
    const char *p = text;
    char *end;
    while (*p == ' ') {
        p++;
    }
    op[0] = op[1] = op[2] = '\0';
    if (strchr("<>=%", *p) != NULL && *p != '\0') {
        op[0] = *p++;
        if (*p == '=') {
            op[1] = *p++;
        }
    }
    if (strcmp(op, "=") == 0 || strcmp(op, "%=") == 0) {
        return "a hit condition is a number with >, >=, ==, <, <= or % "
               "before it (\">= 3\", \"% 2\", \"5\")";
    }
    while (*p == ' ') {
        p++;
    }
    *n = strtol(p, &end, 10);
    if (end == p || *n < 0) {
        return "a hit condition is a number with >, >=, ==, <, <= or % "
               "before it (\">= 3\", \"% 2\", \"5\")";
    }
    while (*end == ' ') {
        end++;
    }
    if (*end != '\0' || (op[0] == '%' && *n == 0)) {
        return "a hit condition is a number with >, >=, ==, <, <= or % "
               "before it (\">= 3\", \"% 2\", \"5\")";
    }
    return NULL;
}

static int
hit_met(const char *cond, long hits)
{
    char op[3];
    long n;
    if (cond == NULL || hit_parse(cond, op, &n) != NULL) {
        return 1;
    }
    if (op[0] == '\0' || strcmp(op, "==") == 0) {
        return hits == n;
    }
    if (strcmp(op, ">=") == 0) {
        return hits >= n;
    }
    if (strcmp(op, ">") == 0) {
        return hits > n;
    }
    if (strcmp(op, "<=") == 0) {
        return hits <= n;
    }
    if (strcmp(op, "<") == 0) {
        return hits < n;
    }
    return hits % n == 0;
}

/* An optional string member: 0 with *out (borrowed, or NULL when
   absent or empty), or -1 when it is not a string. */
static int
opt_string(json_t *o, const char *name, const char **out)
{
    json_t *v = json_object_get(o, name);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v)) {
        return -1;
    }
    if (*json_string_value(v) != '\0') {
        *out = json_string_value(v);
    }
    return 0;
}

/* Add the breakpoint at loc (with the client's condition, hit condition
   and log message) to cpdb's table and the adapter's list.  Return: the
   Breakpoint object for the response. */
static json_t *
add_break(Dap *d, const CpdbLocation *loc, const char *source, int function,
          const char *cond, const char *hit, const char *log)
{
    CpdbSession *s = d->s;
    CpdbResolver where;
    CpdbResolved r;
    DapBreak b;
    char *why = NULL, op[3];
    long n;
    PyObject *code = NULL;
    json_t *out;
    int rc;

    memset(&b, 0, sizeof b);
    memset(&r, 0, sizeof r);
    b.id = d->next_break_id++;
    b.function = function;
    b.source = source != NULL ? cpdb_xstrdup(source) : NULL;
    b.line = (int)loc->line;
    out = json_pack("{s:i}", "id", b.id);
    if (hit != NULL && (why = (char *)hit_parse(hit, op, &n)) != NULL) {
        json_object_set_new(out, "message", json_string(why));
        why = NULL;
        goto refused;
    }
    if (cond != NULL && (code = cpdb_eval_compile(s, cond, 1)) == NULL) {
        char *line = cpdb_exc_take_line();
        why = cpdb_xasprintf("Bad condition: %s", line);
        free(line);
        goto refused_why;
    }
    cpdb_session_resolver(s, &where);
    rc = cpdb_location_resolve(&where, loc, 0, &r, &why);
    cpdb_resolver_fini(&where);
    if (rc < 0) {
        Py_XDECREF(code);
        goto refused_why;
    }
    {
        CpdbBreakpoint *bp = cpdb_bp_add(&s->bps, r.path, r.line,
                                         loc->func, cond, code, 0);
        if (r.code_name != NULL) {
            cpdb_bp_set_function_code(&s->bps, bp, r.def_line, r.code_name);
        }
        b.number = bp->number;
    }
    b.line = r.line;
    b.verified = cpdb_file_is_loaded(s, r.path);
    b.hit_condition = hit != NULL ? cpdb_xstrdup(hit) : NULL;
    b.log_message = log != NULL ? cpdb_xstrdup(log) : NULL;
    json_object_set_new(out, "verified", json_boolean(b.verified));
    json_object_set_new(out, "line", json_integer(r.line));
    json_object_set_new(out, "source", json_pack("{s:s}", "path", r.path));
    if (!b.verified) {
        json_object_set_new(out, "message", json_string(
            "Pending: the file is not imported yet."));
    }
    cpdb_resolved_fini(&r);
    cpdb_array_push(&d->breaks, b);
    return out;
refused_why:
    {
        json_t *t = json_string(why);
        json_object_set_new(out, "message",
                            t != NULL ? t : json_string("refused"));
        free(why);
    }
refused:
    json_object_set_new(out, "verified", json_false());
    if (!function) {
        json_object_set_new(out, "line", json_integer(loc->line));
    }
    b.number = 0;
    cpdb_array_push(&d->breaks, b);
    return out;
}

void
cpdb_dap_set_breakpoints(Dap *d, json_t *req)
{
    json_t *args = cpdb_dap_args(req);
    json_t *source = json_object_get(args, "source");
    json_t *list = json_object_get(args, "breakpoints");
    json_t *lines = json_object_get(args, "lines");
    json_t *out, *item;
    const char *path;
    size_t i;

    if (!json_is_object(source)
        || !json_is_string(json_object_get(source, "path"))) {
        cpdb_dap_respond(&d->w, req, NULL, "setBreakpoints needs "
                         "\"source\": {\"path\": FILE}.");
        return;
    }
    path = json_string_value(json_object_get(source, "path"));
    if (list == NULL && json_is_array(lines)) {
        list = NULL;
    }
    else if (list != NULL && !json_is_array(list)) {
        cpdb_dap_respond(&d->w, req, NULL, "\"breakpoints\" must be an "
                         "array of {\"line\": N}.");
        return;
    }
    for (i = 0; list != NULL && i < json_array_size(list); i++) {
        const char *t;
        item = json_array_get(list, i);
        if (!json_is_object(item)
            || !json_is_integer(json_object_get(item, "line"))
            || json_integer_value(json_object_get(item, "line")) < 1
            || json_integer_value(json_object_get(item, "line")) > 0x7fffffff
            || opt_string(item, "condition", &t) < 0
            || opt_string(item, "hitCondition", &t) < 0
            || opt_string(item, "logMessage", &t) < 0) {
            cpdb_dap_respondf(&d->w, req, "Breakpoint %zu: each breakpoint "
                              "is {\"line\": N >= 1} with optional string "
                              "\"condition\", \"hitCondition\", "
                              "\"logMessage\".", i);
            return;
        }
    }
    if (list == NULL && json_is_array(lines)) {
        for (i = 0; i < json_array_size(lines); i++) {
            json_t *l = json_array_get(lines, i);
            if (!json_is_integer(l) || json_integer_value(l) < 1
                || json_integer_value(l) > 0x7fffffff) {
                cpdb_dap_respond(&d->w, req, NULL, "\"lines\" must be "
                                 "line numbers >= 1.");
                return;
            }
        }
    }
    drop_breaks(d, path);
    out = json_array();
    for (i = 0; i < (list != NULL ? json_array_size(list)
                     : json_is_array(lines) ? json_array_size(lines) : 0);
         i++) {
        CpdbLocation loc;
        const char *cond = NULL, *hit = NULL, *log = NULL;
        memset(&loc, 0, sizeof loc);
        loc.kind = CPDB_LOC_FILE_LINE;
        loc.file = (char *)path;
        if (list != NULL) {
            item = json_array_get(list, i);
            loc.line = (long)json_integer_value(json_object_get(item,
                                                                "line"));
            opt_string(item, "condition", &cond);
            opt_string(item, "hitCondition", &hit);
            opt_string(item, "logMessage", &log);
        }
        else {
            loc.line = (long)json_integer_value(json_array_get(lines, i));
        }
        json_array_append_new(out, add_break(d, &loc, path, 0, cond, hit,
                                             log));
    }
    cpdb_dap_respond(&d->w, req, json_pack("{s:o}", "breakpoints", out),
                     NULL);
}

void
cpdb_dap_set_function_breakpoints(Dap *d, json_t *req)
{
    json_t *list = json_object_get(cpdb_dap_args(req), "breakpoints");
    json_t *out;
    size_t i;
    if (!json_is_array(list)) {
        cpdb_dap_respond(&d->w, req, NULL, "setFunctionBreakpoints needs "
                         "\"breakpoints\": [{\"name\": FUNCTION}].");
        return;
    }
    for (i = 0; i < json_array_size(list); i++) {
        json_t *item = json_array_get(list, i);
        const char *t;
        if (!json_is_object(item)
            || !json_is_string(json_object_get(item, "name"))
            || opt_string(item, "condition", &t) < 0
            || opt_string(item, "hitCondition", &t) < 0) {
            cpdb_dap_respondf(&d->w, req, "Function breakpoint %zu: each is "
                              "{\"name\": FUNCTION} with optional string "
                              "\"condition\" and \"hitCondition\".", i);
            return;
        }
    }
    drop_breaks(d, NULL);
    out = json_array();
    for (i = 0; i < json_array_size(list); i++) {
        json_t *item = json_array_get(list, i);
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *cond = NULL, *hit = NULL, *err;
        CpdbLocation loc;
        opt_string(item, "condition", &cond);
        opt_string(item, "hitCondition", &hit);
        if (strstr(name, " if ") != NULL || strchr(name, ',') != NULL
            || cpdb_location_parse(name, &loc, &err) < 0
            || (loc.kind != CPDB_LOC_FUNCTION
                && loc.kind != CPDB_LOC_FILE_FUNCTION)) {
            if (strstr(name, " if ") == NULL && strchr(name, ',') == NULL
                && cpdb_location_parse(name, &loc, &err) == 0) {
                cpdb_location_fini(&loc);
            }
            json_array_append_new(out, json_pack(
                "{s:i, s:b, s:s}", "id", d->next_break_id++, "verified", 0,
                "message", "A function's name is expected: func, "
                "module.func, Class.method or FILE:func."));
            continue;
        }
        json_array_append_new(out, add_break(d, &loc, NULL, 1, cond, hit,
                                             NULL));
        cpdb_location_fini(&loc);
    }
    cpdb_dap_respond(&d->w, req, json_pack("{s:o}", "breakpoints", out),
                     NULL);
}

void
cpdb_dap_set_exception_breakpoints(Dap *d, json_t *req)
{
    json_t *filters = json_object_get(cpdb_dap_args(req), "filters");
    int raised = 0, uncaught = 0, user = 0;
    json_t *out;
    size_t i;
    if (!json_is_array(filters)) {
        cpdb_dap_respond(&d->w, req, NULL, "setExceptionBreakpoints needs "
                         "\"filters\": an array of \"raised\", "
                         "\"uncaught\", \"userUncaught\".");
        return;
    }
    for (i = 0; i < json_array_size(filters); i++) {
        const char *f = json_string_value(json_array_get(filters, i));
        if (f != NULL && strcmp(f, "raised") == 0) {
            raised = 1;
        }
        else if (f != NULL && strcmp(f, "uncaught") == 0) {
            uncaught = 1;
        }
        else if (f != NULL && strcmp(f, "userUncaught") == 0) {
            user = 1;
        }
        else {
            cpdb_dap_respondf(&d->w, req, "Unknown exception filter %zu: "
                              "\"raised\", \"uncaught\" or "
                              "\"userUncaught\" is expected.", i);
            return;
        }
    }
    if (d->catch_raised > 0) {
        cpdb_bp_delete(&d->s->bps, d->catch_raised);
        d->catch_raised = 0;
    }
    if (d->catch_user_uncaught > 0) {
        cpdb_bp_delete(&d->s->bps, d->catch_user_uncaught);
        d->catch_user_uncaught = 0;
    }
    if (raised || user) {
        cpdb_guard_begin(&d->s->busy);
        cpdb_catch_learn_library();
        cpdb_guard_end(&d->s->busy);
    }
    if (raised) {
        d->catch_raised = cpdb_bp_add_catch(
            &d->s->bps, cpdb_catch_new(NULL, 0, d->just_my_code))->number;
    }
    else if (user) {
        /* (raised stops at every one of them already) */
        CpdbBreakpoint *bp = cpdb_bp_add_catch(&d->s->bps,
                                               cpdb_catch_new(NULL, 0, 1));
        bp->catch->user_uncaught = 1;
        d->catch_user_uncaught = bp->number;
    }
    d->filter_uncaught = uncaught;
    d->s->catch_uncaught = uncaught;
    out = json_array();
    for (i = 0; i < json_array_size(filters); i++) {
        json_array_append_new(out, json_pack("{s:b}", "verified", 1));
    }
    cpdb_dap_respond(&d->w, req, json_pack("{s:o}", "breakpoints", out),
                     NULL);
}

int
cpdb_dap_break_passes(Dap *d, int number, PyFrameObject *frame,
                      int *function)
{
    CpdbBreakpoint *bp = cpdb_bp_find(&d->s->bps, number);
    size_t i;
    *function = 0;
    for (i = 0; i < d->breaks.n; i++) {
        DapBreak *b = &d->breaks.items[i];
        if (b->number != number) {
            continue;
        }
        *function = b->function;
        if (bp != NULL && !hit_met(b->hit_condition, bp->hits)) {
            return 1;
        }
        if (b->log_message != NULL) {
            char *text = cpdb_dap_format_log(d, frame, b->log_message);
            char *line = cpdb_xasprintf("%s\n", text);
            cpdb_dap_output(&d->w, "console", line);
            free(line);
            free(text);
            return 1;
        }
        return 0;
    }
    return 0;
}

void
cpdb_dap_breaks_bind(Dap *d)
{
    size_t i;
    for (i = 0; i < d->breaks.n; i++) {
        DapBreak *b = &d->breaks.items[i];
        CpdbBreakpoint *bp;
        if (b->verified || b->number <= 0
            || (bp = cpdb_bp_find(&d->s->bps, b->number)) == NULL
            || !cpdb_file_is_loaded(d->s, bp->path)) {
            continue;
        }
        b->verified = 1;
        cpdb_dap_event(&d->w, "breakpoint", json_pack(
            "{s:s, s:{s:i, s:b, s:i, s:{s:s}}}", "reason", "changed",
            "breakpoint", "id", b->id, "verified", 1, "line", bp->line,
            "source", "path", bp->path));
    }
}
