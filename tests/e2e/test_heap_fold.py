"""gc chain through a long linked list: the run of .next folds into one
step with its count, the line stays short, and only the objects shown
get $N numbers."""

import re

from conftest import program, run_cpdb
from transcript import after


def chain_run():
    return run_cpdb([program("heapfold.py")],
                    ["break 20", "continue", "p probe.pop()", "gc chain $1",
                     "p len(__import__('gc').get_referrers(head)) >= 0"],
                    timeout=120)


def test_long_run_of_next_folds_with_its_count():
    r = chain_run()
    lines = after(r, "gc chain $1")
    text = "\n".join(lines)
    assert len(text) < 3000, text[:3000]
    assert lines[0] == "Chain of 200,001 references:", lines[:2]
    path = lines[1]
    # module .head, then 199,999 times .next: three kept on each side,
    # the 199,993 between folded into one step
    assert path.startswith("  module __main__ .head -> __main__.Node .next"
                           " -> "), path
    assert path.count(" .next \u00d7 199,993 -> ") == 1, path
    assert path.count(".next") == 7, path
    assert path.endswith(" .value -> <__main__.Target object at "
                         + path.split(" at ")[-1]), path


def test_only_the_objects_shown_get_numbers():
    r = chain_run()
    lines = after(r, "gc chain $1")
    numbered = [l for l in lines if re.match(r"  \$\d+ = ", l)]
    # the module (and its dict on the way), the 3 + 3 nodes printed
    # (and their attribute dicts where instances keep one, 3.10) and the
    # object itself
    assert 8 <= len(numbered) <= 17, lines
    assert numbered[-1].startswith("  $%d = <__main__.Target object"
                                   % (len(numbered) + 1)), numbered
    # the folded nodes (with their attribute dicts on 3.10)
    assert lines[-1] in ("  (199,993 folded objects not recorded)",
                         "  (399,986 folded objects not recorded)"), \
        lines[-3:]
    # the history did not grow by 200,000: the next value is the next $N
    nxt = after(r, "p len(__import__('gc').get_referrers(head)) >= 0")
    assert nxt == ["$%d = True" % (len(numbered) + 2)], nxt


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
