"""A small synchronous Debug Adapter Protocol client, for tests and
benchmarks (standard library only; Python 3.8 and later).

It starts an adapter as a subprocess (``DapClient.spawn(["cpdb",
"--dap"])``) or connects to one over TCP (``DapClient.connect(host,
port)``).  A reader thread parses every message the adapter sends, so
that an adapter writing while the test writes never blocks on a full
pipe; the calls the test makes wait on what it collected:

    c = DapClient.spawn([cpdb, "--dap"])
    c.request("initialize", {"adapterID": "cpdb"})
    c.launch({"program": path}, breakpoints={path: [3]})
    c.wait_event("stopped")
    c.request("next", {"threadId": 1})
    ...
    c.close()

Every event is kept (``c.events``), so the program's output can be read
after the fact (``c.output("stdout")``).  ``send_bytes()`` writes raw
bytes for hostile tests; anything the adapter writes that is not a
well-framed JSON object is kept in ``c.garbage``.
"""

import json
import os
import socket
import subprocess
import threading
import time

__all__ = ["DapClient", "DapError", "DapTimeout", "frame"]


class DapError(Exception):
    """The adapter answered success: false, or closed the stream."""

    def __init__(self, message, response=None):
        super().__init__(message)
        self.response = response


class DapTimeout(DapError):
    """No answer within the time given."""


def frame(body):
    """Return: body (a dict, a str or bytes) as one framed message."""
    if isinstance(body, dict):
        body = json.dumps(body, separators=(",", ":"))
    if isinstance(body, str):
        body = body.encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class DapClient:
    """One connection to one adapter.  Use spawn() or connect()."""

    def __init__(self, reader, writer, proc=None, sock=None):
        self._reader = reader         # callable(n) -> bytes, b"" at end
        self._writer = writer         # callable(bytes)
        self.proc = proc              # the adapter, when spawned
        self.sock = sock
        self.seq = 0
        self.events = []              # every event, in order
        self.responses = {}           # request_seq -> last response
        self.response_log = []        # every response, in order
        self.reverse_requests = []    # requests the adapter sent us
        self.garbage = []             # what was not a framed JSON object
        self.closed = False           # the adapter's stream ended
        self._taken = set()           # ids of events wait_event returned
        self._cond = threading.Condition()
        self._stderr = []
        self._wlock = threading.Lock()
        self._thread = threading.Thread(target=self._read_loop,
                                        daemon=True)
        self._thread.start()
        self._err_thread = None
        if proc is not None and proc.stderr is not None:
            self._err_thread = threading.Thread(target=self._drain_stderr,
                                                daemon=True)
            self._err_thread.start()

    # -- starting --------------------------------------------------------

    @classmethod
    def spawn(cls, cmd, env=None, cwd=None, stderr=subprocess.PIPE):
        """Return: a client talking to cmd (a list) over its stdio."""
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=stderr,
                                env=env, cwd=cwd, bufsize=0)
        fd = proc.stdout.fileno()

        def write(data):
            proc.stdin.write(data)
            proc.stdin.flush()

        return cls(lambda n: os.read(fd, n), write, proc=proc)

    @classmethod
    def connect(cls, host, port, timeout=10.0, proc=None):
        """Return: a client connected to an adapter listening at
        host:port, retried until timeout (the adapter may still be
        starting).  proc, if given, is the adapter's process (kept for
        wait() and stderr())."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((host, int(port)),
                                                timeout=timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock.recv, sock.sendall, proc=proc, sock=sock)

    # -- reading ---------------------------------------------------------

    def _drain_stderr(self):
        fd = self.proc.stderr.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                return
            with self._cond:
                self._stderr.append(data)
                self._cond.notify_all()

    def _read_loop(self):
        buf = b""
        while True:
            try:
                data = self._reader(65536)
            except OSError:
                data = b""
            if not data:
                break
            buf += data
            while True:
                msg, buf = self._parse_one(buf)
                if msg is None:
                    break
                self._deliver(msg)
        with self._cond:
            if buf:
                self.garbage.append(buf)
            self.closed = True
            self._cond.notify_all()

    def _parse_one(self, buf):
        """Return: (message or None, rest of buf).  Bytes that cannot
        start a message are moved to self.garbage."""
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return None, buf
        length = None
        for line in buf[:end].split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    length = None
        if length is None or length < 0:
            with self._cond:
                self.garbage.append(buf[:end + 4])
            return None, buf[end + 4:]
        start = end + 4
        if len(buf) < start + length:
            return None, buf
        body = buf[start:start + length]
        rest = buf[start + length:]
        try:
            msg = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            msg = None
        if not isinstance(msg, dict):
            with self._cond:
                self.garbage.append(body)
            return {}, rest          # an empty dict: delivered as nothing
        return msg, rest

    def _deliver(self, msg):
        if not msg:
            return
        with self._cond:
            kind = msg.get("type")
            if kind == "event":
                msg["_time"] = time.monotonic()
                self.events.append(msg)
            elif kind == "response":
                msg["_time"] = time.monotonic()
                self.responses[msg.get("request_seq")] = msg
                self.response_log.append(msg)
            elif kind == "request":
                self.reverse_requests.append(msg)
            else:
                self.garbage.append(json.dumps(msg).encode())
            self._cond.notify_all()

    def _wait_for(self, find, timeout, what):
        """Return: find()'s first non-None result, called with the lock
        held until it has one.  Raise DapTimeout after timeout seconds,
        DapError if the stream ends first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = find()
                if found is not None:
                    return found
                if self.closed:
                    raise DapError("adapter closed the stream while "
                                   "waiting for %s%s" % (what,
                                                         self._err_tail()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DapTimeout("no %s within %.1f s%s"
                                     % (what, timeout, self._err_tail()))
                self._cond.wait(left)

    def _err_tail(self):
        err = b"".join(self._stderr)[-1500:].decode("utf-8", "replace")
        return ("; adapter stderr:\n" + err) if err else ""

    # -- writing ---------------------------------------------------------

    def send_bytes(self, data):
        """Write raw bytes to the adapter.  Return: False if it no
        longer reads them."""
        try:
            with self._wlock:
                self._writer(data)
            return True
        except (OSError, ValueError):
            return False

    def send(self, command, arguments=None, **extra):
        """Send a request without waiting.  Return: its seq."""
        self.seq += 1
        msg = {"seq": self.seq, "type": "request", "command": command}
        if arguments is not None:
            msg["arguments"] = arguments
        msg.update(extra)
        self.send_bytes(frame(msg))
        return self.seq

    def respond(self, request, body=None, success=True):
        """Answer a reverse request the adapter sent."""
        self.seq += 1
        self.send_bytes(frame({"seq": self.seq, "type": "response",
                               "request_seq": request["seq"],
                               "command": request["command"],
                               "success": success, "body": body or {}}))

    # -- the synchronous calls -------------------------------------------

    def response(self, seq, timeout=10.0):
        """Return: the response to request seq (success or not)."""
        return self._wait_for(lambda: self.responses.get(seq), timeout,
                              "response to request %d" % seq)

    def request(self, command, arguments=None, timeout=10.0, check=False):
        """Send a request and return its response (a dict).  With check,
        raise DapError unless it succeeded."""
        resp = self.response(self.send(command, arguments), timeout)
        if check and not resp.get("success"):
            raise DapError("%s failed: %s" % (command, resp.get("message")),
                           resp)
        return resp

    def call(self, command, arguments=None, timeout=10.0):
        """Return: the body of a successful response to the request;
        DapError if it failed."""
        return self.request(command, arguments, timeout,
                            check=True).get("body") or {}

    def wait_event(self, name, timeout=10.0, pred=None):
        """Return: the first event called name (a name, or a tuple of
        names: any of them), for which pred(event) is true, that no
        earlier wait_event returned, waiting up to timeout seconds for
        it."""
        names = (name,) if isinstance(name, str) else tuple(name)

        def find():
            for ev in self.events:
                if (ev.get("event") in names and id(ev) not in self._taken
                        and (pred is None or pred(ev))):
                    self._taken.add(id(ev))
                    return ev
            return None
        return self._wait_for(find, timeout, "%s event" % " or ".join(
            repr(n) for n in names))

    def events_named(self, name):
        """Return: every event called name received so far."""
        with self._cond:
            return [e for e in self.events if e.get("event") == name]

    def _output_text(self, category):
        """Return: the text of the output events so far (of category,
        when not None).  Called with the lock held."""
        return "".join(e.get("body", {}).get("output", "")
                       for e in self.events
                       if e.get("event") == "output"
                       and (category is None or
                            e.get("body", {}).get("category", "console")
                            == category))

    def output(self, category=None):
        """Return: the text of the output events so far (of category,
        when given: "stdout", "stderr", "console")."""
        with self._cond:
            return self._output_text(category)

    def wait_output(self, text, timeout=10.0, category=None):
        """Wait until the output (of category) holds text.  Return: the
        output so far."""
        def find():
            out = self._output_text(category)
            return out if text in out else None
        return self._wait_for(find, timeout, "output %r" % text)

    def launch(self, arguments, breakpoints=None, function_breakpoints=None,
               exception_filters=None, request="launch", timeout=30.0,
               configure=None):
        """Run the start of a session as an editor does: launch (or
        attach), then after the 'initialized' event the breakpoints
        (breakpoints: {path: [line or dict, ...]}), configure(self) if
        given, and configurationDone.
        An adapter may answer launch before 'initialized' (cpdb) or after
        configurationDone (debugpy); both are waited for.  Return: the
        launch response; DapError if launch failed."""
        seq = self.send(request, arguments)

        def initialized_or_failed():
            resp = self.responses.get(seq)
            if resp is not None and not resp.get("success"):
                return resp
            return next((e for e in self.events
                         if e.get("event") == "initialized"), None)

        self._wait_for(initialized_or_failed, timeout, "'initialized' event")
        failed = self.responses.get(seq)
        if failed is not None and not failed.get("success"):
            raise DapError("%s failed: %s" % (request,
                                              failed.get("message")), failed)
        for path, lines in (breakpoints or {}).items():
            bps = [ln if isinstance(ln, dict) else {"line": ln}
                   for ln in lines]
            self.call("setBreakpoints", {"source": {"path": path},
                                         "breakpoints": bps}, timeout)
        if function_breakpoints is not None:
            self.call("setFunctionBreakpoints",
                      {"breakpoints": [f if isinstance(f, dict)
                                       else {"name": f}
                                       for f in function_breakpoints]},
                      timeout)
        if exception_filters is not None:
            self.call("setExceptionBreakpoints",
                      {"filters": exception_filters}, timeout)
        if configure is not None:
            configure(self)
        self.call("configurationDone", {}, timeout)
        resp = self.response(seq, timeout)
        if not resp.get("success"):
            raise DapError("%s failed: %s" % (request, resp.get("message")),
                           resp)
        return resp

    # -- ending ----------------------------------------------------------

    def stderr(self):
        """Return: what the spawned adapter wrote to stderr so far."""
        with self._cond:
            return b"".join(self._stderr).decode("utf-8", "replace")

    def wait_closed(self, timeout=10.0):
        """Wait until the adapter closes its stream."""
        self._wait_for(lambda: True if self.closed else None, timeout,
                       "end of stream")

    def close_input(self):
        """End the adapter's input stream (as an editor that quits)."""
        try:
            if self.sock is not None:
                self.sock.shutdown(socket.SHUT_WR)
            elif self.proc is not None:
                self.proc.stdin.close()
        except OSError:
            pass

    def wait(self, timeout=10.0):
        """Return: the spawned adapter's exit status (None if not
        spawned); kill it if it has not ended within timeout."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise DapTimeout("adapter did not end within %.1f s%s"
                             % (timeout, self._err_tail()))

    def close(self, timeout=10.0):
        """End the input, wait for the adapter; kill it if it lingers.
        Return: its exit status (None if not spawned)."""
        self.close_input()
        try:
            rc = self.wait(timeout)
        finally:
            if self.sock is not None:
                self.sock.close()
        self._thread.join(1.0)
        if self._err_thread is not None:
            self._err_thread.join(1.0)
        if self.proc is not None:
            # A pipe a reader thread still reads (a child of the adapter
            # holds it open) is left to the garbage collector.
            pipes = [(self.proc.stderr, self._err_thread)]
            if self.sock is None:       # spawned: its stdio is ours
                pipes += [(self.proc.stdin, None),
                          (self.proc.stdout, self._thread)]
            for f, reader in pipes:
                if (f is not None and not f.closed
                        and (reader is None or not reader.is_alive())):
                    f.close()
        return rc
