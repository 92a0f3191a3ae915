"""The value history does not outlive its program, and can be dropped:
"run" drops the values of the run before (in a host that runs the
program again in its own process too), "delete values" drops them at
the user's word, and "gc collect" says which values nothing but the
history keeps alive."""

import os
import re
import subprocess

import pytest

from conftest import CPDB, run_cpdb
from transcript import after

HOST = os.path.join(os.path.dirname(os.path.dirname(CPDB)), "examples",
                    "host")

FIFTY = """\
class Big:
    def __init__(self):
        self.data = bytearray(50 * 1024 * 1024)
big = Big()
breakpoint()
done = 1
"""

RSS = '!print("RSS", open("/proc/self/status").read().split("VmRSS:")[1]' \
      '.split()[0])'


def rss_kb(out):
    return int(re.findall(r"^RSS (\d+)$", out, re.M)[-1])


# AddressSanitizer keeps freed memory in quarantine (256 MB by default),
# so the resident size says nothing there: the object counts still do.
SANITIZED = "ASAN_OPTIONS" in os.environ


def assert_small(out):
    if not SANITIZED:
        assert rss_kb(out) < 120 * 1024, out


def test_three_runs_in_a_host_keep_one_big_object(tmp_path):
    if not os.path.exists(HOST):
        pytest.skip("examples/host not built")
    prog = tmp_path / "fifty.py"
    prog.write_text(FIFTY)
    commands = ["p big", "run", "p big", "run", "p big",
                "gc instances Big", "p $1", RSS, "c"]
    p = subprocess.run([HOST, str(prog)], input="".join(c + "\n"
                                                        for c in commands),
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, NO_COLOR="1"))
    assert "host: script finished with status 0" in p.stdout, p.stdout
    # The third run's object only: the first two went with their runs.
    assert "\n1 object of type Big.\n" in p.stdout, p.stdout
    assert ("$1 was a value of the program's earlier run: values are "
            "dropped when it runs again.") in p.stdout + p.stderr, p.stdout
    assert_small(p.stdout)


def test_three_runs_of_cpdb_keep_one_big_object(tmp_path):
    prog = tmp_path / "fifty.py"
    prog.write_text(FIFTY)
    r = run_cpdb([str(prog)], ["c", "p big", "run", "c", "p big", "run",
                               "c", "p big", "gc instances Big", RSS],
                 timeout=120)
    assert "\n1 object of type Big.\n" in r.out, r
    assert_small(r.out)


HELD = """\
class Held:
    pass
kept = Held()
breakpoint()
done = 1
"""


def test_gc_collect_names_values_only_the_history_keeps(tmp_path):
    prog = tmp_path / "held.py"
    prog.write_text(HELD)
    r = run_cpdb([str(prog)], [
        "c", "p kept", "p Held()", "p [1, 2]", "p $2", "gc collect",
        "delete values", "gc collect", "gc instances Held", "p $2",
        "p 7", "delete values", "p $7"])
    lines = after(r, "gc collect")
    # $1 is also held by the global; $2 and $4 are one object.
    assert lines[1] == ('2 objects are kept alive only by the value '
                        'history ($2, $3): "delete values" drops it.'), r
    assert after(r, "delete values") == [
        "Dropped 4 values of the history ($1 to $4); the next value is "
        "$5."], r
    assert len(after(r, "gc collect", 1)) == 1, r
    assert after(r, "gc instances Held")[-1] == "1 object of type Held.", r
    assert 'ValueError: $2 was dropped ("delete values").' in \
        r.out + r.err, r
    # gc instances recorded $5.
    assert after(r, "p 7") == ["$6 = 7"], r
    assert after(r, "delete values", 1) == [
        "Dropped 2 values of the history ($1 to $6); the next value is "
        "$7."], r
    assert "History has not yet reached that value." in r.out + r.err, r


def test_delete_values_on_an_empty_history(tmp_path):
    prog = tmp_path / "held.py"
    prog.write_text(HELD)
    r = run_cpdb([str(prog)], ["delete values", "info breakpoints"])
    assert after(r, "delete values") == ["The value history is empty."], r


def test_print_alone_does_not_show_a_dropped_value(tmp_path):
    prog = tmp_path / "held.py"
    prog.write_text(HELD)
    r = run_cpdb([str(prog)], ["p 5", "delete values", "p", "p 6", "p"])
    assert "Argument required (expression to evaluate)." in r.err, r
    assert after(r, "p", 1) == ["$3 = 6"], r
