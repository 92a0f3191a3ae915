"""How command lines are taken apart: "?" for help, number lists checked
whole, expressions not split inside their strings, commands that take
no arguments, and NUL bytes."""

import os

import pytest

from conftest import run_cpdb
from transcript import after, error_lines, locations

PROG = """\
class Thing:
    pass


d = {"go to x": Thing(), "b": 2}
x = 1
print("x is", x)
"""


@pytest.fixture
def prog(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(PROG)
    return os.path.realpath(str(path))


def run(prog, commands, **kw):
    return run_cpdb([prog], commands, **kw)


def test_question_mark_is_help(prog):
    r = run(prog, ["?", "h ?", "help ?", "? next"])
    assert after(r, "?")[0] == "List of classes of commands:", r
    assert after(r, "h ?")[0] == "Usage: help [COMMAND | CLASS]", r
    assert after(r, "help ?") == after(r, "h ?"), r
    assert after(r, "? next")[0] == "Usage: next [N]", r
    assert not error_lines(r), r


def test_bad_breakpoint_number_lists_change_nothing(prog):
    r = run(prog, ["break 5", "break 6", "break 7", "delete 1.5",
                   "delete 1 2x", "disable 2 3x", "enable 1 x",
                   "delete 1 9223372036854775807", "delete 1 8",
                   "disable 2-1", "info breakpoints"])
    assert error_lines(r) == [
        'Bad breakpoint number "1.5": numbers from 1 to 2147483647 or '
        'ranges N-M are expected.',
        'Bad breakpoint number "2x": numbers from 1 to 2147483647 or '
        'ranges N-M are expected.',
        'Bad breakpoint number "3x": numbers from 1 to 2147483647 or '
        'ranges N-M are expected.',
        'Bad breakpoint number "x": numbers from 1 to 2147483647 or '
        'ranges N-M are expected.',
        'Bad breakpoint number "9223372036854775807": numbers from 1 to '
        '2147483647 or ranges N-M are expected.',
        "No breakpoint number 8.",
        'Bad breakpoint number "2-1": numbers from 1 to 2147483647 or '
        'ranges N-M are expected.'], r
    info = after(r, "info breakpoints")
    # All three are still there and enabled.
    assert [l.split()[0] for l in info[1:] if l[0].isdigit()] == [
        "1", "2", "3"], r
    assert all(l.split()[3] == "y" for l in info[1:] if l[0].isdigit()), r


def test_good_number_lists_and_ranges_still_work(prog):
    r = run(prog, ["break 5", "break 6", "break 7", "disable 1-2",
                   "delete 3 1", "info breakpoints"])
    info = [l for l in after(r, "info breakpoints") if l[0].isdigit()]
    assert len(info) == 1 and info[0].split()[:4] == [
        "2", "breakpoint", "keep", "n"], r
    assert not error_lines(r), r


def test_bad_display_number_lists_change_nothing(prog):
    r = run(prog, ["next", "display x", "display d", "undisplay 1 5",
                   "undisplay 9223372036854775807", "undisplay 2 -1",
                   "info display", "undisplay 2", "info display"])
    assert error_lines(r) == [
        "No display number 5.",
        'Bad display number "9223372036854775807": numbers from 1 to '
        '2147483647 or ranges N-M are expected.',
        'Bad display number "-1": numbers from 1 to 2147483647 or ranges '
        'N-M are expected.'], r
    assert after(r, "info display")[2:] == ["1   y   x", "2   y   d"], r
    assert after(r, "info display", 1)[2:] == ["1   y   x"], r


def test_gc_chain_is_not_split_inside_a_string(prog):
    r = run(prog, ["next", "next", "gc chain d[\"go to x\"]",
                   "gc chain d[\"go to x\"] to d"])
    out = after(r, "gc chain d[\"go to x\"]")
    assert out[0].startswith("Chain of 2 references:"), r
    assert "module __main__ .d -> dict ['go to x'] -> " in out[1], r
    to = after(r, "gc chain d[\"go to x\"] to d")
    assert to[0] == "Chain of 1 reference:", r
    assert to[1].strip().startswith("dict ['go to x'] -> <"), r
    assert not error_lines(r), r


def test_extra_arguments_are_an_error_where_a_command_takes_none(prog):
    r = run(prog, ["next", "kill now", "longlist 3", "info locals x",
                   "gc info all", "info program", "kill"])
    assert error_lines(r) == [
        '"kill" takes no argument.',
        '"longlist" takes no argument.',
        '"info locals" takes no argument.',
        '"gc info" takes no argument.'], r
    # The program was not killed by "kill now".
    assert "Program killed." not in "\n".join(after(r, "kill now")), r
    assert after(r, "kill") == ["Program killed."], r


def test_nul_byte_in_a_piped_line_is_an_error(prog):
    r = run(prog, [], stdin="p 1\np 2\0p 3\np 4\n")
    assert error_lines(r) == ["A line holding a NUL byte was skipped: "
                              "commands are text."], r
    printed = [l for l in r.out.splitlines() if l.startswith("$")]
    assert printed == ["$1 = 1", "$2 = 4"], r
