"""The census commands count the program's growth and nothing else:
"mem start" (and "pp") import modules into the program, and what those
imports make is not program growth for "gc growth" or "gc diff"; the
collector untracking tuples between two censuses is not a loss of
objects either, so 1000 objects made are "+1000"."""

import re

import pytest

from conftest import python_version, run_cpdb
from transcript import after

ITEMS = """\
class Item:
    pass

items = []
def tick(n):
    for i in range(n):
        items.append(Item())
    return len(items)

tick(5)
tick(7)      # STOP before
tick(11)
print("done", len(items))
"""

# As bench/heap's program: a heap collected, then objects made at the
# prompt and counted.  The tuples made after the last collection hold
# only objects the collector does not track (print's keyword names on
# 3.10/3.11, KEY everywhere): the next collection stops tracking them.
GROWER = """\
import gc

class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

class Record:
    def __init__(self, value):
        self.value = value

def group(i):
    return Point({"t": ([Record(i)], i)}, i)

def grow(n):
    GROWN.extend(group(i) for i in range(n // 5))

GROWN = []
gc.collect()
KEY = tuple(["a", "b"])
print("built", len(GROWN), flush=True)
while True:
    breakpoint()
"""


def rows(lines):
    """{type: (count, change)} of a "gc growth" or "gc diff" table."""
    out = {}
    for line in lines:
        m = re.match(r"^(\S+)\s+(?:\d+\s+)?(\d+)\s+([+-]\d+)$", line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out


def program(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("collector", ["on", "off"])
def test_mem_start_is_not_growth(tmp_path, collector):
    """Not at the stop of the import, nor once the program ran and the
    collector freed the garbage the import left (enum's and re's
    classes), nor with the collector off (the garbage stays): no change
    but the program's, either way."""
    head = "import gc; gc.disable()\n" if collector == "off" else ""
    r = run_cpdb([program(tmp_path, "items.py", head + ITEMS)],
                 ["break %d" % (11 + len(head.splitlines())), "continue",
                  "gc growth", "gc snapshot a",
                  "mem start", "gc diff a", "next", "gc growth",
                  "gc diff a"])
    assert "tracemalloc is tracing" in "\n".join(after(r, "mem start")), r
    assert after(r, "gc diff a")[1:] == ["No differences."], r
    grown = rows(after(r, "gc growth", 1))
    assert grown == {"__main__.Item": (12, 7)}, r
    assert rows(after(r, "gc diff a", 1)) == {"__main__.Item": (12, 7)}, r


def test_mem_start_after_snapshots_and_pp(tmp_path):
    """Two named snapshots before the import, one after; "pp" imports
    pprint: neither import is growth between any two of them."""
    r = run_cpdb([program(tmp_path, "items.py", ITEMS)],
                 ["break 11", "continue", "gc snapshot a", "gc growth",
                  "next", "gc snapshot b", "mem start", "pp len(items)",
                  "next", "gc snapshot c", "gc growth", "gc diff a b",
                  "gc diff b c", "gc diff a c"])
    assert rows(after(r, "gc growth", 1)) == {"__main__.Item": (23, 18)}, r
    for pair, want in (("a b", (12, 7)), ("b c", (23, 11)),
                       ("a c", (23, 18))):
        assert rows(after(r, "gc diff " + pair)) \
            == {"__main__.Item": want}, (pair, r)


def test_growth_counts_each_new_object(tmp_path):
    r = run_cpdb([program(tmp_path, "grower.py", GROWER)],
                 ["continue", "gc growth", "grow(1000)", "continue",
                  "gc growth", "info gc"])
    grown = rows(after(r, "gc growth", 1))
    # 3.10 gives each Point a tracked __dict__ too (a Record's holds an
    # int only, and is not tracked); 3.11+ keep attributes in the object
    dicts = 400 if python_version() < (3, 11) else 200
    assert {t: change for t, (_, change) in grown.items()} == {
        "__main__.Point": 200, "__main__.Record": 200, "dict": dicts,
        "list": 200, "tuple": 200}, r
    assert sum(change for _, change in grown.values()) == 800 + dicts, r


def test_a_collection_is_no_loss(tmp_path):
    """The tuples a collection stops tracking (KEY, and print's keyword
    names on 3.10/3.11) were never counted: a collection that frees
    nothing changes no count, and "info gc" counts as "gc types"."""
    collect = "!__import__('gc').collect(0)"
    r = run_cpdb([program(tmp_path, "grower.py", GROWER)],
                 ["continue", "gc snapshot a", collect, "gc diff a",
                  "p __import__('gc').is_tracked(KEY)", "gc types 1",
                  "info gc"])
    assert after(r, "gc diff a")[1:] == ["No differences."], r
    assert after(r, "p __import__('gc').is_tracked(KEY)") == ["$1 = False"]
    tracked = [l for l in after(r, "info gc")
               if l.startswith("Tracked objects: ")]
    total = after(r, "gc types 1")[0].split()[0]
    assert tracked == ["Tracked objects: " + total], r


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
