"""The program's own tracers, profilers and coverage tools work under cpdb
as under python: sys.settrace, threading.settrace, sys.setprofile,
cProfile, a sys.monitoring tool of the program's (3.12+) and coverage.py.
Each case runs the program under plain python of the same version and
under cpdb (with continue, breakpoint stops, steps) and compares what the
program's tool saw."""

import os
import re
import subprocess

import pytest

from conftest import PYTHON, program, python_version, run_cpdb, run_python

TRACER = program("progtracer.py")
MONITOR = program("progmonitor.py")

# What the programs print about their tools.
REPORT = re.compile(r"^(result|counts|covered|gettrace|getprofile|profiled"
                    r"|tool|lines|free|sysmon|calls) ")


def marker_line(path, marker):
    """The line number of the line that holds "# marker"."""
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise AssertionError("no %s in %s" % (marker, path))


def report(text):
    return [line for line in text.splitlines() if REPORT.match(line)]


def hits(run, n):
    return sum(1 for line in run.out.splitlines()
               if line.startswith("Breakpoint %d," % n))


def scenario(path, name):
    """The commands of one way to run the program under cpdb."""
    base = os.path.basename(path)
    if name == "continue":
        return ["continue"]
    if name == "break":
        # A breakpoint hit at every call of helper, inside the traced code.
        return (["break %s:%d" % (base, marker_line(path, "bp-helper"))]
                + ["continue"] * 16)
    if name == "step":
        return (["break %s:%d" % (base, marker_line(path, "bp-work")),
                 "continue"] + ["step"] * 6 + ["next"] * 2 + ["continue"] * 2)
    if name == "start":
        # Stopped before the program installs its tool.
        return (["break %s:%d" % (base, marker_line(path, "bp-start")),
                 "continue", "continue"])
    raise ValueError(name)


MODES = ["settrace", "thread", "profile", "lines", "cprofile"]
SCENARIOS = ["continue", "break", "step", "start"]


@pytest.mark.parametrize("how", SCENARIOS)
@pytest.mark.parametrize("mode", MODES)
def test_program_tool_sees_what_python_shows(mode, how):
    expected = run_python([TRACER, mode])
    assert expected.rc == 0, expected
    r = run_cpdb([TRACER, mode], scenario(TRACER, how))
    assert r.rc == 0, r
    assert report(r.out) == report(expected.out), r
    assert "Program exited with status 0." in r.out, r
    if how == "break":
        # cpdb's breakpoint still stops at each call in the main thread.
        assert hits(r, 1) >= 6, r


@pytest.mark.skipif(python_version() < (3, 12),
                    reason="threading.settrace_all_threads is 3.12+")
@pytest.mark.parametrize("how", ["break", "step"])
def test_settrace_all_threads(how):
    expected = run_python([TRACER, "allthreads"])
    r = run_cpdb([TRACER, "allthreads"], scenario(TRACER, how))
    assert r.rc == 0, r
    assert report(r.out) == report(expected.out), r
    if how == "break":
        assert hits(r, 1) >= 6, r


@pytest.mark.skipif(python_version() < (3, 12),
                    reason="one backend before 3.12")
def test_backend_switch_keeps_program_tracer():
    """set backend at a stop inside the traced code: the program's tracer
    goes on from one backend to the other, and so do the breakpoints."""
    expected = run_python([TRACER, "settrace"])
    line = marker_line(TRACER, "bp-helper")
    r = run_cpdb([TRACER, "settrace"],
                 ["break progtracer.py:%d" % line, "continue",
                  "set backend legacy", "continue", "continue",
                  "set backend monitoring", "continue", "continue",
                  "set backend legacy", "continue", "continue"])
    assert r.rc == 0, r
    assert hits(r, 1) == 6, r
    assert report(r.out) == report(expected.out), r


def test_step_stops_in_traced_code():
    """Stepping works while the program's tracer runs, and the tracer
    still counts every event."""
    r = run_cpdb([TRACER, "settrace"], scenario(TRACER, "step"))
    expected = run_python([TRACER, "settrace"])
    work = marker_line(TRACER, "bp-work")
    helper = marker_line(TRACER, "bp-helper")
    lines = [(line, func) for _, line, func in r.stops]
    assert (work, "work") in lines, r
    assert (work + 1, "work") in lines, r
    assert (helper, "helper") in lines, r
    assert report(r.out) == report(expected.out), r


def test_gettrace_is_never_cpdbs():
    """sys.gettrace() at a breakpoint stop in a frame cpdb traces is what
    python gives: None, then the program's own tracer."""
    line = marker_line(TRACER, "bp-helper")
    r = run_cpdb([TRACER, "settrace"],
                 ["break progtracer.py:%d" % line, "continue",
                  "print(sys.gettrace() is tracer)", "clear", "continue"])
    assert "gettrace before None" in r.out, r
    assert r.lines_after("print(sys.gettrace() is tracer)") == ["True"], r
    assert "gettrace after None" in r.out, r


SETNOW = """\
import sys
seen = []
def tracer(frame, event, arg):
    seen.append(event)
    return tracer
def f():
    return 1
def main():
    sys.settrace(tracer)
    x = f()
    sys.settrace(None)
    return x
main()
print("seen", seen)
"""


def test_breakpoint_after_settrace_in_same_frame(tmp_path):
    """Breakpoints in the frame that calls sys.settrace, on the lines after
    the call: cpdb still stops there, and the tracer sees the events python
    gives it."""
    path = tmp_path / "setnow.py"
    path.write_text(SETNOW)
    expected = run_python([str(path)])
    r = run_cpdb([str(path)], ["break setnow.py:10", "break setnow.py:11",
                               "continue", "continue", "continue"])
    assert [s[1] for s in r.stops if s[2] == "main"] == [10, 11], r
    seen = [l for l in expected.out.splitlines() if l.startswith("seen")]
    assert seen and seen == [l for l in r.out.splitlines()
                             if l.startswith("seen")], r


def test_cprofile_as_main_module():
    """cpdb -m cProfile -s cumulative prog.py counts the calls python's
    run counts, breakpoint stops and all."""
    args = ["-m", "cProfile", "-s", "cumulative", TRACER, "plain"]
    expected = run_python(args)

    def calls(text):
        # The program's functions only: the modules imported before the
        # program starts are not the same set under cpdb.
        return sorted((row[-1], row[0]) for row in
                      (l.split() for l in text.splitlines())
                      if len(row) == 6 and re.match(r"\d+(/\d+)?$", row[0])
                      and "progtracer.py:" in row[-1])

    line = marker_line(TRACER, "bp-helper")
    r = run_cpdb(args, ["break %s:%d" % (TRACER, line)] + ["continue"] * 10)
    assert hits(r, 1) == 6, r
    assert calls(r.out) == calls(expected.out), r
    assert len(calls(r.out)) == 4, expected


def coverage_python():
    """Whether the python under test has coverage.py."""
    p = subprocess.run([PYTHON, "-c", "import coverage"],
                       capture_output=True)
    return p.returncode == 0


@pytest.mark.skipif(not coverage_python(),
                    reason="coverage.py is not installed for this python")
def test_coverage_run(tmp_path):
    """coverage run (its C tracer sets itself with PyEval_SetTrace) reports
    the same lines under cpdb, stopping at breakpoints, as under python."""
    env = {"COVERAGE_FILE": str(tmp_path / "cov")}

    def reported():
        p = subprocess.run([PYTHON, "-m", "coverage", "report", "-m"],
                           capture_output=True, text=True, env=dict(
                               os.environ, **env), cwd=str(tmp_path))
        return [l for l in p.stdout.splitlines() if "progtracer" in l]

    expected = run_python(["-m", "coverage", "run", TRACER, "plain"],
                          env=env, cwd=str(tmp_path))
    assert expected.rc == 0, expected
    want = reported()
    assert want, expected
    os.unlink(str(tmp_path / "cov"))
    line = marker_line(TRACER, "bp-helper")
    r = run_cpdb(["-m", "coverage", "run", TRACER, "plain"],
                 ["break %s:%d" % (TRACER, line)] + ["continue"] * 10,
                 env=env, cwd=str(tmp_path))
    assert r.rc == 0, r
    assert hits(r, 1) == 6, r
    assert reported() == want, r


needs_monitoring = pytest.mark.skipif(python_version() < (3, 12),
                                      reason="sys.monitoring is 3.12+")


@needs_monitoring
@pytest.mark.parametrize("how", SCENARIOS)
@pytest.mark.parametrize("mode", ["tool0", "coverage"])
def test_program_monitoring_tool(mode, how):
    """A program's sys.monitoring tool, on the debugger's own id or on
    COVERAGE_ID with DISABLE as coverage does, sees what it sees under
    python, and cpdb's breakpoints still stop."""
    expected = run_python([MONITOR, mode])
    assert expected.rc == 0, expected
    r = run_cpdb([MONITOR, mode], scenario(MONITOR, how))
    assert r.rc == 0, r

    def seen(text):
        # Each step restarts events (sys.monitoring.restart_events() is
        # for all tools): a line the tool disabled comes back, so the
        # number of its calls may grow; what it records does not.
        return [l for l in report(text)
                if how != "step" or not l.startswith("calls ")]
    assert seen(r.out) == seen(expected.out), r
    if how == "break":
        assert hits(r, 1) == 6, r


@needs_monitoring
def test_monitoring_tool_id_is_free_for_the_program(tmp_path):
    """cpdb's id looks free to the program, as under python."""
    code = ("import sys; m = sys.monitoring\n"
            "print('sysmon', [m.get_tool(i) for i in range(6)])\n"
            "try:\n"
            "    m.set_events(0, m.events.LINE)\n"
            "except ValueError as e:\n"
            "    print('sysmon', e)\n"
            "m.free_tool_id(0)\n"
            "m.use_tool_id(0, 'mine')\n"
            "print('sysmon', m.get_tool(0))\n"
            "m.free_tool_id(0)\n")
    path = tmp_path / "sysmon.py"
    path.write_text(code)
    expected = run_python([str(path)])
    r = run_cpdb([str(path)], ["continue"])
    assert report(r.out) == report(expected.out), r
    assert "Program exited with status 0." in r.out, r


def test_breakpoint_in_code_compiled_at_run_time_whatever_the_layout():
    """cProfile's main compiles the script after code of its own has come
    and gone: a new code object may take the address of a dropped one,
    and the gate's cache of decisions must not mistake it for the old
    one.  The layout follows the hash seed, so several seeds are run
    (0 to 7 covered failing layouts on 3.11)."""
    line = marker_line(TRACER, "bp-helper")
    for seed in range(8):
        r = run_cpdb(["-m", "cProfile", TRACER, "plain"],
                     ["break %s:%d" % (TRACER, line), "continue",
                      "continue"],
                     env={"PYTHONHASHSEED": str(seed)})
        assert hits(r, 1) == 2, (seed, r)
