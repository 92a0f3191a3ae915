"""cpdb on a pseudo-terminal (pexpect) for the tests of what only a
terminal shows.  Not a test module: helpers shared by test files."""

import os
import signal
import time

from conftest import CPDB

try:
    import pexpect
except ImportError:     # the tests that need it skip themselves
    pexpect = None

PROMPT = "(cpdb) "


def default_sigint():
    """In the child: Ctrl-C as on a terminal (a suite started in the
    background inherits SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(home, args, cwd=None):
    """cpdb -q -nx ARGS on a terminal, in a private HOME."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(HOME=str(home), NO_COLOR="1", TERM="xterm")
    return pexpect.spawn(CPDB, ["-q", "-nx"] + list(args), env=env, cwd=cwd,
                         preexec_fn=default_sigint, encoding="utf-8",
                         timeout=15, dimensions=(40, 200))


def finish(child):
    """End of input (Ctrl-D) at the prompt; return the exit status."""
    time.sleep(0.3)     # libedit's terminal mode first, or ^D is lost
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def settle(child):
    """What the terminal showed once libedit is done with the keys."""
    time.sleep(0.5)
    try:
        child.expect("will-not-appear", timeout=0.5)
    except pexpect.TIMEOUT:
        pass
    return child.before
