"""The injector of cpdb -p (src/attach): pre-flight checks with their
one-line errors, and loading a shared object into a running Python at a
safe point, driven through tests/helpers/cpdb_inject_test with the tiny
tests/helpers/test_agent.so (it appends "agent n=N pid=P threads=T" to
the file named by its argument from a thread of its own).

Every error leaves the target running (its heartbeat goes on); every
load leaves it working exactly as before (its results are checked).
Needs ptrace: skipped, with the reason, where this process may not trace
a child of its own."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import PYTHON, ROOT, program

BUILD = os.environ.get("CPDB_BUILD") or os.path.join(ROOT, "build")
HELPERS = os.path.join(BUILD, "tests", "helpers")
DRIVER = os.path.join(HELPERS, "cpdb_inject_test")
AGENT = os.path.join(HELPERS, "test_agent.so")
FAKE_PYTHON = os.path.join(HELPERS, "fake_python")
ENTRY = "test_agent_start"

HEARTBEAT = ("import threading, time\n"
             "i = 0\n"
             "while True:\n"
             "    print('beat', i, flush=True)\n"
             "    i += 1\n"
             "    time.sleep(0.05)\n")


@pytest.fixture(scope="module", autouse=True)
def ptrace_allowed():
    if os.environ.get("CPDB_BACKEND") == "legacy" and subprocess.run(
            [PYTHON, "-c", "import sys; sys.monitoring"],
            capture_output=True).returncode == 0:
        pytest.skip("the injector does not depend on the trace backend: "
                    "run once per Python, with the default one")
    if not os.path.exists(DRIVER) or not os.path.exists(AGENT):
        pytest.skip("tests/helpers not built in %s" % BUILD)
    r = subprocess.run([DRIVER, "can-ptrace"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip("ptrace not permitted here: " + r.stdout.strip())


class Target:
    """A process whose output lines are collected as they come."""

    def __init__(self, args, **kw):
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     **kw)
        self.pid = self.proc.pid
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)
        raise AssertionError("%r not seen; output: %r" % (text, self.lines))

    def assert_alive(self):
        """The heartbeat goes on."""
        n = len(self.lines)
        time.sleep(0.3)
        assert self.proc.poll() is None, self.lines
        assert len(self.lines) > n, self.lines

    def finish(self, timeout=30):
        rc = self.proc.wait(timeout)
        self.reader.join(5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def targets():
    started = []

    def start(args, **kw):
        t = Target(args, **kw)
        started.append(t)
        return t

    yield start
    for t in started:
        t.kill()


def running(start, code, ready, python=PYTHON):
    """Start python -c code and wait until it printed ready and went on
    into what it waits in."""
    t = start([python, "-c", code])
    t.wait_for(ready)
    time.sleep(0.25)
    return t


def heartbeat(start, python=PYTHON):
    t = start([python, "-c", HEARTBEAT])
    t.wait_for("beat 2")
    return t


def inject(pid, arg, *options, agent=AGENT, entry=ENTRY, **kw):
    return subprocess.run([DRIVER, "inject"] + list(options)
                          + [str(pid), agent, entry, arg],
                          capture_output=True, text=True, timeout=60, **kw)


def probe(pid, **kw):
    return subprocess.run([DRIVER, "probe", str(pid)], capture_output=True,
                          text=True, timeout=30, **kw)


def one_line_error(r, pattern, after_loads=False):
    """The run failed with exactly one line on stderr matching pattern,
    and nothing on stdout (after_loads: but the "ok" lines of the loads
    that went well)."""
    assert r.returncode == 1, r
    if after_loads:
        assert all(line.startswith("ok ")
                   for line in r.stdout.splitlines()), r
    else:
        assert r.stdout == "", r
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("cpdb: "), lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


def loads(r):
    """[{result, strategy, ms, ...}] of the driver's "ok" lines."""
    out = []
    for line in r.stdout.splitlines():
        assert line.startswith("ok "), r
        out.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
    return out


def agent_lines(path, n, timeout=20):
    """Wait until the agent wrote n lines into path; return them."""
    end = time.monotonic() + timeout
    lines = []
    while time.monotonic() < end:
        if os.path.exists(path):
            with open(path) as f:
                lines = f.read().splitlines()
            if len(lines) >= n:
                return lines
        time.sleep(0.02)
    raise AssertionError("the agent wrote %d of %d lines" % (len(lines), n))


def python_version(python):
    return subprocess.run([python, "-c", "import sys; print("
                           "'%d.%d.%d' % sys.version_info[:3])"],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def mapped(pid, name):
    """The distinct files mapped in pid whose name contains name."""
    with open("/proc/%d/maps" % pid) as f:
        return {line.split(None, 5)[5].strip() for line in f
                if len(line.split(None, 5)) == 6 and name in line}


# --- the pre-flight checks -------------------------------------------------

def test_probe_names_the_python_and_its_file(targets):
    t = heartbeat(targets)
    r = probe(t.pid)
    assert r.returncode == 0, r
    info = dict(kv.split("=", 1) for kv in r.stdout.split())
    version = python_version(PYTHON)
    if version.startswith("3.10."):
        version = "3.10"                # no Py_Version before 3.11
    assert info["version"] == version
    assert info["agent"] == "0"
    static = not mapped(t.pid, "libpython")
    assert info["static"] == str(int(static))
    if static:
        assert os.path.samefile(info["path"], os.path.realpath(PYTHON))
    else:
        assert "libpython3." in info["path"]
    t.assert_alive()


def test_no_such_process():
    p = subprocess.Popen(["true"])
    p.wait()                            # reaped: the pid is free
    for r in (probe(p.pid), inject(p.pid, "/dev/null")):
        one_line_error(r, r"^cpdb: no process with id %d$" % p.pid)


def test_not_a_python_process(targets):
    t = targets(["sh", "-c", "while :; do echo beat; sleep 0.05; done"])
    t.wait_for("beat")
    for r in (probe(t.pid), inject(t.pid, "/dev/null")):
        one_line_error(r, r"^cpdb: process %d \(sh\) is not a CPython "
                          r"process$" % t.pid)
    t.assert_alive()


def test_python_too_old(targets):
    t = targets([FAKE_PYTHON])
    t.wait_for("beat 1")
    for r in (probe(t.pid), inject(t.pid, "/dev/null")):
        one_line_error(r, r"^cpdb: process %d \(fake_python\) runs Python "
                          r"3\.9\.5; cpdb serves Python 3\.10 to 3\.13$"
                       % t.pid)
    t.assert_alive()


def test_a_thread_id_is_not_a_process(targets):
    code = ("import threading, time\n"
            "threading.Thread(target=time.sleep, args=(30,),"
            " daemon=True).start()\n" + HEARTBEAT)
    t = running(targets, code, "beat 2")
    (tid,) = [int(n) for n in os.listdir("/proc/%d/task" % t.pid)
              if int(n) != t.pid]
    for r in (probe(tid), inject(tid, "/dev/null")):
        one_line_error(r, r"^cpdb: %d is a thread of process %d; give the "
                          r"process id$" % (tid, t.pid))
    t.assert_alive()


def test_a_stopped_process_is_left_stopped(targets):
    t = heartbeat(targets)
    os.kill(t.pid, signal.SIGSTOP)
    try:
        time.sleep(0.1)
        for r in (probe(t.pid), inject(t.pid, "/dev/null")):
            one_line_error(r, r"^cpdb: process %d \(python3[.0-9]*\) is "
                              r"stopped; resume it first \(kill -CONT %d\)$"
                           % (t.pid, t.pid))
        n = len(t.lines)
        time.sleep(0.2)
        assert len(t.lines) == n
    finally:
        os.kill(t.pid, signal.SIGCONT)
    t.assert_alive()


def tracer_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return 0


def test_already_traced(targets):
    t = heartbeat(targets)
    if shutil.which("strace"):
        tracer = subprocess.Popen(["strace", "-p", str(t.pid), "-o",
                                   "/dev/null"], stderr=subprocess.DEVNULL)
        name = "strace"
    else:
        tracer = subprocess.Popen(["gdb", "-p", str(t.pid), "-batch", "-ex",
                                   "continue"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        name = "gdb"
    try:
        end = time.monotonic() + 10
        while tracer_of(t.pid) != tracer.pid and time.monotonic() < end:
            time.sleep(0.02)
        assert tracer_of(t.pid) == tracer.pid
        for r in (probe(t.pid), inject(t.pid, "/dev/null")):
            one_line_error(r, r"^cpdb: process %d \(python3[.0-9]*\) is "
                              r"already traced by %s \(pid %d\); detach it "
                              r"first$" % (t.pid, name, tracer.pid))
        t.assert_alive()
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(10)
    t.assert_alive()


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_ptrace_not_permitted_to_another_user(targets):
    """The driver as nobody, the target root's."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run the driver as nobody")
    t = heartbeat(targets)
    r = subprocess.run(NOBODY + [DRIVER, "inject", str(t.pid), AGENT, ENTRY,
                                 "/dev/null"],
                       capture_output=True, text=True, timeout=30)
    if os.path.exists("/proc/sys/kernel/yama/ptrace_scope"):
        pattern = r"not permitted to trace process %d .*(ptrace_scope|uid)"
    else:
        pattern = (r"^cpdb: not permitted to trace process %d "
                   r"\(python3[.0-9]*\): it runs as uid 0 and cpdb as uid "
                   r"65534 without CAP_SYS_PTRACE; run cpdb as uid 0, or "
                   r"with CAP_SYS_PTRACE \(as root\)$")
    one_line_error(r, pattern % t.pid)
    assert tracer_of(t.pid) == 0
    t.assert_alive()


def test_ptrace_not_permitted_without_the_capability(targets):
    """The driver as root without CAP_SYS_PTRACE, the target nobody's."""
    if (os.geteuid() != 0 or not shutil.which("setpriv")
            or not shutil.which("capsh")):
        pytest.skip("needs root, setpriv and capsh")
    if subprocess.run(NOBODY + [PYTHON, "-c", "pass"],
                      capture_output=True).returncode != 0:
        pytest.skip("nobody cannot run %s" % PYTHON)
    t = targets(NOBODY + [PYTHON, "-c", HEARTBEAT])
    t.wait_for("beat 2")
    r = subprocess.run(["capsh", "--drop=cap_sys_ptrace", "--", "-c",
                        '"$0" inject "$1" "$2" "$3" /dev/null', DRIVER,
                        str(t.pid), AGENT, ENTRY],
                       capture_output=True, text=True, timeout=30)
    one_line_error(r, r"^cpdb: not permitted to trace process %d "
                      r"\(python3[.0-9]*\): it runs as uid 65534 and cpdb "
                      r"as uid 0 without CAP_SYS_PTRACE; run cpdb as uid "
                      r"65534, or with CAP_SYS_PTRACE \(as root\)$" % t.pid)
    assert tracer_of(t.pid) == 0
    t.assert_alive()


# --- loading -------------------------------------------------------------

def matching_pythons():
    """The Python of this build and, when its minor version is the same,
    Debian's /usr/bin/python3 (libpython linked in): the test agent is
    compiled for one minor version."""
    found = [PYTHON]
    debian = "/usr/bin/python3"
    if (os.path.exists(debian)
            and os.path.realpath(debian) != os.path.realpath(PYTHON)
            and python_version(debian).split(".")[:2]
            == python_version(PYTHON).split(".")[:2]):
        found.append(debian)
    return found


@pytest.mark.parametrize("python", matching_pythons())
def test_load_into_a_sleeping_python(targets, tmp_path, python):
    """The main thread in time.sleep: the agent runs, the sleep ends on
    time, and only one libpython is mapped."""
    code = ("import time, threading\n"
            "threading.Thread(target=time.sleep, args=(30,),"
            " daemon=True).start()\n"
            "t0 = time.monotonic()\n"
            "print('sleeping', flush=True)\n"
            "time.sleep(1.5)\n"
            "print('slept %.3f' % (time.monotonic() - t0))\n")
    t = running(targets, code, "sleeping", python)
    out = tmp_path / "agent.txt"
    libpythons = mapped(t.pid, "libpython")
    r = inject(t.pid, str(out))
    assert r.returncode == 0, r
    (load,) = loads(r)
    assert load["result"] == "1"
    assert load["strategy"] == "A"
    assert int(load["tid"]) == t.pid                # the main thread first
    assert agent_lines(out, 1) == ["agent n=1 pid=%d threads=2" % t.pid]
    assert mapped(t.pid, "libpython") == libpythons
    assert len(mapped(t.pid, "test_agent.so")) == 1
    assert t.finish() == 0
    slept = float(t.lines[-1].split()[1])
    assert abs(slept - 1.5) < 0.05, t.lines


def test_signal_during_the_calls_reaches_the_program_after(targets,
                                                          tmp_path):
    """A signal for the thread that runs our calls is held while they run
    and delivered to the program's handler after the detach."""
    code = ("import signal, time\n"
            "got = []\n"
            "signal.signal(signal.SIGUSR1, lambda n, f: got.append(n))\n"
            "print('sleeping', flush=True)\n"
            "end = time.monotonic() + 10\n"
            "while not got and time.monotonic() < end:\n"
            "    time.sleep(0.05)\n"
            "print('signals', got)\n")
    t = running(targets, code, "sleeping")
    out = tmp_path / "agent.txt"
    r = inject(t.pid, "%s %d" % (out, signal.SIGUSR1))
    assert r.returncode == 0, r
    assert t.finish() == 0
    assert t.lines[-1] == "signals [%d]" % signal.SIGUSR1
    (line,) = agent_lines(out, 1)
    assert re.match(r"^agent n=1 pid=%d threads=\d$" % t.pid, line)


def test_second_load_reuses_the_mapping(targets, tmp_path):
    t = heartbeat(targets)
    out = tmp_path / "agent.txt"
    r = inject(t.pid, str(out), "-n", "3")
    assert r.returncode == 0, r
    assert [(d["result"], d["reused"]) for d in loads(r)] == [
        ("1", "0"), ("2", "1"), ("3", "1")]
    lines = agent_lines(out, 3)
    assert sorted(lines) == ["agent n=%d pid=%d threads=1" % (n, t.pid)
                             for n in (1, 2, 3)]
    assert len(mapped(t.pid, "test_agent.so")) == 1
    assert tracer_of(t.pid) == 0
    t.assert_alive()


def test_dlopen_error_is_read_from_the_target(targets, tmp_path):
    t = heartbeat(targets)
    bad = tmp_path / "bad_agent.so"
    bad.write_text("not a shared object\n" * 20)
    r = inject(t.pid, "/dev/null", agent=str(bad))
    one_line_error(r, r"^cpdb: process %d could not load %s: .*%s: "
                      r"invalid ELF header$" % (t.pid, bad, bad))
    assert not mapped(t.pid, "bad_agent")
    t.assert_alive()


def test_missing_entry(targets):
    t = heartbeat(targets)
    r = inject(t.pid, "/dev/null", entry="no_such_entry")
    one_line_error(r, r"^cpdb: %s has no function no_such_entry$" % AGENT)
    t.assert_alive()


def test_an_entry_that_crashes_leaves_the_thread_as_it_was(targets):
    t = heartbeat(targets)
    r = inject(t.pid, "/dev/null", entry="test_agent_crash")
    one_line_error(r, r"^cpdb: test_agent_crash crashed in thread %d of "
                      r"process %d \(Segmentation fault at 0x[0-9a-f]+\); "
                      r"the thread was put back$" % (t.pid, t.pid))
    assert tracer_of(t.pid) == 0
    t.assert_alive()


def test_every_thread_waiting_on_a_lock(targets, tmp_path):
    """No thread runs Python and each waits on a lock (futex, never
    strategy A): the waits are woken once, as a signal would, and the
    first thread back in PyEval_SaveThread runs the load; the waits end
    when they would have."""
    code = ("import queue, threading, time\n"
            "l = threading.Lock(); l.acquire()\n"
            "q = queue.Queue()\n"
            "def work():\n"
            "    try:\n"
            "        q.get(timeout=2.5)\n"
            "    except queue.Empty:\n"
            "        print('worker empty', flush=True)\n"
            "th = threading.Thread(target=work); th.start()\n"
            "t0 = time.monotonic()\n"
            "print('waiting', flush=True)\n"
            "got = l.acquire(timeout=2)\n"
            "print('got', got, round(time.monotonic() - t0, 1), flush=True)\n"
            "th.join()\n")
    t = running(targets, code, "waiting")
    out = tmp_path / "agent.txt"
    r = inject(t.pid, str(out))
    assert r.returncode == 0, r
    (load,) = loads(r)
    assert load["strategy"] == "B" and int(load["woken"]) >= 1, load
    assert float(load["ms"]) < 1000
    (line,) = agent_lines(out, 1)
    assert line == "agent n=1 pid=%d threads=2" % t.pid
    assert t.finish() == 0
    assert t.lines[1:] == ["got False 2.0", "worker empty"], t.lines


def test_a_process_that_exits_during_the_loads(targets):
    """Loads in a row until the target ends itself (os._exit(3) while its
    threads allocate): one line saying it exited, no hang, and the
    target's own exit status, never a crash of ours."""
    code = ("import json, os, threading, time\n"
            "def work():\n"
            "    while True:\n"
            "        json.loads(json.dumps({'a': list(range(50))}))\n"
            "for _ in range(3):\n"
            "    threading.Thread(target=work, daemon=True).start()\n"
            "print('working', flush=True)\n"
            "time.sleep(0.5)\n"
            "os._exit(3)\n")
    t = running(targets, code, "working")
    r = inject(t.pid, "/dev/null", "-n", "100000")
    assert r.stdout.count("ok ") > 0, r
    line = one_line_error(r, "", after_loads=True)
    assert re.match(r"^cpdb: (no process with id %d|process %d \(python3"
                    r"[.0-9]*\) has exited|process %d exited while cpdb was "
                    r"attaching to it)$" % ((t.pid,) * 3), line), line
    assert t.finish() == 3


def test_no_safe_point_in_time(targets, tmp_path):
    """The only thread waits in flock(), neither an allowed system call
    nor a lock of the process, and runs no Python: the load gives up after
    its timeout, and the target, breakpoints gone, goes on when the file
    lock is released."""
    import fcntl
    path = tmp_path / "lock"
    path.write_text("")
    with open(path) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code = ("import fcntl, sys\n"
                "f = open(sys.argv[1])\n"
                "print('waiting', flush=True)\n"
                "fcntl.flock(f, fcntl.LOCK_EX)\n"
                "x = [str(i) for i in range(10000)]\n"
                "print('done', len(x))\n")
        t = targets([PYTHON, "-c", code, str(path)])
        t.wait_for("waiting")
        time.sleep(0.25)
        r = inject(t.pid, "/dev/null", "-t", "300")
        one_line_error(r, r"^cpdb: no safe point in process %d within 300 "
                          r"ms \(its threads run C code, or wait in system "
                          r"calls that cpdb does not interrupt\); try again$"
                       % t.pid)
        assert tracer_of(t.pid) == 0
    assert t.finish() == 0
    assert t.lines[-1] == "done 10000"


def test_agent_copied_where_the_target_cannot_see_it(targets, tmp_path):
    """The target runs in a mount namespace where the agent's folder is
    hidden: the agent goes through a 0700 folder of the target's /tmp,
    removed once loaded; the next load finds the loaded copy."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a mount namespace")
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    agent = hidden / "test_agent.so"
    shutil.copy(AGENT, agent)
    t = targets(["unshare", "-m", "--propagation", "private", "sh", "-c",
                 'mount -t tmpfs none "$0" && exec "$1" -c "$2"',
                 str(hidden), PYTHON, HEARTBEAT])
    t.wait_for("beat 2")
    if os.path.exists("/proc/%d/root%s" % (t.pid, agent)):
        pytest.skip("the mount namespace did not hide the folder")
    before = set(os.listdir("/proc/%d/root/tmp" % t.pid))
    out = tmp_path / "agent.txt"
    r = inject(t.pid, str(out), "-n", "2", agent=str(agent))
    assert r.returncode == 0, r
    assert [(d["copied"], d["reused"]) for d in loads(r)] == [("1", "0"),
                                                             ("0", "1")]
    assert sorted(agent_lines(out, 2)) == [
        "agent n=1 pid=%d threads=1" % t.pid,
        "agent n=2 pid=%d threads=1" % t.pid]
    after = set(os.listdir("/proc/%d/root/tmp" % t.pid))
    assert not [n for n in after - before if n.startswith("cpdb-")]
    (name,) = mapped(t.pid, "test_agent.so")
    assert re.match(r"^/tmp/cpdb-\w{6}/test_agent\.so \(deleted\)$", name)
    t.assert_alive()


# --- safety: 50 loads in a row into targets busy in each state -----------

# mode: (loads, the strategy they use, the least share of loads that must
# use it).  A thread in a system call (A) may be caught just outside it,
# running Python: then B serves.  Where no thread ever waits in an
# allowed system call, every load must use B.
STATES = {
    "sleep": (50, "A", 0.9),
    "server": (50, "A", 0.5),
    "asyncio": (50, "A", 0.5),
    "futex": (50, "B", 1),
    "alloc": (50, "B", 1),
    "threads": (50, "B", 1),
    "spawn": (50, None, 0),
    "import": (50, "B", 1),
    "signals": (50, "B", 1),
    "faulthandler": (50, None, 0),
    "cblock": (50, "B", 1),
}
MEASURED = {}


def expected_sum(k):
    return sum(i * i for i in range(k))


@pytest.mark.parametrize("mode", sorted(STATES))
def test_loads_in_a_row_leave_the_work_right(targets, tmp_path, mode):
    n, strategy, share = STATES[mode]
    stop = tmp_path / "stop"
    t = targets([PYTHON, program("attach_states.py"), mode, str(stop)])
    t.wait_for("ready")
    time.sleep(0.3)
    out = tmp_path / "agent.txt"
    r = inject(t.pid, str(out), "-n", str(n))
    assert r.returncode == 0, r
    done = loads(r)
    assert [int(d["result"]) for d in done] == list(range(1, n + 1))
    used = [d["strategy"] for d in done]
    if strategy is not None:
        assert used.count(strategy) >= share * n, r.stdout
    lines = agent_lines(out, n)
    assert sorted(int(line.split()[1][2:]) for line in lines) == list(
        range(1, n + 1))
    assert len(mapped(t.pid, "test_agent.so")) == 1
    assert tracer_of(t.pid) == 0
    stop.write_text("")
    assert t.finish() == 0, t.lines
    results = t.lines[1:]
    assert t.lines[0] == "ready" and results, t.lines
    for line in results:
        name, k, total, errors = line.split()[:4]
        k = int(k[2:])
        assert k > 0, line
        assert int(total[4:]) == expected_sum(k), line
        assert errors == "errors=0", line
        if name == "sleep":
            # 3.11+ sleeps until a deadline; 3.10's select() restarts with
            # the time left when it was stopped, so each load's stop of
            # the thread adds its length.
            limit = 50
            if python_version(PYTHON).startswith("3.10."):
                limit += sum(float(d["ms"]) for d in done)
            assert float(line.split()[4][8:]) < limit, line
    ms = sorted(float(d["ms"]) for d in done)
    MEASURED[mode] = (sorted({d["strategy"] for d in done}), ms[len(ms) // 2],
                      ms[-1])
    print("\n%s: strategy %s, load %.2f ms median, %.2f ms max" % (
        mode, "/".join(MEASURED[mode][0]), MEASURED[mode][1],
        MEASURED[mode][2]))
