"""After gc.freeze() the heap commands see the frozen objects: gc types
counts them and says how many are frozen, gc chain and gc referrers
work on a frozen object and say it is frozen."""

import re

from conftest import program, run_cpdb
from transcript import after


def frozen_run(*commands):
    return run_cpdb([program("heapfreeze.py")],
                    ["break 20", "continue", "p seen, frozen_count > 5000"]
                    + list(commands))


def test_gc_types_counts_frozen_objects():
    r = frozen_run("gc types 100 Cached", "gc types 100 Fresh")
    # the program's own view: gc.get_objects() sees none of them
    assert after(r, "p seen, frozen_count > 5000") == ["$1 = (0, True)"], r
    lines = after(r, "gc types 100 Cached")
    assert re.match(r"^\d+ objects tracked, of \d+ types \(matching "
                    r"\"Cached\"\):$", lines[0]), lines
    assert lines[1] == ("(5000 of them frozen by gc.freeze(): the collector "
                        "never examines them)"), lines
    assert re.match(r"^__main__\.Cached +5000  \(5000 frozen\)$",
                    lines[2]), lines
    fresh = after(r, "gc types 100 Fresh")
    assert re.match(r"^__main__\.Fresh +10$", fresh[1]), fresh


def test_chain_and_referrers_of_a_frozen_object():
    r = frozen_run("gc chain CACHE[3]", "gc referrers CACHE",
                   "gc chain FRESH[0]")
    lines = after(r, "gc chain CACHE[3]")
    assert lines[0] == "Chain of 2 references:", lines
    assert re.match(r"^  module __main__ \.CACHE -> list \[3\] -> "
                    r"<__main__\.Cached object at 0x[0-9a-f]+>$",
                    lines[1]), lines
    frozen_note = ["It is frozen (gc.freeze() moved it to the permanent "
                   "generation):",
                   "the collector never examines it; "
                   "gc.get_objects() and gc.get_referrers() leave it out."]
    assert lines[-2:] == frozen_note, lines
    refs = after(r, "gc referrers CACHE")
    assert refs[0].startswith("2 referrers of list (5000 items) "), refs
    assert any(l.endswith("['CACHE']") for l in refs), refs
    assert any(l.endswith("['cache']") for l in refs), refs
    assert refs[-2:] == frozen_note, refs
    # an object made after the freeze is not marked
    fresh = after(r, "gc chain FRESH[0]")
    assert fresh[0] == "Chain of 2 references:", fresh
    assert frozen_note[0] not in fresh, fresh


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
