/* Censuses by type name and their differences, on made-up censuses. */
#include "heap/census.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>

static void
make(CpdbCensus *c, const char *const *names, const long *counts, long n)
{
    cpdb_census_of_names(c, names, counts, n);
}

static void
test_made(void)
{
    static const char *const names[] = {"list", "dict", "app.Job", "dict",
                                        "tuple"};
    static const long counts[] = {5, 7, 2, 3, 1};
    CpdbCensus c, copy = {0};
    CpdbCensusRow *rows;

    make(&c, names, counts, 5);
    OK(c.n == 4 && c.total == 18, "4 names, 18 objects (got %ld, %ld)", c.n,
       c.total);
    STR_EQ(c.names[0], "app.Job", "names sorted: app.Job first");
    STR_EQ(c.names[3], "tuple", "names sorted: tuple last");
    OK(cpdb_census_get(&c, "dict") == 10, "types sharing a name add up");
    OK(cpdb_census_get(&c, "set") == 0, "an absent name counts 0");
    cpdb_census_copy(&copy, &c);
    OK(copy.n == 4 && copy.total == 18 && copy.names[0] != c.names[0]
       && cpdb_census_get(&copy, "list") == 5, "a copy owns its names");
    rows = cpdb_census_rows(&c);
    OK(rows[0].after == 10 && rows[1].after == 5 && rows[3].after == 1,
       "rows most objects first");
    STR_EQ(rows[2].name, "app.Job", "then fewer");
    free(rows);
    cpdb_census_fini(&copy);
    cpdb_census_fini(&c);
    OK(c.n == 0 && c.names == NULL, "fini empties the census");

    make(&c, NULL, NULL, 0);
    OK(c.n == 0 && c.total == 0, "an empty census");
    rows = cpdb_census_rows(&c);
    free(rows);
    cpdb_census_fini(&c);
}

static void
test_diff(void)
{
    static const char *const before_names[] = {"dict", "list", "gone",
                                               "same", "b.Shrinks",
                                               "a.Grows"};
    static const long before_counts[] = {100, 10, 4, 7, 9, 1};
    static const char *const after_names[] = {"dict", "list", "same",
                                              "b.Shrinks", "a.Grows",
                                              "new"};
    static const long after_counts[] = {140, 10, 7, 3, 7, 4};
    CpdbCensus a, b, empty = {0};
    CpdbCensusRow *rows;
    size_t n;

    make(&a, before_names, before_counts, 6);
    make(&b, after_names, after_counts, 6);
    rows = cpdb_census_diff(&a, &b, 0, &n);
    OK(n == 5, "5 types changed (got %zu)", n);
    STR_EQ(rows[0].name, "dict", "the largest change first");
    OK(rows[0].before == 100 && rows[0].after == 140 && rows[0].change == 40,
       "dict 100 -> 140 (+40)");
    STR_EQ(rows[1].name, "a.Grows", "equal changes by name: a.Grows");
    STR_EQ(rows[2].name, "b.Shrinks", "a shrinking type by its size");
    OK(rows[2].change == -6, "b.Shrinks -6");
    STR_EQ(rows[3].name, "gone", "a type that is gone");
    OK(rows[3].before == 4 && rows[3].after == 0 && rows[3].change == -4,
       "gone 4 -> 0");
    STR_EQ(rows[4].name, "new", "a new type");
    OK(rows[4].before == 0 && rows[4].change == 4, "new 0 -> 4");
    free(rows);

    rows = cpdb_census_diff(&a, &b, CPDB_CENSUS_GROWN_ONLY, &n);
    OK(n == 3, "3 types grew (got %zu)", n);
    STR_EQ(rows[0].name, "dict", "grown: dict");
    STR_EQ(rows[1].name, "a.Grows", "grown: a.Grows");
    STR_EQ(rows[2].name, "new", "grown: new");
    free(rows);

    rows = cpdb_census_diff(&b, &b, 0, &n);
    OK(n == 0, "no difference with itself");
    free(rows);

    rows = cpdb_census_diff(&empty, &b, CPDB_CENSUS_GROWN_ONLY, &n);
    OK(n == 6 && rows[0].after == 140 && rows[0].change == 140,
       "from nothing every type grew");
    free(rows);
    cpdb_census_fini(&a);
    cpdb_census_fini(&b);
}

static void
test_matching(void)
{
    OK(cpdb_census_name_matches("", "dict"), "an empty pattern matches");
    OK(cpdb_census_name_matches("Job", "app.Job"), "a part of the name");
    OK(!cpdb_census_name_matches("job", "app.Job"), "case counts");
    OK(cpdb_census_name_matches("*.Job", "app.Job"), "a glob");
    OK(!cpdb_census_name_matches("*.Job", "app.Jobs"), "a glob is whole");
    OK(cpdb_census_name_matches("app.[JK]ob", "app.Kob"), "a glob class");
}

static void
test_shift(void)
{
    static const char *const base_names[] = {"dict", "list", "app.Job"};
    static const long base_counts[] = {10, 5, 2};
    static const char *const from_names[] = {"dict", "tuple", "frame"};
    static const long from_counts[] = {100, 50, 3};
    static const char *const to_names[] = {"dict", "tuple", "function"};
    static const long to_counts[] = {130, 70, 9};
    CpdbCensus c, from, to;

    make(&c, base_names, base_counts, 3);
    make(&from, from_names, from_counts, 3);
    make(&to, to_names, to_counts, 3);
    cpdb_census_shift(&c, &from, &to);
    OK(cpdb_census_get(&c, "dict") == 40, "dict 10 + 30 made (got %ld)",
       cpdb_census_get(&c, "dict"));
    OK(cpdb_census_get(&c, "tuple") == 20 && cpdb_census_get(&c, "function")
       == 9, "names the base did not have are added");
    OK(cpdb_census_get(&c, "list") == 5 && cpdb_census_get(&c, "app.Job")
       == 2, "names that did not change stay");
    OK(cpdb_census_get(&c, "frame") == 0 && c.n == 5,
       "a count that would drop below 0 is dropped (n %ld)", c.n);
    OK(c.total == 40 + 20 + 9 + 5 + 2, "the total is the rows' (got %ld)",
       c.total);
    cpdb_census_fini(&c);
    cpdb_census_fini(&from);
    cpdb_census_fini(&to);
}

/* Garbage among some objects: a cycle nothing else refers to, a cycle
   held from outside, and what that one leads to. */
static void
test_unreachable(void)
{
    PyObject *a, *b, *c, *d, *e, *objs[5];
    uint8_t *garbage;
    int i, j;

    Py_Initialize();
    a = PyList_New(0);
    b = PyList_New(0);
    c = PyList_New(0);
    d = PyList_New(0);
    e = PyDict_New();
    PyList_Append(a, b);            /* a <-> b: garbage once dropped */
    PyList_Append(b, a);
    PyList_Append(c, d);            /* c <-> d, c held below */
    PyList_Append(d, c);
    PyDict_SetItemString(e, "x", d);    /* e -> d */
    PyList_Append(d, e);            /* d -> e, so e is reachable */
    objs[0] = a;
    objs[1] = b;
    objs[2] = c;
    objs[3] = d;
    objs[4] = e;
    /* sorted by address, as the function wants */
    for (i = 0; i < 5; i++) {
        for (j = i + 1; j < 5; j++) {
            if ((uintptr_t)objs[j] < (uintptr_t)objs[i]) {
                PyObject *t = objs[i];
                objs[i] = objs[j];
                objs[j] = t;
            }
        }
    }
    Py_DECREF(a);                   /* a and b: held by each other only */
    Py_DECREF(b);
    Py_DECREF(d);                   /* d: by c and e; c by d and here */
    Py_DECREF(e);                   /* e: by d */
    garbage = cpdb_census_unreachable(objs, 5);
    for (i = 0; i < 5; i++) {
        int want = objs[i] == a || objs[i] == b;
        OK(garbage[i] == want, "%s is %sgarbage",
           objs[i] == a ? "a" : objs[i] == b ? "b" : objs[i] == c ? "c"
           : objs[i] == d ? "d" : "e", want ? "" : "not ");
        OK(cpdb_census_index_of(objs, 5, objs[i]) == i,
           "found by address");
    }
    OK(cpdb_census_index_of(objs, 5, Py_None) == -1, "an object not there");
    free(garbage);
    PyList_SetSlice(a, 0, 1, NULL);     /* free the cycle a <-> b */
    Py_DECREF(c);
    Py_FinalizeEx();
}

int
main(void)
{
    test_made();
    test_diff();
    test_shift();
    test_matching();
    test_unreachable();
    return tap_done();
}
