"""gc refs and gc graph on big containers: linear in what they look at
(a list of 200k items, one of 2M), bounded by their limits, and saying
what the limits left out."""

import re

import pytest

from conftest import run_cpdb
from transcript import after

BIG_LISTS = """\
refs_list = list(range(200000))
graph_list = list(range(2000000))
x = 1
"""

TIME = re.compile(r"^Command execution time: ([\d.]+) \(cpu\), "
                  r"([\d.]+) \(wall\)$")


def at_end(tmp_path, commands):
    prog = tmp_path / "lists.py"
    prog.write_text(BIG_LISTS)
    return run_cpdb([str(prog)], ["until 3", "maintenance time on"]
                    + commands, timeout=120)


def cpu_seconds(lines):
    for line in lines:
        m = TIME.match(line)
        if m:
            return float(m.group(1))
    raise AssertionError("no time in %r" % lines)


def test_gc_refs_of_a_200k_list_is_fast_and_bounded(tmp_path):
    r = at_end(tmp_path, ["gc refs refs_list", "gc refs refs_list 3",
                          "p $23"])
    lines = after(r, "gc refs refs_list")
    assert cpu_seconds(lines) < 2.0, lines
    assert lines[0].endswith("refers to 200,000 objects:"), lines
    shown = [l for l in lines if " -> $" in l]
    # Twenty by default, in index order, each recorded as $N.
    assert len(shown) == 20, lines
    assert shown[0] == "  [0] -> $1 = int 0", lines
    assert shown[19] == "  [19] -> $20 = int 19", lines
    assert '  ... and 199,980 more objects ("gc refs OBJ N" shows N).' \
        in lines, lines
    lines = after(r, "gc refs refs_list 3")
    assert [l for l in lines if " -> $" in l] == [
        "  [0] -> $21 = int 0", "  [1] -> $22 = int 1",
        "  [2] -> $23 = int 2"], lines
    assert '  ... and 199,997 more objects ("gc refs OBJ N" shows N).' \
        in lines, lines
    # Only the objects shown were recorded.
    assert after(r, "p $23")[0] == "$24 = 2", r


def test_gc_refs_count_is_not_taken_from_an_expression(tmp_path):
    r = at_end(tmp_path, ["gc refs refs_list[:5] + [7]",
                          "gc refs refs_list 0"])
    lines = after(r, "gc refs refs_list[:5] + [7]")
    assert lines[0].endswith("refers to 6 objects:"), lines
    assert "Bad count \"0\": a positive number is expected." in \
        r.out + r.err, r


def test_gc_graph_of_a_2m_list_is_fast_and_bounded(tmp_path):
    dot = tmp_path / "g.dot"
    dot_big = tmp_path / "big.dot"
    r = at_end(tmp_path, ["gc graph graph_list %s" % dot,
                          "gc graph graph_list max 100000 depth 1 %s"
                          % dot_big])
    lines = after(r, "gc graph graph_list %s" % dot)
    assert cpu_seconds(lines) < 5.0, lines
    assert "Graph of 50 objects" in lines[0], lines
    text = dot.read_text()
    assert len(re.findall(r"^  n\d+ \[label=", text, re.M)) == 50
    assert "1999951 more references (max 50 objects)" in text
    # The limit given is a limit too, and naming 100k list items does
    # not look through the list for each.
    lines = after(r, "gc graph graph_list max 100000 depth 1 %s" % dot_big)
    assert cpu_seconds(lines) < 10.0, lines
    assert "Graph of 100000 objects" in lines[0], lines
    text = dot_big.read_text()
    assert 'n0 -> n100 [label="[99]"]' in text
    assert "1900001 more references (max 100000 objects)" in text


SHARED = """\
class Shared:
    pass
SHARED = Shared()
class User:
    __slots__ = ("shared",)
    def __init__(self):
        self.shared = SHARED
users = [User() for i in range(600000)]
print("built", flush=True)
"""


def test_ctrl_c_stops_a_big_gc_graph(home, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    from test_interrupt import command, interrupt_after
    from test_terminal import PROMPT, finish, spawn
    prog = tmp_path / "shared.py"
    prog.write_text(SHARED)
    dot = tmp_path / "g.dot"
    line = "gc graph SHARED backrefs max 100000 %s" % dot
    c = spawn(home, [str(prog)])
    c.timeout = 60
    try:
        c.expect_exact(PROMPT)
        command(c, "until 9")
        for attempt in range(3):
            # Python run at the stop: the snapshot is taken anew.
            command(c, "p 0")
            c.sendline(line)
            interrupt_after(c, 0.3)
            got = c.expect_exact(["Interrupted.", "Graph of 100000 objects"])
            c.expect_exact(PROMPT)
            if got == 0:
                break
        assert got == 0, "never interrupted"
        assert not dot.exists()
        # The session goes on, and the same command runs to its end.
        command(c, line, "Graph of 100000 objects")
        assert dot.exists()
        command(c, "continue", "built", "Program exited with status 0.")
        assert finish(c) == 0
    finally:
        c.close(force=True)


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
