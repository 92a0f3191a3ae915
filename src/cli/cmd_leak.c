/* "leak hints": known ways Python programs leak, looked for in the heap
   as it is now (heap/patterns.c), printed numbered with their fixes,
   each hint's object recorded as $N.  The sizes of module-level
   containers noted at the last look (s->cli->leak) tell which grew. */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/command.h"
#include "core/eval.h"
#include "core/frames.h"
#include "heap/heap.h"
#include "heap/names.h"
#include "heap/patterns.h"
#include "cli/output.h"
#include "core/session.h"
#include "base/text.h"
#include "base/util.h"

#include <stdlib.h>

/* The sizes noted at the last look (the session's), made when first
   needed. */
static CpdbLeakSizes *
last_sizes(CpdbSession *s)
{
    if (s->cli->leak == NULL) {
        s->cli->leak = cpdb_xcalloc(1, sizeof(CpdbLeakSizes));
    }
    return s->cli->leak;
}

void
cpdb_leak_note_sizes(CpdbSession *s)
{
    CpdbLeakSizes now, *last = last_sizes(s);
    cpdb_leak_sizes_take(&now);
    cpdb_leak_sizes_fini(last);
    *last = now;
}

void
cpdb_leak_sizes_free(CpdbLeakSizes *t)
{
    if (t != NULL) {
        cpdb_leak_sizes_fini(t);
        free(t);
    }
}

/* Print the hints "N. TITLE", their advice, and "$N = OBJECT". */
static void
print_hints(CpdbSession *s, const CpdbLeakHints *hints)
{
    size_t i;
    for (i = 0; i < hints->n; i++) {
        const CpdbLeakHint *hint = &hints->items[i];
        cpdb_out(s, "%zu. %s\n", i + 1, hint->title);
        cpdb_out(s, "%s", hint->advice);
        if (hint->obj != NULL) {
            char *brief = cpdb_obj_brief(hint->obj, CPDB_WIDTH_BRIEF);
            long k = cpdb_history_add(s, hint->obj);
            cpdb_out(s, "   $%ld = %s\n", k, brief);
            free(brief);
        }
    }
}

static CmdResult
leak_hints(CpdbSession *s, const char *args)
{
    CpdbLeakSizes now, *last = last_sizes(s);
    CpdbLeakHints hints = {NULL, 0, 0};
    CpdbHeapContext ctx;
    CpdbLeakLook look;

    (void)args;     /* none: the command table's usage says so */
    look.h = cpdb_session_heap(s);
    if (look.h == NULL) {
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    cpdb_session_heap_context(s, &ctx);
    look.ctx = &ctx;
    look.last = last;
    look.code_path = cpdb_code_path;
    if (cpdb_leak_hints(&look, &now, &hints) < 0) {
        cpdb_heap_context_fini(&ctx);
        cpdb_error_exc(s, NULL);
        return CMD_FAILED;
    }
    cpdb_heap_context_fini(&ctx);
    print_hints(s, &hints);
    if (hints.n == 0) {
        cpdb_out(s, "No known leak pattern found now.\n");
    }
    if (!last->taken) {
        cpdb_out(s, "The sizes of module-level containers are noted: "
                 "\"leak hints\" again later tells\nwhich of them grew.\n");
    }
    cpdb_leak_hints_clear(&hints);
    cpdb_leak_sizes_fini(last);
    *last = now;
    return CMD_STAY;
}

static const CmdDef leak_subcommands[] = {
    {"hints", NULL, CMD_CLASS_MEMORY, 0, leak_hints, "leak hints",
     "Look for known leak patterns in the heap as it is now.\n"
     "- Django with DEBUG = True keeping every SQL query;\n"
     "- mutable default arguments holding 50 items or more;\n"
     "- functools.lru_cache without a bound holding 100 entries or more,\n"
     "  or on a method, keeping 10 instances or more alive;\n"
     "- containers held by module globals or below them (attributes of\n"
     "  instances and classes, dict values, list items; up to 4\n"
     "  references down, 100 items of each container, 20000 objects in\n"
     "  all) that grew by 10 items or more since the last \"leak hints\"\n"
     "  or \"gc snapshot\", named by their path (APP.state.sessions):\n"
     "  the five that grew most one by one, then how many others did;\n"
     "- gc.garbage the collector could not free;\n"
     "- objects of classes with their own __del__ in reference cycles (C\n"
     "  types' finalizers, such as the io classes', are left out).\n"
     "The standard library's own caches are left out.  Each hint says the\n"
     "fix and records the object as $N.", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};

static const CmdDef *const leak_tables[] = {leak_subcommands, NULL};

const CmdDef cpdb_cmds_leak[] = {
    {"leak", NULL, CMD_CLASS_MEMORY, 0, NULL, "leak hints",
     "Find known memory-leak patterns.", leak_tables},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL}
};
