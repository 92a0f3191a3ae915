"""Small command gaps: a breakpoint on a one-line function, "ret" as a
prefix of "return", "set listsize N" shows N lines, and a bare word that
is neither a command nor a name says both."""

import os
import re

from conftest import PYTHON, program, run_cpdb
from transcript import after, error_lines, prog_path, stop_after

import subprocess

ONELINE = prog_path("oneline.py")
PDB_LOCATION = re.compile(r"^(?:\(Pdb\) )*> (.+)\((\d+)\)(\S+)\(\)")


def stops_of(r):
    return [(line, func) for _, line, func in r.stops]


def pdb_stops(commands):
    """[(line, func)] of the stops pdb makes on oneline.py."""
    text = "".join(c + "\n" for c in commands)
    p = subprocess.run([PYTHON, "-m", "pdb", ONELINE], input=text,
                       capture_output=True, text=True, timeout=60)
    found = []
    for line in p.stdout.splitlines():
        m = PDB_LOCATION.match(line)
        if m and os.path.basename(m.group(1)) == "oneline.py":
            found.append((int(m.group(2)), m.group(3)))
    return found


# --- a breakpoint on a one-line function -----------------------------------

def test_function_breakpoint_stops_only_inside_the_one_line_function():
    r = run_cpdb([program("oneline.py")],
                 ["break two", "continue", "continue", "continue",
                  "continue"])
    assert stops_of(r) == [(1, "<module>"), (4, "two"), (4, "two"),
                           (4, "two")], r
    assert [l for l in r.out.splitlines() if l.startswith("Breakpoint 1,")] \
        == ["Breakpoint 1, two (x=%d) at %s:4" % (i, ONELINE)
            for i in range(3)], r
    assert "Program exited with status 0." in r.out, r
    assert not r.err, r


def test_function_breakpoint_does_not_fire_in_a_comprehension_on_its_line():
    r = run_cpdb([program("oneline.py")],
                 ["break three", "continue", "continue"])
    assert stops_of(r) == [(1, "<module>"), (5, "three")], r
    assert "Program exited with status 0." in r.out, r


def test_function_breakpoint_matches_pdb():
    cmds = ["break two", "continue", "continue", "continue", "continue"]
    r = run_cpdb([program("oneline.py")], cmds)
    assert stops_of(r) == pdb_stops(cmds[:-1])[:4], r


def test_line_breakpoint_on_a_one_line_def_stops_at_the_def_as_pdb():
    # pdb's "break 4" is a line breakpoint: the def line runs in the
    # module too, and pdb stops there; cpdb does the same.
    cmds = ["break 4", "continue", "continue", "continue", "continue"]
    r = run_cpdb([program("oneline.py")], cmds)
    assert stops_of(r) == [(1, "<module>"), (4, "<module>"), (4, "two"),
                           (4, "two"), (4, "two")], r
    assert stops_of(r) == pdb_stops(cmds)[:5], r


# --- ret ---------------------------------------------------------------------

def test_ret_is_a_prefix_of_return():
    r = run_cpdb([program("oneline.py")],
                 ["break counted", "continue", "ret", "p e"])
    assert after(r, "ret")[0] == "--Return--", r
    assert stop_after(r, "ret") == ("oneline.py", 23, "counted"), r
    assert "Value returned is $1 = 5" in after(r, "ret"), r
    assert after(r, "p e") == ["$2 = 5"], r
    assert not r.err, r


def test_help_ret_is_the_help_of_finish():
    r = run_cpdb([program("oneline.py")], ["help ret", "help finish"])
    assert after(r, "help ret") == after(r, "help finish"), r
    assert after(r, "help ret"), r


# --- set listsize ------------------------------------------------------------

def numbers(lines):
    return [int(l.split()[0]) for l in lines]


def test_set_listsize_shows_that_many_lines():
    r = run_cpdb([program("oneline.py")],
                 ["break counted", "continue", "set listsize 3", "list",
                  "list", "set listsize 4", "list 20", "set listsize 1",
                  "list 20", "show listsize"])
    assert numbers(after(r, "list", 0)) == [17, 18, 19], r
    assert numbers(after(r, "list", 1)) == [20, 21, 22], r
    assert numbers(after(r, "list 20", 0)) == [18, 19, 20, 21], r
    assert numbers(after(r, "list 20", 1)) == [20], r
    assert after(r, "show listsize") == [
        "Number of source lines listed is 1."], r


def test_default_listsize_is_pdbs_eleven_lines():
    r = run_cpdb([program("oneline.py")],
                 ["show listsize", "list 12"])
    assert after(r, "show listsize") == [
        "Number of source lines listed is 11."], r
    assert numbers(after(r, "list 12")) == list(range(7, 18)), r


# --- a bare word -------------------------------------------------------------

def test_bare_word_that_names_nothing_says_command_or_name():
    r = run_cpdb([program("oneline.py")],
                 ["total", "xyzzy now", "break counted", "continue", "next",
                  "sys", "total"])
    assert error_lines(r) == [
        'Undefined command or name: "total".  Try "help".',
        'Undefined command: "xyzzy".  Try "help".',
        'Undefined command or name: "total".  Try "help".'], r
    # A defined name is still Python, as in pdb.
    assert after(r, "sys") == ["<module 'sys' (built-in)>"], r
