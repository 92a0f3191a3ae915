"""Output a person can read: every heap command that lists objects has
a default limit, honours its count, says how many it left out, and
records as $N only the objects it shows; pp honours the print limit."""

import re

from conftest import run_cpdb
from transcript import after

HEAP = """\
import gc
gc.disable()
gc.collect()
gc.set_debug(gc.DEBUG_SAVEALL)
class Node:
    __slots__ = ("next",)       # no __dict__ in gc.garbage on 3.10
    def __init__(self):
        self.next = None
def pairs(n):
    for i in range(n):
        a, b = Node(), Node()
        a.next, b.next = b, a
class Shared:
    pass
SHARED = Shared()
class User:
    def __init__(self):
        self.shared = SHARED
users = [User() for i in range(30000)]
pairs(1000)
gc.collect()
done = 1
"""


def at_end(tmp_path, commands):
    prog = tmp_path / "heap.py"
    prog.write_text(HEAP)
    last = HEAP.splitlines().index("done = 1") + 1
    return run_cpdb([str(prog)], ["until %d" % last] + commands,
                    timeout=120)


def recorded(lines):
    return [int(n) for n in re.findall(r"\$(\d+) = ", "\n".join(lines))]


def test_gc_garbage_honours_its_count(tmp_path):
    r = at_end(tmp_path, ["gc garbage 5", "p $5.next.next is $5", "p $6",
                          "gc garbage", "gc garbage 0"])
    lines = after(r, "gc garbage 5")
    assert lines[0] == "gc.garbage holds 2000 objects:", r
    assert recorded(lines) == [1, 2, 3, 4, 5], lines
    assert lines[-1] == ('  ... and 1,995 more objects ("gc garbage N" '
                         'shows N).'), lines
    assert after(r, "p $5.next.next is $5") == ["$6 = True"], r
    # Twenty by default.
    lines = after(r, "gc garbage")
    assert recorded(lines) == list(range(8, 28)), lines   # p $6 made $7
    assert lines[-1].startswith("  ... and 1,980 more objects"), lines
    assert 'Bad count "0": a positive number is expected.' in r.out + r.err


def test_gc_referrers_of_a_shared_object_is_bounded(tmp_path):
    r = at_end(tmp_path, ["gc referrers SHARED", "gc referrers SHARED 3",
                          "gc referrers Shared 1"])
    lines = after(r, "gc referrers SHARED")
    assert lines[0].startswith("30,001 referrers of "), lines
    assert recorded(lines) == list(range(1, 21)), lines
    assert lines[21] == ('  ... and 29,981 more referrers ("gc referrers '
                         'OBJ N" shows N).'), lines
    assert len(lines) == 22, lines
    lines = after(r, "gc referrers SHARED 3")
    assert recorded(lines) == [21, 22, 23], lines
    assert lines[4].startswith("  ... and 29,998 more referrers"), lines
    # A class: its instances, its __dict__'s contents, and its weak
    # references (the subclasses table) are each bounded.
    lines = after(r, "gc referrers Shared 1")
    assert len(recorded(lines)) <= 2, lines


def test_gc_types_leaks_and_instances_say_what_they_left_out(tmp_path):
    r = at_end(tmp_path, ["gc types 2", "gc leaks 1", "gc instances User 2"])
    lines = after(r, "gc types 2")
    assert len(lines) == 4, lines
    assert re.match(r'^  \.\.\. and \d+ more types \("gc types N" shows '
                    r'N\)\.$', lines[3]), lines
    lines = after(r, "gc leaks 1")
    assert len(recorded(lines)) == 1, lines
    assert re.match(r'^  \.\.\. and \d+ more objects \("gc leaks N" shows '
                    r'N\)\.$', lines[-1]), lines
    lines = after(r, "gc instances User 2")
    assert len(recorded(lines)) == 2, lines
    assert lines[-1].startswith("30000 objects of type User (the first "
                                "shown"), lines


def test_pp_honours_the_print_limit(tmp_path):
    r = at_end(tmp_path, ["pp list(range(100000))", "set print-limit 0",
                          "pp list(range(3000))", "set print-limit 60",
                          "pp {i: 'x' * 20 for i in range(10)}",
                          "pp 'y' * 500"])
    lines = after(r, "pp list(range(100000))")
    # 4000 characters by default: hundreds of lines, not 100000.
    assert lines[0] == "$1 = [0,", lines
    assert 100 < len(lines) < 1000, len(lines)
    m = re.match(r'^\.\.\.<(\d+) more lines; "set print-limit 0" shows '
                 r'all>$', lines[-1])
    assert m and int(m.group(1)) + len(lines) - 1 == 100000, lines[-3:]
    assert lines[-2] == " %d," % (len(lines) - 2), lines[-3:]
    # No limit: all of it.
    assert len(after(r, "pp list(range(3000))")) == 3000, r
    lines = after(r, "pp {i: 'x' * 20 for i in range(10)}")
    assert lines[:2] == ["$3 = {0: 'xxxxxxxxxxxxxxxxxxxx',",
                         " 1: 'xxxxxxxxxxxxxxxxxxxx',"], lines
    assert lines[2] == '...<8 more lines; "set print-limit 0" shows all>', \
        lines
    # One line longer than the limit is cut as print cuts it.
    assert after(r, "pp 'y' * 500") == ["$4 = '" + "y" * 59 + "..."], r


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
