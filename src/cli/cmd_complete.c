/* "complete TEXT": the candidates tab completion gives for a line, one
   per line, as gdb's "complete" (for scripts, editors and tests). */
#include "cli/cmd.h"
#include "cli/command.h"
#include "cli/complete.h"
#include "cli/output.h"
#include "console/console.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static CmdResult
cmd_complete(CpdbSession *s, const char *args)
{
    const char *line = args, *p;
    int start = 0, words, i;
    char **items;

    for (p = line; *p != '\0'; p++) {
        if (strchr(CPDB_CONSOLE_WORD_BREAKS, *p) != NULL) {
            start = (int)(p - line) + 1;
        }
    }
    items = cpdb_complete(s, line, start, line + start, &words);
    for (i = 0; items[i] != NULL; i++) {
        cpdb_out(s, "%.*s%s\n", start, line, items[i]);
        free(items[i]);
    }
    free(items);
    return CMD_STAY;
}

const CmdDef cpdb_cmds_complete[] = {
    {"complete", NULL, CMD_CLASS_SUPPORT, 0, cmd_complete, "complete TEXT",
     "List the completions of TEXT, as Tab would offer them.\n"
     "Each is printed as the whole line it would make, one per line.",
     NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}
};
