"""Quitting and restarting: kill and quit end the program whatever it
catches, run starts a fresh process keeping the session, run takes shell
redirections, and os._exit() is an exit like any other."""

import os
import re
import signal
import subprocess
import time

import pytest

from conftest import CPDB, PYTHON, program, run_cpdb
from transcript import after, blocks, error_lines, stop_after

PYTEST_FILE = """\
import atexit

atexit.register(lambda: print("ATEXIT RAN"))


def gen():
    try:
        yield 1
        yield 2
    finally:
        print("GEN FINALLY")


def test_a():
    g = gen()
    next(g)
    try:
        x = 1
        assert x == 1
    finally:
        print("FINALLY RAN")


def test_b():
    print("TEST B RAN")
"""


def importable(module):
    """Whether the Python under test has module (Debian's python3 has
    pytest and django; the other installations may not)."""
    try:
        return subprocess.run([PYTHON, "-c", "import " + module],
                              capture_output=True, timeout=60).returncode == 0
    except OSError:
        return False


needs_pytest = pytest.mark.skipif(not importable("pytest"),
                                  reason="pytest is not installed for this "
                                         "Python")


def pytest_run(tmp_path, commands):
    (tmp_path / "test_x.py").write_text(PYTEST_FILE)
    return run_cpdb(["-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                     "test_x.py"], commands, cwd=tmp_path)


def assert_nothing_ran_after(r):
    for text in ("TEST B RAN", "FINALLY RAN", "GEN FINALLY", "ATEXIT RAN",
                 "failed", "Kill"):
        assert text not in r.out, (text, r)
        assert text not in r.err, (text, r)
    assert "Exception ignored" not in r.err, r


@needs_pytest
def test_kill_under_pytest_runs_nothing_more(tmp_path):
    # A breakpoint in the generator's finally: an unwinding kill would
    # stop there while the generator is finalized.
    r = pytest_run(tmp_path, ["break test_x.py:19", "break test_x.py:11",
                              "continue", "kill", "info program", "next",
                              "p 6 * 7"])
    assert stop_after(r, "continue") == ("test_x.py", 19, "test_a"), r
    assert after(r, "kill") == ["Program killed."], r
    assert after(r, "info program") == ["The program is not being run."]
    assert after(r, "next") == [] and "The program is not being run." \
        in error_lines(r), r
    assert after(r, "p 6 * 7") == ["$1 = 42"], r
    assert_nothing_ran_after(r)
    assert r.rc == 0, r


@needs_pytest
def test_quit_under_pytest_ends_cpdb_at_once(tmp_path):
    r = pytest_run(tmp_path, ["break test_x.py:19", "break test_x.py:11",
                              "continue", "quit", "echo not-run\\n"])
    assert stop_after(r, "continue") == ("test_x.py", 19, "test_a"), r
    assert after(r, "quit") == [], r
    assert "not-run" not in r.out, r
    assert_nothing_ran_after(r)
    assert r.rc == 0, r


@needs_pytest
def test_run_under_pytest_starts_the_tests_again(tmp_path):
    r = pytest_run(tmp_path, ["break test_x.py:19", "continue", "run",
                              "continue", "p x", "delete", "continue"])
    assert stop_after(r, "continue", 1) == ("test_x.py", 19, "test_a"), r
    assert after(r, "p x") == ["$1 = 1"], r
    assert "2 passed" in r.out, r
    assert r.out.count("TEST B RAN") == 1, r
    assert "Exception ignored" not in r.err, r
    assert r.rc == 0, r


CATCH_ALL = """\
import atexit

atexit.register(lambda: print("ATEXIT RAN"))


def gen():
    try:
        yield 1
    finally:
        print("GEN FINALLY")


def work():
    g = gen()
    next(g)
    try:
        x = 1
        return x
    finally:
        print("FINALLY RAN")


for name in ("A", "B"):
    try:
        work() if name == "A" else print("TEST B RAN")
    except BaseException as e:
        print("CAUGHT", type(e).__name__)
"""


@pytest.mark.parametrize("how", ["kill", "quit"])
def test_a_program_that_catches_everything_still_ends(tmp_path, how):
    (tmp_path / "catchall.py").write_text(CATCH_ALL)
    r = run_cpdb([str(tmp_path / "catchall.py")],
                 ["break 18", "break 10", "continue", how, "p 2"])
    assert stop_after(r, "continue") == ("catchall.py", 18, "work"), r
    assert_nothing_ran_after(r)
    assert "CAUGHT" not in r.out, r
    if how == "kill":
        assert after(r, "p 2") == ["$1 = 2"], r
    else:
        assert "p 2" not in r.out, r
    assert r.rc == 0, r


def test_atexit_runs_once_when_the_program_ends(tmp_path):
    # Before "Program exited", as python3 runs it before it exits; not
    # again when cpdb quits.  Quitting in post-mortem ends the program
    # as python3 ends after an uncaught exception.
    prog = tmp_path / "pm.py"
    prog.write_text("import atexit\n"
                    "atexit.register(lambda: print('ATEXIT RAN'))\n"
                    "raise ValueError(1)\n")
    ended = run_cpdb([str(prog)], ["continue", "continue"])
    assert after(ended, "continue", 1) == [
        "ATEXIT RAN", "Program exited with status 1."], ended
    assert ended.out.count("ATEXIT RAN") == 1, ended
    quit = run_cpdb([str(prog)], ["continue", "quit"])
    assert quit.out.count("ATEXIT RAN") == 1, quit
    assert quit.rc == 1, quit


UNCLOSED = """\
import sys
f = open(sys.argv[1], "w")
f.write("written by run %s" % sys.argv[2])
"""


def test_a_restart_ends_the_finished_program_as_python_would(tmp_path):
    # The file the program left open is flushed when it is finalized.
    (tmp_path / "unclosed.py").write_text(UNCLOSED)
    out = tmp_path / "out.txt"
    r = run_cpdb(["unclosed.py", str(out), "1"],
                 ["continue", "run %s 2" % out, "p open(%r).read()" % str(out),
                  "continue"], cwd=tmp_path)
    assert after(r, "p open(%r).read()" % str(out)) == [
        "$1 = 'written by run 1'"], r
    assert out.read_text() == "written by run 2", r


def test_kill_at_a_traceback_handed_to_pdb(tmp_path):
    prog = tmp_path / "pm.py"
    prog.write_text("import pdb, sys\ntry:\n    1 / 0\n"
                    "except BaseException:\n"
                    "    pdb.post_mortem(sys.exc_info()[2])\n"
                    "    print('AFTER PM')\nprint('END')\n")
    r = run_cpdb([str(prog)], ["continue", "kill", "p 1"])
    assert "Program killed." in after(r, "kill"), r
    assert "AFTER PM" not in r.out and "END" not in r.out, r
    assert after(r, "p 1") == ["$1 = 1"], r
    assert r.rc == 0, r


# --- run: a fresh process --------------------------------------------------

@pytest.mark.skipif(not importable("django"),
                    reason="django is not installed for this Python")
def test_run_gives_django_a_fresh_start():
    # Settings configured by the first run would make the second fail
    # with "Settings already configured" in the same interpreter.
    r = run_cpdb([program("djdebug.py")],
                 ["break 27", "continue", "p len(connection.queries)", "run",
                  "continue", "p len(connection.queries)", "continue"],
                 timeout=120)
    assert stop_after(r, "continue", 1) == ("djdebug.py", 27, "main"), r
    assert after(r, "p len(connection.queries)") == ["$1 = 300"], r
    assert after(r, "p len(connection.queries)", 1) == ["$2 = 300"], r
    assert "already configured" not in r.out + r.err, r
    assert r.rc == 0, r


LEAKY = """\
import leaklib

for i in range(30):
    leaklib.remember()
print("done")
"""

LEAKLIB = """\
class Item:
    pass


CACHE = []


def remember():
    CACHE.append(Item())
"""


def item_count(lines):
    for line in lines:
        m = re.match(r"leaklib\.Item\s+(\d+)$", line)
        if m:
            return int(m.group(1))
    raise AssertionError(lines)


def test_census_after_run_is_that_of_a_fresh_run(tmp_path):
    (tmp_path / "leaky.py").write_text(LEAKY)
    (tmp_path / "leaklib.py").write_text(LEAKLIB)
    r = run_cpdb([str(tmp_path / "leaky.py")],
                 ["break 5", "continue", "gc types 5 Item",
                  "p len(leaklib.CACHE)", "run", "continue",
                  "gc types 5 Item", "p len(leaklib.CACHE)"])
    assert item_count(after(r, "gc types 5 Item")) == 30, r
    assert item_count(after(r, "gc types 5 Item", 1)) == 30, r
    assert after(r, "p len(leaklib.CACHE)", 1) == ["$2 = 30"], r


def test_value_history_numbering_goes_on_and_old_values_are_dropped():
    r = run_cpdb([program("bpcall.py")],
                 ["p 10", "p [1, 2]", "run", "p $1", "p $", "p 3", "p $3"])
    assert after(r, "p $1") == [] and after(r, "p $") == [], r
    errors = error_lines(r)
    assert len(errors) == 2, r
    assert all("earlier run" in e for e in errors), r
    assert "$1" in errors[0] and "$2" in errors[1], r
    assert after(r, "p 3") == ["$3 = 3"], r
    assert after(r, "p $3") == ["$4 = 3"], r


def test_plain_convenience_variables_are_kept_and_objects_dropped():
    r = run_cpdb([program("bpcall.py")],
                 ["set $n = 5", "set $s = 'a b'", "set $none = None",
                  "set $obj = [1, 2]", "run", "show convenience",
                  "p $n + 1", "p $obj"])
    assert after(r, "show convenience") == [
        "$n = 5", "$none = None", "$s = 'a b'"], r
    assert after(r, "p $n + 1") == ["$1 = 6"], r
    errors = error_lines(r)
    assert len(errors) == 1 and "$obj" in errors[0], r


def test_breakpoints_displays_and_settings_are_kept(tmp_path):
    r = run_cpdb([program("stepping.py")],
                 ["break inner if v > 0", "tbreak outer", "break 16",
                  "ignore 3 1", "break 20", "disable 4", "delete 1",
                  "break inner", "condition 5 v == 2", "display total",
                  "display 40 + 2", "undisplay 1", "set listsize 3",
                  "set width 70", "info breakpoints", "run",
                  "info breakpoints", "info display", "show listsize",
                  "show width", "continue", "continue", "continue",
                  "break 21"])
    before = after(r, "info breakpoints")
    kept = after(r, "info breakpoints", 1)
    assert before == kept, r
    assert after(r, "info display") == [
        "Auto-display expressions now in effect:",
        "Num Enb Expression", "2   y   40 + 2"], r
    assert after(r, "show listsize") == [
        "Number of source lines listed is 3."], r
    assert after(r, "show width") == ["Width is 70."], r
    # tbreak outer is hit once; the ignore count passes line 16 once;
    # inner stops only where v == 2.
    assert stop_after(r, "continue") == ("stepping.py", 7, "outer"), r
    assert "2: 40 + 2 = 42" in after(r, "continue"), r
    assert stop_after(r, "continue", 1) == ("stepping.py", 2, "inner"), r
    assert "Breakpoint 5, inner (v=2)" in after(r, "continue", 1)[0], r
    assert after(r, "break 21")[0].startswith("Breakpoint 6 at "), r


METHODS = """\
import json


class K:
    def meth(self):
        return 1


print(K().meth(), json.dumps(2))
"""


def test_function_breakpoints_stay_function_breakpoints(tmp_path):
    (tmp_path / "methods.py").write_text(METHODS)
    r = run_cpdb([str(tmp_path / "methods.py")],
                 ["break K.meth", "break json.dumps", "info breakpoints",
                  "run", "info breakpoints", "continue", "continue"])
    assert after(r, "info breakpoints") == after(r, "info breakpoints", 1)
    assert stop_after(r, "continue") == ("methods.py", 6, "meth"), r
    assert stop_after(r, "continue", 1)[2] == "dumps", r


def test_breakpoint_commands_and_aliases_are_kept():
    r = run_cpdb([program("bpcall.py")],
                 ["break work", "commands 1", "silent", "p n * 100", "end",
                  "alias twice p %1 * 2", "run", "info breakpoints",
                  "twice 21", "continue"])
    info = after(r, "info breakpoints")
    assert [l.strip() for l in info[2:]] == ["silent", "p n * 100"], r
    assert after(r, "twice 21") == ["$1 = 42"], r
    assert "$2 = 500" in after(r, "continue"), r
    assert "Breakpoint 1," not in after(r, "continue"), r


def test_a_program_gone_at_run_leaves_the_prompt(tmp_path):
    prog = tmp_path / "gone.py"
    prog.write_text("print('here')\n")
    r = run_cpdb([str(prog)], ["!import os; os.remove(%r)" % str(prog),
                               "run", "p 5"])
    assert "Can't open file" in r.err, r
    assert after(r, "p 5") == ["$1 = 5"], r
    assert r.rc == 0, r


def test_init_files_ex_commands_and_banner_come_once(tmp_path, home):
    (home / ".cpdbrc").write_text("echo RC-RAN\\n\n")
    r = run_cpdb(["-ex", "echo EX-RAN\\n", program("bpcall.py")],
                 ["run", "p 1"], quiet=False, nx=False,
                 env={"HOME": str(home)})
    lines = r.out.splitlines()
    assert lines.count("RC-RAN") == 1, r
    assert lines.count("EX-RAN") == 1, r
    assert r.out.count('type "help" for help') == 1, r
    assert after(r, "run")[0] == "Starting program: %s" % program(
        "bpcall.py"), r
    assert after(r, "p 1") == ["$1 = 1"], r


def test_batch_commands_go_on_after_run():
    r = run_cpdb(["--batch", "-ex", "break work", "-ex", "run", "-ex",
                  "continue", "-ex", "p n", program("bpcall.py")], quiet=False)
    assert "Starting program:" in r.out, r
    assert "$1 = 5" in r.out, r
    assert r.rc == 0, r


FDS = """\
import os
print("fds", sorted(int(f) for f in os.listdir("/proc/self/fd")))
fd = os.open(__file__, os.O_RDONLY)
os.set_inheritable(fd, True)
print("opened", fd)
"""


def test_file_descriptors_do_not_leak_into_the_new_process(tmp_path):
    (tmp_path / "fds.py").write_text(FDS)
    r = run_cpdb([str(tmp_path / "fds.py")],
                 ["continue", "run", "continue", "run", "continue"])
    listings = [l for l in r.out.splitlines() if l.startswith("fds ")]
    assert len(listings) == 3, r
    assert listings[0] == listings[1] == listings[2], r


FRESH = """\
import os
import signal
print("start", int(signal.getsignal(signal.SIGTERM)),
      os.environ.get("CPDB_TEST_SET"), os.getcwd())
signal.signal(signal.SIGTERM, signal.SIG_IGN)
os.environ["CPDB_TEST_SET"] = "by the program"
os.chdir("/")
"""


def test_the_new_process_starts_as_the_first_did(tmp_path):
    # Working directory, environment and signal dispositions are those
    # cpdb started with, not what the program left.
    (tmp_path / "fresh.py").write_text(FRESH)
    r = run_cpdb(["fresh.py"], ["continue", "run", "continue"],
                 cwd=tmp_path)
    starts = [l for l in r.out.splitlines() if l.startswith("start ")]
    assert len(starts) == 2 and starts[0] == starts[1], r
    assert starts[0] == "start 0 None %s" % tmp_path, r


def test_the_program_restarts_in_the_directory_cpdb_started_in(tmp_path):
    prog = tmp_path / "cd.py"
    prog.write_text("import os\nprint('cwd', os.getcwd())\nos.chdir('/')\n"
                    "print('moved')\n")
    r = run_cpdb(["cd.py"], ["continue", "run", "continue"], cwd=tmp_path)
    assert r.out.count("cwd %s" % tmp_path) == 2, r


# --- run with redirections -------------------------------------------------

ECHO = """\
import sys
print("argv", sys.argv[1:])
print("read", repr(sys.stdin.read()))
print("to stderr", file=sys.stderr)
x = 1
print("end")
"""


def test_run_redirects_the_program_and_keeps_the_prompt(tmp_path):
    (tmp_path / "echo.py").write_text(ECHO)
    (tmp_path / "in.txt").write_text("hello\n")
    r = run_cpdb(["echo.py"],
                 ['run a "b c" < in.txt > out.txt 2>&1', "break 6",
                  "continue", "p x", "continue", "p 1"], cwd=tmp_path)
    assert after(r, 'run a "b c" < in.txt > out.txt 2>&1')[0] == (
        "Starting program: echo.py a 'b c' < %s > %s 2>&1"
        % (tmp_path / "in.txt", tmp_path / "out.txt")), r
    assert after(r, "p x") == ["$1 = 1"], r
    assert after(r, "p 1") == ["$2 = 1"], r
    assert "Program exited with status 0." in after(r, "continue", 1), r
    out = (tmp_path / "out.txt").read_text()
    assert "argv ['a', 'b c']" in out and "read 'hello\\n'" in out, out
    assert "to stderr" in out and "end" in out, out
    assert "argv" not in r.out and "to stderr" not in r.err, r
    assert "(cpdb)" not in out, out


def test_run_from_a_redirected_stop_gives_the_terminal_back(tmp_path):
    (tmp_path / "echo.py").write_text(ECHO)
    (tmp_path / "in.txt").write_text("hello\n")
    r = run_cpdb(["echo.py"],
                 ["run < in.txt > out.txt", "break 6", "continue", "p x",
                  "run", "continue", "p x", "continue", "p 2"],
                 cwd=tmp_path)
    assert after(r, "p x") == ["$1 = 1"] and after(r, "p x", 1) == [
        "$2 = 1"], r
    assert after(r, "p 2") == ["$3 = 2"], r
    assert r.err.count("to stderr") == 2, r
    # opened again (truncated) by the second run
    assert (tmp_path / "out.txt").read_text().count("argv []") == 1


def test_run_appends_and_splits_the_streams(tmp_path):
    (tmp_path / "echo.py").write_text(ECHO)
    (tmp_path / "log.txt").write_text("old\n")
    r = run_cpdb(["echo.py"],
                 ["run x </dev/null >>log.txt 2> err.txt", "continue",
                  "run", "continue"], cwd=tmp_path)
    log = (tmp_path / "log.txt").read_text()
    assert log.startswith("old\n"), log
    assert log.count("argv ['x']") == 2, (log, r)
    assert (tmp_path / "err.txt").read_text() == "to stderr\n", r
    assert r.rc == 0, r


def test_bad_redirections_start_nothing(tmp_path):
    (tmp_path / "echo.py").write_text(ECHO)
    r = run_cpdb(["echo.py"],
                 ["next", "run < missing.txt", "run a >", "run 2>",
                  "run > %s" % tmp_path, "info program", "p sys.argv[1:]"],
                 cwd=tmp_path)
    errors = error_lines(r)
    assert errors[0] == ('Cannot redirect the input from "missing.txt": '
                         'No such file or directory.'), r
    assert errors[1] == ('Bad redirection ">": a file name is expected '
                         'after it.'), r
    assert errors[2] == ('Bad redirection "2>": a file name is expected '
                         'after it.'), r
    assert errors[3] == ('Cannot redirect the output to "%s": Is a '
                         'directory.' % tmp_path), r
    assert "Starting program" not in r.out, r
    assert after(r, "info program") == ["The program is stopped."], r
    assert after(r, "p sys.argv[1:]") == ["$1 = []"], r


# --- os._exit ---------------------------------------------------------------

OS_EXIT = """\
import os
print("before exit", end="")
os._exit(7)
print("after exit")
"""


def test_os_exit_is_reported_as_an_exit(tmp_path):
    (tmp_path / "osexit.py").write_text(OS_EXIT)
    r = run_cpdb([str(tmp_path / "osexit.py")],
                 ["continue", "info program", "run", "continue"])
    first = after(r, "continue")
    assert first[0].startswith("before exit"), r
    assert first[-1].endswith("Program exited with status 7."), r
    assert "after exit" not in r.out, r
    assert after(r, "info program") == [
        "The program is not being run; it last exited with status 7."], r
    assert after(r, "continue", 1)[-1].endswith(
        "Program exited with status 7."), r
    assert r.rc == 7, r


def test_os_exit_in_a_forked_child_is_the_real_one(tmp_path):
    prog = tmp_path / "forkexit.py"
    prog.write_text("import os\npid = os.fork()\nif pid == 0:\n"
                    "    os._exit(3)\n_, st = os.waitpid(pid, 0)\n"
                    "print('child', os.waitstatus_to_exitcode(st))\n")
    r = run_cpdb([str(prog)], ["continue"])
    assert "child 3" in r.out, r
    assert r.out.count("Program exited") == 1, r
    assert r.rc == 0, r


# --- on a terminal ----------------------------------------------------------

def test_command_history_is_kept_across_run(home):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(HOME=str(home), NO_COLOR="1", TERM="xterm")
    c = pexpect.spawn(CPDB, ["-q", "-nx", program("bpcall.py")], env=env,
                      preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                       signal.SIG_DFL),
                      encoding="utf-8", timeout=15, dimensions=(40, 200))
    try:
        c.expect_exact("(cpdb) ")
        c.sendline("p 12345")
        c.expect_exact("$1 = 12345")
        c.expect_exact("(cpdb) ")
        c.sendline("run")
        c.expect_exact("Starting program")
        c.expect_exact("(cpdb) ")
        time.sleep(0.3)         # libedit's terminal mode first
        c.send("\x1b[A\x1b[A\r")     # up twice: "p 12345"
        c.expect_exact("$2 = 12345")
        c.expect_exact("(cpdb) ")
        time.sleep(0.3)
        c.sendeof()
        c.expect(pexpect.EOF)
    finally:
        c.close(force=True)
    assert c.exitstatus == 0
