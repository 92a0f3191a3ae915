"""cpdb --listen and cpdb --connect: the prompt of a program that runs
elsewhere, over TCP with a token (docs/manual.md, "Debugging over the
network"; the wire format in docs/protocol.md)."""

import os
import re
import select
import signal
import socket
import struct
import subprocess
import time

import pytest

from conftest import CPDB, sigint_as_on_a_terminal

try:
    import pexpect
except ImportError:
    pexpect = None

LOOP = """\
import sys
def f(x):
    y = x * 2
    return y
total = 0
for i in range(3):
    total += f(i)
print("total", total)
sys.exit(3)
"""

FOREVER = """\
import time
n = 0
while True:
    n += 1
    if n % 100000 == 0:
        time.sleep(0.001)
"""

MAGIC = 0x42445043


def env_for(home, **extra):
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)
    e.pop("CPDB_TOKEN", None)
    e.update(NO_COLOR="1", HOME=str(home), TERM="xterm")
    e.update(extra)
    return e


class Listener:
    """cpdb --listen 0 PROGRAM, its stderr read as it comes."""

    def __init__(self, tmp_path, source, token=None, args=(),
                 sigint=signal.SIG_DFL):
        prog = tmp_path / "prog.py"
        prog.write_text(source)
        self.home = tmp_path / "home"
        self.home.mkdir(exist_ok=True)
        extra = {"CPDB_TOKEN": token} if token else {}
        self.proc = subprocess.Popen(
            [CPDB, "-q", "-nx", "--listen", "0"] + list(args) + [str(prog)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env_for(self.home, **extra),
            preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
        self.err = ""
        line = self.wait_for("listening on")
        m = re.search(r"listening on 127\.0\.0\.1:(\d+) \(token ([^)]*)\)",
                      line)
        assert m, line
        self.port = int(m.group(1))
        self.token = token or m.group(2)

    def wait_for(self, text, timeout=15):
        """Read stderr until a line holding text; return that line."""
        deadline = time.time() + timeout
        buf = ""
        fd = self.proc.stderr.fileno()
        while time.time() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                chunk = os.read(fd, 4096).decode(errors="replace")
                if not chunk:
                    break
                buf += chunk
                self.err += chunk
                for line in buf.splitlines():
                    if text in line:
                        return line
        raise AssertionError("no %r on the listener's stderr:\n%s"
                             % (text, self.err))

    def finish(self, timeout=15):
        """Wait for the end; return (exit status, stdout, stderr)."""
        out, err = self.proc.communicate(timeout=timeout)
        self.err += err.decode(errors="replace")
        return self.proc.returncode, out.decode(errors="replace"), self.err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def listener(tmp_path):
    made = []

    def make(source, **kw):
        lst = Listener(tmp_path, source, **kw)
        made.append(lst)
        return lst
    yield make
    for lst in made:
        lst.kill()


def connect(lst, commands, token=None, timeout=20):
    """cpdb --connect with commands piped in."""
    e = env_for(lst.home, CPDB_TOKEN=token or lst.token)
    return subprocess.run(
        [CPDB, "-q", "-nx", "--connect", "127.0.0.1:%d" % lst.port],
        input="".join(c + "\n" for c in commands), capture_output=True,
        text=True, timeout=timeout, env=e,
        preexec_fn=sigint_as_on_a_terminal)


def frame(mtype, payload=b"", version=1, magic=MAGIC, length=None):
    n = len(payload) if length is None else length
    return struct.pack("<IHHI", magic, version, mtype, n) + payload


def string(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<I", len(b)) + b


def hello(token, columns=80):
    return frame(1, struct.pack("<IIBB", 1, columns, 0, 0) + string(token))


def raw(lst):
    return socket.create_connection(("127.0.0.1", lst.port), timeout=10)


def read_frames(sock, until_type=None, timeout=10):
    """[(type, payload)] until until_type came or the peer closed."""
    sock.settimeout(timeout)
    data, out = b"", []
    while True:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
        while len(data) >= 12:
            magic, _, mtype, n = struct.unpack("<IHHI", data[:12])
            if len(data) < 12 + n:
                break
            out.append((mtype, data[12:12 + n]))
            data = data[12 + n:]
            if mtype == until_type:
                return out
    return out


# --- a session --------------------------------------------------------------

def test_session_over_loopback(listener):
    """Break, continue, print and the program's exit status, with the
    program's output on the listener's side and cpdb's on the
    console's."""
    lst = listener(LOOP)
    r = connect(lst, ["break f", "continue", "p x", "continue", "p x * 10",
                      "p x", "continue", "continue", "continue"])
    assert "Connected to cpdb" in r.stdout, r
    assert "Breakpoint 1 at " in r.stdout and "prog.py:3" in r.stdout
    assert "$1 = 0" in r.stdout and "$2 = 10" in r.stdout, r.stdout
    assert "$3 = 1" in r.stdout
    assert "Program exited with status 3." in r.stdout
    assert r.returncode == 3, r
    rc, out, err = lst.finish()
    assert rc == 3
    assert out == "total 6\n"       # the program's, not cpdb's
    assert "(cpdb)" not in out and "Breakpoint" not in out
    assert "connected to 127.0.0.1:" in err


def test_print_at_the_prompt_reaches_the_console(listener):
    """Python typed at the prompt writes to the console that typed it;
    the program's own output stays with the listener."""
    lst = listener(LOOP)
    r = connect(lst, ["break f", "continue",
                      "p print('typed at', 'the prompt')",
                      "p sys.stdout is sys.__stdout__", "continue",
                      "continue", "continue"])
    assert "typed at the prompt" in r.stdout, r
    rc, out, err = lst.finish()
    assert "typed at" not in out + err
    assert out == "total 6\n"
    assert "$2 = False" in r.stdout    # only while the typed Python runs


def test_errors_reach_the_console(listener):
    lst = listener(LOOP)
    r = connect(lst, ["frobnicate", "p undefined_name"])
    assert 'Undefined command or name: "frobnicate"' in r.stderr, r
    assert "NameError" in r.stderr
    assert r.returncode == 0
    rc, out, err = lst.finish()
    assert "Undefined" not in err and out == ""


def test_restart_keeps_the_console(listener):
    """run re-executes the listener; the console stays connected."""
    lst = listener(LOOP)
    r = connect(lst, ["break f", "continue", "run", "continue", "p x",
                      "continue", "p x"])
    assert r.stdout.count("Breakpoint 1, f (x=0)") == 2, r.stdout
    assert "$1 = 0" in r.stdout and "$2 = 1" in r.stdout, r.stdout
    lst.finish()


@pytest.mark.skipif(pexpect is None, reason="needs pexpect")
def test_completion_and_ctrl_c_from_the_console(listener):
    """Tab completes names of the program (the engine answers), and
    Ctrl-C typed at the console stops a running loop at its next
    line."""
    lst = listener(FOREVER)
    child = pexpect.spawn(
        CPDB, ["-q", "-nx", "--connect", "127.0.0.1:%d" % lst.port],
        env=env_for(lst.home, CPDB_TOKEN=lst.token), encoding="utf-8",
        timeout=15, dimensions=(40, 200), preexec_fn=sigint_as_on_a_terminal)
    try:
        child.expect_exact("(cpdb) ")
        child.sendline("next")
        child.sendline("next")
        child.expect(r"-> while True:")
        child.expect_exact("(cpdb) ")
        time.sleep(0.3)
        child.send("p 'never sent'")
        child.expect_exact("sent'")
        child.sendintr()                # at the prompt: cancels the line
        child.expect_exact("Quit")
        time.sleep(0.3)
        child.send("p 40 + 2\r")
        child.expect_exact("$1 = 42")     # the cancelled line never ran
        child.expect_exact("(cpdb) ")
        time.sleep(0.3)
        child.send("contin\t")
        child.expect_exact("ue ")       # libedit writes what it added
        child.send("\r")
        time.sleep(1.0)
        child.sendintr()
        child.expect("Program received signal SIGINT")
        child.expect(r"> .*prog\.py\(\d\)<module>\(\)")
        child.expect_exact("(cpdb) ")
        time.sleep(0.3)
        child.send("p n > 10\r")
        child.expect_exact("True")
        child.expect_exact("(cpdb) ")
        child.send("p n.bit_len\t")
        child.expect_exact("gth")
        child.send("()\r")
        child.expect(r"\$\d+ = \d+")
        child.expect_exact("(cpdb) ")
        time.sleep(0.3)
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    rc, out, err = lst.finish()
    assert rc == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def out_text(frames):
    """The text of the OUT messages among frames."""
    return "".join(p[5:].decode(errors="replace") for t, p in frames
                   if t == 7)


@pytest.mark.parametrize("sigint", [signal.SIG_DFL, signal.SIG_IGN],
                         ids=["sigint-default", "sigint-ignored"])
def test_interrupt_message_stops_the_program(listener, sigint):
    """INTERRUPT stops a running loop at its next line, also when the
    listener was started with SIGINT ignored (in the background)."""
    lst = listener(FOREVER, sigint=sigint)
    s = raw(lst)
    s.sendall(hello(lst.token))
    read_frames(s, until_type=4)
    s.sendall(frame(5, string("continue")))
    time.sleep(0.5)
    s.sendall(frame(10))
    got = read_frames(s, until_type=4)
    text = out_text(got)
    assert "Program received signal SIGINT" in text, got
    assert re.search(r"> .*prog\.py\([3-6]\)<module>\(\)", text), text
    s.sendall(frame(5, string("p n > 0")))
    got = read_frames(s, until_type=4)
    assert "True" in out_text(got), got
    s.sendall(frame(6))                         # EOF
    got = read_frames(s, until_type=11)
    assert got and got[-1][0] == 11, got        # BYE
    s.close()
    rc, out, err = lst.finish()
    assert rc == 0 and "Traceback" not in err, err


# --- tokens -------------------------------------------------------------------

def test_wrong_token_is_refused_and_logged(listener):
    lst = listener(LOOP)
    bad = connect(lst, ["p 1"], token="0" * 32)
    assert bad.returncode == 1, bad
    assert "refused" in bad.stderr and "wrong token" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    line = lst.wait_for("refused a connection")
    assert re.search(r"refused a connection from 127\.0\.0\.1:\d+: "
                     r"wrong token", line), line
    good = connect(lst, ["continue"])
    assert good.returncode == 3 and "Program exited" in good.stdout, good
    assert lst.finish()[0] == 3


def test_token_from_the_environment(listener):
    lst = listener(LOOP, token="sesame")
    assert "token from CPDB_TOKEN" in lst.err and "sesame" not in lst.err
    r = connect(lst, ["continue"], token="sesame")
    assert r.returncode == 3, r
    lst.finish()


def test_connect_needs_a_token(home):
    e = env_for(home)
    r = subprocess.run([CPDB, "--connect", "127.0.0.1:9"],
                       capture_output=True, text=True, env=e, timeout=10)
    assert r.returncode == 2 and "token" in r.stderr, r
    r = subprocess.run([CPDB, "--connect", "nowhere", "--token", "x"],
                       capture_output=True, text=True, env=e, timeout=10)
    assert r.returncode == 2 and "HOST:PORT is expected" in r.stderr, r
    r = subprocess.run([CPDB, "--connect", "127.0.0.1:1", "--token", "x"],
                       capture_output=True, text=True, env=e, timeout=10)
    assert r.returncode == 1 and "cannot connect" in r.stderr, r
    assert len(r.stderr.splitlines()) == 1


# --- the connection ends ------------------------------------------------------

def test_console_killed_while_the_program_runs(listener):
    """The console dies during continue: the listener stops the program
    and ends as at end of input, without hanging."""
    lst = listener(FOREVER)
    e = env_for(lst.home, CPDB_TOKEN=lst.token)
    p = subprocess.Popen([CPDB, "--connect", "127.0.0.1:%d" % lst.port],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=e)
    p.stdin.write(b"continue\n")
    p.stdin.flush()
    time.sleep(1.0)
    p.kill()
    p.communicate()
    rc, out, err = lst.finish(timeout=15)
    assert rc == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_console_closed_at_the_prompt(listener):
    lst = listener(LOOP)
    s = raw(lst)
    s.sendall(hello(lst.token))
    got = read_frames(s, until_type=4)         # PROMPT
    assert got[0][0] == 2 and got[-1][0] == 4, got
    with pytest.raises(ConnectionRefusedError):
        raw(lst)                                # one console at a time
    s.close()
    rc, out, err = lst.finish(timeout=15)
    assert rc == 0 and "Traceback" not in err


# --- addresses ----------------------------------------------------------------

def test_non_loopback_needs_the_flag(tmp_path, home):
    prog = tmp_path / "prog.py"
    prog.write_text(LOOP)
    r = subprocess.run([CPDB, "--listen", "0.0.0.0:0", str(prog)],
                       capture_output=True, text=True, env=env_for(home),
                       timeout=10)
    assert r.returncode == 2, r
    assert len(r.stderr.splitlines()) == 1
    assert "not a loopback address" in r.stderr
    assert "--allow-remote" in r.stderr and "ssh -L" in r.stderr
    r = subprocess.run([CPDB, "--listen", "no:such:port", str(prog)],
                       capture_output=True, text=True, env=env_for(home),
                       timeout=10)
    assert r.returncode == 2 and "bad address" in r.stderr, r


def test_non_loopback_with_the_flag_warns(tmp_path, home):
    prog = tmp_path / "prog.py"
    prog.write_text(LOOP)
    p = subprocess.Popen([CPDB, "--listen", "0.0.0.0:0", "--allow-remote",
                          str(prog)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env_for(home))
    try:
        err = b""
        deadline = time.time() + 10
        while b"listening on" not in err and time.time() < deadline:
            r, _, _ = select.select([p.stderr], [], [], 0.2)
            if r:
                err += os.read(p.stderr.fileno(), 4096)
        text = err.decode()
        assert "not encrypted" in text and "ssh -L" in text, text
        assert re.search(r"listening on 0\.0\.0\.0:\d+ \(token [0-9a-f]{32}\)",
                         text), text
    finally:
        p.kill()
        p.communicate()


# --- hostile peers ------------------------------------------------------------

def test_hostile_clients_before_the_token(listener):
    """Garbage, a wrong magic, another version, an oversized frame, a
    message cut short: each refused with a log line; the listener still
    takes a good console."""
    lst = listener(LOOP)
    attempts = [
        b"GET / HTTP/1.0\r\n\r\n",
        frame(1, magic=0x12345678),
        frame(1, version=7),
        frame(99),
        frame(1, length=0x7fffffff),
        frame(1, length=(1 << 20) + 1),
        hello("x")[:15],
        frame(5, string("continue")),          # LINE before HELLO
        frame(1, b"\x01\x00\x00\x00"),          # HELLO cut short
        os.urandom(3000),
    ]
    for data in attempts:
        s = raw(lst)
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            read_frames(s, timeout=10)
        except OSError:
            pass        # refused before all of it was sent
        finally:
            s.close()
    good = connect(lst, ["continue"])
    assert good.returncode == 3, good
    rc, out, err = lst.finish()
    assert rc == 3
    assert err.count("refused a connection from") == len(attempts), err
    assert "bad magic" in err and "over the limit" in err
    for line in err.splitlines():
        assert line.startswith("cpdb: "), line


def test_hostile_messages_after_the_handshake(listener):
    """A console that gives the token and then sends garbage: the
    listener answers ERROR and ends the session like end of input,
    never crashing."""
    lst = listener(LOOP)
    s = raw(lst)
    s.sendall(hello(lst.token))
    read_frames(s, until_type=4)
    s.sendall(frame(2, struct.pack("<I", 1) + string("x") + string("y")
                    + string("z")))      # HELLO_OK: only an engine sends it
    got = read_frames(s, until_type=3, timeout=5)
    assert got and got[-1][0] == 3 and b"unexpected" in got[-1][1], got
    s.sendall(frame(7, b"\x09" + string("x")))     # OUT on stream 9
    got = read_frames(s, timeout=10)
    types = [t for t, _ in got]
    assert 3 in types, got
    s.close()
    rc, out, err = lst.finish(timeout=15)
    assert rc == 0 and "Traceback" not in err
    assert rc >= 0      # not killed by a signal


def test_fuzzed_session(listener):
    """Random frames and bytes after a good handshake."""
    import random
    rnd = random.Random(12)
    lst = listener(LOOP)
    s = raw(lst)
    s.sendall(hello(lst.token))
    read_frames(s, until_type=4)
    try:
        for _ in range(200):
            t = rnd.randrange(0, 14)
            body = bytes(rnd.randrange(256) for _ in range(rnd.randrange(20)))
            s.sendall(frame(t, body))
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.close()
    rc, out, err = lst.finish(timeout=15)
    assert rc == 0 and "Traceback" not in err


@pytest.mark.parametrize("answer", [
    b"garbage, not a frame",
    frame(3, string("go away")),                     # ERROR
    frame(7, b"\x01", length=(1 << 20) + 1),          # OUT over the limit
    frame(2, struct.pack("<I", 7)),                   # HELLO_OK cut short
    frame(2, struct.pack("<I", 7) + string("3.11") + string("0.1")
          + string("x")) + frame(5, string("a line")),   # LINE to a console
])
def test_hostile_engine(home, answer):
    """cpdb --connect to something that is not a cpdb engine: one line
    on stderr, status 1, never a crash or a hang."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    p = subprocess.Popen([CPDB, "--connect", "127.0.0.1:%d" % port,
                          "--token", "t"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env_for(home), text=True)
    try:
        conn, _ = srv.accept()
        conn.settimeout(10)
        got = conn.recv(4096)
        assert got[:4] == b"CPDB" and struct.unpack("<H", got[6:8])[0] == 1
        conn.sendall(answer)
        out, err = p.communicate(timeout=15)
        conn.close()
    finally:
        if p.poll() is None:
            p.kill()
        srv.close()
    assert p.returncode == 1, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("cpdb: "), err


def test_listen_with_commands_and_batch(listener):
    """-ex and --batch work on a listener as on a local session: the
    commands' output reaches the console, and the batch's status comes
    back in BYE."""
    lst = listener(LOOP, args=["--batch", "-ex", "p 6 * 7", "-ex",
                               "frobnicate"])
    r = connect(lst, [])
    assert "$1 = 42" in r.stdout, r
    assert "frobnicate" in r.stderr
    assert r.returncode == 1, r         # a command failed in --batch
    rc, out, err = lst.finish()
    assert rc == 1 and out == ""


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
