"""cpdb --dap under bad input: broken framing, bodies that are not JSON
objects, requests without seq or command, unknown commands, every
request with missing or ill-typed arguments, requests out of order, a
seeded fuzz loop of mutated messages, and --listen's token and address
checks.  After each, the adapter must still answer a valid request, run
the program to its end with its exit code, and end without a crash
(docs/dap.md, "Bad input")."""

import json
import os
import random
import re
import subprocess
import sys
import time

import pytest

from conftest import CPDB, TESTS, backend_independent

# The protocol's checks do not depend on the trace backend.
pytestmark = backend_independent

sys.path.insert(0, os.path.join(TESTS, "helpers"))
from dapclient import DapClient, DapError, frame  # noqa: E402

PROGRAM = """\
import sys
x = 1
def never_called():
    return 0
print("hello from the program")
sys.exit(3)
"""

# Values that are not a valid id of anything: negative, huge, beyond
# 64 bits, fractional, of the wrong type.
BAD_IDS = [-1, 999999, 2 ** 31, 1.5, "1", None,
           [1], {"id": 1}, True]
LIMIT_MIB = 16


def env():
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)
    e.pop("CPDB_TOKEN", None)
    e["NO_COLOR"] = "1"
    return e


@pytest.fixture
def prog(tmp_path):
    p = tmp_path / "prog.py"
    p.write_text(PROGRAM)
    return str(p)


@pytest.fixture
def dap(tmp_path):
    """A cpdb --dap whose end is checked: no crash, no core file."""
    c = DapClient.spawn([CPDB, "--dap"], env=env(), cwd=str(tmp_path))
    yield c
    rc = c.close(timeout=15)
    assert rc is not None and 0 <= rc < 128, (rc, c.stderr())
    assert not [f for f in os.listdir(tmp_path) if f.startswith("core")]
    assert c.garbage == [], c.garbage


def initialize(c):
    body = c.call("initialize", {"clientID": "test", "adapterID": "cpdb",
                                 "linesStartAt1": True,
                                 "columnsStartAt1": True,
                                 "pathFormat": "path"})
    assert body.get("supportsConfigurationDoneRequest")
    return body


def assert_error(resp, command=None):
    """An error response: success false, a message of one line."""
    assert resp.get("type") == "response", resp
    assert resp.get("success") is False, resp
    msg = resp.get("message") or ""
    assert msg.strip() and "\n" not in msg.strip(), resp
    if command is not None:
        assert resp.get("command") == command, resp


def assert_alive(c):
    """The adapter answers a valid request, and its answer is its own."""
    seq = c.send("threads")
    resp = c.response(seq, timeout=10)
    assert resp["request_seq"] == seq and resp["command"] == "threads"


def run_to_end(c, prog, stop_on_entry=False):
    """Launch prog (if not yet) and let it run to its end: it prints its
    line and exits with 3."""
    if stop_on_entry:
        c.launch({"program": prog, "stopOnEntry": True})
        ev = c.wait_event("stopped", timeout=15)
        assert ev["body"]["reason"] == "entry"
        return ev["body"]["threadId"]
    c.launch({"program": prog})
    finish(c)


def entry_stop(c, prog):
    """Launch prog stopped at its entry.  Return: (threadId, the top
    frame's id, its first scope's variablesReference)."""
    thread = run_to_end(c, prog, stop_on_entry=True)
    frame_id = c.call("stackTrace", {"threadId": thread})[
        "stackFrames"][0]["id"]
    ref = c.call("scopes", {"frameId": frame_id})[
        "scopes"][0]["variablesReference"]
    return thread, frame_id, ref


def finish(c, thread=None):
    if thread is not None:
        c.call("continue", {"threadId": thread})
    ev = c.wait_event("exited", timeout=15)
    assert ev["body"]["exitCode"] == 3, ev
    assert "hello from the program" in c.wait_output(
        "hello from the program", category="stdout")
    c.wait_event("terminated", timeout=15)
    assert c.events_named("stopped") == [] or thread is not None


# -- framing -------------------------------------------------------------

@pytest.mark.parametrize("junk", [
    b"hello world\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"Content-Type: application/json\r\n\r\n",
    b"Content-Length: -5\r\n\r\n",
    b"Content-Length: abc\r\n\r\n",
    b"Content-Length: 0\r\n\r\n",
    b"Content-Length:\r\n\r\n",
    b"Content-Length: 12 34\r\n\r\n",
    b"Content-Length: 0x10\r\n\r\n",
    b"\x00\xff\xfe binary \x00\r\n\r\n",
    b"\r\n\r\n\r\n\r\n",
], ids=["garbage", "http", "no-length", "negative", "not-a-number",
        "zero", "empty", "two-numbers", "hex", "binary", "blank"])
def test_bad_framing_is_dropped_and_the_adapter_stays(dap, prog, junk):
    assert dap.send_bytes(junk)
    initialize(dap)
    assert_alive(dap)
    run_to_end(dap, prog)


@pytest.mark.parametrize("body", [
    b"{not json", b"[1, 2, 3]", b"42", b'"a string"', b"null", b"true",
    b"", b"{", b"}", b'{"seq": 1, "type": "request", "command": "init',
    b"\xff\xfe\xfd", b"[" * 100000 + b"]" * 100000,
    b'{"a":' * 50000 + b"1" + b"}" * 50000,
], ids=["not-json", "array", "number", "string", "null", "true", "empty",
        "open", "close", "cut", "not-utf8", "deep-array", "deep-object"])
def test_a_body_that_is_not_a_json_object_is_dropped(dap, prog, body):
    assert dap.send_bytes(frame(body))
    initialize(dap)
    run_to_end(dap, prog)


@pytest.mark.parametrize("msg", [
    {"type": "request", "command": "initialize"},
    {"seq": 7, "type": "request"},
    {"seq": 7, "type": "request", "command": None},
    {"seq": 7, "type": "request", "command": 42},
    {"seq": "7", "type": "request", "command": "threads"},
    {"seq": -7, "type": "request", "command": "threads"},
    {"seq": 7, "type": "event", "event": "stopped"},
    {"seq": 7, "type": "response", "request_seq": 1, "success": True,
     "command": "runInTerminal"},
    {"seq": 7, "type": "nonsense", "command": "threads"},
], ids=["no-seq", "no-command", "null-command", "number-command",
        "string-seq", "negative-seq", "event", "response", "bad-type"])
def test_a_message_without_seq_or_command_is_dropped(dap, prog, msg):
    dap.seq = 100
    assert dap.send_bytes(frame(msg))
    initialize(dap)
    run_to_end(dap, prog)


def test_an_unknown_command_gets_an_error_and_the_session_goes_on(dap,
                                                                  prog):
    for cmd in ("frobnicate", "restart", "gotoTargets", "x" * 10000,
                "\u00e9t\u00e9", "Threads"):
        resp = dap.request(cmd, {})
        assert_error(resp)
        assert len(resp["message"]) < 1000
    initialize(dap)
    thread = run_to_end(dap, prog, stop_on_entry=True)
    assert_error(dap.request("frobnicate", {"threadId": thread}))
    finish(dap, thread)


def test_the_adapters_notices_are_not_the_programs_output(dap, prog):
    """What the adapter says of dropped input goes to its own stderr or
    to the console category, never into the program's stdout/stderr."""
    initialize(dap)
    thread, _, _ = entry_stop(dap, prog)
    dap.send_bytes(frame(b"{not json"))
    assert_alive(dap)
    finish(dap, thread)
    assert "cpdb:" not in dap.output("stderr") + dap.output("stdout")


def test_a_body_over_the_limit_closes_the_connection(tmp_path):
    c = DapClient.spawn([CPDB, "--dap"], env=env(), cwd=str(tmp_path))
    initialize(c)
    n = LIMIT_MIB * 1024 * 1024 + 1
    c.send_bytes(b"Content-Length: %d\r\n\r\n" % n)
    c.wait_closed(timeout=10)
    rc = c.close(timeout=10)
    assert 0 <= rc < 128, (rc, c.stderr())
    # Lengths beyond 64 bits: refused as too big, or dropped as not a
    # number; either way no crash, and no wait for the body.
    for huge in (b"99999999999999999999999999", b"18446744073709551617"):
        c = DapClient.spawn([CPDB, "--dap"], env=env(), cwd=str(tmp_path))
        c.send_bytes(b"Content-Length: " + huge + b"\r\n\r\n{}")
        try:
            c.wait_closed(timeout=2)
        except DapError:
            initialize(c)
        assert 0 <= c.close(timeout=10) < 128, c.stderr()


def test_a_big_body_under_the_limit_is_read(dap, prog):
    initialize(dap)
    thread, frame_id, _ = entry_stop(dap, prog)
    expr = "len(%r)" % ("y" * (4 * 1024 * 1024))
    body = dap.call("evaluate", {"expression": expr, "frameId": frame_id,
                                 "context": "watch"}, timeout=30)
    assert body["result"] == str(4 * 1024 * 1024)
    finish(dap, thread)


# -- requests with bad arguments -------------------------------------------

def test_requests_before_launch_get_errors(dap, prog):
    initialize(dap)
    for cmd, args in [
            ("stackTrace", {"threadId": 1}),
            ("scopes", {"frameId": 1}),
            ("variables", {"variablesReference": 1}),
            ("evaluate", {"expression": "1", "frameId": 1,
                          "context": "watch"}),
            ("setVariable", {"variablesReference": 1, "name": "x",
                             "value": "2"}),
            ("next", {"threadId": 1}),
            ("stepIn", {"threadId": 1}),
            ("stepOut", {"threadId": 1}),
            ("continue", {"threadId": 1}),
            ("exceptionInfo", {"threadId": 1}),
            ("completions", {"text": "x", "column": 2, "frameId": 1})]:
        assert_error(dap.request(cmd, args), cmd)
    for cmd, args in [("threads", {}), ("pause", {"threadId": 1})]:
        assert dap.request(cmd, args)["command"] == cmd
    run_to_end(dap, prog)


@pytest.mark.parametrize("args", [
    {}, {"program": 42}, {"program": ["a"]}, {"program": None},
    {"module": 5}, {"program": "/nonexistent/dir/prog.py"},
    {"program": "PROG", "args": "a b"}, {"program": "PROG", "args": [1, 2]},
    {"program": "PROG", "env": ["A=1"]}, {"program": "PROG", "env": {"A": 1}},
    {"program": "PROG", "cwd": 5}, {"program": "PROG", "cwd": "/nonexistent"},
    {"program": "PROG", "stopOnEntry": "yes"},
    {"program": "PROG", "justMyCode": 1},
], ids=["empty", "program-int", "program-list", "program-null",
        "module-int", "no-such-file", "args-string", "args-ints",
        "env-list", "env-int-value", "cwd-int", "cwd-missing",
        "stopOnEntry-string", "justMyCode-int"])
def test_a_bad_launch_gets_an_error_and_a_good_one_then_runs(dap, prog,
                                                            args):
    initialize(dap)
    args = {k: (prog if v == "PROG" else v) for k, v in args.items()}
    assert_error(dap.request("launch", args, timeout=15), "launch")
    assert dap.events_named("exited") == []
    assert "hello" not in dap.output()
    run_to_end(dap, prog)


def test_arguments_that_are_not_an_object_get_errors(dap, prog):
    """Before launch and at a stop; terminate and disconnect with them
    end nothing."""
    initialize(dap)
    for seq, args in enumerate(([1], "x", 5, True, None), 500):
        assert dap.send_bytes(frame({"seq": seq, "type": "request",
                                     "command": "launch",
                                     "arguments": args}))
        assert_error(dap.response(seq), "launch")
    thread, _, _ = entry_stop(dap, prog)
    for seq, cmd in enumerate(("stackTrace", "evaluate", "threads",
                               "setBreakpoints", "variables", "terminate",
                               "disconnect"), 600):
        assert dap.send_bytes(frame({"seq": seq, "type": "request",
                                     "command": cmd, "arguments": [1]}))
        assert_error(dap.response(seq), cmd)
    assert_alive(dap)
    assert dap.events_named("exited") == []
    finish(dap, thread)


def test_a_second_launch_and_attach_get_errors(dap, prog):
    initialize(dap)
    thread = run_to_end(dap, prog, stop_on_entry=True)
    assert_error(dap.request("launch", {"program": prog}), "launch")
    assert_error(dap.request("attach", {"pid": os.getpid()}), "attach")
    assert len(dap.events_named("stopped")) == 1
    finish(dap, thread)


@pytest.mark.parametrize("args", [
    {}, {"pid": "x"}, {"pid": -1}, {"pid": 0}, {"pid": 2 ** 40},
    {"pid": 1.5}, {"host": 5, "port": 1}, {"host": "127.0.0.1", "port": "x"},
    {"host": "127.0.0.1", "port": -1}, {"host": "127.0.0.1", "port": 70000},
], ids=["empty", "pid-string", "pid-negative", "pid-zero", "pid-huge",
        "pid-float", "host-int", "port-string", "port-negative",
        "port-huge"])
def test_a_bad_attach_gets_an_error(dap, prog, args):
    initialize(dap)
    assert_error(dap.request("attach", args, timeout=20), "attach")
    run_to_end(dap, prog)


def bad_argument_cases(prog, thread, frame_id, ref):
    """(command, arguments) that must each get an error response at a
    stop where thread, frame_id and ref are valid."""
    cases = []
    for bad in BAD_IDS:
        cases += [("stackTrace", {"threadId": bad}),
                  ("scopes", {"frameId": bad}),
                  ("variables", {"variablesReference": bad}),
                  ("setVariable", {"variablesReference": bad, "name": "x",
                                   "value": "2"}),
                  ("evaluate", {"expression": "x", "frameId": bad,
                                "context": "watch"}),
                  ("exceptionInfo", {"threadId": bad}),
                  ("next", {"threadId": bad}),
                  ("stepIn", {"threadId": bad}),
                  ("stepOut", {"threadId": bad})]
    cases += [
        ("stackTrace", {}),
        ("stackTrace", {"threadId": thread, "startFrame": "x"}),
        ("stackTrace", {"threadId": thread, "levels": "x"}),
        ("scopes", {}),
        ("variables", {}),
        ("variables", {"variablesReference": ref, "start": "x"}),
        ("variables", {"variablesReference": ref, "count": "x"}),
        ("setVariable", {"variablesReference": ref, "name": "x"}),
        ("setVariable", {"variablesReference": ref, "value": "2"}),
        ("setVariable", {"variablesReference": ref, "name": 5,
                         "value": "2"}),
        ("setVariable", {"variablesReference": ref, "name": "x",
                         "value": 2}),
        ("setVariable", {"variablesReference": ref, "name": "x",
                         "value": "1 +"}),
        ("setVariable", {"variablesReference": ref, "name": "x",
                         "value": "1/0"}),
        ("evaluate", {}),
        ("evaluate", {"expression": 5, "frameId": frame_id}),
        ("evaluate", {"expression": None, "frameId": frame_id}),
        ("evaluate", {"expression": "1/0", "frameId": frame_id,
                      "context": "watch"}),
        ("evaluate", {"expression": "1/0", "frameId": frame_id,
                      "context": "repl"}),
        ("evaluate", {"expression": "1 +", "frameId": frame_id,
                      "context": "watch"}),
        ("evaluate", {"expression": "1 +", "frameId": frame_id,
                      "context": "repl"}),
        ("evaluate", {"expression": ")(", "frameId": frame_id,
                      "context": "hover"}),
        ("evaluate", {"expression": "undefined_name_xyz",
                      "frameId": frame_id, "context": "hover"}),
        ("evaluate", {"expression": "raise ValueError('boom')",
                      "frameId": frame_id, "context": "repl"}),
        ("evaluate", {"expression": "`no_such_command_xyz",
                      "frameId": frame_id, "context": "repl"}),
        ("completions", {}),
        ("completions", {"text": 5, "column": 1, "frameId": frame_id}),
        ("completions", {"text": "x", "column": "1", "frameId": frame_id}),
        ("exceptionInfo", {"threadId": thread}),
        ("setBreakpoints", {}),
        ("setBreakpoints", {"source": "x"}),
        ("setBreakpoints", {"source": {}}),
        ("setBreakpoints", {"source": {"path": 5}}),
        ("setBreakpoints", {"source": {"path": prog}, "breakpoints": "x"}),
        ("setBreakpoints", {"source": {"path": prog},
                            "breakpoints": [{"line": "2"}]}),
        ("setBreakpoints", {"source": {"path": prog},
                            "breakpoints": [{}]}),
        ("setBreakpoints", {"source": {"path": prog},
                            "breakpoints": [{"line": 2, "condition": 5}]}),
        ("setBreakpoints", {"source": {"path": prog},
                            "breakpoints": [5]}),
        ("setFunctionBreakpoints", {}),
        ("setFunctionBreakpoints", {"breakpoints": "never_called"}),
        ("setFunctionBreakpoints", {"breakpoints": [{"name": 5}]}),
        ("setFunctionBreakpoints", {"breakpoints": [{}]}),
        ("setExceptionBreakpoints", {}),
        ("setExceptionBreakpoints", {"filters": "raised"}),
        ("setExceptionBreakpoints", {"filters": [5]}),
    ]
    return cases


def test_every_request_with_bad_arguments_gets_an_error(dap, prog):
    initialize(dap)
    thread, frame_id, ref = entry_stop(dap, prog)
    frames = dap.call("stackTrace", {"threadId": thread})["stackFrames"]
    failures = []
    for cmd, args in bad_argument_cases(prog, thread, frame_id, ref):
        resp = dap.request(cmd, args, timeout=15)
        try:
            assert_error(resp, cmd)
        except AssertionError:
            failures.append((cmd, args, resp.get("success"),
                             resp.get("message")))
        assert_alive(dap)
    assert failures == []
    # Still at the entry stop: nothing above moved the program.
    assert len(dap.events_named("stopped")) == 1
    assert dap.call("stackTrace", {"threadId": thread})[
        "stackFrames"][0]["line"] == frames[0]["line"]
    finish(dap, thread)


# Requests that resume, pause or complete, each with a thread or frame
# that is missing, ill-typed or out of range: each gets an error and
# nothing moves (an adapter that took any threadId would resume the
# program).  A continue that names a thread number no thread has resumes
# them all, as the all-stop continue does whatever thread it names.
RESUMES = [("continue", {"threadId": "1"}), ("continue", {"threadId": 1.5}),
           ("continue", {"threadId": None}), ("continue", {}),
           ("continue", {"threadId": -1}),
           ("pause", {"threadId": "1"}), ("pause", {"threadId": [1]}),
           ("pause", {}), ("next", {}), ("stepIn", {}), ("stepOut", {}),
           ("completions", {"text": "x", "column": 2, "frameId": "1"}),
           ("completions", {"text": "x", "column": 2, "frameId": -1}),
           ("variables", {"variablesReference": "REF", "filter": 5})]


@pytest.mark.parametrize("cmd,args", RESUMES,
                         ids=["%s-%d" % (c, i)
                              for i, (c, _) in enumerate(RESUMES)])
def test_resuming_with_a_bad_thread_gets_an_error(dap, prog, cmd, args):
    initialize(dap)
    thread, _, ref = entry_stop(dap, prog)
    args = {k: (ref if v == "REF" else v) for k, v in args.items()}
    resp = dap.request(cmd, args)
    moved = resp["success"] and cmd in ("continue", "next", "stepIn",
                                        "stepOut")
    try:
        assert_error(resp, cmd)
    finally:
        if moved:
            dap.wait_event("exited" if cmd == "continue" else "stopped")
        if not dap.events_named("exited"):
            finish(dap, thread)


@pytest.mark.parametrize("big", [2 ** 63, 2 ** 64, 10 ** 30, -2 ** 63 - 1])
def test_integers_beyond_64_bits_get_an_error_or_are_dropped(dap, prog,
                                                             big):
    """JSON allows any integer; a library may refuse the message (then
    no seq is known and it is dropped).  An answer, if one comes, is an
    error; nothing moves."""
    initialize(dap)
    thread = run_to_end(dap, prog, stop_on_entry=True)
    for cmd, key in (("stackTrace", "threadId"), ("scopes", "frameId"),
                     ("variables", "variablesReference"),
                     ("continue", "threadId"), ("next", "threadId")):
        seq = dap.send(cmd, {key: big})
        assert_alive(dap)
        if seq in dap.responses:
            assert_error(dap.responses[seq], cmd)
    assert len(dap.events_named("stopped")) == 1
    finish(dap, thread)


def test_set_variable_of_a_local_sticks_or_says_why(dap, prog):
    """setVariable in the Locals scope (at module level: the globals)
    with a value, one that does not compile and one that raises."""
    initialize(dap)
    thread, frame_id, _ = entry_stop(dap, prog)
    scopes = dap.call("scopes", {"frameId": frame_id})["scopes"]
    local = next(s for s in scopes if s["name"] == "Locals")
    ref = local["variablesReference"]
    body = dap.call("setVariable", {"variablesReference": ref,
                                    "name": "answer", "value": "6 * 7"})
    assert body["value"] == "42"
    for value, why in (("1 +", "SyntaxError"), ("1/0", "ZeroDivisionError"),
                       ("1)(", "SyntaxError"), ("", "SyntaxError"),
                       ("1)\nanswer = (2", "SyntaxError")):
        resp = dap.request("setVariable", {"variablesReference": ref,
                                           "name": "answer",
                                           "value": value})
        assert_error(resp, "setVariable")
        assert why in resp["message"]
    assert_error(dap.request("setVariable", {"variablesReference": ref,
                                             "name": "not a name",
                                             "value": "1"}), "setVariable")
    assert dap.call("evaluate", {"expression": "answer",
                                 "frameId": frame_id,
                                 "context": "watch"})["result"] == "42"
    finish(dap, thread)


def test_odd_but_valid_values_are_answered(dap, prog):
    """Values that are of the right type but out of range get an answer
    (an error or an empty result), never a crash or silence."""
    initialize(dap)
    thread, frame_id, ref = entry_stop(dap, prog)
    for cmd, args in [
            ("stackTrace", {"threadId": thread, "startFrame": 10 ** 6}),
            ("stackTrace", {"threadId": thread, "startFrame": -5,
                            "levels": -5}),
            ("stackTrace", {"threadId": thread, "levels": 2 ** 62}),
            ("variables", {"variablesReference": ref, "start": 10 ** 9,
                           "count": 10}),
            ("variables", {"variablesReference": ref, "start": -1,
                           "count": -1}),
            ("variables", {"variablesReference": ref, "filter": "bogus"}),
            ("completions", {"text": "x", "column": -100,
                             "frameId": frame_id}),
            ("completions", {"text": "x", "column": 10 ** 9,
                             "frameId": frame_id}),
            ("completions", {"text": "", "column": 1, "frameId": frame_id}),
            ("evaluate", {"expression": "x", "frameId": frame_id,
                          "context": "bogus"}),
            ("evaluate", {"expression": "", "frameId": frame_id,
                          "context": "repl"}),
            ("setBreakpoints", {"source": {"path": prog},
                                "breakpoints": [{"line": -3},
                                                {"line": 0},
                                                {"line": 10 ** 6}]}),
            ("setExceptionBreakpoints", {"filters": ["bogus"]})]:
        resp = dap.request(cmd, args, timeout=15)
        assert resp["command"] == cmd and resp["request_seq"] == dap.seq
        if not resp["success"]:
            assert_error(resp, cmd)
        elif cmd == "setBreakpoints":
            bps = resp["body"]["breakpoints"]
            assert len(bps) == 3 and not bps[2].get("verified"), bps
    dap.call("setBreakpoints", {"source": {"path": prog}, "breakpoints": []})
    dap.call("setExceptionBreakpoints", {"filters": []})
    finish(dap, thread)


def test_breakpoints_in_a_file_that_does_not_exist(dap, prog, tmp_path):
    """An error, or breakpoints that stay unverified; the program runs
    as if they were not there."""
    def configure(c):
        for path in (str(tmp_path / "nope.py"), "/nonexistent/dir/x.py",
                     "", "relative/nope.py"):
            resp = c.request("setBreakpoints", {
                "source": {"path": path},
                "breakpoints": [{"line": 1}, {"line": 2}]})
            if resp["success"]:
                assert not any(b.get("verified")
                               for b in resp["body"]["breakpoints"]), resp
            else:
                assert_error(resp, "setBreakpoints")

    initialize(dap)
    dap.launch({"program": prog}, configure=configure)
    finish(dap)


def test_evaluate_that_raises_says_why_in_one_line(dap, prog):
    initialize(dap)
    thread, frame_id, _ = entry_stop(dap, prog)
    for expr, why in (("1/0", "ZeroDivisionError"),
                      ("undefined_name_xyz", "NameError"),
                      ("1 +", "SyntaxError"),
                      ("[" * 200 + "]" * 200, None),
                      ("(" * 5000, None)):
        resp = dap.request("evaluate", {"expression": expr,
                                        "frameId": frame_id,
                                        "context": "watch"}, timeout=15)
        if why is None and resp["success"]:
            continue
        assert_error(resp, "evaluate")
        if why is not None:
            assert why in resp["message"]
    finish(dap, thread)


FOREVER = """\
import time
n = 0
while True:
    n += 1
    time.sleep(0.001)
"""


def test_requests_while_the_program_runs_get_errors(dap, tmp_path):
    """While the program runs, what needs a stop is refused; pause then
    stops it, and the same requests are answered."""
    prog = tmp_path / "forever.py"
    prog.write_text(FOREVER)
    initialize(dap)
    dap.launch({"program": str(prog)})
    time.sleep(0.2)
    for cmd, args in [("stackTrace", {"threadId": 1}),
                      ("scopes", {"frameId": 1}),
                      ("variables", {"variablesReference": 1}),
                      ("evaluate", {"expression": "n", "frameId": 1,
                                    "context": "watch"}),
                      ("next", {"threadId": 1}),
                      ("exceptionInfo", {"threadId": 1})]:
        assert_error(dap.request(cmd, args), cmd)
    assert dap.events_named("stopped") == []
    dap.call("pause", {"threadId": 1})
    ev = dap.wait_event("stopped", timeout=10)
    assert ev["body"]["reason"] == "pause"
    frames = dap.call("stackTrace", {"threadId": ev["body"]["threadId"]})[
        "stackFrames"]
    assert int(dap.call("evaluate", {"expression": "n",
                                     "frameId": frames[0]["id"],
                                     "context": "watch"})["result"]) > 0
    dap.call("disconnect", {"terminateDebuggee": True})


@pytest.mark.parametrize("cut", [b"Content-Len",
                                 b"Content-Length: 50\r\n",
                                 b'Content-Length: 50\r\n\r\n{"seq": 9'],
                         ids=["header", "no-blank-line", "body"])
def test_end_of_input_in_the_middle_of_a_message(tmp_path, cut):
    """The client goes away in the middle of a message, at a stop and
    while the program runs forever: cpdb ends, without a crash."""
    prog = tmp_path / "forever.py"
    prog.write_text(FOREVER)
    for stop in (True, False):
        c = DapClient.spawn([CPDB, "--dap"], env=env(), cwd=str(tmp_path))
        initialize(c)
        c.launch({"program": str(prog), "stopOnEntry": stop})
        if stop:
            c.wait_event("stopped", timeout=10)
        c.send_bytes(cut)
        rc = c.close(timeout=10)
        assert 0 <= rc < 128, (rc, c.stderr())
    assert not [f for f in os.listdir(tmp_path) if f.startswith("core")]


# -- the fuzz loop -------------------------------------------------------

def base_messages(prog, thread, frame_id, ref):
    """Valid requests that leave the program where it is."""
    return [
        {"command": "threads"},
        {"command": "stackTrace", "arguments": {"threadId": thread,
                                                "startFrame": 0,
                                                "levels": 20}},
        {"command": "scopes", "arguments": {"frameId": frame_id}},
        {"command": "variables", "arguments": {"variablesReference": ref,
                                               "start": 0, "count": 10}},
        {"command": "evaluate", "arguments": {"expression": "x + 1",
                                              "frameId": frame_id,
                                              "context": "watch"}},
        {"command": "evaluate", "arguments": {"expression": "(1, 2)[0]",
                                              "frameId": frame_id,
                                              "context": "hover"}},
        {"command": "completions", "arguments": {"text": "pri",
                                                 "column": 4,
                                                 "frameId": frame_id}},
        {"command": "setBreakpoints", "arguments": {
            "source": {"path": prog},
            "breakpoints": [{"line": 4, "condition": "x > 100",
                             "hitCondition": "5"}]}},
        {"command": "setFunctionBreakpoints", "arguments": {
            "breakpoints": [{"name": "never_called"}]}},
        {"command": "setExceptionBreakpoints", "arguments": {
            "filters": ["uncaught"]}},
        {"command": "exceptionInfo", "arguments": {"threadId": thread}},
        {"command": "initialize", "arguments": {"adapterID": "cpdb"}},
    ]


def mutate(rng, body, others):
    """Return: body (bytes) with one to three mutations."""
    b = bytearray(body)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 0 and b:                       # flip bits of a byte
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and b:                     # a random byte
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 2 and b:                     # truncate
            del b[rng.randrange(len(b)):]
        elif op == 3:                           # splice with another
            o = rng.choice(others)
            i, j = rng.randrange(len(b) + 1), rng.randrange(len(o) + 1)
            b = b[:i] + o[j:]
        elif op == 4 and b:                     # duplicate a slice
            i = rng.randrange(len(b))
            j = rng.randrange(i, min(len(b), i + 40) + 1)
            b[i:i] = b[i:j]
        else:                                   # insert JSON punctuation
            b.insert(rng.randrange(len(b) + 1), ord(rng.choice('{}[]:,"\\')))
    return bytes(b)


# Values a structural mutation puts in place of another: each of the
# wrong type or out of range somewhere.
POOL = [None, True, False, -1, 0, 1, 2 ** 31, 2 ** 53, -2 ** 31, 1.5, "",
        "x", "y" * 1000, "\u00e9\u4e2d", [], {}, [1, "a"], {"a": None},
        [[[[]]]], "1/0", "`bt", "!x"]


# The JSON type of each argument the base messages carry.
ARG_TYPES = {"threadId": int, "frameId": int, "variablesReference": int,
             "start": int, "count": int, "startFrame": int, "levels": int,
             "line": int, "column": int, "expression": str, "text": str,
             "context": str, "path": str, "name": str, "condition": str,
             "hitCondition": str, "breakpoints": list,
             "filters": list, "source": dict}


def ill_typed(key, value):
    """Whether value, not null, is not of the JSON type of argument
    key (a boolean is not an integer)."""
    want = ARG_TYPES.get(key)
    if want is None or value is None:
        return False
    if want is int:
        return type(value) is not int
    return not isinstance(value, want)


def mutate_structure(rng, msg, commands):
    """Return: (a copy of msg (a request) with one value replaced, a key
    removed or added, or its command swapped for another's; whether an
    argument it kept is now of the wrong type)."""
    msg = json.loads(json.dumps(msg))
    places = []

    def walk(v):
        if isinstance(v, dict):
            for k in v:
                places.append((v, k))
                walk(v[k])
        elif isinstance(v, list):
            for i in range(len(v)):
                places.append((v, i))
                walk(v[i])
    walk(msg.get("arguments"))
    # Mostly a value of the arguments; now and then seq, type, command or
    # arguments themselves.
    if not places or rng.random() < 0.15:
        places = [(msg, k) for k in msg]
    op = rng.choice([0, 0, 0, 1, 2, 3])
    where, key = rng.choice(places)
    bad = False
    if op == 0:
        where[key] = rng.choice(POOL)
        bad = where is not msg and ill_typed(key, where[key])
    elif op == 1 and isinstance(where, dict):
        del where[key]
    elif op == 2 and isinstance(where, dict):
        where[rng.choice(["extra", "seq", "line", "threadId", "frameId",
                          "variablesReference", "arguments"])] = \
            rng.choice(POOL)
    else:
        msg["command"] = rng.choice(commands)
    return msg, bad


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def expected_request(body):
    """Return: (seq, command) when body is beyond doubt a JSON request
    with a seq and a command (what any JSON library reads the same way),
    else None."""
    if b"\\u" in body.lower():
        return None
    try:
        msg = json.loads(body.decode("utf-8"), object_pairs_hook=no_duplicates,
                         parse_constant=lambda c: 1 / 0)
    except (ValueError, ZeroDivisionError):
        return None
    if not isinstance(msg, dict) or msg.get("type") != "request":
        return None
    seq, cmd = msg.get("seq"), msg.get("command")
    if (type(seq) is not int or not 0 < seq < 2 ** 31
            or not isinstance(cmd, str) or not cmd):
        return None
    return seq, cmd


def test_fuzzed_messages_never_break_the_adapter(dap, prog):
    # DAP_FUZZ_SEED runs another seed (each fixed seed gives the same
    # messages every run, so a failure can be run again).
    rng = random.Random(int(os.environ.get("DAP_FUZZ_SEED", "1313")))
    initialize(dap)
    thread, frame_id, ref = entry_stop(dap, prog)
    bases = base_messages(prog, thread, frame_id, ref)
    dap.seq = 2 ** 30          # our own requests: far from mutated seqs

    def encoded(seq):
        return json.dumps(dict(rng.choice(bases), seq=seq,
                               type="request")).encode()

    # Bodies mutated, framing kept: bytes flipped, cut, spliced (most no
    # longer JSON), or values of the request replaced by values of other
    # types (requests with bad arguments).  Whatever reads as a request
    # with a seq and a command is answered.  Each message starts with a
    # seq of its own, so that an answer tells which message it answers.
    commands = [b["command"] for b in bases]
    expected, must_fail, seq = [], {}, 10000
    for batch in range(30):
        for i in range(80):
            seq += 1
            bad = False
            if i % 2:
                body = mutate(rng, encoded(seq), [encoded(0), encoded(0)])
            else:
                msg, bad = mutate_structure(rng, json.loads(encoded(seq)),
                                            commands)
                body = json.dumps(msg, ensure_ascii=False).encode()
            want = expected_request(body)
            if want is not None:
                expected.append(want)
                if bad:
                    must_fail[want[0]] = body
            assert dap.send_bytes(frame(body))
        assert_alive(dap)
    time.sleep(0.2)
    answered = {r["request_seq"] for r in list(dap.response_log)}
    missing = [w for w in expected if w[0] not in answered]
    assert missing == [], missing[:10]
    taken = [must_fail[r["request_seq"]] for r in list(dap.response_log)
             if r["request_seq"] in must_fail and r["success"]]
    assert taken == [], taken[:5]
    assert len(must_fail) > 150
    assert len(expected) > 800
    errors = [r for r in list(dap.response_log) if not r["success"]]
    assert errors and all("\n" not in r["message"].strip()
                          for r in errors)

    # Framing mutated: lengths off by a little, headers broken.  The
    # adapter may read a message's end as the next one's start; it must
    # find its feet again.
    for _ in range(600):
        body = encoded(rng.randrange(1, 10000))
        if rng.random() < 0.5:
            body = mutate(rng, body, [encoded(0)])
        n = len(body) + rng.choice([0, 0, -1, 1, -10, 10, -len(body), 64])
        header = rng.choice([b"Content-Length: %d\r\n\r\n" % n,
                             b"Content-Length:%d\r\n\r\n" % n,
                             b"content-length: %d\r\n\r\n" % n,
                             b"Content-Length: %d\r\n" % n,
                             b"Content-Length: %d\n\n" % n,
                             b"Content-Lenght: %d\r\n\r\n" % n,
                             b"Content-Length: %d\r\nX: y\r\n\r\n" % n,
                             b"\r\n\r\n"])
        dap.send_bytes(header + body)
    # A run of CRLFs longer than any length above overshot ends a body
    # being read, then the adapter's answer to one of a few valid
    # requests shows it reads messages again.
    dap.send_bytes(b"\r\n" * 200)
    for _ in range(5):
        seq_ok = dap.send("threads")
        try:
            dap.response(seq_ok, timeout=3)
            break
        except DapError:
            dap.send_bytes(b"\r\n\r\n")
    else:
        pytest.fail("the adapter no longer answers after the fuzz loop")

    # Clear what mutated requests may have set, then run to the end.
    dap.call("setBreakpoints", {"source": {"path": prog}, "breakpoints": []})
    dap.call("setFunctionBreakpoints", {"breakpoints": []})
    dap.call("setExceptionBreakpoints", {"filters": []})
    assert len(dap.events_named("stopped")) == 1
    finish(dap, thread)


# -- --listen ------------------------------------------------------------

LISTENING = re.compile(r"cpdb: listening on (\S+):(\d+) \(token (.+)\)")


def listen(tmp_path, *extra, token="s3cret"):
    e = env()
    if token is not None:
        e["CPDB_TOKEN"] = token
    p = subprocess.Popen([CPDB, "--dap", "--listen", "127.0.0.1:0"]
                         + list(extra), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=e, cwd=str(tmp_path), bufsize=0)
    line = p.stderr.readline().decode()
    m = LISTENING.search(line)
    assert m, line
    shown = m.group(3)
    if token is not None:
        assert shown == "from CPDB_TOKEN" and token not in line, line
        shown = token
    return p, m.group(1), int(m.group(2)), shown


RAN = """\
import sys
open(sys.argv[1], "w").write("ran")
print("the program ran")
sys.exit(3)
"""


@pytest.mark.parametrize("token", ["wrong", None, "", 5],
                         ids=["wrong", "missing", "empty", "number"])
def test_listen_refuses_a_wrong_token(tmp_path, token):
    """A wrong token: an error, the connection closed, the program not
    started; the listener then serves a client with the right one."""
    prog = tmp_path / "ran.py"
    prog.write_text(RAN)
    marker = tmp_path / "marker"
    p, host, port, real = listen(tmp_path)
    assert real == "s3cret"
    args = {"program": str(prog), "args": [str(marker)]}
    c = DapClient.connect(host, port)
    try:
        initialize(c)
        if token is not None:
            args["token"] = token
        assert_error(c.request("launch", args, timeout=15), "launch")
        c.wait_closed(timeout=10)
        assert not marker.exists()
        assert "the program ran" not in c.output()
        assert c.events_named("exited") == []
    finally:
        c.sock.close()
    assert p.poll() is None
    c = DapClient.connect(host, port, proc=p)
    initialize(c)
    c.launch(dict(args, token=real))
    assert c.wait_event("exited", timeout=15)["body"]["exitCode"] == 3
    assert marker.read_text() == "ran"
    c.request("disconnect", {})
    assert 0 <= c.close(timeout=15) < 128, c.stderr()
    p.stdout.close()


def test_listen_with_the_token_runs_the_program(tmp_path):
    prog = tmp_path / "ran.py"
    prog.write_text(RAN)
    marker = tmp_path / "marker"
    p, host, port, token = listen(tmp_path, token=None)
    assert token
    c = DapClient.connect(host, port, proc=p)
    initialize(c)
    c.launch({"program": str(prog), "args": [str(marker)], "token": token})
    assert c.wait_event("exited", timeout=15)["body"]["exitCode"] == 3
    assert "the program ran" in c.wait_output("the program ran",
                                              category="stdout")
    c.request("disconnect", {})
    assert marker.read_text() == "ran"
    assert 0 <= c.close(timeout=15) < 128, c.stderr()
    assert p.stdout.read() == b""       # nothing on stdout, ever
    p.stdout.close()


@pytest.mark.parametrize("address", ["0.0.0.0:0", "[::]:0"])
def test_listen_refuses_a_remote_address(tmp_path, address):
    p = subprocess.run([CPDB, "--dap", "--listen", address],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       env=env(), cwd=str(tmp_path), timeout=15)
    assert p.returncode == 2, p
    assert p.stdout == b""
    err = p.stderr.decode().strip()
    assert "\n" not in err and "not a loopback address" in err, err
    assert "--allow-remote" in err
