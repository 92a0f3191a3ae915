"""Breakpoints: break, tbreak, condition, ignore, enable, disable,
delete, clear, info breakpoints; locations by line, file suffix,
function and module.Class.method; pending breakpoints."""

import os
import re
import shutil

import pytest

from conftest import PROGRAMS, program, run_cpdb
from transcript import after, error_lines, prog_path, stop, stop_after

MAIN = prog_path("bpmain.py")
UTIL = prog_path(os.path.join("bppkg", "util.py"))
END_OUTPUT = ["values [0, 1, 4, 9, 16]", "area 9", "helper 104",
              "Program exited with status 0."]


def bp_run(commands, **kw):
    return run_cpdb([program("bpmain.py")], commands, **kw)


@pytest.fixture
def tree(tmp_path):
    """A private copy of bpmain.py and its package, so that file names
    matched by suffix cannot meet other test programs."""
    dest = tmp_path / "proj"
    dest.mkdir()
    shutil.copy(program("bpmain.py"), dest / "bpmain.py")
    shutil.copytree(os.path.join(PROGRAMS, "bppkg"), dest / "bppkg",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return os.path.realpath(str(dest))


def test_break_line_in_current_file():
    r = bp_run(["break 7", "continue", "p x", "continue", "p x"])
    assert after(r, "break 7") == ["Breakpoint 1 at %s:7" % MAIN], r
    first = after(r, "continue")
    assert first[0] == "Breakpoint 1, square (x=0) at %s:7" % MAIN, r
    assert first[1] == "> %s(7)square()" % MAIN
    assert first[2] == "-> result = x * x"
    assert after(r, "p x") == ["$1 = 0"]
    assert stop_after(r, "continue", 1) == ("bpmain.py", 7, "square")
    assert after(r, "p x", 1) == ["$2 = 1"]


def test_break_file_line_with_condition():
    r = bp_run(["break bpmain.py:14 if i == 3", "continue", "p i, acc",
                "continue"])
    assert after(r, "break bpmain.py:14 if i == 3") == [
        "Breakpoint 1 at %s:14" % MAIN], r
    lines = after(r, "continue")
    assert lines[0] == "Breakpoint 1, loop (n=5) at %s:14" % MAIN, r
    assert stop(lines) == ("bpmain.py", 14, "loop")
    assert after(r, "p i, acc") == ["$1 = (3, [0, 1, 4])"]
    # i == 4 does not stop: the program runs to its end.
    assert after(r, "continue", 1) == END_OUTPUT, r


def test_break_function_stops_at_first_line_of_body():
    r = bp_run(["break square", "break loop", "continue", "continue",
                "p x"])
    assert after(r, "break square") == ["Breakpoint 1 at %s:7" % MAIN], r
    assert after(r, "break loop") == ["Breakpoint 2 at %s:12" % MAIN], r
    assert after(r, "continue")[0] == (
        "Breakpoint 2, loop (n=5) at %s:12" % MAIN), r
    assert after(r, "continue", 1)[0] == (
        "Breakpoint 1, square (x=0) at %s:7" % MAIN), r
    assert after(r, "p x") == ["$1 = 0"]


def test_break_method_of_module_imported_later():
    r = bp_run(["break bppkg.util.Shape.area", "info breakpoints",
                "continue", "p self.side", "bt 2", "continue"])
    set_line = after(r, "break bppkg.util.Shape.area")
    assert len(set_line) == 1, r
    assert set_line[0].startswith("Breakpoint 1 at %s:9" % UTIL), r
    assert "pending" in set_line[0]
    assert any("pending" in l for l in after(r, "info breakpoints")), r
    lines = after(r, "continue")
    assert lines[0] == "values [0, 1, 4, 9, 16]", r
    assert lines[1].startswith("Breakpoint 1, area (self=<bppkg.util.Shape "
                               "object at "), r
    assert lines[1].endswith(") at %s:9" % UTIL)
    assert lines[2] == "> %s(9)area()" % UTIL
    assert lines[3] == "-> a = self.side * self.side"
    assert after(r, "p self.side") == ["$1 = 3"]
    assert "main () at %s:23" % MAIN in after(r, "bt 2")[1], r
    assert after(r, "continue", 1) == END_OUTPUT[1:], r


def test_file_matched_by_path_suffix(tree):
    main = os.path.join(tree, "bpmain.py")
    util = os.path.join(tree, "bppkg", "util.py")
    r = run_cpdb([main], ["break util.py:9", "break bppkg/util.py:14",
                          "continue", "p a if 'a' in dir() else self.side",
                          "continue", "p k", "continue"])
    assert after(r, "break util.py:9")[0].startswith(
        "Breakpoint 1 at %s:9" % util), r
    assert after(r, "break bppkg/util.py:14")[0].startswith(
        "Breakpoint 2 at %s:14" % util), r
    assert stop_after(r, "continue") == ("util.py", 9, "area"), r
    lines = after(r, "continue", 1)
    assert lines[0] == "area 9", r
    assert lines[1] == "Breakpoint 2, helper (k=4) at %s:14" % util
    assert after(r, "p k") == ["$2 = 4"]
    assert after(r, "continue", 2) == ["helper 104",
                                       "Program exited with status 0."], r
    assert not r.err, r


def test_pending_breakpoint_stops_when_module_loads(tree):
    main = os.path.join(tree, "bpmain.py")
    util = os.path.join(tree, "bppkg", "util.py")
    r = run_cpdb([main], ["break bppkg/util.py:6", "info breakpoints",
                          "continue", "p side", "info breakpoints"])
    assert after(r, "break bppkg/util.py:6") == [
        "Breakpoint 1 at %s:6 (pending: not imported yet)" % util], r
    before = after(r, "info breakpoints")
    assert before[1].startswith("1 ") and before[1].endswith(
        "%s:6" % util), r
    assert "\tpending: %s is not imported yet" % util in before, r
    header = after(r, "continue")[1]
    assert header.startswith("Breakpoint 1, __init__ (self=<bppkg.util."
                             "Shape object at "), r
    assert header.endswith(", side=3) at %s:6" % util), r
    assert stop_after(r, "continue") == ("util.py", 6, "__init__")
    assert after(r, "p side") == ["$1 = 3"]
    now = after(r, "info breakpoints", 1)
    assert not any(l.startswith("\tpending") for l in now), r
    assert "\tbreakpoint already hit 1 time" in now, r


def test_tbreak_stops_once():
    r = bp_run(["tbreak square", "continue", "p x", "info breakpoints",
                "continue"])
    assert after(r, "tbreak square") == [
        "Temporary breakpoint 1 at %s:7" % MAIN], r
    assert after(r, "continue")[0] == (
        "Temporary breakpoint 1, square (x=0) at %s:7" % MAIN), r
    assert after(r, "p x") == ["$1 = 0"]
    assert after(r, "info breakpoints") == ["No breakpoints."], r
    assert after(r, "continue", 1) == END_OUTPUT, r


def test_condition_set_and_removed():
    r = bp_run(["break square", "condition 1 x == 3", "info breakpoints",
                "continue", "p x", "condition 1", "continue", "p x"])
    assert after(r, "condition 1 x == 3") == [], r
    assert "\tstop only if x == 3" in after(r, "info breakpoints"), r
    assert stop_after(r, "continue") == ("bpmain.py", 7, "square")
    assert after(r, "p x") == ["$1 = 3"], r
    assert after(r, "condition 1") == ["Breakpoint 1 now unconditional."]
    assert after(r, "continue", 1)[0] == (
        "Breakpoint 1, square (x=4) at %s:7" % MAIN), r
    assert after(r, "p x", 1) == ["$2 = 4"]


def test_condition_errors():
    r = bp_run(["break square", "condition 9 x == 1"])
    errs = error_lines(r)
    assert errs == ["No breakpoint number 9."], r
    r = bp_run(["break square", "condition 1 x ==", "continue", "p x"])
    errs = error_lines(r)
    assert len(errs) == 1 and "SyntaxError" in errs[0], r
    # The bad condition was not installed: the first call stops.
    assert after(r, "p x") == ["$1 = 0"], r


def test_ignore_count():
    r = bp_run(["break square", "ignore 1 2", "continue", "p x",
                "info breakpoints", "continue", "p x"])
    assert after(r, "ignore 1 2") == [
        "Will ignore next 2 crossings of breakpoint 1."], r
    assert after(r, "continue")[0] == (
        "Breakpoint 1, square (x=2) at %s:7" % MAIN), r
    assert after(r, "p x") == ["$1 = 2"]
    assert "\tbreakpoint already hit 3 times" in after(r,
                                                       "info breakpoints"), r
    assert after(r, "p x", 1) == ["$2 = 3"], r


def test_disable_and_enable():
    r = bp_run(["break square", "break 20", "disable 1", "info breakpoints",
                "continue", "enable 1", "run", "continue", "p x",
                "disable", "run", "continue"])
    info = after(r, "info breakpoints")
    assert re.match(r"^1\s+breakpoint\s+keep\s+n\s+in square at %s:7$"
                    % re.escape(MAIN), info[1]), r
    assert re.match(r"^2\s+breakpoint\s+keep\s+y\s+%s:20$"
                    % re.escape(MAIN), info[2]), r
    # square is skipped while disabled.
    lines = after(r, "continue")
    assert lines[0] == "Breakpoint 2, main () at %s:20" % MAIN, r
    assert after(r, "continue", 1)[0] == (
        "Breakpoint 1, square (x=0) at %s:7" % MAIN), r
    assert after(r, "p x") == ["$1 = 0"]
    # "disable" alone disables them all.
    assert after(r, "continue", 2) == END_OUTPUT, r


def test_delete():
    r = bp_run(["break square", "break loop", "delete 2", "continue",
                "p x", "delete", "info breakpoints", "continue",
                "delete 5"])
    assert after(r, "delete 2") == []
    assert after(r, "continue")[0] == (
        "Breakpoint 1, square (x=0) at %s:7" % MAIN), r
    assert after(r, "info breakpoints") == ["No breakpoints."]
    assert after(r, "continue", 1) == END_OUTPUT, r
    assert error_lines(r) == ["No breakpoint number 5."], r


def test_clear_by_location():
    r = bp_run(["break 7", "break 14", "clear bpmain.py:14", "clear 7",
                "info breakpoints", "clear 7", "continue"])
    assert after(r, "clear bpmain.py:14") == ["Deleted breakpoint 2"], r
    assert after(r, "clear 7") == ["Deleted breakpoint 1"], r
    assert after(r, "info breakpoints") == ["No breakpoints."], r
    assert error_lines(r) == ["No breakpoint at %s:7." % MAIN], r
    assert after(r, "continue") == END_OUTPUT, r


def test_clear_at_current_line():
    r = bp_run(["break square", "continue", "clear", "continue"])
    assert after(r, "clear") == ["Deleted breakpoint 1"], r
    assert after(r, "continue", 1) == END_OUTPUT, r


def test_info_breakpoints_table_and_hit_counts():
    r = bp_run(["break square", "tbreak loop", "break 20 if len(values) > 1",
                "disable 3", "continue", "continue", "continue",
                "info breakpoints"])
    info = after(r, "info breakpoints")
    assert info[0].split() == ["Num", "Type", "Disp", "Enb", "Where"], r
    assert re.match(r"^1\s+breakpoint\s+keep\s+y\s+in square at %s:7$"
                    % re.escape(MAIN), info[1]), r
    assert info[2] == "\tbreakpoint already hit 2 times", r
    # The temporary breakpoint was deleted when it stopped.
    assert not any(l.startswith("2 ") for l in info), r
    assert re.match(r"^3\s+breakpoint\s+keep\s+n\s+%s:20$"
                    % re.escape(MAIN), info[3]), r
    assert info[4] == "\tstop only if len(values) > 1", r
    assert len(info) == 5, r


def test_info_breakpoints_temporary_disposition():
    r = bp_run(["tbreak square", "info breakpoints"])
    info = after(r, "info breakpoints")
    assert re.match(r"^1\s+breakpoint\s+del\s+y\s+in square at %s:7$"
                    % re.escape(MAIN), info[1]), r


@pytest.mark.parametrize("line", [5, 6])
def test_line_without_code_moves_to_next_code_line(line):
    r = bp_run(["break %d" % line, "continue"])
    assert after(r, "break %d" % line) == [
        "Line %d has no code; breakpoint moved to line 7." % line,
        "Breakpoint 1 at %s:7" % MAIN], r
    assert after(r, "continue")[0] == (
        "Breakpoint 1, square (x=0) at %s:7" % MAIN), r


def test_line_past_the_end_is_an_error():
    r = bp_run(["break 500", "info breakpoints", "continue"])
    errs = error_lines(r)
    assert len(errs) == 1, r
    assert "500" in errs[0] and "29 lines" in errs[0], r
    assert after(r, "break 500") == []
    assert after(r, "info breakpoints") == ["No breakpoints."]
    assert after(r, "continue") == END_OUTPUT


def test_missing_file_is_an_error():
    r = bp_run(["break no_such_file.py:3", "info breakpoints"])
    assert error_lines(r) == ["No source file named no_such_file.py."], r
    assert after(r, "info breakpoints") == ["No breakpoints."]


def test_unknown_function_is_an_error():
    r = bp_run(["break no_such_function", "info breakpoints"])
    errs = error_lines(r)
    assert len(errs) == 1 and "no_such_function" in errs[0], r
    assert after(r, "info breakpoints") == ["No breakpoints."]


def test_numbers_ranges_and_lists():
    r = bp_run(["break square", "break loop", "break 20", "break 22",
                "disable 1-3", "info breakpoints", "enable 2-3 1",
                "delete 1 3", "info breakpoints", "continue"])
    info = after(r, "info breakpoints")
    enb = [l.split()[3] for l in info[1:] if l[:1].isdigit()]
    assert enb == ["n", "n", "n", "y"], r
    info = after(r, "info breakpoints", 1)
    nums = [l.split()[0] for l in info[1:] if l[:1].isdigit()]
    assert nums == ["2", "4"], r
    assert after(r, "continue")[0] == (
        "Breakpoint 2, loop (n=5) at %s:12" % MAIN), r
    assert not r.err, r


def test_clear_with_numbers_as_pdb():
    r = bp_run(["break square", "break loop", "break 20", "clear 1 3",
                "info breakpoints"])
    info = after(r, "info breakpoints")
    nums = [l.split()[0] for l in info[1:] if l[:1].isdigit()]
    assert nums == ["2"], r


def test_break_without_location_is_the_current_line():
    r = bp_run(["break loop", "continue", "next", "break", "continue",
                "continue", "p i"])
    assert after(r, "break") == ["Breakpoint 2 at %s:13" % MAIN], r
    # square's loop comes back to line 13 after each call.
    assert after(r, "continue", 1)[0] == (
        "Breakpoint 2, loop (n=5) at %s:13" % MAIN), r
    assert after(r, "p i") == ["$1 = 1"], r


def test_ignore_zero_stops_next_time():
    r = bp_run(["break square", "ignore 1 3", "ignore 1 0", "continue",
                "p x"])
    assert after(r, "ignore 1 0") == [
        "Will stop next time breakpoint 1 is reached."], r
    assert after(r, "p x") == ["$1 = 0"], r


def test_function_breakpoint_once_per_call():
    # gdb's rule: "break countdown" stops when countdown is entered, not at
    # every pass of the while loop on its first line (pdb stops at each).
    loops = os.path.join(os.path.dirname(PROGRAMS), "pdbcorpus", "loops.py")
    r = run_cpdb([loops], ["break countdown", "continue", "p n", "continue",
                           "continue", "continue"])
    hits = [s for s in r.stops if s[2] == "countdown"]
    calls = r.out.count("Breakpoint 1, countdown")
    assert hits and all(s[1] == hits[0][1] for s in hits), r
    # loops.py calls countdown once per run: one stop however many passes
    assert calls == 1, r
    assert "$1 = " in r.out


def test_huge_numbers_are_refused_not_looped():
    # Out-of-range numbers and ranges end in one error each, at once.
    r = run_cpdb([program("bpmain.py")],
                 ["break 7", "disable 99999999999999999999",
                  "enable 1-99999999999", "delete 5-9",
                  "ignore 4294967297 1", "up 99999999999999999999",
                  "list 1,99999999999", "set listsize 99999999999",
                  "break 99999999999", "info breakpoints"], timeout=20)
    errs = error_lines(r)
    # "list 1,99999999999" lists to the end of the file: no error.
    assert len(errs) == 6, r
    assert "Bad breakpoint number" in errs[0]
    assert "No breakpoints numbered 5 to 9." in errs[1]
    assert "No breakpoint number 4294967297." in errs[2]
    assert "Bad count" in errs[3]
    assert "listsize" in errs[4]
    assert "Bad location" in errs[5]
    # enable 1-99999999999 enabled breakpoint 1, which is still there
    assert "1       breakpoint     keep y" in r.out, r


def test_breakpoint_added_in_a_running_caller_stops_there(tmp_path):
    # The caller started before its breakpoint existed: it must still stop
    # (the legacy backend's gate and the monitoring backend both have to
    # give an already running frame its line events).
    prog = tmp_path / "running.py"
    prog.write_text("def inner(x):\n"
                    "    return x * 2\n"
                    "\n"
                    "def helper(x):\n"
                    "    return inner(x) + 1\n"
                    "\n"
                    "def outer():\n"
                    "    a = helper(1)\n"
                    "    b = a + 1\n"
                    "    c = b + 1\n"
                    "    return c\n"
                    "\n"
                    "print('result', outer())\n")
    r = run_cpdb([str(prog)], ["break inner", "continue", "break 10",
                               "continue", "p b", "continue"])
    assert r.stops[1] == ("running.py", 2, "inner"), r
    assert r.stops[2] == ("running.py", 10, "outer"), r
    assert after(r, "p b") == ["$1 = 4"], r
    assert "result 5" in r.out
