"""Helpers for end-to-end tests: run cpdb on a program with commands on
stdin (or in a pseudo-terminal) and read back its stops and output.

Environment (set by tests/run.py): CPDB, the cpdb binary under test;
CPDB_PYTHON, the python executable of the same version (for pdb and
plain-python comparisons)."""

import os
import signal
import re
import shutil
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)
PROGRAMS = os.path.join(TESTS, "programs")
CPDB = os.environ.get("CPDB") or os.path.join(ROOT, "build", "src", "cpdb")
PYTHON = os.environ.get("CPDB_PYTHON") or "/usr/bin/python3"

# "> /abs/file.py(12)func()" optionally followed by "->value".
LOCATION = re.compile(r"^> (?P<path>.+?)\((?P<line>\d+)\)(?P<func>[^\s(]*)\(\)"
                      r"(?:->(?P<value>.*))?$")


class Run:
    """The outcome of one cpdb session."""

    def __init__(self, proc_out, proc_err, rc):
        self.out = proc_out
        self.err = proc_err
        self.rc = rc

    @property
    def stops(self):
        """[(basename, line, func)] for every location line printed."""
        result = []
        for line in self.out.splitlines():
            m = LOCATION.match(line)
            if m:
                result.append((os.path.basename(m.group("path")),
                               int(m.group("line")), m.group("func")))
        return result

    @property
    def locations(self):
        """The full location matches (path, line, func, value)."""
        return [LOCATION.match(l) for l in self.out.splitlines()
                if LOCATION.match(l)]

    def lines_after(self, command):
        """Output lines that follow the echo of command, up to the next
        prompt."""
        lines = self.out.splitlines()
        for i, line in enumerate(lines):
            if line == "(cpdb) " + command:
                out = []
                for nxt in lines[i + 1:]:
                    if nxt.startswith("(cpdb) "):
                        break
                    out.append(nxt)
                return out
        raise AssertionError("command %r not in transcript:\n%s"
                             % (command, self.out))

    def __repr__(self):
        return "<Run rc=%s>\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.rc, self.out,
                                                         self.err)


def program(name):
    return os.path.join(PROGRAMS, name)


def sigint_as_on_a_terminal():
    """In the child: SIGINT's default disposition.  A suite started in
    the background (nohup, cmd &) hands its children SIGINT ignored,
    and python3, as cpdb, keeps an ignored SIGINT ignored: the tests
    must see what a user at a terminal sees."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cpdb(args, commands=(), timeout=60, env=None, cwd=None, stdin=None,
             quiet=True, nx=True):
    """Run cpdb with args, feeding commands (one per line) on stdin."""
    cmd = [CPDB]
    if quiet:
        cmd.append("-q")
    if nx:
        cmd.append("-nx")
    cmd += list(args)
    e = dict(os.environ)
    e["NO_COLOR"] = "1"
    e.pop("PYTHONPATH", None)
    if env:
        e.update(env)
    text = stdin if stdin is not None else "".join(c + "\n" for c in commands)
    p = subprocess.run(cmd, input=text, capture_output=True, text=True,
                       errors="replace", timeout=timeout, env=e, cwd=cwd,
                       preexec_fn=sigint_as_on_a_terminal)
    return Run(p.stdout, p.stderr, p.returncode)


def run_python(args, timeout=60, env=None, cwd=None, stdin=""):
    """Run the matching plain python on the same program."""
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)
    if env:
        e.update(env)
    p = subprocess.run([PYTHON] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout,
                       env=e, cwd=cwd, preexec_fn=sigint_as_on_a_terminal)
    return Run(p.stdout, p.stderr, p.returncode)


@pytest.fixture
def home(tmp_path):
    """A private HOME, so init files and history do not leak in."""
    h = tmp_path / "home"
    h.mkdir()
    return h


def python_version():
    out = subprocess.run([PYTHON, "-c",
                          "import sys; print(sys.version_info[:2])"],
                         capture_output=True, text=True).stdout
    return tuple(int(x) for x in re.findall(r"\d+", out))


# On 3.12+ the suite runs once more with the legacy backend: tests of
# what does not depend on the backend (errors, channels, the adapter's
# protocol) run with the default one only.
SECOND_BACKEND = os.environ.get("CPDB_BACKEND") == "legacy" and \
    subprocess.run([PYTHON, "-c", "import sys; sys.monitoring"],
                   capture_output=True).returncode == 0
backend_independent = pytest.mark.skipif(
    SECOND_BACKEND, reason="does not depend on the trace backend: run "
    "with the default one")
