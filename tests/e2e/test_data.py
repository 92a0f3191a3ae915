"""Data: print / p and the value history, pp, display / undisplay, info
locals, info args, whatis, set var, Python lines; assignments stick."""

import pprint

from conftest import program, run_cpdb
from transcript import after, error_lines, prog_path, stop_after

DATA = prog_path("datavals.py")
NORMAL_END = ["value is 11", "text is hello", "compute total 12",
              "compute gave 12", "probe gave 24",
              "Program exited with status 0."]


def in_main(commands):
    """Stopped in main() at 'print("value is", value)' (value == 11)."""
    return run_cpdb([program("datavals.py")],
                    ["break 29", "continue"] + commands)


def in_compute(commands):
    """Stopped in compute() at 'print("compute total", total)'."""
    return run_cpdb([program("datavals.py")],
                    ["break 19", "continue"] + commands)


def test_stops_where_expected():
    r = in_main([])
    assert stop_after(r, "continue") == ("datavals.py", 29, "main"), r
    r = in_compute([])
    assert stop_after(r, "continue") == ("datavals.py", 19, "compute"), r


def test_print_and_value_history():
    r = in_main(["p value", "print value * 2", "p 300", "p $$2", "p $$",
                 "p $", "p $1 + 1", "p", "p [$2, $3]"])
    assert after(r, "p value") == ["$1 = 11"], r
    assert after(r, "print value * 2") == ["$2 = 22"]
    assert after(r, "p 300") == ["$3 = 300"]
    assert after(r, "p $$2") == ["$4 = 11"], r          # $1
    assert after(r, "p $$") == ["$5 = 300"], r          # $3
    assert after(r, "p $") == ["$6 = 300"], r           # $5
    assert after(r, "p $1 + 1") == ["$7 = 12"], r
    assert after(r, "p") == ["$8 = 12"], r              # the last again
    assert after(r, "p [$2, $3]") == ["$9 = [22, 300]"], r
    assert not r.err, r


def test_history_survives_a_resume():
    r = in_main(["p value", "next", "p $1 * 3"])
    assert after(r, "p $1 * 3") == ["$2 = 33"], r


def test_expression_that_raises_prints_one_line():
    r = in_main(["p 1/0", "p undefined_name", "p value", "continue"])
    assert error_lines(r) == ["ZeroDivisionError: division by zero",
                              "NameError: name 'undefined_name' is not "
                              "defined"], r
    assert after(r, "p 1/0") == [] and after(r, "p undefined_name") == []
    assert after(r, "p value") == ["$1 = 11"], r
    assert after(r, "continue", 1) == NORMAL_END, r
    assert r.rc == 0


def test_pp_pretty_prints():
    r = in_main(['pp nested["numbers"]', 'pp {"n": text, "c": dict(counter)}'])
    expected = ("$1 = " + pprint.pformat(list(range(40)))).splitlines()
    assert after(r, 'pp nested["numbers"]') == expected, r
    assert after(r, 'pp {"n": text, "c": dict(counter)}') == [
        "$2 = {'c': {'a': 2, 'b': 1, 'c': 1}, 'n': 'hello'}"], r


def test_display_at_each_stop():
    r = in_main(["display value * 2", "display text", "next", "undisplay 1",
                 "next", "info display", "undisplay", "next",
                 "info display"])
    assert after(r, "display value * 2") == ["1: value * 2 = 22"], r
    assert after(r, "display text") == ["2: text = 'hello'"], r
    first = after(r, "next")
    assert first[0] == "value is 11"
    assert first[1:] == ["> %s(30)main()" % DATA,
                         '-> print("text is", text)',
                         "1: value * 2 = 22", "2: text = 'hello'"], r
    second = after(r, "next", 1)
    assert second[-1] == "2: text = 'hello'", r
    assert not any(l.startswith("1:") for l in second), r
    info = after(r, "info display")
    assert info[-1].split() == ["2", "y", "text"], r
    third = after(r, "next", 2)
    assert stop_after(r, "next", 2) == ("datavals.py", 32, "main")
    assert not any(l.startswith(("1:", "2:")) for l in third), r
    assert after(r, "info display", 1) == [
        "There are no auto-display expressions now."], r


def test_info_locals_and_args():
    r = in_compute(["info args", "info locals", "args", "up", "info args",
                    "info locals"])
    args = ["a = 1", "b = 2", "scale = 2", "rest = (3,)",
            "kw = {'extra': 'e'}"]
    assert after(r, "info args") == args, r
    locals_ = after(r, "info locals")
    for line in args + ["items = [1, 2, 3]", "total = 12",
                        "label = 'total'"]:
        assert line in locals_, (line, r)
    assert len(locals_) == 8, r
    assert after(r, "args") == args, r
    assert after(r, "info args", 1) == ["No arguments."], r
    up = after(r, "info locals", 1)
    assert "value = 11" in up and "text = 'hello'" in up, r
    assert "counter = Counter({'a': 2, 'b': 1, 'c': 1})" in up, r


def test_whatis():
    r = in_main(["whatis counter", "whatis value", 'whatis nested["pt"]',
                 "whatis text + '!'"])
    assert after(r, "whatis counter") == ["type = collections.Counter"], r
    assert after(r, "whatis value") == ["type = int"]
    assert after(r, 'whatis nested["pt"]') == ["type = __main__.Point"]
    assert after(r, "whatis text + '!'") == ["type = str"]


def test_set_var_sticks_when_the_program_goes_on():
    r = in_compute(["set var total = 77", "p total", "continue"])
    assert after(r, "set var total = 77") == [], r
    assert after(r, "p total") == ["$1 = 77"]
    assert after(r, "continue", 1)[:2] == ["compute total 77",
                                           "compute gave 77"], r


def test_python_lines_assign_in_the_selected_frame():
    r = in_main(["value = 42", '!text = "bye"', "p value, text",
                 "continue"])
    assert after(r, "value = 42") == [] and after(r, '!text = "bye"') == []
    assert after(r, "p value, text") == ["$1 = (42, 'bye')"], r
    out = after(r, "continue", 1)
    assert out[:2] == ["value is 42", "text is bye"], r
    assert "probe gave 86" in out, r


def test_assignment_in_a_caller_frame_sticks():
    r = in_compute(["up", "value = 1000", "down", "label = 'changed'",
                    "p label", "continue"])
    assert after(r, "p label") == ["$1 = 'changed'"]
    out = after(r, "continue", 1)
    assert "probe gave 2002" in out, r


def test_python_statement_and_expression_lines():
    r = in_main(["pair = [value] * 2", "p pair", "value + 1",
                 "!len(text)", "import math", "p math.floor(2.5)"])
    assert after(r, "p pair") == ["$1 = [11, 11]"], r
    assert after(r, "value + 1") == ["12"], r
    assert after(r, "!len(text)") == ["5"], r
    assert after(r, "p math.floor(2.5)") == ["$2 = 2"], r
    assert not r.err, r


def test_evaluating_a_call_does_not_stop_at_its_breakpoint():
    r = in_main(["break probe", "p probe(5)", "bt 1", "continue", "p z"])
    assert after(r, "p probe(5)") == ["$1 = 12"], r
    assert "main ()" in after(r, "bt 1")[0], r     # still in main
    lines = after(r, "continue", 1)
    assert "Breakpoint 2, probe (z=11) at %s:11" % DATA in lines, r
    assert after(r, "p z") == ["$2 = 11"]


def test_assigned_local_is_the_value_returned():
    r = run_cpdb([program("stepping.py")],
                 ["break 3", "continue", "w = 5", "finish", "delete",
                  "continue"])
    assert after(r, "finish")[-1] == "Value returned is $1 = 50", r
    assert after(r, "continue", 1)[0] == "result 101", r
