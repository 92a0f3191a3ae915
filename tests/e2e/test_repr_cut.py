"""A list or dict cut short in a label or a brief never looks complete:
a list of 100,003 items whose first item's repr fills the room is not
drawn as a one-item list."""

import re

from conftest import run_cpdb
from transcript import after

PROGRAM = """\
class Node:
    pass
L = [Node() for _ in range(3)] + list(range(100000))
D = {"k%d" % i: Node() for i in range(5)}
x = 1
"""


def test_cut_containers_say_so(tmp_path):
    prog = tmp_path / "cut.py"
    prog.write_text(PROGRAM)
    dot, dot2 = tmp_path / "g.dot", tmp_path / "g2.dot"
    r = run_cpdb([str(prog)], ["break 5", "continue",
                               "gc graph L depth 1 max 2 %s" % dot,
                               "gc graph D depth 1 max 2 %s" % dot2])
    assert "written to" in r.out, r
    labels = re.findall(r'^  n0 \[label="(.*?)"', dot.read_text(), re.M)
    labels += re.findall(r'^  n0 \[label="(.*?)"',
                         dot2.read_text(), re.M)
    assert len(labels) == 2, labels
    for label in labels:
        # "list\n[<__main__.Node object at 0x...>, ..." not "...>]"
        assert label.endswith("..."), labels
        assert not label.endswith(">]") and not label.endswith(">}"), labels
