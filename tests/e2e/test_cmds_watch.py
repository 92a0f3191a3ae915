"""Watchpoints (watch EXPR), convenience variables (set $name = EXPR,
show convenience) and the frame a display belongs to (display after up,
display $N)."""

from conftest import program, run_cpdb
from transcript import after, error_lines, stop_after

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
