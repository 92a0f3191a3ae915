"""The first session a user tries: break, continue, step, print."""

from conftest import program, run_cpdb


def test_stops_before_first_line():
    r = run_cpdb([program("basic.py")], ["q"])
    assert r.stops[0] == ("basic.py", 1, "<module>"), r
    assert "-> import sys" in r.out


def test_break_continue_print():
    r = run_cpdb([program("basic.py")],
                 ["break add", "continue", "p a, b", "c", "p a, b", "q"])
    assert r.stops[1] == ("basic.py", 5, "add"), r
    assert "Breakpoint 1, add (a=0, b=0)" in r.out
    assert "$1 = (0, 0)" in r.out
    assert "$2 = (0, 1)" in r.out
