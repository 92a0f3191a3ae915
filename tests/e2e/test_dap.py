"""cpdb --dap: what the adapter does beyond the editors' common path
(tests/dap covers that with the VS Code team's client): attaching to a
process and to a cpdb --listen, an editor connecting to a listener,
tokens, the end of a session in every way (and never a hang), logpoints
and hit conditions, the exception filters, justMyCode, pause of a
program that waits in C, breakpoints set while the program runs, the
debug console's commands, thread events (docs/dap.md)."""

import os
import re
import subprocess
import sys
import time

import pytest

from conftest import CPDB, PYTHON, TESTS, backend_independent

sys.path.insert(0, os.path.join(TESTS, "helpers"))
from dapclient import DapClient  # noqa: E402


def env(**extra):
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)
    e.pop("CPDB_TOKEN", None)
    e["NO_COLOR"] = "1"
    e.update(extra)
    return e


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.fixture
def adapters(tmp_path):
    made = []

    def spawn(*args, **kw):
        c = DapClient.spawn([CPDB, "--dap"] + list(args), env=env(**kw),
                            cwd=str(tmp_path))
        c.call("initialize", {"adapterID": "cpdb", "linesStartAt1": True,
                              "columnsStartAt1": True})
        made.append(c)
        return c
    yield spawn
    for c in made:
        rc = c.close(timeout=15)
        assert rc is not None and 0 <= rc < 128, (rc, c.stderr())


@pytest.fixture
def procs():
    made = []

    def start(cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        made.append(p)
        return p
    yield start
    for p in made:
        if p.poll() is None:
            p.kill()
        p.wait()


def top(c, thread):
    frames = c.call("stackTrace", {"threadId": thread})["stackFrames"]
    return frames[0]


def ptrace_refused():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    child = subprocess.Popen(["sleep", "10"])
    try:
        if libc.ptrace(0x4206, child.pid, None, None) != 0:
            return "ptrace refused: %s" % os.strerror(ctypes.get_errno())
        libc.ptrace(17, child.pid, None, None)
        return None
    finally:
        child.kill()
        child.wait()


REFUSED = ptrace_refused()
needs_ptrace = pytest.mark.skipif(REFUSED is not None, reason=str(REFUSED))

SERVICE = """\
import sys, threading, time
def handle(n):
    total = n * 2
    return total
def serve():
    n = 0
    while True:
        n += 1
        handle(n)
        time.sleep(0.02)
threading.Thread(target=serve, name="server", daemon=True).start()
print("ready", flush=True)
while True:
    time.sleep(0.05)
"""


def start_service(tmp_path, procs):
    path = write(tmp_path, "service.py", SERVICE)
    p = procs([PYTHON, "-u", path], stdout=subprocess.PIPE, text=True,
              env=env())
    assert p.stdout.readline().startswith("ready")
    return p, path


@needs_ptrace
def test_attach_to_a_pid_stops_in_the_server_thread_and_detaches(
        tmp_path, adapters, procs):
    p, path = start_service(tmp_path, procs)
    c = adapters()
    c.launch({"pid": p.pid}, request="attach",
             breakpoints={path: [3]})
    ev = c.wait_event("stopped", 20)
    assert ev["body"]["reason"] == "breakpoint"
    thread = ev["body"]["threadId"]
    names = {t["id"]: t["name"] for t in
             c.call("threads")["threads"]}
    assert names[thread] == "server", names
    frame = top(c, thread)
    assert (frame["name"], frame["line"]) == ("handle", 3)
    n = int(c.call("evaluate", {"expression": "n", "frameId": frame["id"],
                                "context": "watch"})["result"])
    assert n > 0
    out = c.call("evaluate", {"expression": "info threads",
                              "frameId": frame["id"],
                              "context": "repl"})["result"]
    assert "server" in out and "MainThread" in out, out
    c.call("disconnect", {"terminateDebuggee": False})
    assert c.wait(10) == 0
    time.sleep(0.2)
    assert p.poll() is None, "the process must run on after a detach"
    # Detached for good: a second adapter attaches again.
    c2 = adapters()
    c2.launch({"pid": p.pid}, request="attach",
              breakpoints={path: [3]})
    ev = c2.wait_event("stopped", 20)
    assert top(c2, ev["body"]["threadId"])["line"] == 3
    c2.call("disconnect", {})
    assert c2.wait(10) == 0
    assert p.poll() is None


@backend_independent
@needs_ptrace
def test_terminate_of_an_attached_process_kills_it(tmp_path, adapters,
                                                    procs):
    p, path = start_service(tmp_path, procs)
    c = adapters()
    c.launch({"pid": p.pid}, request="attach")
    c.call("terminate", {})
    c.wait_event("terminated", 15)
    p.wait(10)
    assert p.returncode == -9
    c.call("disconnect", {})


@backend_independent
@needs_ptrace
def test_attach_refusals_say_why(tmp_path, adapters, procs):
    c = adapters()
    resp = c.request("attach", {"pid": 2 ** 22 - 7})
    assert not resp["success"] and "process" in resp["message"], resp
    resp = c.request("attach", {"pid": "12"})
    assert not resp["success"] and "pid" in resp["message"], resp
    # A process that runs cpdb already is not attached to again.
    prog = write(tmp_path, "p.py", "import time\ntime.sleep(30)\n")
    under = procs([CPDB, "--batch", "-ex", "continue", prog],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                  env=env())
    time.sleep(0.5)
    resp = c.request("attach", {"pid": under.pid})
    assert not resp["success"] and "runs cpdb" in resp["message"], resp
    # The adapter is still there.
    assert c.request("threads")["success"] is False


def listener(procs, *args, token="tok3n"):
    """A cpdb --listen on a free port.  Return: (process, port)."""
    p = procs([CPDB, "--listen", "127.0.0.1:0"] + list(args),
              stderr=subprocess.PIPE, text=True, env=env(CPDB_TOKEN=token))
    line = p.stderr.readline()
    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    assert m, line
    return p, int(m.group(1))


PROGRAM = """\
import sys
def f(x):
    y = x + 1
    return y
print("start")
v = f(41)
print("v is", v)
sys.exit(v - 40)
"""


@backend_independent
def test_attach_to_a_listener_by_host_and_port(tmp_path, adapters, procs):
    prog = write(tmp_path, "prog.py", PROGRAM)
    lp, port = listener(procs, prog)
    bad = adapters()
    resp = bad.request("attach", {"host": "127.0.0.1", "port": port,
                                  "token": "nope"})
    assert not resp["success"] and "token" in resp["message"], resp
    c = adapters()
    c.launch({"host": "127.0.0.1", "port": port, "token": "tok3n"},
             request="attach", breakpoints={prog: [3]})
    ev = c.wait_event("stopped", 20)
    frame = top(c, ev["body"]["threadId"])
    assert (frame["name"], frame["line"]) == ("f", 3)
    c.call("continue", {"threadId": ev["body"]["threadId"]})
    assert c.wait_event("exited", 20)["body"]["exitCode"] == 2
    c.wait_event("terminated")
    assert "start\nv is 42\n" in c.output("stdout")
    c.call("disconnect", {})
    assert lp.wait(10) == 2


@backend_independent
def test_an_editor_connects_to_a_listener_directly(tmp_path, procs):
    """nvim-dap's "server" adapters and VS Code's debugServer connect to
    the port and speak DAP from their first byte."""
    prog = write(tmp_path, "prog.py", PROGRAM)
    lp, port = listener(procs, prog)
    c = DapClient.connect("127.0.0.1", port)
    c.call("initialize", {"adapterID": "cpdb"})
    c.launch({"token": "tok3n", "stopOnEntry": True}, request="attach")
    ev = c.wait_event("stopped", 20)
    assert ev["body"]["reason"] == "entry"
    c.call("continue", {"threadId": ev["body"]["threadId"]})
    assert c.wait_event("exited", 20)["body"]["exitCode"] == 2
    c.call("disconnect", {})
    c.close()
    assert lp.wait(10) == 2


@backend_independent
def test_dap_listen_launches_and_refuses_a_wrong_token(tmp_path, procs):
    prog = write(tmp_path, "prog.py", PROGRAM)
    p = procs([CPDB, "--dap", "--listen", "127.0.0.1:0"],
              stderr=subprocess.PIPE, text=True, env=env(CPDB_TOKEN="t0k"))
    port = int(re.search(r":(\d+) ", p.stderr.readline()).group(1))
    bad = DapClient.connect("127.0.0.1", port)
    bad.call("initialize", {"adapterID": "cpdb"})
    resp = bad.request("launch", {"program": prog, "token": "t1k"})
    assert not resp["success"]
    bad.wait_closed(10)
    bad.close()
    c = DapClient.connect("127.0.0.1", port)
    c.call("initialize", {"adapterID": "cpdb"})
    c.launch({"program": prog, "token": "t0k"})
    assert c.wait_event("exited", 20)["body"]["exitCode"] == 2
    c.call("disconnect", {})
    c.close()
    assert p.wait(10) == 2


@backend_independent
def test_a_non_loopback_address_needs_allow_remote():
    p = subprocess.run([CPDB, "--dap", "--listen", "0.0.0.0:0"],
                       capture_output=True, text=True, timeout=20,
                       env=env())
    assert p.returncode == 2
    assert "--allow-remote" in p.stderr and p.stderr.count("\n") == 1


LOOP = """\
import time
def spin():
    n = 0
    while True:
        n += 1
        if n % 100000 == 0:
            time.sleep(0.001)
spin()
"""


def test_a_breakpoint_set_while_the_loop_runs_is_hit(tmp_path, adapters):
    prog = write(tmp_path, "loop.py", LOOP)
    c = adapters()
    c.launch({"program": prog})
    time.sleep(0.5)
    body = c.call("setBreakpoints", {"source": {"path": prog},
                                     "breakpoints": [{"line": 5}]})
    assert body["breakpoints"][0]["verified"]
    ev = c.wait_event("stopped", 20)
    assert ev["body"]["reason"] == "breakpoint"
    assert top(c, ev["body"]["threadId"])["line"] == 5
    c.call("disconnect", {})


@backend_independent
def test_the_end_of_input_while_running_ends_the_program(tmp_path,
                                                         adapters):
    prog = write(tmp_path, "loop.py", LOOP)
    c = adapters()
    c.launch({"program": prog})
    time.sleep(0.3)
    t0 = time.monotonic()
    c.close_input()
    assert c.wait(10) is not None
    assert time.monotonic() - t0 < 4


@backend_independent
def test_disconnect_ends_a_program_that_holds_the_gil_in_c(tmp_path,
                                                           adapters):
    """A thread inside one long C call keeps the GIL: the adapter cannot
    run Python, and still the process ends soon after the disconnect."""
    prog = write(tmp_path, "busy.py",
                 "print('busy', flush=True)\nx = sum(range(10 ** 12))\n")
    c = adapters()
    c.launch({"program": prog})
    c.wait_output("busy", 10)
    time.sleep(0.2)
    t0 = time.monotonic()
    c.send("disconnect", {})
    assert c.wait(10) is not None
    assert time.monotonic() - t0 < 6


@backend_independent
def test_terminate_of_a_sleeping_program(tmp_path, adapters):
    prog = write(tmp_path, "sleep.py",
                 "import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    c = adapters()
    c.launch({"program": prog})
    c.wait_output("up", 10)
    c.call("terminate", {})
    c.wait_event("exited", 10)
    c.wait_event("terminated", 10)
    c.call("disconnect", {})
    assert c.wait(10) is not None


@backend_independent
def test_os_exit_and_output_order(tmp_path, adapters):
    prog = write(tmp_path, "ex.py", "import os, sys\nprint('a')\n"
                 "print('b', file=sys.stderr)\nos._exit(7)\n")
    c = adapters()
    c.launch({"program": prog})
    assert c.wait_event("exited", 20)["body"]["exitCode"] == 7
    assert c.output("stdout") == "a\n" and c.output("stderr") == "b\n"
    c.wait_event("terminated")
    c.call("disconnect", {})


HITS = """\
def work(i):
    return i * 3
total = 0
for i in range(10):
    total += work(i)
print("total", total)
"""


def test_logpoints_and_hit_conditions(tmp_path, adapters):
    prog = write(tmp_path, "hits.py", HITS)
    c = adapters()
    c.launch({"program": prog}, breakpoints={prog: [
        {"line": 2, "logMessage": "work({i}) then {{{i * 3}}}"},
        {"line": 5, "hitCondition": "% 4"}]})
    stops = []
    for _ in range(2):
        ev = c.wait_event("stopped", 20)
        frame = top(c, ev["body"]["threadId"])
        stops.append(int(c.call("evaluate", {"expression": "i",
                                             "frameId": frame["id"],
                                             "context": "watch"})
                         ["result"]))
        c.call("continue", {"threadId": ev["body"]["threadId"]})
    c.wait_event("exited", 20)
    assert stops == [3, 7]      # the 4th and 8th crossing
    logged = c.output("console")
    assert "work(0) then {0}\n" in logged and "work(9) then {27}\n" \
        in logged, logged
    c.call("disconnect", {})


def test_bad_hit_condition_and_condition_are_not_verified(tmp_path,
                                                          adapters):
    prog = write(tmp_path, "hits.py", HITS)
    c = adapters(stopOnEntry="1")
    c.launch({"program": prog, "stopOnEntry": True})
    c.wait_event("stopped", 20)
    bps = c.call("setBreakpoints", {"source": {"path": prog}, "breakpoints": [
        {"line": 2, "hitCondition": "about 3"},
        {"line": 5, "condition": "i ==="}]})["breakpoints"]
    assert [b["verified"] for b in bps] == [False, False]
    assert "hit condition" in bps[0]["message"]
    assert "condition" in bps[1]["message"].lower()
    c.call("disconnect", {})


EXC = """\
import json
def parse(text):
    return json.loads(text)
def main():
    try:
        parse("{bad")
    except ValueError:
        pass
    raise KeyError("gone")
main()
"""


def test_exception_filters(tmp_path, adapters):
    prog = write(tmp_path, "exc.py", EXC)
    # raised, justMyCode: first where the library's error reaches our
    # code, then our own raise; never inside json.
    c = adapters()
    c.launch({"program": prog}, exception_filters=["raised"])
    lines = []
    for _ in range(2):
        ev = c.wait_event("stopped", 20)
        assert ev["body"]["reason"] == "exception"
        frame = top(c, ev["body"]["threadId"])
        assert frame["source"]["path"] == prog
        lines.append(frame["line"])
        info = c.call("exceptionInfo", {"threadId": ev["body"]["threadId"]})
        c.call("continue", {"threadId": ev["body"]["threadId"]})
    assert lines == [3, 9]
    assert info["exceptionId"] == "KeyError" and info["breakMode"] == \
        "always"
    c.wait_event("exited", 20)
    c.call("disconnect", {})
    # uncaught: the post-mortem stop, then the end with status 1.
    c = adapters()
    c.launch({"program": prog}, exception_filters=["uncaught"])
    ev = c.wait_event("stopped", 20)
    info = c.call("exceptionInfo", {"threadId": ev["body"]["threadId"]})
    assert info["breakMode"] == "unhandled"
    assert "gone" in info["description"]
    assert "line 9, in main" in info["details"]["stackTrace"]
    scopes = c.call("scopes", {"frameId": top(c, ev["body"]["threadId"])
                               ["id"]})["scopes"]
    assert [s["name"] for s in scopes] == ["Locals", "Globals", "Exception"]
    c.call("continue", {"threadId": ev["body"]["threadId"]})
    assert c.wait_event("exited", 20)["body"]["exitCode"] == 1
    c.call("disconnect", {})
    # none: it just ends.
    c = adapters()
    c.launch({"program": prog}, exception_filters=[])
    assert c.wait_event("exited", 20)["body"]["exitCode"] == 1
    assert not c.events_named("stopped")
    assert "KeyError: 'gone'" in c.output("stderr")
    c.call("disconnect", {})


STEP = """\
import json
def mine(v):
    return v + 1
def main():
    text = json.dumps({"a": 1}, default=mine)
    return mine(len(text))
main()
"""


def test_just_my_code_steps_over_the_library(tmp_path, adapters):
    prog = write(tmp_path, "step.py", STEP)
    c = adapters()
    c.launch({"program": prog}, breakpoints={prog: [5]})
    ev = c.wait_event("stopped", 20)
    thread = ev["body"]["threadId"]
    c.call("stepIn", {"threadId": thread})
    c.wait_event("stopped", 20)
    frame = top(c, thread)
    assert frame["source"]["path"] == prog, frame
    c.call("disconnect", {})
    # Without it, stepIn enters json.
    c = adapters()
    c.launch({"program": prog, "justMyCode": False},
             breakpoints={prog: [5]})
    ev = c.wait_event("stopped", 20)
    c.call("stepIn", {"threadId": thread})
    c.wait_event("stopped", 20)
    frame = top(c, thread)
    assert frame["source"]["path"].endswith("json/__init__.py"), frame
    assert frame["source"].get("presentationHint") == "deemphasize"
    c.call("disconnect", {})


def test_pause_of_a_program_that_waits_in_c(tmp_path, adapters):
    prog = write(tmp_path, "nap.py", "import time\ndef nap():\n"
                 "    time.sleep(60)\nprint('napping', flush=True)\nnap()\n")
    c = adapters()
    c.launch({"program": prog})
    c.wait_output("napping", 10)
    time.sleep(0.5)         # inside time.sleep, in C
    c.call("pause", {"threadId": 1})
    ev = c.wait_event("stopped", 10)
    assert ev["body"]["reason"] == "pause"
    frames = c.call("stackTrace", {"threadId": 1})["stackFrames"]
    assert [f["name"] for f in frames][:2] == ["nap", "<module>"]
    c.call("disconnect", {})


CONSOLE = """\
class Session:
    def __init__(self, n):
        self.n = n
cache = {}
for i in range(50):
    cache[i] = Session(i)
bt = "a name the program binds"
x = 1
"""


def test_the_debug_console_runs_cpdb_commands(tmp_path, adapters):
    prog = write(tmp_path, "console.py", CONSOLE)
    c = adapters()
    c.launch({"program": prog}, breakpoints={prog: [8]})
    ev = c.wait_event("stopped", 20)
    fid = top(c, ev["body"]["threadId"])["id"]

    def repl(text):
        return c.call("evaluate", {"expression": text, "frameId": fid,
                                   "context": "repl"})["result"]
    census = repl("gc types")
    assert re.search(r"Session\s+50\b", census), census
    printed = repl("p cache[3]")
    m = re.match(r"\$(\d+) = <", printed)
    assert m, printed
    chain = repl("gc chain $%s" % m.group(1))
    assert "cache" in chain, chain
    # Python first: a name the program binds is its value, not the
    # command; a backquote forces the command.
    assert repl("bt") == "'a name the program binds'"
    assert "<module>" in repl("`bt")
    assert repl("len(cache)") == "50"
    # A command that resumes: continued, then the program ends.
    repl("continue")
    c.wait_event("continued", 10)
    c.wait_event("exited", 20)
    c.call("disconnect", {})


THREADS = """\
import threading, time
def work():
    time.sleep(0.8)
t = threading.Thread(target=work, name="helper")
t.start()
t.join()
time.sleep(0.8)
print("done")
"""


def test_thread_events(tmp_path, adapters):
    prog = write(tmp_path, "threads.py", THREADS)
    c = adapters()
    c.launch({"program": prog})
    c.wait_event("exited", 20)
    started = {e["body"]["threadId"] for e in c.events_named("thread")
               if e["body"]["reason"] == "started"}
    exited = {e["body"]["threadId"] for e in c.events_named("thread")
              if e["body"]["reason"] == "exited"}
    assert 2 in started and 2 in exited, c.events_named("thread")
    c.call("disconnect", {})


@backend_independent
def test_requests_while_running_and_after_the_end(tmp_path, adapters):
    prog = write(tmp_path, "loop.py", LOOP)
    c = adapters()
    c.launch({"program": prog})
    time.sleep(0.2)
    resp = c.request("stackTrace", {"threadId": 1})
    assert not resp["success"] and "running" in resp["message"]
    resp = c.request("next", {"threadId": 1})
    assert not resp["success"]
    assert c.call("threads")["threads"][0]["id"] == 1
    c.call("disconnect", {})


def test_a_breakpoint_on_the_first_line_stops(tmp_path, adapters):
    """The start stop is the adapter's own: a breakpoint on line 1 is hit
    as any other, its condition and log message applied."""
    prog = write(tmp_path, "prog.py", PROGRAM)
    c = adapters()
    c.launch({"program": prog}, breakpoints={prog: [1]})
    ev = c.wait_event("stopped", 20)
    assert ev["body"]["reason"] == "breakpoint"
    assert top(c, ev["body"]["threadId"])["line"] == 1
    c.call("continue", {"threadId": ev["body"]["threadId"]})
    c.wait_event("exited", 20)
    c.call("disconnect", {})
    c = adapters()
    c.launch({"program": prog}, breakpoints={prog: [
        {"line": 1, "logMessage": "first in {__name__}"}]})
    c.wait_event("exited", 20)
    assert not c.events_named("stopped")
    assert c.output("console") == "first in __main__\n"
    c.call("disconnect", {})
