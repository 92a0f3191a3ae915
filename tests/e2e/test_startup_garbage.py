"""cpdb stays out of the program's heap at start: the program's first
gc.collect() finds the garbage it finds under plain python (none on a
plain script), whatever cpdb did before the program's first line -- a
script, -m MODULE, after "run", on a terminal, on each backend."""

import pytest

from conftest import python_version, run_cpdb, run_python
import terminal

# What the program's first collection finds: the count, then the kinds
# of garbage (DEBUG_SAVEALL keeps it in gc.garbage to be named).
PROGRAM = """\
import gc
gc.set_debug(gc.DEBUG_SAVEALL)
found = gc.collect()
kinds = sorted({getattr(o, '__qualname__', type(o).__name__)
                for o in gc.garbage if isinstance(o, type)})
print('first collect:', found, kinds)
"""

BACKENDS = ["legacy", "monitoring"] if python_version() >= (3, 12) \
    else ["legacy"]


def first_collect(out):
    lines = [l for l in out.splitlines() if l.startswith("first collect:")]
    assert lines, out
    return lines


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "first_collect.py"
    path.write_text(PROGRAM)
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_script_first_collect_finds_nothing(script, backend):
    py = run_python([str(script)])
    assert first_collect(py.out) == ["first collect: 0 []"], py
    r = run_cpdb([str(script)], ["continue", "run", "continue"],
                 env={"CPDB_BACKEND": backend})
    # the first run and the run after "run" both start clean
    assert first_collect(r.out) == ["first collect: 0 []"] * 2, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_module_first_collect_as_python(script, backend):
    """python3 -m itself leaves garbage on some versions (3.10's runpy
    imports operator.py, whose classes the C ones replace): cpdb -m
    leaves the same, and nothing of its own."""
    py = run_python(["-m", "first_collect"], cwd=str(script.parent))
    want = first_collect(py.out)
    r = run_cpdb(["-m", "first_collect"], ["continue"],
                 cwd=str(script.parent), env={"CPDB_BACKEND": backend})
    assert first_collect(r.out) == want, r


def test_stopped_program_first_collect_finds_nothing(script):
    """Stops, breakpoints and the prompt's work before the collection
    leave nothing either."""
    r = run_cpdb([str(script)], ["break 3", "continue", "print 1 + 1",
                                 "next", "continue"])
    assert first_collect(r.out) == ["first collect: 0 []"], r


@pytest.mark.skipif(terminal.pexpect is None, reason="needs pexpect")
def test_terminal_first_collect_finds_nothing(script, home):
    child = terminal.spawn(home, [str(script)])
    child.expect_exact(terminal.PROMPT)
    child.sendline("continue")
    child.expect(r"first collect: (\d+) (\[.*?\])\r?\n")
    assert (child.match.group(1), child.match.group(2)) == ("0", "[]")
    child.expect_exact(terminal.PROMPT)
    terminal.finish(child)
