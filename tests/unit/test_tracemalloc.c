/* Differences between made-up tracemalloc tables. */
#include "heap/tracemalloc.h"
#include "tap.h"

#include <stdlib.h>

static void
add(CpdbMemTable *t, const char *file, long line, long long size,
    long long count)
{
    CpdbMemRow r;
    r.file = cpdb_xstrdup(file);
    r.line = line;
    r.size = size;
    r.count = count;
    cpdb_array_push(&t->rows, r);
}

int
main(void)
{
    CpdbMemTable a = {{NULL, 0, 0}, 0}, b = {{NULL, 0, 0}, 0};
    CpdbMemChange *ch;
    long long total;
    size_t n;

    add(&a, "/app/b.py", 7, 1000, 10);
    add(&a, "/app/a.py", 3, 500, 5);
    add(&a, "/app/a.py", 9, 64, 1);     /* gone in b */
    add(&a, "/app/c.py", 1, 80, 2);     /* the same in b */
    add(&a, "/app/d.py", 2, 100, 1);    /* as many bytes, one more block */
    add(&b, "/app/a.py", 3, 200, 2);
    add(&b, "/app/c.py", 1, 80, 2);
    add(&b, "/app/d.py", 2, 100, 2);
    add(&b, "/app/b.py", 7, 3000, 30);
    add(&b, "/app/e.py", 4, 300, 3);    /* new in b */
    OK(cpdb_mem_table_total(&a) == 1744 && cpdb_mem_table_total(&b) == 3680,
       "totals of the tables");

    ch = cpdb_mem_table_diff(&a, &b, &n, &total);
    OK(n == 5, "5 lines changed (got %zu)", n);
    OK(total == 3680 - 1744, "the changes add up to the totals' difference");
    STR_EQ(ch[0].file, "/app/b.py", "the largest change first");
    OK(ch[0].line == 7 && ch[0].size_diff == 2000 && ch[0].count_diff == 20
       && ch[0].size_now == 3000, "b.py:7 +2000 bytes, +20 blocks, now 3000");
    OK(ch[1].line == 3 && ch[1].size_diff == -300,
       "a.py:3 shrank by 300");
    STR_EQ(ch[2].file, "/app/e.py", "equal changes by file: e.py after a.py");
    OK(ch[2].size_diff == 300 && ch[2].size_now == 300, "e.py:4 is new");
    STR_EQ(ch[3].file, "/app/a.py", "then a smaller change");
    OK(ch[3].line == 9 && ch[3].size_diff == -64 && ch[3].count_diff == -1
       && ch[3].size_now == 0, "a.py:9 is gone (-64, now 0)");
    STR_EQ(ch[4].file, "/app/d.py", "a change of blocks only comes last");
    OK(ch[4].size_diff == 0 && ch[4].count_diff == 1, "d.py:2 +0 (+1 block)");
    free(ch);

    ch = cpdb_mem_table_diff(&a, &a, &n, &total);
    OK(n == 0 && total == 0, "a table does not differ from itself");
    free(ch);
    OK(a.rows.items[0].line == 7 && a.rows.items[2].line == 9,
       "the tables keep their order");

    cpdb_mem_table_fini(&a);
    ch = cpdb_mem_table_diff(&a, &b, &n, &total);
    OK(n == 5 && total == 3680 && ch[0].size_diff == 3000,
       "from an empty table every line is new");
    free(ch);
    cpdb_mem_table_fini(&b);
    OK(b.rows.n == 0 && b.rows.items == NULL, "fini empties a table");

    /* What "mem top" counts as the program's own code. */
    OK(cpdb_mem_is_library("/usr/lib/python3.11/contextlib.py",
                           "/usr/lib/python3.11/"),
       "the standard library is library code");
    OK(cpdb_mem_is_library("/usr/lib/python3.11/json/decoder.py",
                           "/usr/lib/python3.11/"),
       "and so are its packages");
    OK(cpdb_mem_is_library("/usr/lib/python3/dist-packages/django/db/x.py",
                           "/usr/lib/python3.11/"),
       "dist-packages is library code");
    OK(cpdb_mem_is_library("/venv/lib/python3.12/site-packages/a/b.py",
                           NULL), "site-packages is, with no stdlib folder");
    OK(cpdb_mem_is_library("<frozen importlib._bootstrap>", NULL)
       && cpdb_mem_is_library("<unknown>", NULL),
       "frozen modules and unknown frames are");
    OK(!cpdb_mem_is_library("/usr/lib/python3.11x/app.py",
                            "/usr/lib/python3.11/")
       && !cpdb_mem_is_library("/home/me/app/site.py",
                               "/usr/lib/python3.11/"),
       "a folder named like the standard library's is the program's");
    OK(!cpdb_mem_is_library("<string>", NULL)
       && !cpdb_mem_is_library("/srv/packages/app.py", NULL),
       "exec'd strings and other folders are the program's");
    return tap_done();
}
