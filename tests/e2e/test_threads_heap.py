"""The heap commands use every thread's frames as roots: a chain can end
at a variable of another thread's frame, and names the thread."""

import re

import pytest

from conftest import program, python_version, run_cpdb
from transcript import after

HEAP = program("threads_heap.py")
BACKENDS = (["monitoring", "legacy"] if python_version() >= (3, 12)
            else ["legacy"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_chain_ends_at_another_threads_variable(backend):
    r = run_cpdb([HEAP], ["continue", "gc chain target()",
                          "gc referrers target()", "continue"],
                 timeout=60, env={"CPDB_BACKEND": backend})
    lines = after(r, "gc chain target()")
    assert lines[0] == "Chain of 1 reference:", r
    assert re.match(r"^  thread 2 \"holder\" frame #\d+ hold\(\) variable "
                    r"'cargo' -> <__main__\.Cargo object at 0x[0-9a-f]+>$",
                    lines[1]), r
    refs = after(r, "gc referrers target()")
    assert refs[0].startswith("1 referrer of <__main__.Cargo"), r
    assert re.match(r"^  thread 2 \"holder\" frame #\d+ hold\(\) variable "
                    r"'cargo'$", refs[1]), r
    assert "done" in r.out and r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_selected_threads_frames_are_named_as_before(backend):
    # Selected, the holder's frames are the stack: no thread prefix;
    # the main thread's are named by theirs.
    r = run_cpdb([HEAP], ["continue", "thread 2", "up 2", "p cargo",
                          "gc referrers cargo", "continue"],
                 timeout=60, env={"CPDB_BACKEND": backend})
    refs = after(r, "gc referrers cargo")
    assert refs[1] == "  frame #2 hold() variable 'cargo'", r
    assert r.rc == 0, r
