"""The convenience values of a stop: $_exception (at an exception or
catchpoint stop, in post-mortem) and $_retval (after finish, at a
--Return-- stop), usable wherever $N values are."""

import pytest

from conftest import program, python_version, run_cpdb
from transcript import after, error_lines

RAISING = program("raising.py")
CHAINED = program("chained.py")

BACKENDS = ["legacy", "monitoring"] if python_version() >= (3, 12) \
    else ["legacy"]


def unset(name):
    return "NameError: convenience variable $%s is not set" % name


@pytest.mark.parametrize("backend", BACKENDS)
def test_retval_after_finish_and_at_return_stops(backend):
    r = run_cpdb([RAISING], ["p $_retval", "break parse", "continue",
                             "finish", "p $_retval", "p $_retval * 10 + $1",
                             "next", "p $_retval", "delete", "break 13",
                             "continue", "step", "p $_retval",
                             "p [$_retval] * 2"],
                 env={"CPDB_BACKEND": backend})
    assert "Value returned is $1 = 1" in after(r, "finish"), r
    assert after(r, "p $_retval", 1) == ["$2 = 1"], r
    assert after(r, "p $_retval * 10 + $1") == ["$3 = 11"], r
    # Not set before, nor at a stop that is not a return.
    assert error_lines(r) == [unset("_retval")] * 2, r
    # parse("2") at its --Return-- stop (step from its return line).
    assert "--Return--" in "\n".join(after(r, "step")), r
    assert after(r, "p $_retval", 3) == ["$4 = 2"], r
    assert after(r, "p [$_retval] * 2") == ["$5 = [2, 2]"], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_exception_at_catch_and_exception_stops(backend):
    r = run_cpdb([RAISING], ["break main", "continue", "p $_exception",
                             "catch raise KeyError", "continue",
                             "p $_exception", "p $_exception.args[0] * 2",
                             "p isinstance($_exception, LookupError)",
                             "display type($_exception).__name__",
                             "delete", "step", "step"],
                 env={"CPDB_BACKEND": backend})
    assert error_lines(r) == [unset("_exception")], r
    assert after(r, "p $_exception", 1) == ["$1 = KeyError('missing')"], r
    assert after(r, "p $_exception.args[0] * 2") == [
        "$2 = 'missingmissing'"], r
    assert after(r, "p isinstance($_exception, LookupError)") == [
        "$3 = True"], r
    # Stepping out of lookup(): the exception stop in main() (pdb's
    # exception event in the caller) sets it too.
    out = "\n".join(after(r, "step", 1))
    assert "KeyError: 'missing'" in out, r
    assert "1: type($_exception).__name__ = 'KeyError'" in out, r


def test_exception_in_post_mortem():
    r = run_cpdb([CHAINED], ["continue", "p $_exception",
                             "p $_exception.__cause__",
                             "p $_exception.__context__.__cause__"])
    assert after(r, "p $_exception") == [
        "$1 = RuntimeError('cannot start: while starting')"], r
    assert after(r, "p $_exception.__cause__") == ["$2 = None"], r
    assert after(r, "p $_exception.__context__.__cause__") == [
        "$3 = KeyError('port')"], r


def test_values_do_not_outlive_the_stop():
    # Set for the stop only: the program runs on without cpdb holding
    # the exception (and through it its frames).
    r = run_cpdb([RAISING], ["break main", "continue",
                             "catch raise KeyError", "continue",
                             "p $_exception", "delete", "break 39",
                             "continue", "p $_exception",
                             "show convenience"])
    assert after(r, "p $_exception") == ["$1 = KeyError('missing')"], r
    assert error_lines(r) == [unset("_exception")], r
    assert "_exception" not in "\n".join(after(r, "show convenience")), r
