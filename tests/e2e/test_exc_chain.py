"""Post-mortem on a chained exception: "exceptions" lists the chain
(__cause__, __context__) as pdb 3.13 does, "exceptions N" selects one,
and bt, up, down and print then work on its traceback."""

import re

import pytest

from conftest import program, python_version, run_cpdb
from transcript import after, error_lines, stop, stop_after

CHAINED = program("chained.py")

BACKENDS = ["legacy", "monitoring"] if python_version() >= (3, 12) \
    else ["legacy"]


def frames(lines):
    """The function names of a backtrace."""
    return [m.group(1) for m in (re.search(r"#\d+\s+(\S+)", l)
                                 for l in lines) if m]


def cpdb_errors(r):
    """The debugger's error lines (stderr also has the traceback)."""
    return [l for l in error_lines(r)
            if l.startswith(("No ", "Bad ", "That ", "NameError"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_exceptions_lists_the_chain_oldest_first(backend):
    r = run_cpdb([CHAINED], ["continue", "exceptions", "bt"],
                 env={"CPDB_BACKEND": backend})
    assert after(r, "exceptions") == [
        "    0 KeyError('port')",
        "    1 ConfigError('no port')",
        ">   2 RuntimeError('cannot start: while starting')"], r
    assert frames(after(r, "bt")) == ["start", "<module>"], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_exceptions_n_selects_its_traceback(backend):
    r = run_cpdb([CHAINED], ["continue", "exceptions 0", "bt",
                             "p settings", "p $_exception", "exceptions 1",
                             "p missing", "up", "p settings['host']", "down",
                             "exceptions", "exceptions 2", "bt"],
                 env={"CPDB_BACKEND": backend})
    assert stop_after(r, "exceptions 0") == ("chained.py", 10,
                                             "read_port"), r
    assert frames(after(r, "bt")) == ["read_port", "load"], r
    assert after(r, "p settings") == ["$1 = {'host': 'localhost'}"], r
    assert after(r, "p $_exception") == ["$2 = KeyError('port')"], r
    assert stop_after(r, "exceptions 1") == ("chained.py", 19, "load"), r
    assert after(r, "p missing") == ["$3 = 'port'"], r
    # ConfigError's traceback: load() called from start() (line 24).
    assert stop_after(r, "up") == ("chained.py", 24, "start"), r
    assert after(r, "p settings['host']") == ["$4 = 'localhost'"], r
    assert stop_after(r, "down") == ("chained.py", 19, "load"), r
    assert after(r, "exceptions")[1].startswith(">   1 ConfigError"), r
    assert frames(after(r, "bt", 1)) == ["start", "<module>"], r


def test_bad_exception_numbers_are_one_line_errors():
    r = run_cpdb([CHAINED], ["exceptions", "continue", "exceptions 3",
                             "exceptions -1", "exceptions x",
                             "exceptions 1 2", "bt"])
    assert cpdb_errors(r) == [
        'No exception chain: "exceptions" works in post-mortem.',
        'No exception with that number: "exceptions" lists them.',
        'No exception with that number: "exceptions" lists them.',
        'Bad exception number "x": a number from "exceptions" is '
        'expected.',
        'Bad exception number "1 2": a number from "exceptions" is '
        'expected.'], r
    # Nothing changed: the last exception stays selected.
    assert frames(after(r, "bt")) == ["start", "<module>"], r


def test_exception_without_a_traceback_cannot_be_selected(tmp_path):
    prog = tmp_path / "notb.py"
    prog.write_text(
        "try:\n"
        "    raise OSError('disk')\n"
        "except OSError as e:\n"
        "    cause = ValueError('made, never raised')\n"
        "    raise KeyError('k') from cause\n")
    r = run_cpdb([str(prog)], ["continue", "exceptions", "exceptions 0"])
    assert after(r, "exceptions") == [
        "    - ValueError('made, never raised')",
        ">   1 KeyError('k')"], r
    assert cpdb_errors(r) == [
        "That exception has no traceback: it cannot be selected."], r


def test_a_single_exception_is_a_chain_of_one(tmp_path):
    prog = tmp_path / "one.py"
    prog.write_text("def f():\n    return 1 / 0\n\nf()\n")
    r = run_cpdb([str(prog)], ["continue", "exceptions", "exceptions 0",
                               "p $_exception"])
    assert after(r, "exceptions") == [
        ">   0 ZeroDivisionError('division by zero')"], r
    assert stop_after(r, "exceptions 0") == ("one.py", 2, "f"), r
    assert after(r, "p $_exception") == [
        "$1 = ZeroDivisionError('division by zero')"], r


def test_the_chain_list_is_cpdbs_own():
    # The list cpdb keeps of the chain is not a referrer of the program's
    # exceptions: only ConfigError's __context__ refers to the KeyError.
    r = run_cpdb([CHAINED], ["continue", "exceptions 0",
                             "gc referrers $_exception"])
    out = after(r, "gc referrers $_exception")
    assert out[0] == "1 referrer of KeyError KeyError('port'):", r
    assert out[1].endswith(".__context__"), r
