/* Catchpoints on their own (no session): which exception events stop,
   by the exception's class (names, modules, packages, subclasses), by
   where it was raised (the frame that raised it, not those it passes
   through), and with --user (library frames left out), on exceptions
   raised by code compiled here and by json. */
#include "core/catch.h"
#include "base/compat.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char source[] =
    "import json\n"
    "class Outer:\n"
    "    class Error(LookupError):\n"
    "        pass\n"
    "def raiser():\n"
    "    raise Outer.Error('x')\n"
    "def caller():\n"
    "    try:\n"
    "        raiser()\n"
    "    except Exception as e:\n"
    "        return e\n"
    "def bad_json():\n"
    "    try:\n"
    "        json.loads('[1, ')\n"
    "    except ValueError as e:\n"
    "        return e\n"
    "nested = caller()\n"
    "decoded = bad_json()\n";

/* Return: borrowed global of ns. */
static PyObject *
global(PyObject *ns, const char *name)
{
    return PyDict_GetItemString(ns, name);
}

/* Return: borrowed traceback entry n (0 the outermost) of exc. */
static PyTracebackObject *
tb_entry(PyObject *exc, int n)
{
    PyObject *tb = PyException_GetTraceback(exc);
    PyTracebackObject *t = (PyTracebackObject *)tb;
    Py_XDECREF(tb);         /* the exception keeps it */
    while (t != NULL && n-- > 0) {
        t = t->tb_next;
    }
    return t;
}

/* Whether a catchpoint of one type name stops at traceback entry n. */
static int
stops(const char *type, int user, PyObject *exc, int n)
{
    char *types[1];
    CpdbCatch *c;
    PyTracebackObject *t = tb_entry(exc, n);
    int r;
    types[0] = (char *)type;
    c = cpdb_catch_new(types, type ? 1 : 0, user);
    r = t ? cpdb_catch_matches(c, t->tb_frame, exc, (PyObject *)t) : -1;
    cpdb_catch_free(c);
    return r;
}

int
main(void)
{
    PyObject *code, *ns, *nested, *decoded, *name;
    CpdbCatch *c;
    char *text;
    char *two[] = {"KeyError", "JSONDecodeError"};
    int last;

    Py_Initialize();
    code = Py_CompileString(source, "/nonexistent/cpdb-test-catch.py",
                            Py_file_input);
    ns = PyDict_New();
    PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins());
    name = PyUnicode_FromString("prog");
    PyDict_SetItemString(ns, "__name__", name);
    Py_XDECREF(name);
    Py_XDECREF(PyEval_EvalCode(code, ns, ns));
    nested = global(ns, "nested");
    decoded = global(ns, "decoded");
    if (nested == NULL || decoded == NULL) {
        PyErr_Print();
        printf("Bail out! the program did not run\n");
        return 1;
    }

    OK(cpdb_catch_name_valid("ValueError")
       && cpdb_catch_name_valid("json.decoder.JSONDecodeError")
       && cpdb_catch_name_valid("_Private1"), "class names are valid");
    OK(!cpdb_catch_name_valid("") && !cpdb_catch_name_valid("3x")
       && !cpdb_catch_name_valid("a..b") && !cpdb_catch_name_valid(".a")
       && !cpdb_catch_name_valid("a.") && !cpdb_catch_name_valid("a-b"),
       "other words are not");

    c = cpdb_catch_new(two, 2, 1);
    text = cpdb_catch_describe(c);
    STR_EQ(text, "raise --user KeyError JSONDecodeError",
           "a catchpoint describes itself as the command that makes it");
    free(text);
    cpdb_catch_free(c);

    /* nested: raised in raiser() (entry 1), caught in caller() (0). */
    OK(stops(NULL, 0, nested, 1) == 1, "any type stops where raised");
    OK(stops(NULL, 0, nested, 0) == 0,
       "not again in the frame it passes through");
    OK(stops("Outer.Error", 0, nested, 1) == 1
       && stops("Error", 0, nested, 1) == 1
       && stops("prog.Outer.Error", 0, nested, 1) == 1
       && stops("__main__.Outer.Error", 0, nested, 1) == 0,
       "a class by its qualified name, its name, with its module");
    OK(stops("LookupError", 0, nested, 1) == 1
       && stops("builtins.LookupError", 0, nested, 1) == 1
       && stops("Exception", 0, nested, 1) == 1
       && stops("BaseException", 0, nested, 1) == 1,
       "a base class, with or without its module, stops");
    OK(stops("KeyError", 0, nested, 1) == 0
       && stops("ValueError", 0, nested, 1) == 0
       && stops("Outer", 0, nested, 1) == 0,
       "other classes do not");

    /* decoded: bad_json() (0) -> json.loads -> ... -> raised in json. */
    for (last = 0; tb_entry(decoded, last + 1) != NULL; last++) {
    }
    OK(last >= 2, "JSONDecodeError passed through json's frames (%d)",
       last);
    OK(stops("JSONDecodeError", 0, decoded, last) == 1
       && stops("json.JSONDecodeError", 0, decoded, last) == 1
       && stops("json.decoder.JSONDecodeError", 0, decoded, last) == 1
       && stops("ValueError", 0, decoded, last) == 1,
       "by name, package, module and base, where json raises it");
    OK(stops("son.JSONDecodeError", 0, decoded, last) == 0
       && stops("jsonx.JSONDecodeError", 0, decoded, last) == 0
       && stops("json.dec.JSONDecodeError", 0, decoded, last) == 0,
       "a module is matched by whole dotted parts");
    OK(stops("JSONDecodeError", 0, decoded, 0) == 0,
       "not in bad_json(), which it only passes through");

    cpdb_catch_learn_library();
    OK(stops("JSONDecodeError", 1, decoded, last) == 0,
       "--user: not in json's frame");
    OK(stops("JSONDecodeError", 1, decoded, 0) == 1,
       "--user: in the first frame of the user's code it reaches");
    OK(stops(NULL, 1, nested, 1) == 1 && stops(NULL, 1, nested, 0) == 0,
       "--user: raised in the user's code, where raised only");

    Py_DECREF(ns);
    Py_DECREF(code);
    Py_FinalizeEx();
    return tap_done();
}
