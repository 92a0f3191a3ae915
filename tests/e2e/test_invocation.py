"""Invocation and transparency: the program runs under cpdb as it runs
under plain python; options, init files, exit status, run/kill/quit."""

import os
import re
import signal

import pytest

from conftest import PROGRAMS, program, python_version, run_cpdb, \
    run_python
from transcript import after, blocks, error_lines, locations, prog_path, \
    stop, stop_after


def program_output(run, command="continue"):
    """What the program printed after command, up to cpdb's end line."""
    lines = after(run, command)
    assert lines and lines[-1].endswith("Program exited with status %d."
                                        % run.rc), run
    return lines


# --- transparency -----------------------------------------------------------

def test_script_sees_the_same_as_under_python():
    args = [program("showenv.py"), "alpha", "two words"]
    r = run_cpdb(args, ["continue"])
    py = run_python(args)
    assert py.rc == 0
    assert r.rc == py.rc, r
    assert py.out in r.out, r
    assert r.err == py.err, r
    # The lines python printed, one by one, as they came.
    assert "argv [%r, 'alpha', 'two words']" % program("showenv.py") in r.out
    assert "path0 %s" % os.path.realpath(PROGRAMS) in r.out
    assert "name __main__" in r.out
    assert "main module True" in r.out


def test_relative_script_path_from_its_folder():
    args = ["showenv.py", "7"]
    r = run_cpdb(args, ["continue"], cwd=PROGRAMS)
    py = run_python(args, cwd=PROGRAMS)
    assert py.rc == 7
    assert r.rc == 7, r
    assert py.out in r.out, r
    assert r.err == py.err, r
    assert "argv ['showenv.py', '7']" in r.out
    assert "file %s" % prog_path("showenv.py") in r.out


def test_script_path_with_dotdot_from_another_folder():
    cwd = os.path.join(PROGRAMS, "mainpkg")
    args = [os.path.join("..", "showenv.py")]
    r = run_cpdb(args, ["continue"], cwd=cwd)
    py = run_python(args, cwd=cwd)
    assert r.rc == py.rc == 0, r
    for line in py.out.splitlines():
        if line.startswith(("argv", "path0", "file", "cwd")):
            assert line in r.out.splitlines(), (line, r)


def test_first_stop_is_line_one_of_module():
    r = run_cpdb([program("showenv.py")], ["quit"])
    first = blocks(r)[0][1]
    assert first[0] == "> %s(1)<module>()" % prog_path("showenv.py"), r
    assert first[1] == ('-> """Prints what a script sees of how it was '
                        'started (transparency tests)."""')
    # Nothing of the program ran before the first stop.
    assert "argv" not in r.out


def test_dash_m_module():
    args = ["-m", "showenv", "9", "x"]
    r = run_cpdb(args, ["continue"], cwd=PROGRAMS)
    py = run_python(args, cwd=PROGRAMS)
    assert py.rc == 9
    assert r.rc == 9, r
    assert py.out in r.out, r
    assert r.err == py.err, r
    assert "name __main__" in r.out
    assert blocks(r)[0][1][0] == "> %s(1)<module>()" % prog_path(
        "showenv.py")


def test_dash_m_package_with_main():
    args = ["-m", "mainpkg", "a", "b"]
    r = run_cpdb(args, ["continue"], cwd=PROGRAMS)
    py = run_python(args, cwd=PROGRAMS)
    assert py.rc == 5
    assert r.rc == 5, r
    assert py.out in r.out, r
    assert "pkg main __main__ mainpkg 1.5" in r.out
    assert "argv ['a', 'b']" in r.out
    assert stop(blocks(r)[0][1]) == ("__main__.py", 1, "<module>"), r


def test_dash_m_missing_module():
    r = run_cpdb(["-m", "no_such_module_here"], ["continue"], cwd=PROGRAMS)
    py = run_python(["-m", "no_such_module_here"], cwd=PROGRAMS)
    assert r.rc == py.rc == 1, r
    errs = error_lines(r)
    assert len(errs) == 1 and "no_such_module_here" in errs[0], r
    assert "Traceback" not in r.err


@pytest.mark.parametrize("mode,status", [("ok", 0), ("code", 3),
                                         ("msg", 1), ("raise", 4)])
def test_exit_status_and_output_like_python(mode, status):
    args = [program("exits.py"), mode]
    r = run_cpdb(args, ["continue"])
    py = run_python(args)
    assert py.rc == status
    assert r.rc == status, r
    assert py.out in r.out, r
    assert r.err == py.err, r
    lines = program_output(r)
    assert lines[-1] == "Program exited with status %d." % status
    if mode == "msg":
        assert r.err == "goodbye message\n"


def test_uncaught_exception_post_mortem():
    args = [program("exits.py"), "exc"]
    r = run_cpdb(args, ["continue", "bt", "p y", "up", "p x",
                        "continue", "echo after\\n"])
    py = run_python(args)
    assert py.rc == 1
    # The traceback is python's, with none of cpdb's frames.
    assert r.err == py.err, r
    assert r.err.rstrip().endswith("ValueError: bad value 42")
    lines = after(r, "continue")
    assert stop(lines) == ("exits.py", 7, "fail"), r
    assert "-> raise ValueError(\"bad value %d\" % y)" in lines
    bt = after(r, "bt")
    assert bt[0].startswith("> #0") and "fail (x=21) at %s:7" % prog_path(
        "exits.py") in bt[0], r
    assert "outer (x=20) at %s:11" % prog_path("exits.py") in bt[1], r
    assert "<module> () at %s:23" % prog_path("exits.py") in bt[2], r
    assert len(bt) == 3, r
    assert after(r, "p y") == ["$1 = 42"]
    assert stop_after(r, "up") == ("exits.py", 11, "outer")
    assert after(r, "p x") == ["$2 = 20"]
    assert after(r, "continue", 1) == ["Program exited with status 1."], r
    assert after(r, "echo after\\n") == ["after"]
    assert r.rc == 1


def test_keyboard_interrupt_raised_by_program():
    args = [program("exits.py"), "kbd"]
    r = run_cpdb(args, ["continue", "p mode", "continue"])
    py = run_python(args)
    assert r.err == py.err, r
    assert r.err.rstrip().endswith("KeyboardInterrupt")
    assert stop_after(r, "continue") == ("exits.py", 25, "<module>"), r
    assert after(r, "p mode") == ["$1 = 'kbd'"]
    # python dies of SIGINT (-2 here, 130 in a shell); cpdb exits 130.
    assert py.rc in (-signal.SIGINT, 128 + signal.SIGINT)
    assert r.rc in (py.rc, 128 + signal.SIGINT), r
    assert after(r, "continue", 1) == [
        "Program exited with status %d." % (128 + signal.SIGINT)], r


def test_syntax_error_in_script(tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("x = 1\n\ndef f(:\n    pass\n")
    r = run_cpdb([str(bad)], ["continue", "bt"])
    py = run_python([str(bad)])
    assert py.rc == 1
    assert r.rc == 1, r
    assert r.err.startswith(py.err), r
    assert "SyntaxError" in r.err
    assert not locations(r.out.splitlines()), r
    assert "Program exited with status 1." in r.out


def test_missing_script():
    missing = os.path.join(PROGRAMS, "no_such_script.py")
    r = run_cpdb([missing], ["continue"])
    assert r.rc == 2, r
    errs = error_lines(r)
    assert len(errs) == 1, r
    assert missing in errs[0] and "No such file" in errs[0], r
    assert "Traceback" not in r.err and not locations(r.out.splitlines())


# --- options ----------------------------------------------------------------

def test_ex_and_c_run_in_order_before_stdin():
    r = run_cpdb(["-ex", "break add", "-c", "continue", "-ex", "p a + b",
                  program("basic.py")], ["p a, b", "continue", "p b"])
    assert after(r, "break add") == [
        "Breakpoint 1 at %s:5" % prog_path("basic.py")], r
    assert stop_after(r, "continue") == ("basic.py", 5, "add")
    assert after(r, "p a + b") == ["$1 = 0"]
    assert after(r, "p a, b") == ["$2 = (0, 0)"]
    assert stop_after(r, "continue", 1) == ("basic.py", 5, "add")
    assert after(r, "p b") == ["$3 = 1"]


def test_x_command_file(tmp_path):
    cmds = tmp_path / "cmds.txt"
    cmds.write_text("break outer\ncontinue\n\np x * 100\n")
    r = run_cpdb(["-x", str(cmds), program("exits.py"), "exc"], ["p x"])
    assert stop_after(r, "continue") == ("exits.py", 11, "outer"), r
    assert after(r, "p x * 100") == ["$1 = 2000"]
    assert after(r, "p x") == ["$2 = 20"]


def test_x_missing_file():
    r = run_cpdb(["-x", "/nonexistent/cmds", program("basic.py")], ["c"])
    assert r.rc != 0
    errs = error_lines(r)
    assert len(errs) == 1 and "/nonexistent/cmds" in errs[0], r


def test_batch_runs_commands_then_exits():
    r = run_cpdb(["--batch", "-ex", "break add", "-ex", "continue",
                  "-ex", "p a, b", program("basic.py")],
                 ["continue", "p 'from stdin'"])
    assert after(r, "p a, b") == ["$1 = (0, 0)"], r
    assert "from stdin" not in r.out          # stdin is not read
    assert "total" not in r.out               # the program did not finish
    assert r.rc == 0, r


def test_batch_status_is_nonzero_when_a_command_failed():
    r = run_cpdb(["--batch", "-ex", "p no_such_name", "-ex", "p 1",
                  program("basic.py")])
    assert after(r, "p 1") == ["$1 = 1"], r   # goes on after the error
    assert "NameError" in r.err
    assert r.rc != 0, r


def test_batch_status_is_program_status_when_it_finished():
    r = run_cpdb(["--batch", "-ex", "continue", program("exits.py"),
                  "code"])
    assert "Program exited with status 3." in r.out
    assert r.rc == 3, r


def test_banner_and_q():
    loud = run_cpdb([program("basic.py")], ["quit"], quiet=False)
    quiet = run_cpdb([program("basic.py")], ["quit"])
    assert 'type "help" for help' in loud.out.splitlines()[0], loud
    assert "help" not in quiet.out, quiet
    assert quiet.out.splitlines()[0].startswith("> "), quiet


def test_version():
    r = run_cpdb(["--version"], quiet=False, nx=False)
    assert r.rc == 0, r
    ver = "%d.%d" % python_version()
    assert re.match(r"^cpdb \d+\.\d+\S* \(.*Python %s" % re.escape(ver),
                    r.out), r
    assert len(r.out.splitlines()) == 1


def test_help_option():
    r = run_cpdb(["--help"], quiet=False, nx=False)
    assert r.rc == 0, r
    assert r.out.startswith("Usage: cpdb")
    for opt in ("-ex", "-x FILE", "--batch", "-q", "-nx", "--version",
                "-m MODULE"):
        assert opt in r.out, opt
    assert not r.err


# --- init files -------------------------------------------------------------

def write_rc(path, text, mode=0o644):
    path.write_text(text)
    os.chmod(path, mode)


def test_init_files_home_then_local(home, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    write_rc(home / ".cpdbrc", "echo home-rc\\n\nbreak add\n")
    write_rc(work / ".cpdbrc", "echo local-rc\\n\ncondition 1 b == 2\n")
    r = run_cpdb([program("basic.py")], ["continue", "p a, b"],
                 env={"HOME": str(home)}, cwd=str(work), nx=False)
    out = r.out.splitlines()
    assert "home-rc" in out and "local-rc" in out, r
    assert out.index("home-rc") < out.index("local-rc")
    assert stop_after(r, "continue") == ("basic.py", 5, "add"), r
    assert after(r, "p a, b") == ["$1 = (1, 2)"], r


def test_nx_skips_init_files(home, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    write_rc(home / ".cpdbrc", "echo home-rc\\n\nbreak add\n")
    write_rc(work / ".cpdbrc", "echo local-rc\\n\n")
    r = run_cpdb([program("basic.py")], ["continue"],
                 env={"HOME": str(home)}, cwd=str(work), nx=True)
    assert "home-rc" not in r.out and "local-rc" not in r.out, r
    assert "Program exited with status 3." in r.out, r


def test_local_init_file_writable_by_others_is_refused(home, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    write_rc(home / ".cpdbrc", "echo home-rc\\n\n")
    write_rc(work / ".cpdbrc", "echo local-rc\\n\nbreak add\n", 0o666)
    r = run_cpdb([program("basic.py")], ["continue"],
                 env={"HOME": str(home)}, cwd=str(work), nx=False)
    assert "home-rc" in r.out.splitlines(), r
    assert "local-rc" not in r.out, r
    errs = error_lines(r)
    assert len(errs) == 1 and str(work / ".cpdbrc") in errs[0], r
    assert "Program exited with status 3." in r.out  # no breakpoint set


# --- end of input, run, kill, quit --------------------------------------------

def test_end_of_input_exits_with_program_status():
    r = run_cpdb([program("exits.py"), "code"], ["continue"])
    assert "Program exited with status 3." in r.out
    assert r.rc == 3, r
    assert "Traceback" not in r.err


def test_end_of_input_before_the_end_exits_0():
    r = run_cpdb([program("exits.py"), "code"], ["next", "next"])
    assert r.rc == 0, r
    assert not r.err, r
    assert "mode" not in r.out


def test_program_end_keeps_the_prompt():
    r = run_cpdb([program("exits.py"), "code"],
                 ["continue", "info program", "p 6 * 7"])
    assert after(r, "continue") == ["mode code",
                                    "Program exited with status 3."], r
    assert after(r, "info program") == [
        "The program is not being run; it last exited with status 3."]
    assert after(r, "p 6 * 7") == ["$1 = 42"]


def test_run_restarts_keeping_breakpoints_and_run_args_set_argv():
    r = run_cpdb([program("bpcall.py"), "a", "b"],
                 ["break work", "continue", "p n", "run x y z", "continue",
                  "p n", "continue", "continue", "restart", "continue",
                  "info breakpoints"])
    assert stop_after(r, "continue") == ("bpcall.py", 5, "work"), r
    assert "argv ['a', 'b']" in after(r, "continue")
    run = after(r, "run x y z")
    assert stop(run) == ("bpcall.py", 1, "<module>"), r
    # The new arguments, and breakpoint 1 still there.
    second = after(r, "continue", 1)
    assert "argv ['x', 'y', 'z']" in second, r
    assert stop(second) == ("bpcall.py", 5, "work"), r
    assert "Breakpoint 1, work (n=5) at %s:5" % prog_path(
        "bpcall.py") in second
    # restart without arguments keeps the last ones.
    assert stop_after(r, "restart") == ("bpcall.py", 1, "<module>"), r
    fifth = after(r, "continue", 4)
    assert "argv ['x', 'y', 'z']" in fifth, r
    assert stop(fifth) == ("bpcall.py", 5, "work"), r
    info = after(r, "info breakpoints")
    assert any(l.startswith("1 ") and "keep y" in l for l in info), r


def test_kill_ends_the_program_and_run_starts_again():
    r = run_cpdb([program("bpcall.py")],
                 ["next", "kill", "info program", "next", "run", "continue",
                  "p total"])
    assert after(r, "kill") == ["Program killed."], r
    assert after(r, "info program") == ["The program is not being run."]
    assert "argv" not in after(r, "kill")
    assert after(r, "next", 1) == [], r
    assert "The program is not being run." in r.err
    assert stop_after(r, "run") == ("bpcall.py", 1, "<module>")
    assert "argv []" in after(r, "continue"), r
    assert after(r, "p total") == ["$1 = 10"]
    assert r.rc == 0


def test_quit_leaves_at_once():
    r = run_cpdb([program("exits.py"), "code"],
                 ["next", "quit", "echo not-run\\n"])
    assert "not-run" not in r.out
    assert r.rc == 0, r
    assert not r.err, r
    r = run_cpdb([program("exits.py"), "code"],
                 ["continue", "q", "echo not-run\\n"])
    assert "not-run" not in r.out
    assert r.rc == 3, r


# --- the program asks for the debugger ----------------------------------------

def test_breakpoint_builtin_stops_in_cpdb():
    r = run_cpdb([program("bpcall.py")],
                 ["continue", "p total", "bt 1", "continue"])
    where = stop_after(r, "continue")
    # pdb stops on the next line up to 3.12, on the call itself from 3.13.
    assert where in (("bpcall.py", 6, "work"), ("bpcall.py", 7, "work")), r
    assert after(r, "p total") == ["$1 = 10"]
    assert "work (n=5)" in after(r, "bt 1")[0]
    assert "(Pdb)" not in r.out
    last = after(r, "continue", 1)
    assert last == ["result 11", "Program exited with status 0."], r


def test_pdb_set_trace_stops_in_cpdb():
    r = run_cpdb([program("settrace.py")],
                 ["continue", "p total", "continue"])
    where = stop_after(r, "continue")
    assert where in (("settrace.py", 6, "work"), ("settrace.py", 7, "work")), r
    assert after(r, "p total") == ["$1 = 10"], r
    assert "(Pdb)" not in r.out, r
    assert after(r, "continue", 1) == ["result 11",
                                       "Program exited with status 0."], r


def test_main_module_namespace_and_orig_argv_match_python(tmp_path):
    prog = tmp_path / "g.py"
    prog.write_text("import sys\nprint(sorted(globals()))\n"
                    "print(sys.orig_argv[1:])\n")
    want = run_python([str(prog), "a", "b"]).out.splitlines()
    r = run_cpdb([str(prog), "a", "b"], ["continue"])
    got = [l for l in r.out.splitlines() if l.startswith("[")]
    assert got == want, r


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
