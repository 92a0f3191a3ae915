"""pdb's entry points reach cpdb: pdb.post_mortem(), pdb.pm(), the
pdb.run*() functions, the methods of pdb.Pdb (and subclasses) that start
debugging, pytest --pdb / --trace, and sys.breakpointhook with every
form of PYTHONBREAKPOINT, as python gives them."""

import os
import re
import subprocess
import textwrap
import time

import pytest

from conftest import CPDB, PYTHON, Run, run_cpdb, run_python
from transcript import after, error_lines, stop, stop_after


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def no_real_pdb(r):
    assert "(Pdb)" not in r.out, r


# --- post_mortem and pm -----------------------------------------------------

POST_MORTEM = """\
    import pdb
    def boom(n):
        d = n * 2
        return 1 / (n - n)
    def main():
        try:
            boom(3)
        except ZeroDivisionError as e:
            pdb.post_mortem(ARG)
        print("AFTER POST MORTEM")
    main()
    """


@pytest.mark.parametrize("arg", ["", "e.__traceback__", "e"])
def test_post_mortem_shows_the_traceback_then_the_program_goes_on(tmp_path,
                                                                  arg):
    prog = write(tmp_path, "pm1.py", POST_MORTEM.replace("ARG", arg))
    r = run_cpdb([prog], ["continue", "bt", "p d", "up", "p n", "next",
                          "info program", "continue"])
    no_real_pdb(r)
    first = after(r, "continue")
    assert "ZeroDivisionError: division by zero" in first, r
    assert stop(first) == ("pm1.py", 4, "boom"), r
    bt = after(r, "bt")
    assert len(bt) == 2 and "boom (n=3)" in bt[0] and "main ()" in bt[1], r
    assert after(r, "p d") == ["$1 = 6"], r
    assert stop_after(r, "up") == ("pm1.py", 7, "main"), r
    assert after(r, "p n") == [], r     # main has no n: an error, on stderr
    assert "NameError: name 'n' is not defined" in r.err, r
    assert "pdb.post_mortem" in after(r, "info program")[0], r
    # step and the like need a live frame: refused, and it stays there.
    assert "only \"continue\" (back to the program)" in r.err, r
    assert after(r, "continue", 1) == ["AFTER POST MORTEM",
                                       "Program exited with status 0."], r
    assert r.rc == 0, r


def test_post_mortem_without_an_exception_raises_as_pdb(tmp_path):
    prog = write(tmp_path, "pm2.py", """\
        import pdb
        try:
            pdb.post_mortem()
        except ValueError as e:
            print("VALUE ERROR", e)
        """)
    r = run_cpdb([prog], ["continue"])
    assert after(r, "continue") == [
        "VALUE ERROR A valid traceback must be passed if no exception is "
        "being handled", "Program exited with status 0."], r


PM = """\
    import pdb, sys
    def bad(key):
        table = {"a": 1}
        return table[key]
    try:
        bad("zz")
    except KeyError:
        sys.last_type, sys.last_value, sys.last_traceback = sys.exc_info()
        if sys.version_info >= (3, 12):
            sys.last_exc = sys.last_value
    pdb.pm()
    print("AFTER PM")
    """


def test_pm_shows_the_last_uncaught_exception(tmp_path):
    prog = write(tmp_path, "pm3.py", PM)
    r = run_cpdb([prog], ["continue", "p key", "continue"])
    no_real_pdb(r)
    first = after(r, "continue")
    assert "KeyError: 'zz'" in first, r
    assert stop(first) == ("pm3.py", 4, "bad"), r
    assert after(r, "p key") == ["$1 = 'zz'"], r
    assert after(r, "continue", 1) == ["AFTER PM",
                                       "Program exited with status 0."], r


def test_pm_without_a_last_exception_raises_attribute_error(tmp_path):
    prog = write(tmp_path, "pm4.py", """\
        import pdb
        try:
            pdb.pm()
        except AttributeError:
            print("NO LAST EXCEPTION")
        """)
    assert "NO LAST EXCEPTION" in run_python([prog]).out
    r = run_cpdb([prog], ["continue"])
    assert after(r, "continue") == ["NO LAST EXCEPTION",
                                    "Program exited with status 0."], r


def test_kill_at_a_traceback_ends_the_program(tmp_path):
    prog = write(tmp_path, "pm5.py", POST_MORTEM.replace("ARG", ""))
    r = run_cpdb([prog], ["continue", "kill"])
    assert after(r, "kill") == ["Program killed."], r
    assert "AFTER POST MORTEM" not in r.out, r


def test_breakpoint_set_at_a_traceback_stops_the_program_later(tmp_path):
    prog = write(tmp_path, "pm6.py", POST_MORTEM.replace("ARG", ""))
    r = run_cpdb([prog], ["continue", "break 10", "continue", "continue"])
    assert stop_after(r, "continue", 1) == ("pm6.py", 10, "main"), r
    assert after(r, "continue", 2) == ["AFTER POST MORTEM",
                                       "Program exited with status 0."], r


# --- Pdb methods ------------------------------------------------------------

def test_pdb_instance_and_subclass_set_trace_stop_in_cpdb(tmp_path):
    prog = write(tmp_path, "st.py", """\
        import pdb, sys
        class My(pdb.Pdb):
            pass
        a = 1
        pdb.set_trace(header="THE HEADER")
        pdb.Pdb().set_trace()
        b = 2
        My().set_trace()
        c = 3
        pdb.Pdb().set_trace(sys._getframe())
        d = 4
        print("END", a, b, c, d)
        """)
    r = run_cpdb([prog], ["continue", "continue", "p a", "continue", "p b",
                          "continue", "next", "p c", "continue"])
    no_real_pdb(r)
    first = after(r, "continue")
    assert first[0] == "THE HEADER", r
    assert stop(first) == ("st.py", 6, "<module>"), r
    assert stop_after(r, "continue", 1) == ("st.py", 7, "<module>"), r
    assert after(r, "p a") == ["$1 = 1"], r
    assert stop_after(r, "continue", 2) == ("st.py", 9, "<module>"), r
    assert stop_after(r, "continue", 3) == ("st.py", 11, "<module>"), r
    assert stop_after(r, "next") == ("st.py", 12, "<module>"), r
    assert after(r, "continue", 4) == ["END 1 2 3 4",
                                       "Program exited with status 0."], r


def test_pdb_interaction_with_a_frame_or_a_traceback(tmp_path):
    # What IPython's and other tools' debuggers call on a Pdb subclass.
    prog = write(tmp_path, "inter.py", """\
        import pdb, sys
        class Tool(pdb.Pdb):
            pass
        def f():
            v = 10
            Tool().interaction(sys._getframe(), None)
            w = 11
            return v + w
        f()
        try:
            f() + None
        except TypeError as e:
            Tool().interaction(None, e.__traceback__)
        print("DONE")
        """)
    r = run_cpdb([prog], ["continue", "p v", "next", "continue", "continue",
                          "bt", "continue"])
    no_real_pdb(r)
    assert stop_after(r, "continue") == ("inter.py", 6, "f"), r
    assert after(r, "p v") == ["$1 = 10"], r
    assert stop_after(r, "next") == ("inter.py", 7, "f"), r
    # The second call of f stops again at its interaction().
    assert stop_after(r, "continue", 1) == ("inter.py", 6, "f"), r
    tb_stop = after(r, "continue", 2)
    assert "Post mortem debugging of a traceback" in " ".join(tb_stop), r
    assert stop(tb_stop) == ("inter.py", 11, "<module>"), r
    assert after(r, "continue", 3) == ["DONE",
                                       "Program exited with status 0."], r


# --- run, runeval, runctx, runcall ------------------------------------------

RUN = """\
    import pdb
    def f(a, b):
        c = a + b
        return c * 2
    x = 5
    print("runcall", pdb.runcall(f, 1, b=2))
    print("runeval", pdb.runeval("x + 1"))
    print("run", pdb.run("y = x * 3"), y)
    g = {"q": 4}
    print("runctx", pdb.runctx("q2 = q * q", g, g), g["q2"])
    p = pdb.Pdb()
    print("method runcall", p.runcall(f, 10, 20))
    print("method runeval", p.runeval("x - 1"))
    print("len", pdb.runcall(len, [1, 2, 3]))
    print("END")
    """


def test_run_functions_stop_at_the_first_line_and_return_as_pdb(tmp_path):
    prog = write(tmp_path, "run1.py", RUN)
    cmds = ["continue", "bt", "p a", "continue", "p x", "continue", "next",
            "p y", "continue", "continue", "continue", "continue",
            "continue"]
    r = run_cpdb([prog], cmds)
    py = run_python([prog], stdin="c\n" * 8)
    no_real_pdb(r)
    # runcall stops at f's first line, not at a --Call--.
    first = after(r, "continue")
    assert "--Call--" not in first, r
    assert stop(first) == ("run1.py", 3, "f"), r
    assert "f (a=1, b=2)" in after(r, "bt")[0], r
    assert after(r, "p a") == ["$1 = 1"], r
    assert stop_after(r, "continue", 1) == ("<string>", 1, "<module>"), r
    assert after(r, "p x") == ["$2 = 5"], r
    assert stop_after(r, "continue", 2) == ("<string>", 1, "<module>"), r
    assert after(r, "p y") == ["$3 = 15"], r
    assert stop_after(r, "continue", 3) == ("<string>", 1, "<module>"), r
    assert stop_after(r, "continue", 4) == ("run1.py", 3, "f"), r
    assert stop_after(r, "continue", 5) == ("<string>", 1, "<module>"), r
    # A builtin has no line to stop at, and nothing stops after it.
    assert after(r, "continue", 6)[-1] == "Program exited with status 0.", r
    words = ("runcall", "runeval", "run", "runctx", "method", "len", "END")
    printed = [l for l in r.out.splitlines() if l.split(" ")[0] in words]
    want = [l for l in py.out.replace("(Pdb) ", "").splitlines()
            if l.split(" ")[0] in words]
    assert printed == want == [
        "runcall 6", "runeval 6", "run None 15", "runctx None 16",
        "method runcall 60", "method runeval 4", "len 3", "END"], (r, py)


# --- pytest -----------------------------------------------------------------

def have_pytest():
    return subprocess.run([PYTHON, "-c", "import pytest"],
                          capture_output=True).returncode == 0


needs_pytest = pytest.mark.skipif(not have_pytest(),
                                  reason="pytest not importable by "
                                         "CPDB_PYTHON")

TWO_TESTS = """\
    import os
    def test_a():
        x = 1
        print("TEST A OUTPUT")
        assert x == 2
    def test_b():
        y = 2
        open(os.path.join(os.path.dirname(__file__), "b_ran"), "w").close()
        print("TEST B RAN")
        assert y == 2
    """


@needs_pytest
def test_pytest_pdb_post_mortem_in_cpdb_then_next_test(tmp_path):
    write(tmp_path, "test_two.py", TWO_TESTS)
    r = run_cpdb(["-m", "pytest", "-p", "no:cacheprovider", "--pdb",
                  "test_two.py"],
                 ["continue", "p x", "bt 1", "continue"], cwd=str(tmp_path))
    no_real_pdb(r)
    first = after(r, "continue")
    assert stop(first) == ("test_two.py", 5, "test_a"), r
    assert after(r, "p x") == ["$1 = 1"], r
    assert "test_a ()" in after(r, "bt 1")[0], r
    rest = after(r, "continue", 1)
    assert (tmp_path / "b_ran").exists(), r
    assert any("1 failed, 1 passed" in l for l in rest), r
    assert any("FAILED test_two.py::test_a" in l for l in rest), r
    assert rest[-1] == "Program exited with status 1.", r


@needs_pytest
def test_pytest_pdb_kill_stops_no_more(tmp_path):
    # pytest hands what it caught (the kill unwinding) to pdb again: no
    # second stop comes of it.
    write(tmp_path, "test_two.py", TWO_TESTS)
    r = run_cpdb(["-m", "pytest", "-p", "no:cacheprovider", "--pdb",
                  "test_two.py"], ["continue", "kill", "quit"],
                 cwd=str(tmp_path))
    assert r.out.count("Post mortem debugging of a traceback") == 1, r
    assert "Program killed." in after(r, "kill"), r


@needs_pytest
def test_pytest_trace_stops_at_the_start_of_each_test(tmp_path):
    write(tmp_path, "test_two.py", TWO_TESTS.replace("x == 2", "x == 1"))
    r = run_cpdb(["-m", "pytest", "-p", "no:cacheprovider", "--trace",
                  "test_two.py"],
                 ["continue", "next", "p x", "continue", "p y", "continue"],
                 cwd=str(tmp_path))
    no_real_pdb(r)
    assert stop_after(r, "continue") == ("test_two.py", 3, "test_a"), r
    assert stop_after(r, "next") == ("test_two.py", 4, "test_a"), r
    assert after(r, "p x") == ["$1 = 1"], r
    assert stop_after(r, "continue", 1) == ("test_two.py", 7, "test_b"), r
    assert after(r, "p y") == [], r    # not yet assigned
    rest = after(r, "continue", 2)
    assert "TEST B RAN" in rest, r
    assert any("2 passed" in l for l in rest), r
    assert rest[-1] == "Program exited with status 0.", r


@needs_pytest
def test_pytest_set_trace_and_breakpoint_while_capturing(tmp_path):
    # pytest replaces pdb.set_trace with its own, which calls
    # Pdb.set_trace; breakpoint() reaches cpdb while fds are captured.
    write(tmp_path, "test_st.py", """\
        import pdb
        def test_a():
            x = 1
            pdb.set_trace()
            x = 2
            breakpoint()
            assert x == 2
        def test_b():
            print("TEST B RAN")
            assert 0
        """)
    r = run_cpdb(["-m", "pytest", "-p", "no:cacheprovider", "test_st.py"],
                 ["continue", "p x", "continue", "p x", "continue"],
                 cwd=str(tmp_path))
    no_real_pdb(r)
    assert stop_after(r, "continue") == ("test_st.py", 5, "test_a"), r
    assert after(r, "p x") == ["$1 = 1"], r
    assert stop_after(r, "continue", 1) == ("test_st.py", 7, "test_a"), r
    assert after(r, "p x", 1) == ["$2 = 2"], r
    rest = after(r, "continue", 2)
    assert "TEST B RAN" in rest, r      # its captured output, in the report
    assert any("1 failed, 1 passed" in l for l in rest), r


@needs_pytest
def test_pytest_pdb_prompt_on_a_terminal(tmp_path, home):
    pexpect = pytest.importorskip("pexpect")
    write(tmp_path, "test_two.py", TWO_TESTS)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(HOME=str(home), NO_COLOR="1", TERM="xterm")
    child = pexpect.spawn(CPDB, ["-q", "-nx", "-m", "pytest", "-p",
                                 "no:cacheprovider", "--pdb",
                                 "test_two.py"],
                          env=env, cwd=str(tmp_path), encoding="utf-8",
                          timeout=30, dimensions=(40, 200))
    child.expect_exact("(cpdb) ")
    child.sendline("continue")
    child.expect_exact("> %s(5)test_a()" % os.path.realpath(
        str(tmp_path / "test_two.py")))
    child.expect_exact("(cpdb) ")
    child.sendline("p x")
    child.expect_exact("$1 = 1")
    child.expect_exact("(cpdb) ")
    child.sendline("p nosuchname")
    child.expect_exact("NameError: name 'nosuchname' is not defined")
    child.expect_exact("(cpdb) ")
    child.sendline("continue")
    child.expect_exact("1 failed, 1 passed")
    child.expect_exact("Program exited with status 1.")
    child.expect_exact("(cpdb) ")
    time.sleep(0.3)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert (tmp_path / "b_ran").exists()


# --- unittest and doctest ---------------------------------------------------

def test_unittest_and_doctest_debuggers_reach_cpdb(tmp_path):
    # doctest runs examples with its own pdb.Pdb subclass as pdb.set_trace.
    write(tmp_path, "test_u.py", '''\
        import doctest, pdb, unittest
        def doubled(n):
            """
            >>> import pdb; pdb.set_trace(); doubled(4)
            8
            """
            m = n * 2
            return m
        class T(unittest.TestCase):
            def test_one(self):
                k = 5
                pdb.Pdb().set_trace()
                self.assertEqual(k, 5)
        def load_tests(loader, tests, ignore):
            tests.addTests(doctest.DocTestSuite())
            return tests
        ''')
    r = run_cpdb(["-m", "unittest", "test_u"],
                 ["continue", "p k", "continue", "continue"],
                 cwd=str(tmp_path))
    no_real_pdb(r)
    assert stop_after(r, "continue") == ("test_u.py", 13, "test_one"), r
    assert after(r, "p k") == ["$1 = 5"], r
    # As under pdb: the example's line has begun, so the next event is
    # the call of doubled().
    doc = after(r, "continue", 1)
    assert doc[0] == "--Call--" and stop(doc) == ("test_u.py", 2,
                                                  "doubled"), r
    assert "OK" in r.err, r
    assert r.rc == 0, r


# --- PYTHONBREAKPOINT -------------------------------------------------------

BP = """\
    x = 3
    r = breakpoint(1, k=2) if BP_ARGS else breakpoint()
    print("B", r, x)
    """


def bp_program(tmp_path, with_args):
    write(tmp_path, "hk.py", """\
        def hook(*args, **kw):
            print("HOOK CALLED", args, kw)
            return "hooked"
        """)
    return write(tmp_path, "bp.py", BP.replace("BP_ARGS", str(with_args)))


@pytest.mark.parametrize("value,with_args", [
    ("0", True), ("hk.hook", True), ("nosuch.func", False), ("hk.nope", False),
    (".x", False), ("json.", False), ("int", False)])
def test_pythonbreakpoint_does_what_python_does(tmp_path, value, with_args):
    prog = bp_program(tmp_path, with_args)
    env = {"PYTHONBREAKPOINT": value}
    py = run_python([prog], env=env)
    r = run_cpdb([prog], ["continue"], env=env)
    assert after(r, "continue") == py.out.splitlines() + [
        "Program exited with status 0."], (r, py)
    assert r.err == py.err, (r, py)
    assert r.rc == py.rc == 0, r


@pytest.mark.parametrize("value", [None, "", "pdb.set_trace"])
def test_pythonbreakpoint_unset_empty_or_pdb_stops_in_cpdb(tmp_path, value,
                                                          monkeypatch):
    prog = bp_program(tmp_path, False)
    env = {"PYTHONBREAKPOINT": value} if value is not None else {}
    monkeypatch.delenv("PYTHONBREAKPOINT", raising=False)
    r = run_cpdb([prog], ["continue", "p x", "continue"], env=env)
    no_real_pdb(r)
    assert stop_after(r, "continue") == ("bp.py", 3, "<module>"), r
    assert after(r, "p x") == ["$1 = 3"], r
    assert after(r, "continue", 1) == ["B None 3",
                                       "Program exited with status 0."], r


def test_pythonbreakpoint_is_read_at_each_call(tmp_path):
    prog = write(tmp_path, "bp2.py", """\
        import os
        os.environ["PYTHONBREAKPOINT"] = "0"
        breakpoint()
        os.environ["PYTHONBREAKPOINT"] = ""
        y = 1
        breakpoint()
        print("END", y)
        """)
    r = run_cpdb([prog], ["continue", "continue"],
                 env={"PYTHONBREAKPOINT": ""})
    assert stop_after(r, "continue") == ("bp2.py", 7, "<module>"), r
    assert error_lines(r) == [], r


def has_ipython():
    r = subprocess.run([PYTHON, "-c", "import IPython.core.debugger"],
                       capture_output=True)
    return r.returncode == 0


@pytest.mark.skipif(not has_ipython(), reason="IPython is not installed "
                    "for this python (Debian: python3-ipython)")
def test_ipython_debugger_reaches_cpdb(tmp_path):
    # IPython's debugger is a pdb.Pdb subclass: its set_trace, an
    # instance's set_trace and interaction on a traceback stop in cpdb.
    prog = write(tmp_path, "ipy.py", '''\
        from IPython.core.debugger import set_trace, Pdb
        def f(x):
            y = x + 1
            set_trace()
            z = y * 2
            return z
        print("f", f(3))
        def g():
            w = 5
            Pdb().set_trace()
            return w
        print("g", g())
        try:
            1/0
        except ZeroDivisionError:
            import sys
            Pdb().interaction(None, sys.exc_info()[2])
        print("end")
        ''')
    r = run_cpdb([prog], ["continue", "p y", "continue", "p w", "continue",
                          "bt", "continue"])
    # IPython's Pdb sets the terminal's title (escape sequences) when made.
    r = Run(re.sub(r"\x1b\][^\x07]*\x07|\x1b\[[0-9;]*t", "", r.out), r.err,
            r.rc)
    assert "(Pdb)" not in r.out and "ipdb>" not in r.out, r
    assert stop_after(r, "continue") == ("ipy.py", 5, "f"), r
    assert after(r, "p y") == ["$1 = 4"], r
    assert stop_after(r, "continue", 1) == ("ipy.py", 11, "g"), r
    assert after(r, "p w") == ["$2 = 5"], r
    assert stop_after(r, "continue", 2) == ("ipy.py", 14, "<module>"), r
    assert "end" in after(r, "continue", 3), r
    assert "Program exited with status 0." in r.out, r
