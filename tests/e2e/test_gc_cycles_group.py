"""gc cycles groups the cycles of one shape (the same types and
references round them) and prints each shape once with its count; the
count argument bounds the shapes shown."""

import re
import time

from conftest import run_cpdb
from transcript import after

CYCLES = """\
import gc
gc.disable()
gc.collect()        # what start-up left is not kept
gc.set_debug(gc.DEBUG_SAVEALL)
class Node:
    __slots__ = ("next",)       # no __dict__ in gc.garbage on 3.10
    def __init__(self):
        self.next = None
class Ring:
    __slots__ = ("a", "b")
def pairs(n):
    for i in range(n):
        a, b = Node(), Node()
        a.next, b.next = b, a
def triples(n):
    for i in range(n):
        a, b, c = Node(), Node(), Node()
        a.next, b.next, c.next = b, c, a
def rings(n):
    for i in range(n):
        r = Ring()
        r.a = r
        r.b = None
def mixed():
    n, r = Node(), Ring()
    n.next, r.a, r.b = r, n, None
pairs(25000)
triples(7)
mixed()
pairs(25000)
rings(3)
gc.collect()
done = 1
"""


def at_end(tmp_path, commands):
    prog = tmp_path / "cycles.py"
    prog.write_text(CYCLES)
    last = CYCLES.splitlines().index("done = 1") + 1
    return run_cpdb([str(prog)], ["until %d" % last] + commands,
                    timeout=120)


def test_cycles_of_one_shape_print_once_with_their_count(tmp_path):
    t0 = time.monotonic()
    r = at_end(tmp_path, ["gc cycles"])
    took = time.monotonic() - t0
    lines = after(r, "gc cycles")
    assert lines[0] == "50,011 cycles of 4 shapes:", r
    # In the order each shape is first met; each shape's example keeps
    # its #index and the path round it.
    assert re.match(r"^Cycle 1: 50,000 cycles like this one, 2 objects of "
                    r"gc\.garbage each$", lines[1]), lines
    m = re.match(r"^  #(\d+) __main__\.Node \.next -> #(\d+) __main__\.Node "
                 r"\.next -> #(\d+) __main__\.Node$", lines[2])
    assert m and m.group(1) == m.group(3), lines
    assert lines[3] == ("Cycle 2: 7 cycles like this one, 3 objects of "
                        "gc.garbage each"), lines
    assert lines[4].count(" .next -> ") == 3, lines
    assert lines[5] == "Cycle 3: 2 objects of gc.garbage", lines
    assert "__main__.Ring .a -> " in lines[6], lines
    assert lines[7] == ("Cycle 4: 3 cycles like this one, 1 object of "
                        "gc.garbage each"), lines
    assert re.match(r"^  #(\d+) __main__\.Ring \.a -> #\1 __main__\.Ring$",
                    lines[8]), lines
    assert len(lines) == 9, lines
    assert took < 30, took


def test_cycles_count_bounds_the_shapes_shown(tmp_path):
    r = at_end(tmp_path, ["gc cycles 2", "gc cycles x"])
    lines = after(r, "gc cycles 2")
    assert lines[0] == "50,011 cycles of 4 shapes:", r
    assert [l for l in lines if l.startswith("Cycle ")] == [
        "Cycle 1: 50,000 cycles like this one, 2 objects of gc.garbage "
        "each",
        "Cycle 2: 7 cycles like this one, 3 objects of gc.garbage each"], r
    assert lines[-1] == ('  ... and 4 more cycles of 2 more shapes ("gc '
                         'cycles N" shows N shapes).'), r
    assert 'Bad count "x": a positive number is expected.' in r.out + r.err


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
