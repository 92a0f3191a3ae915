"""Tab completion: locations after "break" (modules, what they define,
a file's functions and lines), type names after "gc instances",
attributes with '_' names hidden until typed, and no doubled words.
Checked through "complete TEXT" (the completer's candidates) and on a
terminal under pexpect."""

import os

import pytest

from conftest import run_cpdb
from terminal import finish, pexpect, settle, spawn
from transcript import after

MAIN = """\
import mylib


class Clock:
    def tick(self):
        return 1


def tick():
    return Clock().tick()


def tock():
    return 2


obj = Clock()
obj.value = 3
tick()
print(mylib.helper())
"""

MYLIB = """\
import os


def helper():
    return 1


def _private():
    return 2


class Widget:
    def spin(self):
        return 3


LIMIT = 10
"""


@pytest.fixture
def proj(tmp_path):
    d = tmp_path / "proj"
    d.mkdir()
    (d / "main.py").write_text(MAIN)
    (d / "mylib.py").write_text(MYLIB)
    return os.path.realpath(str(d))


def run(proj, commands):
    return run_cpdb([os.path.join(proj, "main.py")], commands,
                    cwd=proj)


def test_break_completes_what_an_imported_module_defines(proj):
    r = run(proj, ["break 19", "continue", "complete break mylib.",
                   "complete break mylib._", "complete break mylib.Widget.",
                   "complete break myl"])
    # Functions, classes and modules; not constants; '_' names only
    # once '_' is typed.
    assert after(r, "complete break mylib.") == [
        "break mylib.Widget", "break mylib.helper", "break mylib.os"], r
    assert after(r, "complete break mylib._") == ["break mylib._private"], r
    assert after(r, "complete break mylib.Widget.") == [
        "break mylib.Widget.spin"], r
    assert "break mylib" in after(r, "complete break myl"), r


def test_break_completes_modules_not_imported_yet(proj):
    r = run(proj, ["complete break json.dec", "complete break xml.dom.mini",
                   "complete break mylib.", "complete break myl"])
    # From the import path: json is not imported by the program.
    assert after(r, "complete break json.dec") == ["break json.decoder"], r
    assert after(r, "complete break xml.dom.mini") == [
        "break xml.dom.minicompat", "break xml.dom.minidom"], r
    # mylib, in the script's folder, before its import: its name, then
    # the functions in its source.
    assert "break mylib" in after(r, "complete break myl"), r
    assert after(r, "complete break mylib.") == [
        "break mylib.Widget", "break mylib.Widget.spin",
        "break mylib.helper"], r


def test_break_file_colon_lists_functions_or_lines(proj):
    r = run(proj, ["complete break main.py:", "complete break main.py:t",
                   "complete break main.py:1"])
    assert after(r, "complete break main.py:") == [
        "break main.py:Clock", "break main.py:Clock.tick",
        "break main.py:tick", "break main.py:tock"], r
    assert after(r, "complete break main.py:t") == [
        "break main.py:tick", "break main.py:tock"], r
    # Lines that hold code and start with 1.
    assert after(r, "complete break main.py:1") == [
        "break main.py:1", "break main.py:10", "break main.py:13",
        "break main.py:14",
        "break main.py:17", "break main.py:18", "break main.py:19"], r


def test_one_location_then_only_if(proj):
    r = run(proj, ["complete break tick i", "complete break tick if ob"])
    assert after(r, "complete break tick i") == ["break tick if"], r
    # Python names after "if" (obj is not bound yet at line 1).
    assert after(r, "complete break tick if ob") == [
        "break tick if object"], r


def test_gc_instances_completes_type_names(proj):
    r = run(proj, ["break 19", "continue", "complete gc instances Clo",
                   "complete gc instances Widg", "complete gc instances "
                   "Clock 1"])
    assert after(r, "complete gc instances Clo") == [
        "gc instances Clock"], r
    assert after(r, "complete gc instances Clock 1") == [], r


def test_attributes_hide_underscore_names_until_typed(proj):
    r = run(proj, ["break 19", "continue", "complete p obj.",
                   "complete p obj._", "complete p obj.__cl"])
    assert after(r, "complete p obj.") == ["p obj.tick", "p obj.value"], r
    # "_": the single-underscore names (there are none), not dunders.
    assert after(r, "complete p obj._") == [], r
    assert after(r, "complete p obj.__cl") == ["p obj.__class__"], r


# --- on a terminal -----------------------------------------------------------

needs_pexpect = pytest.mark.skipif(pexpect is None, reason="needs pexpect")


@needs_pexpect
def test_tab_tab_after_a_whole_location_adds_no_word(home, tmp_path):
    # A file with one function: Tab Tab after it used to add it again
    # ("break tick tick").
    d = tmp_path / "one"
    d.mkdir()
    (d / "main.py").write_text("def tick():\n    return 1\n\n\ntick()\n")
    c = spawn(home, ["main.py"], cwd=str(d))
    try:
        c.expect_exact("(cpdb) ")
        c.send("break tick\t\t")
        shown = settle(c)
        assert "tick tick" not in shown, shown
        c.send("\r")
        c.expect_exact("Breakpoint 1 at ")
        c.expect_exact("(cpdb) ")
        finish(c)
    finally:
        c.close(force=True)


@needs_pexpect
def test_tab_lists_a_module_and_completes_a_type(home, proj):
    c = spawn(home, ["main.py"], cwd=proj)
    try:
        c.expect_exact("(cpdb) ")
        c.sendline("break 19")
        c.expect_exact("(cpdb) ")
        c.sendline("continue")
        c.expect_exact("(cpdb) ")
        c.send("break mylib.\t\t")
        c.expect_exact("mylib.helper")
        c.expect_exact("mylib.Widget")
        c.send("\x15\r")    # Ctrl-U: drop the line
        c.expect_exact("(cpdb) ")
        c.send("gc instances Cloc\t")
        c.expect_exact("k ")
        c.send("\r")
        c.expect_exact("1 object of type Clock")
        c.expect_exact("(cpdb) ")
        finish(c)
    finally:
        c.close(force=True)


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
