"""cpdb -p PID: attach to a Python process started without cpdb, look
around, stop it at a breakpoint, and detach, leaving it as it was.

The targets run under the Python of the build under test (CPDB_PYTHON),
whose agent the build made.  These tests need ptrace: where the kernel
refuses it, they are skipped with the reason."""
import glob
import os
import queue
import shutil
import signal
import subprocess
import threading
import time

import pytest

from conftest import (CPDB, PYTHON, backend_independent, program,
                      sigint_as_on_a_terminal)

AGENT_DIR = os.path.dirname(CPDB)


def _ptrace_refused():
    """Why a child cannot be traced here, or None."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    child = subprocess.Popen(["sleep", "10"])
    try:
        PTRACE_SEIZE, PTRACE_DETACH = 0x4206, 17
        if libc.ptrace(PTRACE_SEIZE, child.pid, None, None) != 0:
            return "ptrace refused: %s" % os.strerror(ctypes.get_errno())
        libc.ptrace(PTRACE_DETACH, child.pid, None, None)
        return None
    finally:
        child.kill()
        child.wait()


_REFUSED = _ptrace_refused()
pytestmark = pytest.mark.skipif(_REFUSED is not None,
                                reason=str(_REFUSED))



class Target:
    """A python process the tests attach to; its output lines are read
    as they come."""

    def __init__(self, name, *args, env=None, stop_file=None):
        self.stop_file = stop_file
        e = dict(os.environ)
        e.pop("PYTHONPATH", None)
        e.update(env or {})
        self.proc = subprocess.Popen([PYTHON, "-u", program(name)]
                                     + list(args),
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env=e,
                                     preexec_fn=sigint_as_on_a_terminal)
        self.pid = self.proc.pid
        # Its output is read as it comes by a thread of ours, so that a
        # target that hangs fails the test instead of hanging it.
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        first = self.line()
        assert first.startswith("ready"), first

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def line(self, timeout=20):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("the target printed nothing for %d s"
                                 % timeout)
        return line if line is not None else ""

    def tasks(self):
        return sorted(os.listdir("/proc/%d/task" % self.pid))

    def finish(self, timeout=30):
        if self.stop_file is not None:
            with open(self.stop_file, "w"):
                pass            # the service ends its work now
        self.proc.wait(timeout=timeout)    # they write little to stderr
        err = self.proc.stderr.read()
        self.reader.join(timeout=timeout)
        out = []
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                break
            out.append(line)
        return "".join(out), err, self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def targets(tmp_path):
    made = []

    def make(name, *args, env=None):
        stop_file = None
        if name == "attach_service.py" and not args:
            # it serves until finish() says stop (or a minute passes)
            stop_file = str(tmp_path / ("stop%d" % len(made)))
            args = (stop_file,)
            env = dict(env or {}, STOP_AFTER="60")
        t = Target(name, *args, env=env, stop_file=stop_file)
        made.append(t)
        return t
    yield make
    for t in made:
        t.kill()


def attach(pid, commands, timeout=30, env=None):
    e = dict(os.environ)
    e["NO_COLOR"] = "1"
    e.update(env or {})
    t0 = time.monotonic()
    p = subprocess.run([CPDB, "-p", str(pid)],
                       input="".join(c + "\n" for c in commands),
                       capture_output=True, text=True, timeout=timeout,
                       env=e, preexec_fn=sigint_as_on_a_terminal)
    return p, time.monotonic() - t0


def cpdb_dirs():
    return set(glob.glob("/tmp/cpdb-*"))


def test_attach_to_a_sleeping_process_shows_its_threads_and_detaches(
        targets, tmp_path):
    t = targets("attach_sleeper.py", "2")
    before_dirs = cpdb_dirs()
    p, took = attach(t.pid, ["bt", "p seconds", "detach"])
    assert p.returncode == 0, p
    # every thread waits in C: the prompt comes with the main thread's
    # stack, and info threads lists both
    assert "Every thread is in C code" in p.stdout, p.stdout
    assert "nap()" in p.stdout and "waiter" in p.stdout, p.stdout
    assert "2.0" in p.stdout            # p seconds
    assert "Detached from process %d." % t.pid in p.stdout
    assert took < 5, took
    out, err, rc = t.finish()
    assert rc == 0, err
    # woke as it would have, with no tracer left
    slept = float(out.split()[1])
    assert 1.95 < slept < 2.3, out
    assert out.split()[2] == "None", out
    assert cpdb_dirs() == before_dirs


def fds(pid):
    """The process's open files: number -> what it is."""
    d = "/proc/%d/fd" % pid
    return {n: os.readlink(os.path.join(d, n)) for n in os.listdir(d)}


@backend_independent
def test_agent_thread_and_socket_are_gone_after_detach(targets):
    t = targets("attach_sleeper.py", "6")
    before, files = t.tasks(), fds(t.pid)
    p, _ = attach(t.pid, ["info threads", "p print('x')", "detach"])
    assert p.returncode == 0, p
    deadline = time.time() + 2
    while t.tasks() != before and time.time() < deadline:
        time.sleep(0.05)
    assert t.tasks() == before
    # its standard streams and every other file as they were: the
    # agent's socket is closed
    assert fds(t.pid) == files
    status = open("/proc/%d/status" % t.pid).read()
    assert "TracerPid:\t0" in status


def test_breakpoint_in_the_request_path_of_a_running_service(targets):
    t = targets("attach_service.py")
    t.line()
    # by file and line: the stop may be in another module's frame
    src = program("attach_service.py")
    line = open(src).read().splitlines().index(
        "    LEAK.append(Session(i))") + 1
    p, _ = attach(t.pid, ["gc types 100", "leak hints",
                          "break %s:%d" % (src, line),
                          "ignore 1 40", "continue", "leak hints",
                          "p i >= 40", "detach"])
    assert p.returncode == 0, p
    # the leak: its objects in the census, then the list that grows
    assert "__main__.Session" in p.stdout, p.stdout
    assert "__main__.LEAK went from" in p.stdout, p.stdout
    # stopped in the request path, in the server thread
    assert any("handle()" in line and line.startswith("> ")
               for line in p.stdout.splitlines()), p.stdout
    assert '[Thread 2 "server"]' in p.stdout
    assert "True" in p.stdout
    # still serving, no tracer left, all its work accounted for
    lines = [t.line() for _ in range(3)]
    assert all(l.startswith("beat") for l in lines), lines
    assert all(l.split()[2] == "None" for l in lines), lines
    out, err, rc = t.finish()
    assert rc == 0, err
    assert out.strip().splitlines()[-1] == "done True"


@backend_independent
def test_quit_and_end_of_input_detach(targets):
    t = targets("attach_service.py")
    p, _ = attach(t.pid, ["quit"])
    assert p.returncode == 0 and "Detached" in p.stdout, p
    p, _ = attach(t.pid, [])
    assert p.returncode == 0 and "Detached" in p.stdout, p
    assert t.proc.poll() is None
    out, err, rc = t.finish()
    assert rc == 0 and out.strip().endswith("done True"), (out, err)


@backend_independent
def test_print_at_the_prompt_goes_to_cpdb_not_to_the_process(targets):
    t = targets("attach_sleeper.py", "1.5")
    p, _ = attach(t.pid, ["p print('hello from the prompt')", "detach"])
    assert "hello from the prompt" in p.stdout, p
    out, err, rc = t.finish()
    assert "hello from the prompt" not in out + err


@backend_independent
def test_kill_ends_the_process(targets):
    t = targets("attach_sleeper.py", "30")
    p, _ = attach(t.pid, ["kill"])
    assert p.returncode == 0, p
    assert t.proc.wait(timeout=5) == -signal.SIGKILL


def test_attach_again_after_detach(targets):
    t = targets("attach_sleeper.py", "3")
    for _ in range(3):
        p, _ = attach(t.pid, ["p 6 * 7", "detach"])
        assert p.returncode == 0 and "42" in p.stdout, p
    out, err, rc = t.finish()
    assert rc == 0 and out.split()[2] == "None", (out, err)


@backend_independent
def test_a_second_attach_is_refused_while_one_is_live(targets):
    t = targets("attach_sleeper.py", "20")
    first = subprocess.Popen([CPDB, "-p", str(t.pid)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)         # attached, at its prompt
        p, _ = attach(t.pid, ["detach"])
        assert p.returncode != 0, p
        assert "already has a cpdb attached" in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
    finally:
        out, _ = first.communicate("detach\n", timeout=20)
    assert "Detached" in out
    assert t.proc.poll() is None


def test_cpdb_killed_detaches(targets):
    t = targets("attach_service.py")
    before = t.tasks()
    c = subprocess.Popen([CPDB, "-p", str(t.pid)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    c.kill()
    c.communicate()
    deadline = time.time() + 3
    while t.tasks() != before and time.time() < deadline:
        time.sleep(0.05)
    assert t.tasks() == before
    lines = [t.line() for _ in range(3)]
    assert all(l.startswith("beat") and l.split()[2] == "None"
               for l in lines), lines


@backend_independent
@pytest.mark.parametrize("case", ["no-such", "not-python", "bad-pid"])
def test_bad_targets_get_one_line(case):
    if case == "no-such":
        child = subprocess.Popen(["true"])
        child.wait()
        args = ["-p", str(child.pid)]
    elif case == "not-python":
        child = subprocess.Popen(["sleep", "30"])
        args = ["-p", str(child.pid)]
    else:
        child = None
        args = ["-p", "12x"]
    try:
        p = subprocess.run([CPDB] + args, capture_output=True, text=True,
                           timeout=20)
        assert p.returncode != 0
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("cpdb: "), p.stderr
        if case == "not-python":
            assert child.poll() is None     # unharmed
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()


def test_post_mortem_of_a_later_uncaught_exception_in_a_thread(targets):
    t = targets("attach_crash.py", "1.5", "thread")
    p, _ = attach(t.pid, ["continue", "p limit", "continue"])
    assert "Uncaught exception. Entering post mortem" in p.stdout, p
    assert "$1 = 14" in p.stdout, p.stdout
    out, err, rc = t.finish()
    # the program's own hook still ran after it, and the program went on
    assert "ValueError: late failure 14" in err
    assert "main goes on None" in out and rc == 0, (out, err)
    assert p.returncode == 0 and "Process %d exited." % t.pid in p.stdout


def test_post_mortem_of_the_main_thread_then_detach(targets):
    t = targets("attach_crash.py", "1.5")
    p, _ = attach(t.pid, ["continue", "bt", "detach"])
    assert "Uncaught exception" in p.stdout, p
    assert "fail (n=21)" in p.stdout, p.stdout
    out, err, rc = t.finish()
    assert "ValueError: late failure 42" in err and rc == 1, (out, err)


def test_ctrl_c_in_the_cpdb_terminal_stops_the_process_again(targets,
                                                             tmp_path):
    pexpect = pytest.importorskip("pexpect")
    from test_terminal import PROMPT, default_sigint, finish
    t = targets("attach_service.py")
    env = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1", TERM="xterm")
    c = pexpect.spawn(CPDB, ["-p", str(t.pid)], env=env,
                      preexec_fn=default_sigint, encoding="utf-8",
                      timeout=15, dimensions=(40, 200))
    c.expect_exact(PROMPT)
    c.sendline("continue")
    time.sleep(0.7)
    c.sendintr()
    # the next line any thread runs: a beat of the main thread or a
    # request of the server
    c.expect(r"> \S+attach_service.py\(\d+\)(serve|handle|<module>)\(\)")
    c.expect_exact(PROMPT)
    c.sendline("p threading.active_count()")
    c.expect_exact("= 2")
    c.expect_exact(PROMPT)
    assert finish(c) == 0
    lines = [t.line() for _ in range(3)]
    assert all(l.startswith("beat") and l.split()[2] == "None"
               for l in lines), lines


def test_a_busy_process_stops_at_its_next_line(targets):
    t = targets("attach_busy.py")
    p, took = attach(t.pid, ["p total > 0", "detach"])
    assert p.returncode == 0, p
    assert "Every thread is in C code" not in p.stdout, p.stdout
    stops = [l for l in p.stdout.splitlines() if l.startswith("> ")]
    assert stops and "attach_busy.py(" in stops[0], p.stdout
    assert "True" in p.stdout
    assert took < 3, took
    assert t.proc.poll() is None


@backend_independent
def test_a_hook_the_program_kept_fails_cleanly_after_detach(targets):
    t = targets("attach_keeper.py", "2")
    p, _ = attach(t.pid, ["p KEPT.append(sys.breakpointhook)",
                          "p KEPT.append(sys.excepthook)",
                          "p KEPT[0] is sys.__breakpointhook__", "detach"])
    assert "False" in p.stdout, p.stdout        # it was cpdb's
    out, err, rc = t.finish()
    assert rc == 0, err
    assert out.splitlines()[-3:] == ["raised ValueError",
                                     "raised ValueError", "end 2"], out


class Relay:
    """cpdb -p PID --listen 0: its address and token, from stderr."""

    def __init__(self, pid):
        self.proc = subprocess.Popen([CPDB, "-p", str(pid), "--listen", "0"],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        m = __import__("re").search(
            r"listening on (\S+):(\d+) \(token ([0-9a-f]+)\)", line)
        assert m, line
        self.address = "%s:%s" % (m.group(1), m.group(2))
        self.token = m.group(3)

    def connect(self, commands, token=None):
        return subprocess.run([CPDB, "--connect", self.address, "--token",
                               token or self.token],
                              input="".join(c + "\n" for c in commands),
                              capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, NO_COLOR="1"))

    def finish(self):
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


@backend_independent
def test_attach_and_listen_serves_a_console_with_the_token(targets):
    t = targets("attach_sleeper.py", "3")
    relay = Relay(t.pid)
    bad = relay.connect(["p 1"], token="0" * 32)
    assert bad.returncode != 0 and "wrong token" in bad.stderr, bad
    # a wrong token attaches nothing: no agent thread yet
    assert len(os.listdir("/proc/%d/task" % t.pid)) == 2
    good = relay.connect(["p seconds", "bt", "detach"])
    assert good.returncode == 0, good
    assert "$1 = 3.0" in good.stdout and "nap (seconds=3.0)" in good.stdout
    assert "Detached from process %d." % t.pid in good.stdout
    rc, out, err = relay.finish()
    assert rc == 0, err
    assert "refused a connection from" in err and "wrong token" in err
    out, err, rc = t.finish()
    assert rc == 0 and out.split()[2] == "None", (out, err)


@backend_independent
def test_attach_and_listen_kill_from_the_console(targets):
    t = targets("attach_sleeper.py", "30")
    relay = Relay(t.pid)
    r = relay.connect(["kill"])
    assert r.returncode == 0, r
    assert relay.finish()[0] == 0
    assert t.proc.wait(timeout=5) == -signal.SIGKILL


@backend_independent
def test_attach_and_listen_a_console_that_goes_away_detaches(targets):
    t = targets("attach_service.py")
    before = t.tasks()
    relay = Relay(t.pid)
    c = subprocess.Popen([CPDB, "--connect", relay.address, "--token",
                          relay.token], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    c.kill()
    c.communicate()
    rc, out, err = relay.finish()
    assert rc == 0, (out, err)
    deadline = time.time() + 3
    while t.tasks() != before and time.time() < deadline:
        time.sleep(0.05)
    assert t.tasks() == before
    out, err, rc = t.finish()
    assert rc == 0 and out.strip().endswith("done True"), (out, err)


@backend_independent
def test_ctrl_c_leaves_an_agent_that_cannot_get_the_gil(targets):
    t = targets("attach_gil_hog.py", "3e8", "0.5")
    before = t.tasks()
    time.sleep(0.7)                 # inside the long call now
    c = subprocess.Popen([CPDB, "-p", str(t.pid)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    # loaded, and waiting for the GIL: it says so after a second
    said = c.stderr.readline()
    assert "holds the GIL in C code" in said, said
    for _ in range(5):
        c.send_signal(signal.SIGINT)
        time.sleep(0.1)
    out, err = c.communicate(timeout=10)
    assert c.returncode != 0, (out, err)
    assert "does not answer" in err and "left it" in err, err
    # when the call returns, the agent finds nobody there and goes
    assert t.line().startswith("sum done")
    deadline = time.time() + 3
    while t.tasks() != before and time.time() < deadline:
        time.sleep(0.05)
    assert t.tasks() == before
    out, err, rc = t.finish()
    assert rc == 0 and out.split() == ["end", "None"], (out, err)


def test_next_from_the_stop_in_c_stops_where_the_thread_wakes(targets):
    t = targets("attach_sleeper.py", "2")
    p, _ = attach(t.pid, ["next", "p round(seconds)", "next", "detach"])
    assert p.returncode == 0, p
    stops = [l for l in p.stdout.splitlines() if l.startswith("> ")]
    # where it sleeps, then the line after the sleep, then the next
    assert [s.rsplit("/", 1)[-1] for s in stops] == [
        "attach_sleeper.py(18)nap()", "attach_sleeper.py(19)nap()",
        "attach_sleeper.py(23)<module>()"][:len(stops)], p.stdout
    assert len(stops) >= 2 and "$1 = 2" in p.stdout, p.stdout
    out, err, rc = t.finish()
    assert rc == 0, err


def other_python():
    """A Python of another minor version than the build's, or None."""
    import re as _re
    mine = _re.search(r"cpdb-agent-(\d+\.\d+)\.so", " ".join(
        os.listdir(AGENT_DIR)))
    root = os.path.expanduser("~/.pyenv/versions")
    for v in ("3.10", "3.12", "3.13", "3.11"):
        for d in sorted(glob.glob(os.path.join(root, v + ".*"))):
            exe = os.path.join(d, "bin", "python" + v)
            if (mine is None or mine.group(1) != v) and os.path.exists(exe) \
                    and not os.path.exists(os.path.join(
                        AGENT_DIR, "cpdb-agent-%s.so" % v)):
                return exe, v
    return None


@backend_independent
def test_a_python_without_an_agent_is_named(tmp_path):
    found = other_python()
    if found is None:
        pytest.skip("no Python of another version here")
    exe, version = found
    child = subprocess.Popen([exe, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.5)
        p = subprocess.run([CPDB, "-p", str(child.pid)], capture_output=True,
                           text=True, timeout=20,
                           env=dict(os.environ, CPDB_AGENT_DIR=str(tmp_path)))
        assert p.returncode == 1, p
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and "runs Python %s" % version in lines[0]
        assert "cpdb-agent-%s.so" % version in lines[0], lines
        assert child.poll() is None
    finally:
        child.kill()
        child.wait()


@backend_independent
def test_a_process_traced_already_is_refused_and_unharmed(targets):
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (dev/deps installs it)")
    t = targets("attach_service.py")
    tracer = subprocess.Popen(["strace", "-p", str(t.pid), "-o",
                               os.devnull])
    try:
        deadline = time.time() + 5
        while "TracerPid:\t0" in open("/proc/%d/status" % t.pid).read() \
                and time.time() < deadline:
            time.sleep(0.05)
        p = subprocess.run([CPDB, "-p", str(t.pid)], capture_output=True,
                           text=True, timeout=20)
        assert p.returncode == 1, p
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and "already traced" in lines[0], p.stderr
        assert "strace" in lines[0]
    finally:
        tracer.terminate()
        tracer.wait()
    out, err, rc = t.finish()
    assert rc == 0 and out.strip().endswith("done True"), (out, err)


@backend_independent
def test_ptrace_not_permitted_is_said_and_harmless(targets):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to try as another user")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    if subprocess.run(nobody + [CPDB, "--version"],
                      capture_output=True).returncode != 0:
        pytest.skip("this cpdb cannot run as another user here (its "
                    "libpython is in a private directory)")
    t = targets("attach_service.py")
    p = subprocess.run(nobody + [CPDB, "-p", str(t.pid)],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 1, p
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cpdb: "), p.stderr
    assert "permi" in lines[0], lines
    out, err, rc = t.finish()
    assert rc == 0 and out.strip().endswith("done True"), (out, err)


@backend_independent
def test_a_process_under_cpdb_already_is_refused():
    c = subprocess.Popen([CPDB, "-q", "-nx", "-ex", "continue",
                          program("attach_sleeper.py"), "20"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = c.stdout.readline()
        while line and not line.startswith("ready"):
            line = c.stdout.readline()
        assert line.startswith("ready"), line
        p = subprocess.run([CPDB, "-p", str(c.pid)], capture_output=True,
                           text=True, timeout=20)
        assert p.returncode == 1, p
        assert p.stderr.strip() == ("cpdb: process %d runs cpdb already: "
                                    "debug it at that cpdb's prompt"
                                    % c.pid), p.stderr
        assert c.poll() is None
    finally:
        c.kill()
        c.communicate()


def test_many_attaches_in_a_row_leave_the_service_working(targets,
                                                          tmp_path):
    stop_file = tmp_path / "stop"
    t = targets("attach_service.py", str(stop_file),
                env={"STOP_AFTER": "120"})
    before = t.tasks()
    for i in range(50):
        # the stop may be in any frame (threading's too): no names
        p, _ = attach(t.pid, ["p 6 * 7", "detach"])
        assert p.returncode == 0 and "$1 = 42" in p.stdout, (i, p)
    deadline = time.time() + 3
    while t.tasks() != before and time.time() < deadline:
        time.sleep(0.05)
    assert t.tasks() == before
    stop_file.write_text("")
    out, err, rc = t.finish()
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert lines[-1] == "done True", out
    assert all(l.split()[2] == "None" for l in lines
               if l.startswith("beat"))


@backend_independent
def test_commands_given_with_ex_and_batch(targets, tmp_path):
    t = targets("attach_sleeper.py", "3")
    cmds = tmp_path / "cmds"
    cmds.write_text("p seconds * 2\n")
    p = subprocess.run([CPDB, "-p", str(t.pid), "-ex", "bt", "-x",
                        str(cmds), "--batch"], capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p
    assert "(cpdb) bt\n" in p.stdout and "nap (seconds=3.0)" in p.stdout
    assert "$1 = 6.0" in p.stdout
    assert "Detached from process %d." % t.pid in p.stdout
    bad = subprocess.run([CPDB, "-p", str(t.pid), "-ex", "frobnicate",
                          "--batch"], capture_output=True, text=True,
                         timeout=30, stdin=subprocess.DEVNULL)
    assert bad.returncode == 1 and "Undefined command" in bad.stderr, bad
    out, err, rc = t.finish()
    assert rc == 0 and out.split()[2] == "None", (out, err)


@backend_independent
def test_a_process_with_a_tmp_of_its_own(tmp_path):
    """A process in another mount namespace (a container's /tmp): the
    agent's socket is made where the process can reach it."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a private /tmp")
    child = subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", "sh", "-c",
         'mount -t tmpfs none /tmp && exec "$0" -u "$1" 3', PYTHON,
         program("attach_sleeper.py")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = child.stdout.readline()
        if not first.startswith("ready"):
            pytest.skip("no private mount namespace here: %s"
                        % child.stderr.read().strip())
        p, _ = attach(child.pid, ["p seconds", "detach"])
        assert p.returncode == 0 and "$1 = 3.0" in p.stdout, p
        out, err = child.communicate(timeout=20)
        assert out.split()[2] == "None", (out, err)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()


def test_a_child_forked_while_attached_runs_free(targets, tmp_path):
    stop_file = str(tmp_path / "stop")
    t = targets("attach_forker.py", stop_file)
    t.stop_file = stop_file
    src = program("attach_forker.py")
    line = open(src).read().splitlines().index("    return n * 3") + 1
    p, _ = attach(t.pid, ["break %s:%d" % (src, line), "continue",
                          "p os.getpid() == %d" % t.pid, "continue",
                          "p os.getpid() == %d" % t.pid, "detach"],
                  timeout=30)
    assert p.returncode == 0, p
    # both stops in the parent; the children, which also ran work(),
    # went on (the parent waited for each)
    assert p.stdout.count("Breakpoint 1, work") == 2, p.stdout
    assert p.stdout.count("True") == 2, p.stdout
    rounds = [t.line() for _ in range(3)]
    assert all(r.split()[0] == "round" and r.split()[2] == "7"
               and r.split()[3] == "None" for r in rounds), rounds
    out, err, rc = t.finish()
    assert rc == 0 and out.strip().splitlines()[-1].startswith("done"), err


def test_a_loop_that_calls_nothing_is_attached_in_the_interpreter(targets):
    t = targets("attach_spin.py")
    p, took = attach(t.pid, ["p spinning", "detach"])
    assert p.returncode == 0, p
    assert "attach_spin.py(8)<module>()" in p.stdout \
        or "attach_spin.py(9)<module>()" in p.stdout, p.stdout
    assert "$1 = True" in p.stdout
    assert took < 5, took
    assert t.proc.poll() is None
