"""Deep and wide chains found by the search from both ends over the whole
heap (its forward side marked in the collector's headers), without the
snapshot's reverse edges; gc leaks and the reverse edges read snapshot
indices there too.  The collector's lists are as they were afterwards:
the program collects, frees and finishes as under python."""

import re

from conftest import run_cpdb
from transcript import after

# About 400k tracked objects: a linked list of 5000 nodes, 12 levels of
# 500 referrers each, and filler.
HEAP = """\
import gc, weakref

class Link:
    def __init__(self, nxt):
        self.next = nxt

class Level:
    def __init__(self):
        self.next = None
        self.fans = []

def build_deep(n):
    tail = Link(None)
    node = tail
    for _ in range(n - 1):
        node = Link(node)
    return node, weakref.ref(tail)

def build_wide(levels, fan):
    ls = [Level() for _ in range(levels + 1)]
    for k in range(levels):
        ls[k].next = ls[k + 1]
        ls[k].fans = [[ls[k + 1]] for _ in range(fan)]
    return ls[0], weakref.ref(ls[-1])

DEEP_HEAD, DEEP = build_deep(5000)
WIDE_ROOT, WIDE = build_wide(12, 500)
FILLER = [{"t": ([i], i)} for i in range(130000)]
breakpoint()
breakpoint()
breakpoint()
breakpoint()
gc.disable()
for i in range(50000):
    a = [i]
    a.append(a)
del a
print("collected", gc.collect() >= 50000)
print("objects", len(gc.get_objects()) > 400000)
"""

TIME = re.compile(r"^Command execution time: ([\d.]+) \(cpu\), "
                  r"([\d.]+) \(wall\)$")


def cpu_seconds(lines):
    for line in lines:
        m = TIME.match(line)
        if m:
            return float(m.group(1))
    raise AssertionError("no time in %r" % lines)


def session(tmp_path, commands):
    prog = tmp_path / "heap.py"
    prog.write_text(HEAP)
    return run_cpdb([str(prog)], ["maintenance time on", "continue"]
                    + commands, timeout=180)


def test_deep_and_wide_chains_cost_about_a_census(tmp_path):
    # Each command cold, at a fresh stop.  Before, the chains gave up
    # the search from both ends and built the whole snapshot's reverse
    # edges: 10 to 20 times a census of the heap; now 3 to 5 times.
    r = session(tmp_path, ["gc types 3", "continue", "gc chain DEEP()",
                           "continue", "gc chain WIDE()"])
    deep = after(r, "gc chain DEEP()")
    wide = after(r, "gc chain WIDE()")
    assert any(".DEEP_HEAD -> " in l and ".next × 4,99" in l
               for l in deep), deep
    assert any(".WIDE_ROOT -> " in l and "Level .next" in l
               and "fans" not in l for l in wide), wide
    census = cpu_seconds(after(r, "gc types 3"))
    assert cpu_seconds(deep) < 7 * census, (deep, census)
    assert cpu_seconds(wide) < 7 * census, (wide, census)


def test_the_collector_lists_are_intact_afterwards(tmp_path):
    r = session(tmp_path, ["gc chain DEEP()", "gc leaks 1",
                           "gc referrers DEEP()", "gc chain WIDE()",
                           "continue", "gc chain DEEP() to DEEP_HEAD",
                           "continue", "continue", "continue"])
    assert r.rc == 0, r
    assert "collected True" in r.out, r
    assert "objects True" in r.out, r
    lines = after(r, "gc referrers DEEP()")
    # the node before (3.10: its __dict__)
    assert lines[0].startswith("1 referrer of <__main__.Link"), lines
    assert any(".next" in l or "{'next':" in l for l in lines[1:]), lines
    lines = after(r, "gc chain DEEP() to DEEP_HEAD")
    assert any(".next × 4,99" in l for l in lines), lines


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
