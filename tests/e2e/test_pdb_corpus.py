"""The pdb comparison corpus: the same programs and commands under pdb
(python -m pdb, of the Python cpdb embeds) and under cpdb must stop at the
same places.

Each scenario of tests/pdbcorpus/scenarios.py is run by both debuggers;
the stops printed are read back as (kind, file, line, function), kind
being "call", "return", "exception" or "line" from the line printed before
the location, and only the stops in the scenario's own files are kept.
pdb's transcript is cut where the program ends (it then restarts the
program), cpdb's where it says "Program exited"; both at "Uncaught
exception" (post mortem).  The last element of each sequence says how the
session ended: "end", "uncaught" or "eof" (commands ran out)."""

import importlib.util
import os
import re
import subprocess
import time

import pytest

from conftest import CPDB, PYTHON, TESTS

CORPUS = os.path.join(TESTS, "pdbcorpus")


def load_scenarios():
    spec = importlib.util.spec_from_file_location(
        "pdbcorpus_scenarios", os.path.join(CORPUS, "scenarios.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCENARIOS


SCENARIOS = load_scenarios()

TIMEOUT = 20

PROMPTS = ("(Pdb) ", "(cpdb) ")
LOCATION = re.compile(r"^> (?P<path>.+?)\((?P<line>\d+)\)(?P<func>[^\s(]*)\(\)"
                      r"(?:->.*)?$")
# "ValueError: msg", "Internal StopIteration: 3", "GeneratorExit"
EXCEPTION = re.compile(r"^(Internal )?[A-Za-z_][\w.]*"
                       r"(Error|Exception|Iteration|Exit|Interrupt|Warning)"
                       r"(: .*)?$")
PDB_ENDS = ("The program finished and will be restarted",
            "The program exited via sys.exit()",
            "Post mortem debugger finished")
CPDB_ENDS = ("Program exited with status",)
UNCAUGHT = "Uncaught exception. Entering post mortem debugging"
MARKER = re.compile(r"#\s*@(\w+)\s*$")


def markers(filename):
    """{name: line} for the "# @name" comments of a corpus file."""
    found = {}
    with open(os.path.join(CORPUS, filename)) as f:
        for number, text in enumerate(f, 1):
            m = MARKER.search(text)
            if m:
                found[m.group(1)] = number
    return found


def never_line(filename):
    """The line of the body of "def _never(): pass" in a corpus file."""
    with open(os.path.join(CORPUS, filename)) as f:
        lines = f.read().splitlines()
    for number, text in enumerate(lines, 1):
        if text.startswith("def _never("):
            return number + 1
    raise AssertionError("%s has no def _never()" % filename)


def expand(scenario):
    """The scenario's command list, with repetitions and markers resolved
    and the _never breakpoints first."""
    files = [scenario.program] + list(scenario.helpers)
    main_marks = markers(scenario.program)

    def resolve(m):
        fname, name = m.group(1), m.group(2)
        table = markers(fname[:-1]) if fname else main_marks
        if name not in table:
            raise AssertionError("no marker @%s in %s"
                                 % (name, fname or scenario.program))
        return (fname or "") + str(table[name])

    commands = ["b %s:%d" % (os.path.join(CORPUS, f), never_line(f))
                for f in files]
    for part in scenario.commands.split(";"):
        part = part.strip()
        m = re.match(r"^(.*?)\*(\d+)$", part)
        count = 1
        if m:
            part, count = m.group(1).strip(), int(m.group(2))
        part = re.sub(r"([\w.]+\.py:)?@(\w+)", resolve, part)
        commands += [part] * count
    commands.append("c")
    return commands


def parse(out, ends, keep):
    """The stops in a transcript, up to the end of the program:
    [(kind, basename, line, func)], then the way it ended.  keep(path)
    says which files count; the other stops are listed in dropped."""
    stops, dropped = [], []
    previous = ""
    end = "eof"
    for raw in out.splitlines():
        line = raw
        stripped = True
        while stripped:
            stripped = False
            for p in PROMPTS:
                if line.startswith(p):
                    line = line[len(p):]
                    stripped = True
        if any(e in line for e in ends):
            end = "end"
            break
        if UNCAUGHT in line:
            end = "uncaught"
            break
        m = LOCATION.match(line)
        if m:
            if previous == "--Call--":
                kind = "call"
            elif previous == "--Return--":
                kind = "return"
            elif EXCEPTION.match(previous):
                kind = "exception"
            else:
                kind = "line"
            stop = (kind, os.path.basename(m.group("path")),
                    int(m.group("line")), m.group("func"))
            if keep(m.group("path")):
                stops.append(stop)
            else:
                dropped.append(stop)
        previous = line
    return stops + [end], dropped


def environment(home):
    e = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONSAFEPATH",
                 "PYTHONHOME"):
        e.pop(name, None)
    e["NO_COLOR"] = "1"
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    e["HOME"] = str(home)          # no ~/.pdbrc, no ~/.cpdbrc
    e["TERM"] = "dumb"
    return e


def run(argv, commands, home):
    text = "".join(c + "\n" for c in commands)
    last = None
    for attempt in range(5):
        try:
            p = subprocess.run(argv, input=text, capture_output=True,
                               text=True, timeout=TIMEOUT, cwd=CORPUS,
                               env=environment(home))
        except OSError as exc:   # binary being rebuilt: wait and retry
            last = exc
            time.sleep(2)
            continue
        if p.returncode in (126, 127) and not p.stdout:
            last = p.stderr
            time.sleep(2)
            continue
        return p.stdout
    raise AssertionError("could not run %s: %s" % (argv[0], last))


def side_by_side(left, right):
    """The two stop sequences, one stop a line, "!" where they differ."""
    rows = []
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else "-"
        b = right[i] if i < len(right) else "-"
        rows.append("%3d %s %-48s %s" % (i, " " if a == b else "!",
                                          " ".join(map(str, a))
                                          if isinstance(a, tuple) else a,
                                          " ".join(map(str, b))
                                          if isinstance(b, tuple) else b))
    return "\n".join(rows)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_pdb_corpus(scenario, tmp_path):
    commands = expand(scenario)
    files = {os.path.join(CORPUS, f)
             for f in [scenario.program] + list(scenario.helpers)}

    def keep(path):
        return os.path.abspath(path) in files

    prog = os.path.join(CORPUS, scenario.program)
    pdb_out = run([PYTHON, "-m", "pdb", prog], commands, tmp_path)
    cpdb_out = run([CPDB, "-q", "-nx", prog], commands, tmp_path)
    pdb_stops, pdb_dropped = parse(pdb_out, PDB_ENDS, keep)
    cpdb_stops, cpdb_dropped = parse(cpdb_out, CPDB_ENDS, keep)
    assert len(pdb_stops) > 2, "pdb did not run:\n" + pdb_out
    if pdb_stops != cpdb_stops:
        pytest.fail(
            "scenario %s: pdb and cpdb stop at different places\n"
            "commands: %s\n\n      %-48s %s\n%s\n"
            "stops outside the scenario's files: pdb %s, cpdb %s\n\n"
            "--- pdb transcript (%s) ---\n%s\n--- cpdb transcript (%s) ---\n%s"
            % (scenario.id, "; ".join(commands), "pdb", "cpdb",
               side_by_side(pdb_stops, cpdb_stops), pdb_dropped,
               cpdb_dropped, PYTHON, pdb_out, CPDB, cpdb_out),
            pytrace=False)
