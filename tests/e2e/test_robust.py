"""Tried as a hostile user would: deep recursion (in the main thread and
in others), memory per stop over many stops, and cpdb's own objects kept
out of the program's and the heap commands' sight."""

import os
import signal
import subprocess
import textwrap
import threading
import time

import pytest

from conftest import CPDB, python_version, run_cpdb, run_python
from transcript import after

DEEP = """\
import sys
sys.setrecursionlimit(25000)
def f(n):
    return 0 if n == 0 else 1 + f(n - 1)
print("depth", f(20000))
"""

DEEP_THREAD = """\
import sys, threading
sys.setrecursionlimit(25000)
def f(n):
    return 0 if n == 0 else 1 + f(n - 1)
out = []
t = threading.Thread(target=lambda: out.append(f(20000)))
t.start()
t.join()
print("thread depth", out)
"""

# How deep python lets a recursion go: the same under cpdb.
MAX_DEPTH = """\
import sys
def probe(n):
    try:
        return probe(n + 1)
    except RecursionError:
        return n
print("limit", sys.getrecursionlimit(), "max depth", probe(1))
sys.setrecursionlimit(%d)
print("limit", sys.getrecursionlimit(), "max depth", probe(1))
"""

RECURSION_ERROR = """\
def f(n):
    return f(n + 1)
try:
    f(0)
except RecursionError as e:
    print("caught", type(e).__name__)
f(0)
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_recursion_20000_deep_runs_as_under_python(tmp_path):
    prog = write(tmp_path, "deep.py", DEEP)
    r = run_cpdb([prog], ["continue"])
    assert r.rc == 0, r
    assert after(r, "continue") == ["depth 20000",
                                    "Program exited with status 0."], r
    py = run_python([prog])
    assert py.out == "depth 20000\n" and py.rc == 0


def test_recursion_20000_deep_in_a_thread(tmp_path):
    """A thread of Python's default stack size: python 3.11 runs this
    recursion without C stack, cpdb's hook needs more than the thread
    has."""
    prog = write(tmp_path, "deep_thread.py", DEEP_THREAD)
    r = run_cpdb([prog], ["continue"])
    assert r.rc == 0, r
    assert after(r, "continue") == ["thread depth [20000]",
                                    "Program exited with status 0."], r


def test_stop_at_the_bottom_of_a_deep_recursion(tmp_path):
    prog = write(tmp_path, "deep.py", DEEP)
    r = run_cpdb([prog], ["break 4 if n == 3", "continue", "bt 2", "p n",
                          "up 19990", "p n", "display n", "continue"])
    assert after(r, "continue")[0].startswith("Breakpoint 1, f (n=3)"), r
    assert after(r, "bt 2")[:2] == [
        "> #0   f (n=3) at %s:4" % os.path.realpath(prog),
        "  #1   f (n=4) at %s:4" % os.path.realpath(prog)], r
    assert after(r, "p n") == ["$1 = 3"], r
    assert after(r, "p n", 1) == ["$2 = 19993"], r
    assert after(r, "continue", 1) == ["depth 20000",
                                       "Program exited with status 0."], r
    assert r.rc == 0


@pytest.mark.parametrize("limit", [3000, 25000])
def test_recursion_reaches_the_limit_as_under_python(tmp_path, limit):
    if limit > 20000 and python_version() < (3, 11):
        pytest.skip("python 3.10 itself overflows its C stack there")
    prog = write(tmp_path, "maxdepth.py", MAX_DEPTH % limit)
    py = run_python([prog])
    assert py.rc == 0, py
    r = run_cpdb([prog], ["continue"])
    assert after(r, "continue") == py.out.splitlines() + [
        "Program exited with status 0."], r


def test_recursion_error_is_reported_as_python_does(tmp_path):
    prog = write(tmp_path, "recerr.py", RECURSION_ERROR)
    py = run_python([prog])
    r = run_cpdb([prog], ["continue", "p n > 900", "continue"])
    lines = after(r, "continue")
    assert lines[0] == "caught RecursionError", r
    assert "Uncaught exception. Entering post mortem debugging" in \
        "\n".join(lines), r
    assert after(r, "p n > 900") == ["$1 = True"], r
    assert after(r, "continue", 1) == ["Program exited with status 1."], r
    assert r.rc == py.rc == 1
    assert py.err.splitlines()[-1] == r.err.splitlines()[-1] == (
        "RecursionError: maximum recursion depth exceeded"), r


# --- memory per stop --------------------------------------------------------

SOAK = """\
import sys
n = int(sys.argv[1])
flag = True
total = 0
for i in range(n):
    total += 1          # line 6
print("done", total)
"""


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


class Session:
    """cpdb on a pipe, driven command block by command block."""

    def __init__(self, args):
        env = dict(os.environ, NO_COLOR="1")
        env.pop("PYTHONPATH", None)
        self.p = subprocess.Popen([CPDB, "-q", "-nx"] + args, env=env,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True,
                                  bufsize=1)
        self.n_marks = 0

    def run(self, commands, timeout=60):
        """Send commands, then wait until cpdb has run them all.  A
        thread writes, as cpdb's output fills the pipe meanwhile."""
        self.n_marks += 1
        mark = "mark-%d" % self.n_marks
        text = "".join(c + "\n" for c in commands) + "echo %s\\n\n" % mark

        def send():
            self.p.stdin.write(text)
            self.p.stdin.flush()
        writer = threading.Thread(target=send)
        writer.start()
        deadline = time.time() + timeout
        try:
            for line in self.p.stdout:
                if line.rstrip("\n") == mark:
                    return
                assert time.time() < deadline, "cpdb did not answer"
            raise AssertionError("cpdb ended: %s" % self.p.wait())
        finally:
            writer.join()

    def close(self):
        self.p.stdin.close()
        self.p.stdout.read()
        return self.p.wait(timeout=60)


def sanitized():
    """Whether cpdb is built with AddressSanitizer (whose quarantine and
    shadow memory make RSS no measure of cpdb's own)."""
    with open(CPDB, "rb") as f:
        return b"__asan_init" in f.read()


def test_memory_stays_flat_over_many_stops(tmp_path):
    """Each stop checks a condition and shows a display: after a warm-up,
    memory does not grow.  With a print at each stop too, it grows by the
    value history's slot ($N, 8 bytes) per stop and the allocator's slack
    in moving that list as it grows: under 1 MB per 100,000 stops."""
    if sanitized():
        pytest.skip("RSS under AddressSanitizer says nothing of cpdb's")
    prog = write(tmp_path, "soak.py", SOAK)
    warm, stops = 2000, 10000
    s = Session([prog, str(warm + 2 * stops + 10)])
    try:
        s.run(["break 6 if i >= 0", "display total"])
        s.run(["continue", "p flag"] * warm)
        before = rss_kb(s.p.pid)
        s.run(["continue"] * stops)
        quiet = rss_kb(s.p.pid) - before
        before = rss_kb(s.p.pid)
        s.run(["continue", "p flag"] * stops)
        printing = rss_kb(s.p.pid) - before
        s.run(["p total"])
    finally:
        rc = s.close()
    assert rc == 0
    print("%.1f bytes per stop, %.1f with a print"
          % (quiet * 1024.0 / stops, printing * 1024.0 / stops))
    assert quiet * 1024 < stops, "%d KB over %d stops" % (quiet, stops)
    assert printing * 1024 < 16 * stops, "%d KB over %d stops with a " \
        "print" % (printing, stops)


# --- cpdb's own objects -----------------------------------------------------

GC_PROG = """\
import gc, sys
class Marker: pass
def f():
    m = Marker()
    x = 1
    held = [o for o in gc.get_objects()
            if isinstance(o, list) and any(v is m for v in o)]
    print("lists holding m:", len(held))
    print("referrers of m:", [type(o).__name__ for o in gc.get_referrers(m)])
f()
"""


def test_value_history_is_out_of_the_programs_reach(tmp_path):
    prog = write(tmp_path, "gcobj.py", GC_PROG)
    r = run_cpdb([prog], ["break 5", "continue", "p m", "gc collect",
                          "p $1.__class__.__name__", "continue"])
    assert after(r, "p $1.__class__.__name__") == ["$2 = 'Marker'"], r
    end = after(r, "continue", 1)
    assert "lists holding m: 0" in end, r
    assert "list" not in end[1], r


CONV_PROG = """\
import gc
class Marker: pass
def f():
    m = Marker()
    x = 1
    print("cpdb's dict found:", any(
        isinstance(o, dict) and "keep" in o and "box" in o
        for o in gc.get_objects()))
f()
"""


def test_convenience_variables_are_out_of_the_programs_reach(tmp_path):
    # The dict of $name variables is cpdb's: the program does not find it
    # among the collector's objects, even with a container in it.
    prog = write(tmp_path, "conv.py", CONV_PROG)
    r = run_cpdb([prog], ["break 5", "continue", "set $keep = m",
                          "set $box = [m]", "gc collect", "continue",
                          "p $box[0] is $keep"])
    assert "cpdb's dict found: False" in after(r, "continue", 1), r
    assert after(r, "p $box[0] is $keep") == ["$1 = True"], r


def test_value_history_keeps_its_values_alive(tmp_path):
    prog = write(tmp_path, "cycle.py", textwrap.dedent("""\
        import gc
        class Node: pass
        def make():
            a = Node(); a.me = a; a.tag = "kept"
            return 1
        make()
        gc.collect()
        print("end")
        """))
    r = run_cpdb([prog], ["break 5", "break 8", "continue", "p a",
                          "continue",
                          "p $1.tag", "p $1.me is $1", "continue"])
    assert after(r, "p $1.tag") == ["$2 = 'kept'"], r
    assert after(r, "p $1.me is $1") == ["$3 = True"], r


def test_gc_refs_of_a_frame_leaves_cpdbs_trace_function_out(tmp_path):
    prog = write(tmp_path, "frame.py", textwrap.dedent("""\
        import sys
        def f():
            x = 1
            return x
        f()
        """))
    r = run_cpdb([prog], ["break 3", "continue",
                          "p sys._getframe().f_back",
                          "p $1.f_trace is not None", "gc refs $1",
                          "continue"])
    # The frame is traced (its f_trace is cpdb's marker), yet the heap
    # commands do not list the marker as what the frame refers to.
    assert after(r, "p $1.f_trace is not None") == ["$2 = True"], r
    refs = after(r, "gc refs $1")
    assert refs and refs[0].startswith("frame f() at line 3 refers to"), r
    assert not any("cpdb" in line for line in refs), r


def test_signal_mask_set_deep_in_a_recursion_stays(tmp_path):
    """Deep frames run on a stack segment of their own: coming back from
    it keeps the signal mask the program set there."""
    prog = write(tmp_path, "mask.py", textwrap.dedent("""\
        import signal, sys
        sys.setrecursionlimit(25000)
        def f(n):
            if n == 0:
                signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
                return 0
            return 1 + f(n - 1)
        f(20000)
        print("blocked", signal.SIGUSR1 in
              signal.pthread_sigmask(signal.SIG_BLOCK, []))
        """))
    r = run_cpdb([prog], ["continue"])
    assert after(r, "continue") == ["blocked True",
                                    "Program exited with status 0."], r



def test_fork_deep_in_a_recursion(tmp_path):
    """A child forked on cpdb's stack segment runs and exits there."""
    prog = write(tmp_path, "deepfork.py", textwrap.dedent("""\
        import os, sys
        sys.setrecursionlimit(25000)
        def f(n):
            if n == 0:
                pid = os.fork()
                if pid == 0:
                    print("child at the bottom", flush=True)
                    os._exit(3)
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            return f(n - 1)
        print("child exited", f(20000))
        """))
    r = run_cpdb([prog], ["continue"])
    assert after(r, "continue") == ["child at the bottom", "child exited 3",
                                    "Program exited with status 0."], r

DEEP_SPIN = """\
import sys, time
sys.setrecursionlimit(25000)
def f(n):
    if n == 0:
        print("at the bottom", flush=True)
        %s
    return 1 + f(n - 1)
f(20000)
"""


def spawn_on_a_terminal(prog):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, NO_COLOR="1", TERM="xterm")
    env.pop("PYTHONPATH", None)
    return pexpect.spawn(CPDB, ["-q", "-nx", prog], env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                          signal.SIG_DFL),
                         encoding="utf-8", timeout=15)


def test_ctrl_c_stops_a_program_deep_in_a_recursion(tmp_path):
    """20,000 frames deep the program runs on a stack segment of cpdb's:
    Ctrl-C stops it there, and the stack reads as usual."""
    prog = write(tmp_path, "deepspin.py",
                 DEEP_SPIN % "while True: n += 0")
    c = spawn_on_a_terminal(prog)
    try:
        c.expect_exact("(cpdb) ")
        c.sendline("continue")
        c.expect_exact("at the bottom")
        time.sleep(0.3)
        c.sendintr()
        c.expect(r"> .*deepspin\.py\(6\)f\(\)")
        c.expect_exact("(cpdb) ")
        c.sendline("p n, len(__import__('traceback').extract_stack())")
        c.expect(r"\(0, 2000[23]\)")
        c.expect_exact("(cpdb) ")
        c.sendline("kill")
        c.expect_exact("(cpdb) ")
    finally:
        c.close(force=True)


def test_ctrl_c_twice_interrupts_a_sleep_deep_in_a_recursion(tmp_path):
    prog = write(tmp_path, "deepsleep.py", DEEP_SPIN % "time.sleep(60)")
    c = spawn_on_a_terminal(prog)
    try:
        c.expect_exact("(cpdb) ")
        c.sendline("continue")
        c.expect_exact("at the bottom")
        time.sleep(0.3)
        c.sendintr()
        time.sleep(0.5)
        c.sendintr()
        c.expect_exact("KeyboardInterrupt")
        c.expect(r"> .*deepsleep\.py\(6\)f\(\)")
        c.expect_exact("(cpdb) ")
        c.sendline("kill")
        c.expect_exact("(cpdb) ")
    finally:
        c.close(force=True)
