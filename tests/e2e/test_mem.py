"""mem: tracemalloc from the prompt.  start / stop / status, top by line
and by file, named snapshots and their differences, where an object was
allocated; errors for everything used out of order."""

import re

from conftest import program, run_cpdb
from transcript import after, prog_path

PROG = prog_path("memgrow.py")


def session(commands):
    """memgrow.py: 500 responses before line 19, 500 more before line 21;
    each keeps a bytearray(2000) made on line 7."""
    return run_cpdb([program("memgrow.py")], commands)


def kib(text):
    """'976.6 KiB' / '1.9 MiB' / '312 B' -> bytes (float)."""
    m = re.match(r"(-?[\d.]+) (B|KiB|MiB|GiB)", text)
    assert m, text
    scale = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
    return float(m.group(1)) * scale[m.group(2)]


def test_not_tracing_is_said_and_commands_fail():
    r = session(["mem", "mem top", "mem snapshot", "mem where kept",
                 "mem stop"])
    assert after(r, "mem") == ['tracemalloc is not tracing: "mem start '
                               '[FRAMES]" starts it.'], r
    for cmd in ("mem top", "mem snapshot", "mem stop"):
        assert after(r, cmd) == []
    assert r.err.count("tracemalloc is not tracing") == 3, r
    assert "NameError" in r.err       # kept is not defined at line 1


def test_top_names_the_line_that_allocates():
    r = session(["mem start", "break 21", "continue", "mem top 3",
                 "mem top 2 files", "mem status"])
    out = after(r, "mem top 3")
    assert re.match(r"[\d.]+ (KiB|MiB) allocated by the program and still "
                    r"alive, top 3 lines, counted at the program's own "
                    r"code:", out[0]), out
    # 1000 bytearrays of 2000 bytes, made on line 7, kept by the list
    # (each is two blocks: the object and its buffer)
    first = out[1]
    m = re.match(r"  #1 (.+):(\d+): (.+) in (\d+) blocks$", first)
    assert m, out
    assert m.group(1) == PROG and m.group(2) == "7", out
    assert 1000 * 2000 <= kib(m.group(3)) <= 1000 * 2200, out
    assert int(m.group(4)) in (1000, 2000), out
    assert out[2].strip() == "body = bytearray(2000)", out
    files = after(r, "mem top 2 files")
    assert files[1].startswith("  #1 %s: " % PROG), files
    status = after(r, "mem status")
    assert status[0] == "tracemalloc is tracing, 25 frames per allocation."
    assert status[1].startswith("Traced memory: ")


def test_snapshots_and_their_difference():
    r = session(["break 19", "break 21", "continue", "mem start",
                 "mem snapshot before", "continue", "mem snapshot after",
                 "mem diff before after", "mem diff", "mem diff before",
                 "mem diff nosuch", "mem snapshot"])
    diff = after(r, "mem diff before after")
    assert diff[0].startswith('From "before" to "after": +'), diff
    m = re.match(r"  (.+):(\d+): \+(.+) \(\+(\d+) blocks\), now (.+)$",
                 diff[1])
    assert m and m.group(1) == PROG and m.group(2) == "7", diff
    assert int(m.group(4)) in (500, 1000), diff
    assert 500 * 2000 <= kib(m.group(3)) <= 500 * 2200, diff
    # no argument: the last two snapshots, the same answer
    assert after(r, "mem diff") == diff
    assert after(r, "mem diff before")[0].startswith(
        'From "before" to now: +'), r
    assert 'No memory snapshot named "nosuch".' in r.err
    assert after(r, "mem snapshot")[0].startswith('Memory snapshot "3": ')


def test_where_gives_the_allocation_traceback():
    r = session(["mem start", "break 19", "continue", "mem where kept[-1]",
                 "p kept[0]", "mem where $1", "mem where 12345",
                 "mem where 0xdeadbeef", "mem where"])
    where = after(r, "mem where kept[-1]")
    assert where[0].endswith(" was allocated at:"), where
    frames = [l for l in where if l.startswith("  #")]
    assert frames[:3] == ["  #0 %s:7" % PROG, "  #1 %s:14" % PROG,
                          "  #2 %s:18" % PROG], where
    assert where[2].strip() == "body = bytearray(2000)"
    assert after(r, "mem where $1")[0].endswith(" was allocated at:")
    assert after(r, "mem where 12345")[0].endswith(" was allocated at:") \
        or "did not see" in after(r, "mem where 12345")[0]
    assert ("No object tracked by the garbage collector at 0xdeadbeef."
            in r.err), r
    assert "Argument required" in r.err


def test_where_for_an_object_older_than_start():
    r = session(["break 19", "continue", "mem start", "mem where kept[0]"])
    assert "it is older than \"mem start\"" in after(r, "mem where kept[0]")[0]


def test_bad_arguments_are_one_line_errors():
    r = session(["mem start 0", "mem start x", "mem top -3", "mem top x",
                 "mem start 1", "mem start 2", "mem nosuch"])
    err = [l for l in r.err.splitlines() if l.strip()]
    assert err[0] == ('Bad frame count "0": a number from 1 to 65535 is '
                      'expected.'), err
    assert err[1].startswith('Bad frame count "x"')
    assert err[2].startswith('Bad argument "-3": mem top [N] [lines|files] '
                             '[--raw].')
    assert err[3].startswith('Bad argument "x"')
    assert after(r, "mem start 1")[0].startswith(
        "tracemalloc is tracing, 1 frame per allocation")
    assert after(r, "mem start 2")[0].startswith("tracemalloc is already "
                                                 "tracing")
    assert "mem" in err[4] and "nosuch" in err[4]
    assert r.rc == 0


def test_stop_drops_the_traces():
    r = session(["mem start", "break 19", "continue", "mem snapshot",
                 "mem stop", "mem top", "mem status", "mem diff 1 1"])
    assert after(r, "mem stop")[0].startswith("tracemalloc stopped")
    assert after(r, "mem status")[0].startswith("tracemalloc is not tracing")
    # saved snapshots survive
    assert after(r, "mem diff 1 1") == ['From "1" to "1": 0 B in all, by '
                                        'line:', "No line's memory changed."]
