"""Source: list, list N, list FUNC, list FILE:N, list again continues,
longlist / ll; '->' marks the current line and 'B' a breakpoint, in
pdb's layout."""

import os

from conftest import PROGRAMS, program, run_cpdb
from transcript import after


def source(name):
    with open(os.path.join(PROGRAMS, name)) as f:
        return f.read().splitlines()


def pdb_lines(name, first, last, breaks=(), current=None):
    """What pdb prints for lines first..last of a program."""
    text = source(name)
    out = []
    for n in range(first, min(last, len(text)) + 1):
        s = str(n).rjust(3)
        if len(s) < 4:
            s += " "
        s += "B" if n in breaks else " "
        if n == current:
            s += "->"
        out.append(s + "\t" + text[n - 1].rstrip())
    return out


def same_layout(actual, expected):
    """Equal as shown on a screen (tabs expanded, as a terminal does)."""
    return [l.expandtabs() for l in actual] == [l.expandtabs()
                                                for l in expected]


def in_inner(commands):
    return run_cpdb([program("stepping.py")],
                    ["break 10", "break inner", "continue"] + commands)


def test_list_around_the_current_line():
    r = in_inner(["list"])
    got = after(r, "list")
    exp = pdb_lines("stepping.py", 1, 11, breaks=(2, 10), current=2)
    assert same_layout(got, exp), (got, exp)


def test_list_around_a_line_deeper_in_the_file():
    r = run_cpdb([program("bpmain.py")], ["break 20", "continue", "list"])
    got = after(r, "list")
    exp = pdb_lines("bpmain.py", 15, 25, breaks=(20,), current=20)
    assert same_layout(got, exp), (got, exp)


def test_list_again_continues_until_the_end():
    r = run_cpdb([program("bpmain.py")], ["list", "list", "list", "list"])
    windows = [after(r, "list", i) for i in range(4)]
    assert same_layout(windows[0], pdb_lines("bpmain.py", 1, 11,
                                             current=1)), r
    assert same_layout(windows[1], pdb_lines("bpmain.py", 12, 22)), r
    assert same_layout(windows[2], pdb_lines("bpmain.py", 23, 29)), r
    assert windows[3] == ["[EOF]"], r
    assert not r.err, r


def test_enter_after_list_continues():
    r = run_cpdb([program("bpmain.py")], ["list", "", ""])
    assert same_layout(after(r, "", 0), pdb_lines("bpmain.py", 12, 22)), r
    assert same_layout(after(r, "", 1), pdb_lines("bpmain.py", 23, 29)), r
    assert not r.err, r


def test_list_starts_again_after_the_program_moves():
    r = run_cpdb([program("bpmain.py")], ["list", "list", "break 20",
                                           "continue", "list"])
    got = after(r, "list", 2)
    exp = pdb_lines("bpmain.py", 15, 25, breaks=(20,), current=20)
    assert same_layout(got, exp), (got, exp)


def test_list_line_number():
    r = in_inner(["list 15"])
    got = after(r, "list 15")
    exp = pdb_lines("stepping.py", 10, 20, breaks=(2, 10))
    assert same_layout(got, exp), (got, exp)


def test_list_function():
    r = in_inner(["list main"])
    got = after(r, "list main")
    exp = pdb_lines("stepping.py", 9, 19, breaks=(2, 10))
    assert same_layout(got, exp), (got, exp)


def test_list_file_line_in_a_module_not_imported_yet():
    r = run_cpdb([program("bpmain.py")],
                 ["break bppkg/util.py:10", "list bppkg/util.py:9", "list"])
    got = after(r, "list bppkg/util.py:9")
    exp = pdb_lines(os.path.join("bppkg", "util.py"), 4, 14, breaks=(10,))
    assert same_layout(got, exp), (got, exp)
    assert after(r, "list") == ["[EOF]"], r


def test_longlist_shows_the_whole_function():
    r = in_inner(["ll", "longlist", "up", "ll"])
    exp = pdb_lines("stepping.py", 1, 3, breaks=(2, 10), current=2)
    assert same_layout(after(r, "ll"), exp), r
    assert same_layout(after(r, "longlist"), exp), r
    exp = pdb_lines("stepping.py", 6, 11, breaks=(2, 10), current=9)
    assert same_layout(after(r, "ll", 1), exp), r


def test_longlist_of_a_method():
    r = run_cpdb([program("bpmain.py")],
                 ["break bppkg.util.Shape.area", "continue", "ll"])
    exp = pdb_lines(os.path.join("bppkg", "util.py"), 8, 10, breaks=(9,),
                    current=9)
    assert same_layout(after(r, "ll"), exp), r


def test_longlist_at_module_level_is_the_whole_file():
    r = run_cpdb([program("stepping.py")], ["next", "ll"])
    exp = pdb_lines("stepping.py", 1, 22, current=6)
    assert same_layout(after(r, "ll"), exp), r
