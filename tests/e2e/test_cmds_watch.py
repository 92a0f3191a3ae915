"""Watchpoints (watch EXPR), convenience variables (set $name = EXPR,
show convenience) and the frame a display belongs to (display after up,
display $N)."""

import pytest

from conftest import program, python_version, run_cpdb
from transcript import after, error_lines, stop, stop_after

WATCHED = program("watched.py")


def in_inner_up(commands):
    """Stopped in inner() (first call), then "up" to outer()."""
    return run_cpdb([WATCHED], ["break inner", "continue", "up"] + commands)


def displayed(lines):
    return [l for l in lines if l[:1].isdigit() and ": " in l]


# --- display in the frame it was made in -------------------------------------

def test_display_made_after_up_is_evaluated_in_that_frame():
    r = in_inner_up(["display acc", "display len(acc) + i", "continue",
                     "continue"])
    assert after(r, "display acc") == ["1: acc = []"], r
    assert after(r, "display len(acc) + i") == ["2: len(acc) + i = 0"], r
    # Stopped in inner() again, where acc and i are not defined: the
    # displays are outer()'s.
    assert displayed(after(r, "continue", 1)) == [
        "1: acc = [0]", "2: len(acc) + i = 2"], r
    assert displayed(after(r, "continue", 2)) == [
        "1: acc = [0, 2]", "2: len(acc) + i = 4"], r
    assert "NameError" not in r.out and not r.err, r


def test_display_of_a_frame_not_on_the_stack_is_not_shown():
    r = in_inner_up(["display acc", "display 'always'", "tbreak deep",
                     "delete 1", "continue", "display"])
    # In deep(), outer() has returned: its display is not shown, the
    # other one is.
    assert stop_after(r, "continue", 1) == ("watched.py", 30, "deep"), r
    assert displayed(after(r, "continue", 1)) == [
        "2: 'always' = 'always'"], r
    assert displayed(after(r, "display")) == ["2: 'always' = 'always'"], r
    assert "NameError" not in r.out and not r.err, r


def test_display_of_a_history_value():
    r = in_inner_up(["p 5 * 5", "display $1", "display $1 + acc.count(0)",
                     "continue"])
    assert after(r, "display $1") == ["1: $1 = 25"], r
    assert after(r, "display $1 + acc.count(0)") == [
        "2: $1 + acc.count(0) = 25"], r
    assert displayed(after(r, "continue", 1)) == [
        "1: $1 = 25", "2: $1 + acc.count(0) = 26"], r
    assert "__cpdb" not in r.out + r.err and "NameError" not in r.out, r


def test_internal_names_never_show_in_messages():
    r = in_inner_up(["p 1", "p $1 + 'a'", "display $1.nope", "p $nosuch",
                     "continue"])
    errs = error_lines(r)
    assert errs[0] == ("TypeError: unsupported operand type(s) for +: "
                       "'int' and 'str'"), r
    assert errs[1] == "NameError: convenience variable $nosuch is not set", r
    assert after(r, "display $1.nope") == [
        "1: $1.nope = <error: AttributeError: 'int' object has no "
        "attribute 'nope'>"], r
    assert "__cpdb" not in r.out + r.err, r


# --- convenience variables ---------------------------------------------------

def test_set_convenience_variable_and_use_it_later():
    r = in_inner_up(["set $base = 100", "set $twice = acc + [i, $base]",
                     "p $base + 1", "display $base * 2", "continue",
                     "set var $base = 7", "p $base", "p $twice",
                     "show convenience"])
    assert after(r, "set $base = 100") == [], r
    assert after(r, "p $base + 1") == ["$1 = 101"], r
    assert after(r, "display $base * 2") == ["1: $base * 2 = 200"], r
    assert displayed(after(r, "continue", 1)) == ["1: $base * 2 = 200"], r
    assert after(r, "p $base") == ["$2 = 7"], r
    assert after(r, "p $twice") == ["$3 = [0, 100]"], r
    assert after(r, "show convenience") == ["$base = 7",
                                            "$twice = [0, 100]"], r
    assert not r.err, r


def test_convenience_variable_in_heap_commands_and_conditions():
    r = run_cpdb([WATCHED], ["set $limit = 1", "break inner if n > $limit",
                             "continue", "p n", "set $obj = inner",
                             "gc referrers $obj"])
    assert after(r, "p n") == ["$1 = 2"], r
    refs = after(r, "gc referrers $obj")
    assert refs and "__cpdb" not in "\n".join(refs), r
    assert any("__main__" in l for l in refs), r
    assert not r.err, r


def test_show_convenience_when_none_and_bad_assignments():
    r = run_cpdb([WATCHED], ["show convenience", "set $ = 3",
                             "set $1x = 3", "set $x 3", "set $x =",
                             "set $y = 1/0", "show conv"])
    assert after(r, "show convenience")[0] == (
        "No convenience variables now defined."), r
    assert error_lines(r) == [
        'Bad assignment "$ = 3": expected $NAME = EXPR.',
        'Bad assignment "$1x = 3": expected $NAME = EXPR.',
        'Bad assignment "$x 3": expected $NAME = EXPR.',
        'Argument required (expression to assign to $x).',
        'ZeroDivisionError: division by zero'], r
    assert after(r, "show conv")[0] == (
        "No convenience variables now defined."), r


# --- watch -------------------------------------------------------------------

BACKENDS = ["legacy", "monitoring"] if python_version() >= (3, 12) \
    else ["legacy"]


def watch_run(commands, backend, prog=WATCHED):
    return run_cpdb([prog], commands, env={"CPDB_BACKEND": backend})


def watch_report(lines):
    """The Watchpoint / Old value / New value lines and the stop."""
    report = [l for l in lines if l.startswith(("Watchpoint ", "Old value",
                                                "New value"))]
    return report, stop(lines)


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_stops_after_the_line_that_changed_the_value(backend):
    r = watch_run(["break counter", "continue", "next", "watch total",
                   "continue", "continue", "continue"], backend)
    assert after(r, "watch total") == ["Watchpoint 2: total"], r
    # step 0 adds 0 (no change); step 1 changes it on line 21: the stop
    # is at the next line, as gdb's.
    assert watch_report(after(r, "continue", 1)) == (
        ["Watchpoint 2: total", "Old value = 0", "New value = 1"],
        ("watched.py", 22, "counter")), r
    assert watch_report(after(r, "continue", 2)) == (
        ["Watchpoint 2: total", "Old value = 1", "New value = 3"],
        ("watched.py", 22, "counter")), r
    # "total = total" changes nothing; then counter() returns: the
    # watchpoint is deleted and the program stops in the caller.
    assert watch_report(after(r, "continue", 3)) == (
        ["Watchpoint 2 deleted because the program has left the block in "
         "which its expression is valid."], ("watched.py", 38, "main")), r
    assert not r.err, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_sees_in_place_changes_of_a_list_and_a_dict(backend):
    r = watch_run(["break 20", "continue", "delete 1", "watch items",
                   "watch table", "continue", "continue", "continue",
                   "continue", "continue", "continue"], backend)
    reports = [watch_report(after(r, "continue", i)) for i in range(1, 7)]
    assert reports == [
        (["Watchpoint 2: items", "Old value = [1]", "New value = [1, 0]"],
         ("watched.py", 20, "counter")),
        (["Watchpoint 2: items", "Old value = [1, 0]",
          "New value = [1, 0, 1]"], ("watched.py", 20, "counter")),
        (["Watchpoint 2: items", "Old value = [1, 0, 1]",
          "New value = [1, 0, 1, 2]"], ("watched.py", 20, "counter")),
        (["Watchpoint 3: table", "Old value = {'a': 1}",
          "New value = {'a': 1, 'b': 2}"], ("watched.py", 24, "counter")),
        (["Watchpoint 2: items", "Old value = [1, 0, 1, 2]",
          "New value = [10, 0, 1, 2]"], ("watched.py", 25, "counter")),
        (["Watchpoint 2 deleted because the program has left the block in "
          "which its expression is valid."], ("watched.py", 38, "main")),
    ], r
    assert error_lines(r) == [
        "Watchpoint 3 deleted because the program has left the block in "
        "which its expression is valid."], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_is_evaluated_in_the_frame_where_it_was_set(backend):
    # Set after "up": evaluated in outer(), never in inner() where acc
    # does not exist; stops in outer() after the line that appended.
    r = watch_run(["break inner", "continue", "up", "watch acc", "delete 1",
                   "continue", "continue", "p acc"], backend)
    assert watch_report(after(r, "continue", 1)) == (
        ["Watchpoint 2: acc", "Old value = []", "New value = [0]"],
        ("watched.py", 11, "outer")), r
    assert watch_report(after(r, "continue", 2)) == (
        ["Watchpoint 2: acc", "Old value = [0]", "New value = [0, 2]"],
        ("watched.py", 11, "outer")), r
    assert after(r, "p acc") == ["$1 = [0, 2]"], r
    assert not r.err, r


def test_watchpoints_are_numbered_with_breakpoints_and_listed():
    r = run_cpdb([WATCHED], ["info watchpoints", "break counter",
                             "continue", "watch total", "watch items",
                             "info breakpoints", "info watchpoints",
                             "disable 2", "delete 3", "info breakpoints",
                             "continue"])
    assert after(r, "info watchpoints") == ["No watchpoints."], r
    assert after(r, "info watchpoints", 1)[1:] == [
        "2       watchpoint     keep y   total",
        "3       watchpoint     keep y   items"], r
    assert after(r, "watch items") == [
        "Watchpoint 3: items",
        "(no value now: NameError: name 'items' is not defined)"], r
    info = after(r, "info breakpoints")
    assert info[3:] == ["2       watchpoint     keep y   total",
                        "3       watchpoint     keep y   items"], r
    assert after(r, "info breakpoints", 1)[3:] == [
        "2       watchpoint     keep n   total"], r
    # Disabled and deleted: the program runs to its end.
    assert "Program exited with status 0." in after(r, "continue", 1), r
    assert "Watchpoint" not in "\n".join(after(r, "continue", 1)), r


def test_watch_a_name_not_assigned_yet_and_bad_input():
    r = run_cpdb([WATCHED], ["watch", "watch 1 +", "break counter",
                             "continue", "watch total", "continue"])
    assert error_lines(r)[:2] == [
        "Argument required (expression to watch).",
        "Bad expression: SyntaxError: invalid syntax (<cpdb>, line 1)"] or \
        error_lines(r)[1].startswith("Bad expression: SyntaxError"), r
    assert watch_report(after(r, "continue", 1)) == (
        ["Watchpoint 2: total", "Old value = <no value>",
         "New value = 0"], ("watched.py", 18, "counter")), r


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_costs_only_its_own_frame(backend):
    # hot() runs 2000 times from the watched frame: it gets no line
    # events, only run()'s lines do.
    r = watch_run(["break run", "continue", "next", "watch flag", "delete 1",
                   "continue", "info trace", "continue"], backend,
                  prog=program("watchhot.py"))
    assert watch_report(after(r, "continue", 1)) == (
        ["Watchpoint 2: flag", "Old value = 'off'", "New value = 'on'"],
        ("watchhot.py", 13, "run")), r
    trace = " ".join(after(r, "info trace"))
    lines = int(trace.split(" call, ")[1].split(" line")[0])
    assert lines < 4500, trace      # run(): ~2 per round; hot(): 0
    assert "4002" in after(r, "continue", 2)[0] or \
        "Program exited with status 0." in r.out, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_sees_a_change_made_by_the_last_line_of_its_frame(backend):
    # add()'s only line changes items, then add() returns: the change
    # stops at the return, then the watchpoint goes with its frame.
    r = watch_run(["break add", "continue", "watch items", "delete 1",
                   "continue", "continue", "continue"], backend,
                  prog=program("watchlast.py"))
    assert watch_report(after(r, "continue", 1)) == (
        ["Watchpoint 2: items", "Old value = []", "New value = [1]"],
        ("watchlast.py", 2, "add")), r
    assert watch_report(after(r, "continue", 2)) == (
        ["Watchpoint 2 deleted because the program has left the block in "
         "which its expression is valid."], ("watchlast.py", 8, "main")), r
    assert "Program exited with status 0." in after(r, "continue", 3), r
    assert not r.err, r


def test_watchpoints_go_when_the_program_ends():
    r = run_cpdb([WATCHED], ["watch len(CACHE)", "continue", "continue",
                             "continue", "info breakpoints"])
    assert watch_report(after(r, "continue", 1)) == (
        ["Watchpoint 1: len(CACHE)", "Old value = 0", "New value = 1"],
        ("watched.py", 43, "<module>")), r
    assert "Program exited with status 0." in after(r, "continue", 2), r
    assert after(r, "info breakpoints") == ["No breakpoints."], r
    assert error_lines(r) == [
        "Watchpoint 1 deleted because the program has left the block in "
        "which its expression is valid."], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_in_a_generator_survives_its_yields(backend):
    r = watch_run(["break 2", "continue", "next", "watch seen", "delete 1",
                   "continue", "continue", "continue", "continue",
                   "continue"], backend, prog=program("watchgen.py"))
    news = [watch_report(after(r, "continue", i)) for i in range(1, 6)]
    assert [n[0][-1] for n in news[:4]] == [
        "New value = [0]", "New value = [0, 1]", "New value = [0, 1, 2]",
        "New value = [0, 1, 2, 'end']"], r
    assert [n[1] for n in news[:4]] == [("watchgen.py", 5, "gen")] * 3 + [
        ("watchgen.py", 6, "gen")], r
    assert news[4] == (
        ["Watchpoint 2 deleted because the program has left the block in "
         "which its expression is valid."], ("watchgen.py", 13, "main")), r


def test_dollar_assignment_sets_a_convenience_variable_never_a_name():
    r = in_inner_up(["$x = len(acc) + 40", "p $x", "$x += 1", "!$x = 3",
                     "!del $x", "p $x",
                     "p [k for k in list(globals()) + list(locals()) "
                     "if 'cpdb' in k]"])
    assert after(r, "p $x") == ["$1 = 40"], r
    assert after(r, "p $x", 1) == ["$2 = 40"], r
    assert error_lines(r) == [
        'Bad assignment "$x += 1": convenience variables take '
        '"$NAME = EXPR".',
        'SyntaxError: $N and $NAME cannot be assigned in Python: use '
        '"set $NAME = EXPR"',
        'SyntaxError: $N and $NAME cannot be assigned in Python: use '
        '"set $NAME = EXPR"'], r
    assert after(r, "p [k for k in list(globals()) + list(locals()) "
                    "if 'cpdb' in k]") == ["$3 = []"], r
