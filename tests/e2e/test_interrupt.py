"""Interrupting: Ctrl-C stops Python the debugger runs at the prompt
(an expression, a display, a breakpoint's condition, a repr) and long
heap commands without losing the session; Ctrl-C while the program is
blocked in C says at once what happens; a SIGINT the program sends
itself is the program's, as under python; an uncaught KeyboardInterrupt
ends a non-interactive cpdb by SIGINT."""

import io
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import CPDB, PYTHON, run_cpdb, run_python
from test_terminal import PROMPT, default_sigint, finish, spawn

pexpect = pytest.importorskip("pexpect")


def command(child, line, *expected):
    """Send line, expect each text in turn, then the prompt."""
    child.sendline(line)
    for text in expected:
        child.expect_exact(text)
    child.expect_exact(PROMPT)


def interrupt_after(child, seconds=0.5):
    """Let what was sent start running, then press Ctrl-C."""
    time.sleep(seconds)
    child.sendintr()


def interrupted(child, line, said="KeyboardInterrupt"):
    """Send line, press Ctrl-C while it runs, expect said and the
    prompt."""
    child.sendline(line)
    interrupt_after(child)
    child.expect_exact(said)
    child.expect_exact(PROMPT)


def start(home, prog, source):
    """cpdb on prog (written from source), at its first prompt."""
    prog.write_text(source)
    c = spawn(home, [str(prog)])
    c.expect_exact(PROMPT)
    return c


def start_running(home, prog, text, source):
    """The same, continued until the program prints text."""
    c = start(home, prog, source)
    c.sendline("continue")
    c.expect_exact(text)
    return c


STATEFUL = """\
import time
count = 7
class Slow:
    def __repr__(self):
        while True:
            pass
slow = Slow()
def spin(n):
    total = n
    return total
spin(1)
print('done', count)
"""


@pytest.fixture
def stateful(tmp_path):
    p = tmp_path / "stateful.py"
    p.write_text(STATEFUL)
    return p


def check_still_stopped(c, line):
    """The program is where it was, with its state."""
    c.sendline("p count")
    c.expect(r"\$\d+ = 7")
    c.expect_exact(PROMPT)
    c.sendline("where")
    c.expect(r"<module> \(\) at .*stateful\.py:%d" % line)
    c.expect_exact(PROMPT)


def test_ctrl_c_interrupts_python_typed_at_the_prompt(home, stateful):
    c = spawn(home, [str(stateful)])
    try:
        c.expect_exact(PROMPT)
        command(c, "until 8")
        interrupted(c, "while True: count += 0")
        check_still_stopped(c, 8)
        # A loop in an expression, then a slow __repr__.
        interrupted(c, "p [i for i in iter(int, 1)]")
        interrupted(c, "p slow")
        interrupted(c, "p time.sleep(60)")
        check_still_stopped(c, 8)
        # The program goes on as if nothing happened.
        command(c, "continue", "done 7", "Program exited with status 0.")
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_ctrl_c_interrupts_a_display_and_a_condition(home, stateful):
    c = spawn(home, [str(stateful)])
    try:
        c.expect_exact(PROMPT)
        command(c, "break 10 if [i for i in iter(int, 1)]")
        c.sendline("continue")
        # The condition never ends: Ctrl-C stops it, and the program
        # stops at the breakpoint, saying why.
        interrupt_after(c)
        c.expect_exact("KeyboardInterrupt")
        c.expect(r"stateful\.py\(10\)spin\(\)")
        c.expect_exact(PROMPT)
        command(c, "p total", "= 1")
        interrupted(c, "display slow")
        command(c, "p total + 1", "= 2")
        command(c, "undisplay")
        command(c, "delete")
        command(c, "continue", "done 7")
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_ctrl_c_while_blocked_in_c_says_what_happens(home, tmp_path):
    c = start_running(home, tmp_path / "blocked.py", "sleeping",
                      "import time\nprint('sleeping', flush=True)\n"
                      "time.sleep(3)\nprint('woke')\n")
    try:
        t0 = time.monotonic()
        interrupt_after(c, 0.3)
        # At once, not when the sleep ends.
        c.expect_exact("It stops at its next Python line; Ctrl-C again "
                       "raises KeyboardInterrupt in it.", timeout=2)
        assert time.monotonic() - t0 < 2.5
        c.expect(r"blocked\.py\(4\)<module>\(\)")
        c.expect_exact(PROMPT)
        command(c, "continue", "woke")
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_ctrl_c_at_input_then_again_raises_in_the_program(home, tmp_path):
    c = start_running(home, tmp_path / "asks.py", "asking",
                      "print('asking', flush=True)\n"
                      "try:\n    input()\nexcept KeyboardInterrupt:\n"
                      "    print('caught it')\n")
    try:
        interrupt_after(c, 0.3)
        c.expect_exact("Ctrl-C again raises KeyboardInterrupt in it.",
                       timeout=2)
        interrupt_after(c, 0.3)
        c.expect_exact("caught it")
        c.expect_exact("Program exited with status 0.")
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)


SELF_SENT = {
    "raise_signal": "signal.raise_signal(signal.SIGINT)",
    "os_kill": "os.kill(os.getpid(), signal.SIGINT)",
    "c_raise": "c_raise(signal.SIGINT)",
}

SELF_SENT_PROGRAM = """\
import ctypes, os, signal, sys, time
c_raise = ctypes.CDLL(None)['raise']
def send():
    {send}
    time.sleep(0.2)     # the handler runs at the latest when this returns
try:
    send()
    print('not interrupted')
except KeyboardInterrupt:
    print('KeyboardInterrupt in the program')
send()
print('not reached')
"""


@pytest.mark.parametrize("how", sorted(SELF_SENT))
def test_sigint_the_program_sends_itself_is_the_programs(tmp_path, how):
    prog = tmp_path / "selfsig.py"
    prog.write_text(SELF_SENT_PROGRAM.format(send=SELF_SENT[how]))
    py = run_python([str(prog)])
    assert py.out == "KeyboardInterrupt in the program\n", py
    r = run_cpdb([str(prog)], ["continue", "continue"])
    assert "KeyboardInterrupt in the program" in r.out, r
    assert "not interrupted" not in r.out, r
    assert "Program received signal SIGINT" not in r.out + r.err, r
    # The uncaught one: post-mortem at send(), then the end python has.
    assert "Uncaught exception" in r.out, r
    assert r.err.rstrip().endswith("KeyboardInterrupt"), r
    assert "not reached" not in r.out, r


def test_sigint_from_another_process_stops_the_program(tmp_path):
    prog = tmp_path / "waits.py"
    ready = tmp_path / "ready"
    prog.write_text("import os, time\nopen(%r, 'w').close()\n"
                    "while True:\n    time.sleep(0.05)\n" % str(ready))
    e = dict(os.environ, NO_COLOR="1")
    p = subprocess.Popen([CPDB, "-q", "-nx", str(prog)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=e,
                         preexec_fn=default_sigint)
    try:
        p.stdin.write("continue\n")
        p.stdin.flush()
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        os.kill(p.pid, signal.SIGINT)
        out, err = p.communicate("p 6 * 7\nkill\n", timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
    assert "Program received signal SIGINT, Interrupt." in out + err, err
    assert "waits.py(4)<module>()" in out or "waits.py(3)<module>()" in out
    assert "$1 = 42" in out, out


def has_stdlib_tests():
    r = subprocess.run([PYTHON, "-c", "import test.test_generators, "
                        "_testcapi"], capture_output=True)
    return r.returncode == 0


@pytest.mark.skipif(not has_stdlib_tests(),
                    reason="this python has no test package or _testcapi")
def test_stdlib_test_generators_passes_as_under_python():
    # SignalAndYieldFromTest raises SIGINT in C and expects the
    # KeyboardInterrupt in its generator.
    args = ["-m", "unittest", "test.test_generators"]
    py = run_python(args, timeout=300)
    assert py.rc == 0, py
    r = run_cpdb(args, ["continue"], timeout=300)
    assert r.rc == 0, r
    assert r.err.rstrip().endswith("OK"), r
    assert "Program exited with status 0." in r.out, r
    assert "SIGINT" not in r.out + r.err, r


UNCAUGHT = "print('before', flush=True)\nraise KeyboardInterrupt\n"


def test_uncaught_keyboard_interrupt_ends_cpdb_by_sigint(tmp_path):
    prog = tmp_path / "kbd.py"
    prog.write_text(UNCAUGHT)
    py = run_python([str(prog)])
    assert py.rc == -signal.SIGINT, py
    # Commands piped: post-mortem, then cpdb dies of SIGINT as python.
    r = run_cpdb([str(prog)], ["continue", "p 1", "continue"])
    assert "Uncaught exception" in r.out, r
    assert "Program exited with status 130." in r.out, r
    assert r.rc == -signal.SIGINT, r
    assert r.err.rstrip().endswith("KeyboardInterrupt"), r
    # Input ends, or quit, in post-mortem.
    for commands in (["continue"], ["continue", "quit"]):
        r = run_cpdb([str(prog)], commands)
        assert r.rc == -signal.SIGINT, (commands, r)
    # --batch, its commands run.
    r = run_cpdb(["--batch", "-ex", "continue", str(prog)])
    assert "before" in r.out, r
    assert r.rc == -signal.SIGINT, r


def test_exit_status_130_is_not_a_signal(tmp_path):
    prog = tmp_path / "exit130.py"
    prog.write_text("import sys\nsys.exit(130)\n")
    r = run_cpdb([str(prog)], ["continue"])
    assert r.rc == 130, r


def test_uncaught_keyboard_interrupt_at_a_terminal_exits_130(home,
                                                             tmp_path):
    # At a terminal the user ends the session: post-mortem first, then
    # an ordinary exit with status 130.
    c = start(home, tmp_path / "kbd.py", UNCAUGHT)
    try:
        command(c, "continue", "Uncaught exception")
        assert finish(c) == 130
        assert c.signalstatus is None
    finally:
        c.close(force=True)


BIG_HEAP = """\
class Node:
    __slots__ = ("next",)
    def __init__(self, nxt):
        self.next = nxt
def build(n):
    head = None
    for i in range(n):
        head = Node(head)
    return head
head = build(4000000)
target = [head]
def find_tail(h):
    while h.next is not None:
        h = h.next
    return h
def look(tail):
    return tail
look(find_tail(head))
print('built', flush=True)
"""


HEAP_COMMANDS = [
    # The tail's only chain from a module runs through 4M nodes: past
    # what the search near the object tries, on the reverse edges.
    ("gc chain tail", "Chain of 4,000,000 references"),
    # The path from a target is found on the snapshot's reverse edges.
    ("gc chain tail to head", "Chain of 3,999,999 references"),
]


def test_ctrl_c_interrupts_long_heap_commands(home, tmp_path):
    prog = tmp_path / "bigheap.py"
    prog.write_text(BIG_HEAP)
    c = spawn(home, [str(prog)])
    c.timeout = 60
    try:
        c.expect_exact(PROMPT)
        command(c, "break 17")
        command(c, "continue", "look()")
        # The referrers of the tail, drawn from the snapshot's reverse
        # edges.
        graph = ("gc graph tail backrefs %s" % (tmp_path / "g.dot"),
                 "written to")
        for line, done in HEAP_COMMANDS + [graph]:
            # On a busy machine the Ctrl-C may come before the command
            # starts (it is then forgotten) or after it ends: try again.
            for attempt in range(3):
                # Python run at the stop: the snapshot is taken anew.
                command(c, "p 0")
                c.sendline(line)
                interrupt_after(c, 0.3)
                t0 = time.monotonic()
                got = c.expect_exact(["Interrupted.", done])
                took = time.monotonic() - t0
                c.expect_exact(PROMPT)
                if got == 0:
                    break
            assert got == 0, line
            assert took < 2, (line, took)
            # The program is unchanged and the command still works.
            command(c, "p type(target[0]).__name__, target[0] is head",
                    "('Node', True)")
            command(c, line, done)
        command(c, "continue", "built", "Program exited with status 0.")
        assert finish(c) == 0
    finally:
        c.close(force=True)


THREADED = """\
import threading
def work():
    value = 5
    breakpoint()
    return value
def main():
    t = threading.Thread(target=work)
    t.start()
    t.join()
    print('joined')
main()
"""


def test_ctrl_c_at_a_stop_in_a_thread_leaves_the_main_thread(home,
                                                             tmp_path):
    # The main thread waits in join() while the stop is in another
    # thread: Ctrl-C interrupts the Python typed at the prompt there, not
    # the program's join().
    c = start(home, tmp_path / "threaded.py", THREADED)
    try:
        c.sendline("continue")
        if c.expect_exact(["work()", "--Call--"]) == 1:
            pytest.skip("breakpoint() in a thread stops elsewhere on "
                        "this Python (a separate bug)")
        c.expect_exact(PROMPT)
        interrupted(c, "while True: value += 0")
        command(c, "p value", "= 5")
        command(c, "continue", "joined", "Program exited with status 0.")
        assert finish(c) == 0
    finally:
        c.close(force=True)


OWN_HANDLERS = """\
import signal
calls = []
signal.signal(signal.SIGINT, {handler})
breakpoint()
print('same handler', signal.getsignal(signal.SIGINT) == {handler})
print('calls', len(calls))
"""


@pytest.mark.parametrize("handler", ["signal.SIG_DFL",
                                     "lambda *a: calls.append(a)"])
def test_ctrl_c_at_the_prompt_is_cpdbs_whatever_the_program_set(
        home, tmp_path, handler):
    # SIG_DFL would end cpdb; the program's own handler would run (and,
    # under asyncio, cancel its main task).  At the prompt Ctrl-C is the
    # debugger's; the program's handler is back when it runs.
    source = OWN_HANDLERS.format(handler=handler)
    if "lambda" in handler:
        source = source.replace(handler, "handler").replace(
            "calls = []\n", "calls = []\nhandler = %s\n" % handler)
    c = start(home, tmp_path / "own.py", source)
    try:
        command(c, "continue", "-> print('same handler'")
        interrupted(c, "while True: pass")
        command(c, "continue", "same handler True", "calls 0",
                "Program exited with status 0.")
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_python_stuck_in_one_c_call_has_a_way_out(home, stateful):
    # sum(range(...)) never looks at signals, under python3 too: Ctrl-C
    # cannot bring the prompt back, so the third press says so and the
    # fifth ends cpdb by SIGINT rather than leaving it stuck.
    c = spawn(home, [str(stateful)])
    try:
        c.expect_exact(PROMPT)
        c.sendline("p sum(range(10**15))")
        for _ in range(3):
            interrupt_after(c, 0.3)
        c.expect_exact("does not look at Ctrl-C")
        interrupt_after(c, 0.3)
        interrupt_after(c, 0.3)
        c.expect_exact("ended by Ctrl-C")
        c.expect(pexpect.EOF, timeout=10)
        c.close()
        assert c.signalstatus == signal.SIGINT
    finally:
        c.close(force=True)


def test_three_presses_on_a_python_loop_warn_of_nothing(home, stateful):
    # A loop in Python answers the first press: no warning follows.
    c = spawn(home, [str(stateful)])
    try:
        seen = io.StringIO()
        c.logfile_read = seen
        c.expect_exact(PROMPT)
        command(c, "until 8")
        for _ in range(3):
            interrupted(c, "while True: count += 0")
        check_still_stopped(c, 8)
        assert seen.getvalue().count("KeyboardInterrupt") == 3
        assert "does not look at Ctrl-C" not in seen.getvalue()
    finally:
        c.close(force=True)
