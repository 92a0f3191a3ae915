"""mem top counts each allocation at the newest line of the program's own
code, not of the standard library's or an installed package's; --raw
counts it where it was made, as tracemalloc's statistics do.  A line
reached with no frame of the program (a thread of threading.py), or
whose tracebacks were cut at the frames kept, is marked."""

import os
import re
import subprocess

import pytest

from conftest import PYTHON, program, run_cpdb
from transcript import after, prog_path

PROG = prog_path("memlib.py")
ROW = re.compile(r"  #(\d+) (.+?):(\d+): (.+) in (\d+) blocks?$")


def rows(lines):
    """[(file, line)] of the rows of a mem top by line."""
    return [(m.group(2), int(m.group(3))) for m in map(ROW.match, lines)
            if m]


def stdlib_dir():
    out = subprocess.run([PYTHON, "-c", "import os; print(os.__file__)"],
                         capture_output=True, text=True).stdout
    return os.path.dirname(out.strip()) + "/"


def session(commands, frames=""):
    """memlib.py: 3000 contextmanager objects made in contextlib.py for
    line 12, then 200000 ints made in a thread; stop at line 26."""
    return run_cpdb([program("memlib.py")],
                    ["mem start" + frames, "break 26", "continue"] + commands)


def test_top_counts_at_the_programs_own_line_and_raw_where_made():
    r = session(["mem top 4", "mem top 4 --raw", "mem status"])
    own = after(r, "mem top 4")
    assert re.match(r"[\d.]+ (KiB|MiB) allocated by the program and still "
                    r"alive, top 4 lines, counted at the program's own "
                    r"code:$", own[0]), own
    top = rows(own)
    # contextlib's lines count at line 12, which leads to them
    assert (PROG, 12) in top[:2], own
    assert not any(f.endswith("contextlib.py") for f, _ in top), own
    i = own.index(next(l for l in own if l.startswith("  #")
                       and ("%s:12:" % PROG) in l))
    assert own[i + 1].strip().startswith("return [session(i) for i in "
                                         "range(n)]"), own
    # the thread's ints: no frame of memlib.py at all
    thread = [l for l in own if "threading.py:" in l]
    assert thread, own
    j = own.index(thread[0])
    assert own[j + 2] == ("      (library code alone: no frame of the "
                          "program's own code)"), own
    raw = after(r, "mem top 4 --raw")
    assert raw[0].endswith(", counted where allocated:"), raw
    assert any(f == stdlib_dir() + "contextlib.py" for f, _ in rows(raw)), \
        raw
    assert not any("library code alone" in l for l in raw), raw
    assert after(r, "mem status")[0] == ("tracemalloc is tracing, 25 frames "
                                         "per allocation.")


def test_tracebacks_cut_before_the_program_are_marked():
    r = session(["mem top 5"], frames=" 2")
    out = after(r, "mem top 5")
    cl = [i for i, l in enumerate(out) if ROW.match(l)
          and ROW.match(l).group(2).endswith("contextlib.py")]
    assert cl, out
    assert out[cl[0] + 2] == ("      (no frame of the program's own code "
                              "among the 2 kept: \"mem start N\" keeps "
                              "more)"), out


def test_files_count_at_the_programs_own_file():
    r = session(["mem top 2 files"])
    out = after(r, "mem top 2 files")
    assert out[0].endswith("top 2 files, counted at the program's own "
                           "code:"), out
    files = [l for l in out if l.startswith("  #")]
    assert any(l.startswith("  #") and (" %s: " % PROG) in l
               for l in files), out
    assert not any("contextlib.py" in l for l in files), out


def test_bad_option_is_a_one_line_error():
    r = session(["mem top --rw", "mem top 2 --raw files"])
    assert ('Bad argument "--rw": mem top [N] [lines|files] [--raw].'
            in r.err), r.err
    assert after(r, "mem top 2 --raw files")[0].endswith(
        "top 2 files, counted where allocated:")


def test_django_worker_ranks_its_own_line_first():
    if subprocess.run([PYTHON, "-c", "import django"],
                      capture_output=True).returncode != 0:
        pytest.skip("Django is not installed for this Python")
    r = run_cpdb([program("djdebug.py")],
                 ["break 22", "continue", "mem start", "break 27",
                  "continue", "mem top 1", "mem top 1 --raw"])
    own = rows(after(r, "mem top 1"))
    # job()'s "with connection.cursor()" (17) or "cur.execute" (18)
    assert len(own) == 1 and own[0][0] == prog_path("djdebug.py") \
        and own[0][1] in (17, 18), r.out
    raw = rows(after(r, "mem top 1 --raw"))
    assert raw and not raw[0][0].endswith("djdebug.py"), r.out


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
