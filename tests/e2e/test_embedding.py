"""libcpdb used by a C program that embeds Python (examples/embed)."""

import os
import subprocess

import pytest

from conftest import CPDB, ROOT

HOST = os.path.join(os.path.dirname(os.path.dirname(CPDB)), "examples",
                    "host")
SCRIPT = os.path.join(ROOT, "examples", "embed", "script.py")


def run_host(args, commands):
    if not os.path.exists(HOST):
        pytest.skip("examples/host not built")
    p = subprocess.run([HOST] + args, input="".join(c + "\n"
                                                    for c in commands),
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, NO_COLOR="1"))
    return p


def test_checkpoint_stops_at_the_calling_line_and_writes_stick():
    p = run_host([SCRIPT], ["bt", "p total", "total = 50", "c"])
    assert "> %s(7)work()" % SCRIPT in p.stdout, p.stdout
    assert "#1   <module> ()" in p.stdout
    assert "$1 = 6" in p.stdout
    assert "result 50" in p.stdout
    assert "host: script finished with status 0" in p.stdout
    assert p.returncode == 0


def test_breakpoint_set_from_c_before_the_run():
    p = run_host([SCRIPT, "examples/embed/script.py:6"],
                 ["p i", "delete", "c", "c"])
    assert "Breakpoint 1, work (n=4) at %s:6" % SCRIPT in p.stdout, p.stdout
    assert "$1 = 0" in p.stdout
    # after "delete" only the checkpoint stops the script
    assert p.stdout.count("Breakpoint 1,") == 1
    assert "result 6" in p.stdout
