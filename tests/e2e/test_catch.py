"""Catchpoints: "catch raise [--user] [TYPE...]" stops where an exception
is raised, caught or not; "catch uncaught"; "info catch"; catchpoints
share the breakpoints' numbers, "delete", "disable" and "enable"."""

import pytest

from conftest import program, python_version, run_cpdb
from transcript import after, error_lines, stop, stop_after

RAISING = program("raising.py")
CHAINED = program("chained.py")

BACKENDS = ["legacy", "monitoring"] if python_version() >= (3, 12) \
    else ["legacy"]


def run(commands, backend, prog=RAISING):
    return run_cpdb([prog], commands, env={"CPDB_BACKEND": backend})


def catch_stops(r):
    """[(the "Catchpoint" line, (file, line, func))] of each catch stop."""
    found = []
    lines = r.out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Catchpoint ") and "), " in line:
            found.append((line, stop(lines[i + 1:i + 2])))
    return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_catch_raise_stops_at_each_raise_of_the_type_caught_or_not(backend):
    r = run(["catch raise ParseError", "continue", "p $_exception", "bt",
             "continue", "continue"], backend)
    assert after(r, "catch raise ParseError") == [
        "Catchpoint 1 (raise ParseError)"], r
    # Raised twice in the loop, caught each time by main().
    assert catch_stops(r) == [
        ("Catchpoint 1 (raise), ParseError: not a number: x",
         ("raising.py", 12, "parse")),
        ("Catchpoint 1 (raise), ParseError: not a number: y",
         ("raising.py", 12, "parse"))], r
    assert after(r, "p $_exception") == [
        "$1 = ParseError('not a number: x')"], r
    assert "main ()" in "\n".join(after(r, "bt")), r
    assert "total 1203" in r.out and "Program exited with status 0." \
        in r.out, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_catch_raise_matches_subclasses_and_stops_once_per_raise(backend):
    # ParseError is a ValueError; the KeyError raised by a dict lookup (C
    # code) stops at the line that called it, once, though it passes
    # through two frames.
    # (Set in main(): the imports before raise KeyErrors of their own.)
    r = run(["break main", "continue", "catch raise ValueError KeyError"]
            + ["continue"] * 5, backend)
    found = catch_stops(r)
    assert [s[1] for s in found[:3]] == [
        ("raising.py", 12, "parse"), ("raising.py", 12, "parse"),
        ("raising.py", 17, "lookup")], r
    assert found[2][0] == "Catchpoint 2 (raise), KeyError: 'missing'", r
    # JSONDecodeError (a ValueError) passes through json's frames and
    # decode(): it stops once, in json, where it is raised.
    assert found[3][0].startswith(
        "Catchpoint 2 (raise), json.decoder.JSONDecodeError"), r
    assert found[3][1][0] == "decoder.py", r
    assert len(found) == 4 and "Program exited with status 0." in r.out, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_catch_raise_in_the_standard_library(backend):
    r = run(["catch raise StopIteration json.JSONDecodeError", "continue",
             "continue", "continue"], backend)
    found = catch_stops(r)
    # json's scanner (C) raises StopIteration, and json catches it; then
    # json raises JSONDecodeError in its decoder.
    assert found[0][0].startswith("Catchpoint 1 (raise), StopIteration"), r
    assert found[0][1][0] == "decoder.py", r
    assert found[1][0].startswith(
        "Catchpoint 1 (raise), json.decoder.JSONDecodeError"), r
    assert found[1][1][0] == "decoder.py", r


@pytest.mark.parametrize("backend", BACKENDS)
def test_catch_raise_user_leaves_out_what_the_library_raises_and_catches(
        backend):
    r = run(["catch raise --user", "info catch",
             "p __import__('sys').modules.get('sysconfig')"]
            + ["continue"] * 5, backend)
    # Learning where the library is imports nothing into the program.
    assert after(r, "p __import__('sys').modules.get('sysconfig')") == [
        "$1 = None"], r
    # No stop in the import machinery nor in json's StopIteration; the
    # JSONDecodeError stops where it first reaches the program's code.
    assert [(s[0].split(", ")[1].split(":")[0], s[1])
            for s in catch_stops(r)] == [
        ("ParseError", ("raising.py", 12, "parse")),
        ("ParseError", ("raising.py", 12, "parse")),
        ("KeyError", ("raising.py", 17, "lookup")),
        ("json.decoder.JSONDecodeError", ("raising.py", 22, "decode"))], r
    assert after(r, "info catch")[2].split() == [
        "1", "catchpoint", "keep", "y", "raise", "--user"], r
    assert "Program exited with status 0." in r.out, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_catch_raise_user_with_a_type_the_library_raises(backend):
    r = run(["catch raise --user StopIteration JSONDecodeError",
             "continue", "continue"], backend)
    assert [s[1] for s in catch_stops(r)] == [
        ("raising.py", 22, "decode")], r
    assert "Program exited with status 0." in r.out, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_catchpoints_share_numbers_delete_disable_enable(backend):
    r = run(["break lookup", "catch raise ParseError", "tbreak decode",
             "info breakpoints", "disable 2", "continue", "enable 2",
             "delete 1", "info catch", "continue", "continue", "delete 2",
             "info catch", "continue"], backend)
    rows = [l.split()[:4] for l in after(r, "info breakpoints")[1:]
            if l[:1].isdigit()]
    assert rows == [["1", "breakpoint", "keep", "y"],
                    ["2", "catchpoint", "keep", "y"],
                    ["3", "breakpoint", "del", "y"]], r
    # Disabled: the loop's raises pass; the breakpoint at lookup stops.
    assert stop_after(r, "continue", 0) == ("raising.py", 17, "lookup"), r
    assert after(r, "info catch")[2].split()[:5] == [
        "2", "catchpoint", "keep", "y", "raise"], r
    # Enabled again, nothing left to raise a ParseError: tbreak decode.
    assert stop_after(r, "continue", 1) == ("raising.py", 21, "decode"), r
    assert after(r, "info catch", 1) == [
        "Num     Type           Disp Enb What",
        "-       catchpoint     keep y   uncaught (post-mortem)"], r
    assert "Program exited with status 0." in r.out, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_catch_raise_while_stepping_and_with_a_condition(backend):
    r = run(["catch raise ParseError", "condition 1 text == 'y'",
             "break main", "continue", "next", "next", "continue", "p text",
             "continue"], backend)
    assert catch_stops(r) == [
        ("Catchpoint 1 (raise), ParseError: not a number: y",
         ("raising.py", 12, "parse"))], r
    assert after(r, "p text") == ["$1 = 'y'"], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_catchpoint_condition_on_the_exception(backend):
    r = run(["break main", "continue", "catch raise LookupError ValueError",
             "condition 2 'missing' in str($_exception)", "continue",
             "continue"], backend)
    assert catch_stops(r) == [
        ("Catchpoint 2 (raise), KeyError: 'missing'",
         ("raising.py", 17, "lookup"))], r
    assert not error_lines(r), r
    assert "Program exited with status 0." in r.out, r


def test_catch_uncaught_off_ends_the_program_with_its_traceback():
    r = run_cpdb([CHAINED], ["catch uncaught off", "info catch", "continue",
                             "bt"])
    assert after(r, "catch uncaught off") == [
        "An uncaught exception ends the program with its traceback (no "
        "post-mortem)."], r
    assert after(r, "info catch")[1].split()[:4] == [
        "-", "catchpoint", "keep", "n"], r
    assert "Uncaught exception" not in r.out, r
    assert "RuntimeError: cannot start: while starting" in r.err, r
    assert "Program exited with status 1." in r.out, r
    r = run_cpdb([CHAINED], ["catch uncaught off", "catch uncaught",
                             "continue"])
    assert "Uncaught exception. Entering post mortem" in r.out, r


def test_catch_uncaught_is_on_by_default():
    r = run_cpdb([CHAINED], ["info catch", "continue"])
    assert after(r, "info catch") == [
        "Num     Type           Disp Enb What",
        "-       catchpoint     keep y   uncaught (post-mortem)"], r
    assert "Uncaught exception. Entering post mortem" in r.out, r


def test_catchpoints_survive_run():
    r = run_cpdb([RAISING], ["catch raise --user KeyError",
                             "catch uncaught off", "disable 1", "enable 1",
                             "run", "info catch", "continue"])
    rows = after(r, "info catch")
    assert rows[1].split()[:4] == ["-", "catchpoint", "keep", "n"], r
    assert rows[2].split() == ["1", "catchpoint", "keep", "y", "raise",
                               "--user", "KeyError"], r
    assert catch_stops(r)[-1][1] == ("raising.py", 17, "lookup"), r


def test_bad_catch_arguments_are_one_line_errors():
    r = run_cpdb([RAISING], ["catch raise int", "catch raise 3x",
                             "catch raise Value-Error",
                             "catch uncaught maybe", "catch fly",
                             "info catch"])
    assert error_lines(r)[:4] == [
        '"int" is not an exception class.',
        'Bad exception type "3x": a class name (ValueError, '
        'json.JSONDecodeError), --user or --user-uncaught is expected.',
        'Bad exception type "Value-Error": a class name (ValueError, '
        'json.JSONDecodeError), --user or --user-uncaught is expected.',
        'Bad argument "maybe": "on" or "off" is expected.'], r
    assert len(error_lines(r)) == 5, r
    assert len(after(r, "info catch")) == 2, r
    assert r.rc == 0, r


RERAISE = """\
def inner():
    raise KeyError("a")


def mid():
    try:
        inner()
    except KeyError:
        raise


def top():
    try:
        mid()
    except KeyError as e:
        try:
            raise e
        except KeyError:
            pass
    try:
        inner()
    except KeyError:
        pass


top()
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_raising_a_caught_exception_again_is_not_a_new_raise(backend,
                                                             tmp_path):
    prog = tmp_path / "reraise.py"
    prog.write_text(RERAISE)
    r = run_cpdb([str(prog)], ["break top", "continue",
                               "catch raise KeyError", "commands 2",
                               "silent", "p 'hit', $_exception",
                               "continue", "end", "continue"],
                 env={"CPDB_BACKEND": backend})
    # inner() raises twice; "raise" in mid() and "raise e" in top() do
    # not stop.  The catchpoint's commands run at each stop.
    hits = [l for l in r.out.splitlines() if l.startswith("$")]
    assert hits == ["$1 = ('hit', KeyError('a'))",
                    "$2 = ('hit', KeyError('a'))"], r
    assert "Program exited with status 0." in r.out, r


USER_UNCAUGHT = program("user_uncaught.py")


@pytest.mark.parametrize("backend", BACKENDS)
def test_catch_raise_user_uncaught_stops_where_user_code_lets_one_out(
        backend):
    """Only the property's AttributeError, which inspect.getmembers (the
    library) swallows, stops: the ValueError the program catches itself
    does not, nor anything the library raises and catches."""
    r = run(["catch raise --user-uncaught", "info catch", "continue",
             "continue"], backend, prog=USER_UNCAUGHT)
    stops = catch_stops(r)
    assert [(s[0].split(", ")[1].split(":")[0], s[1]) for s in stops] == [
        ("AttributeError", ("user_uncaught.py", 15, "secret"))], r
    assert after(r, "info catch")[2].split()[4:6] == [
        "raise", "--user-uncaught"], r
    assert "Program exited with status 0." in r.out, r
