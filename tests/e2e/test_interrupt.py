"""Interrupting: Ctrl-C stops Python the debugger runs at the prompt
(an expression, a display, a breakpoint's condition, a repr) and long
heap commands without losing the session; Ctrl-C while the program is
blocked in C says at once what happens; a SIGINT the program sends
itself is the program's, as under python; an uncaught KeyboardInterrupt
ends a non-interactive cpdb by SIGINT."""

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import CPDB, PYTHON, run_cpdb, run_python

pexpect = pytest.importorskip("pexpect")

PROMPT = "(cpdb) "


def default_sigint():
    """In the child: Ctrl-C as on a terminal (a suite started in the
    background inherits SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(home, args, timeout=20):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(HOME=str(home), NO_COLOR="1", TERM="xterm")
    return pexpect.spawn(CPDB, ["-q", "-nx"] + list(args), env=env,
                         preexec_fn=default_sigint, encoding="utf-8",
                         timeout=timeout, dimensions=(40, 200))


def finish(child):
    """End of input at the prompt; return the exit status."""
    time.sleep(0.3)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def interrupt_after(child, seconds=0.5):
    """Let what was sent start running, then press Ctrl-C."""
    time.sleep(seconds)
    child.sendintr()


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
        c.sendline("until 8")
        c.expect_exact(PROMPT)
        c.sendline("while True: count += 0")
        interrupt_after(c)
        c.expect_exact("KeyboardInterrupt")
        c.expect_exact(PROMPT)
        check_still_stopped(c, 8)
        # A loop in an expression, then a slow __repr__.
        c.sendline("p [i for i in iter(int, 1)]")
        interrupt_after(c)
        c.expect_exact("KeyboardInterrupt")
        c.expect_exact(PROMPT)
        c.sendline("p slow")
        interrupt_after(c)
        c.expect_exact("KeyboardInterrupt")
        c.expect_exact(PROMPT)
        c.sendline("p time.sleep(60)")
        interrupt_after(c)
        c.expect_exact("KeyboardInterrupt")
        c.expect_exact(PROMPT)
        check_still_stopped(c, 8)
        # The program goes on as if nothing happened.
        c.sendline("continue")
        c.expect_exact("done 7")
        c.expect_exact("Program exited with status 0.")
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_ctrl_c_interrupts_a_display_and_a_condition(home, stateful):
    c = spawn(home, [str(stateful)])
    try:
        c.expect_exact(PROMPT)
        c.sendline("break 10 if [i for i in iter(int, 1)]")
        c.expect_exact(PROMPT)
        c.sendline("continue")
        # The condition never ends: Ctrl-C stops it, and the program
        # stops at the breakpoint, saying why.
        interrupt_after(c)
        c.expect_exact("KeyboardInterrupt")
        c.expect(r"stateful\.py\(10\)spin\(\)")
        c.expect_exact(PROMPT)
        c.sendline("p total")
        c.expect_exact("= 1")
        c.expect_exact(PROMPT)
        c.sendline("display slow")
        interrupt_after(c)
        c.expect_exact("KeyboardInterrupt")
        c.expect_exact(PROMPT)
        c.sendline("p total + 1")
        c.expect_exact("= 2")
        c.expect_exact(PROMPT)
        c.sendline("undisplay")
        c.expect_exact(PROMPT)
        c.sendline("delete")
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("done 7")
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_ctrl_c_while_blocked_in_c_says_what_happens(home, tmp_path):
    prog = tmp_path / "blocked.py"
    prog.write_text("import time\nprint('sleeping', flush=True)\n"
                    "time.sleep(3)\nprint('woke')\n")
    c = spawn(home, [str(prog)])
    try:
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("sleeping")
        t0 = time.monotonic()
        interrupt_after(c, 0.3)
        # At once, not when the sleep ends.
        c.expect_exact("It stops at its next Python line; Ctrl-C again "
                       "raises KeyboardInterrupt in it.", timeout=2)
        assert time.monotonic() - t0 < 2.5
        c.expect(r"blocked\.py\(4\)<module>\(\)")
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("woke")
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_ctrl_c_at_input_then_again_raises_in_the_program(home, tmp_path):
    prog = tmp_path / "asks.py"
    prog.write_text("print('asking', flush=True)\n"
                    "try:\n    input()\nexcept KeyboardInterrupt:\n"
                    "    print('caught it')\n")
    c = spawn(home, [str(prog)])
    try:
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("asking")
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
