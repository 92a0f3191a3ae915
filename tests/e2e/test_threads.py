"""Threads: breakpoints, breakpoint(), conditions and tbreak stop in any
Python thread (threading, _thread, concurrent.futures, a
ThreadingHTTPServer's request threads); two threads reaching a
breakpoint at once are both reported; "info threads", "thread N",
"thread apply all bt" and $_thread; stepping stays in its thread; quit
and Ctrl-C end a program whose threads run on.  Every run has a
timeout: a hang is the worst bug here."""

import os
import re
import subprocess
import time

import pytest

from conftest import CPDB, TESTS, program, python_version, run_cpdb
from transcript import after

POOL = program("threads_pool.py")
HTTP = program("threads_http.py")
RACE = program("threads_race.py")
STEP = program("threads_step.py")
FOREVER = program("threads_forever.py")

# Both backends where there are two (3.12+: legacy tracing, emulated over
# sys.monitoring, follows other threads through a tool of cpdb's).
BACKENDS = (["monitoring", "legacy"] if python_version() >= (3, 12)
            else ["legacy"])
TIMEOUT = 60


def thread_lines(r):
    """The "[Thread N "name"]" lines stops start with."""
    return re.findall(r'^\[Thread (\d+)(?: "([^"]*)")?\]$', r.out, re.M)


def cpdb(args, commands, backend):
    return run_cpdb(args, commands, timeout=TIMEOUT,
                    env={"CPDB_BACKEND": backend})


@pytest.mark.parametrize("backend", BACKENDS)
def test_breakpoints_stop_in_every_kind_of_thread(backend):
    r = cpdb([POOL], ["break threads_pool.py:10", "continue", "p n",
                      "continue", "p n", "continue", "p n", "continue"],
             backend)
    assert r.out.count("Breakpoint 1, work") == 3, r
    assert after(r, "p n") == ["$1 = 1"], r      # threading.Thread
    assert after(r, "p n", 1) == ["$2 = 3"], r   # _thread
    assert after(r, "p n", 2) == ["$3 = 5"], r   # ThreadPoolExecutor
    nums = [n for n, _ in thread_lines(r)]
    assert nums == ["2", "3", "4"], r            # a new number each
    assert [name for _, name in thread_lines(r)] == ["worker-1", "",
                                                     "pool_0"], r
    # the location line stays pdb's, right after the stop's lines
    assert r.stops[1:4] == [("threads_pool.py", 10, "work")] * 3, r
    assert "results [10, 30, 50]" in r.out, r
    assert r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_conditions_tbreak_and_ignore_in_threads(backend):
    r = cpdb([POOL], ["break threads_pool.py:10 if n == 3", "continue",
                      "p n", "continue"], backend)
    assert r.out.count("Breakpoint 1, work") == 1, r
    assert after(r, "p n") == ["$1 = 3"], r
    assert "results [10, 30, 50]" in r.out and r.rc == 0, r

    r = cpdb([POOL], ["tbreak threads_pool.py:10", "continue", "p n",
                      "continue"], backend)
    assert r.out.count("Temporary breakpoint 1, work") == 1, r
    assert after(r, "p n") == ["$1 = 1"], r
    assert "results [10, 30, 50]" in r.out and r.rc == 0, r

    r = cpdb([POOL], ["break threads_pool.py:10", "ignore 1 1", "continue",
                      "p n", "continue", "p n", "continue"], backend)
    assert r.out.count("Breakpoint 1, work") == 2, r
    assert after(r, "p n") == ["$1 = 3"], r
    assert after(r, "p n", 1) == ["$2 = 5"], r
    assert r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_http_handler_stops_in_its_request_thread(backend):
    r = cpdb([HTTP], ["break threads_http.py:11", "continue", "p self.path",
                      "continue", "p self.path", "continue"], backend)
    assert r.out.count("Breakpoint 1, do_GET") == 2, r
    assert after(r, "p self.path") == ["$1 = '/a'"], r
    assert after(r, "p self.path", 1) == ["$2 = '/b'"], r
    names = [name for _, name in thread_lines(r)]
    assert len(names) == 2 and all("process_request_thread" in n
                                   for n in names), r
    assert "got hello /a" in r.out and "got hello /b" in r.out, r
    assert r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_threads_at_one_breakpoint_are_both_reported(backend):
    r = cpdb([RACE], ["break threads_race.py:11", "continue", "p got",
                      "continue", "p got", "continue", "continue"], backend)
    assert r.out.count("Breakpoint 1, racer") == 2, r
    got = {after(r, "p got")[0][5:], after(r, "p got", 1)[0][5:]}
    assert got == {"100", "101"}, r
    names = [name for _, name in thread_lines(r)]
    assert sorted(names[:2]) == ["racer-0", "racer-1"], r
    assert "results [100, 101]" in r.out and r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_breakpoint_call_stops_in_the_worker(backend):
    r = cpdb([RACE], ["continue", "p mine", "bt 1", "continue"], backend)
    assert r.stops[1] == ("threads_race.py", 17, "stopper"), r
    assert after(r, "p mine") == ["$1 = 'in the worker'"], r
    assert thread_lines(r)[0][1] == "stopper", r
    assert "results [100, 101]" in r.out and r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_info_threads_thread_and_thread_apply(backend):
    r = cpdb([RACE], ["continue", "info threads", "p $_thread",
                      "thread 1", "bt", "p $_thread", "up 100", "down",
                      "p sorted(out)", "next",
                      "thread apply all bt", "thread", "thread 9",
                      "thread x", "thread 2", "next", "continue"], backend)
    info = after(r, "info threads")
    assert info[0].split() == ["Id", "Native", "id", "Name", "Where"], r
    main = [l for l in info if "MainThread" in l]
    mine = [l for l in info if "stopper" in l]
    assert len(main) == 1 and len(mine) == 1, r
    assert re.match(r"^  1 +\d+ +MainThread +in C: \S+, from /\S+\(\d+\)"
                    r"\w+\(\)$", main[0]), r
    assert re.match(r"^\* 2 +\d+ +stopper +> \S+threads_race\.py\(17\)"
                    r"stopper\(\)$", mine[0]), r
    assert after(r, "p $_thread") == ["$1 = 2"], r
    assert after(r, "thread 1")[0] == '[Switching to Thread 1 "MainThread"]'
    bt = after(r, "bt")
    assert "main ()" in bt[-2] and "<module> ()" in bt[-1], r
    assert after(r, "p $_thread", 1) == ["$2 = 1"], r
    assert after(r, "p sorted(out)") == ["$3 = [100, 101]"], r  # main
    assert "Another thread is selected" in r.err + "".join(
        after(r, "next")), r
    applied = after(r, "thread apply all bt")
    heads = [l for l in applied if l.startswith("Thread ")]
    assert heads == ['Thread 2 "stopper":', 'Thread 1 "MainThread":'], r
    # thread 1 was selected before "thread apply": it still is
    assert after(r, "thread") == ['[Current thread is 1 (Thread 1 '
                                  '"MainThread")]'], r
    assert "No thread with that number" in r.err + r.out, r
    assert 'Bad thread number "x"' in r.err + r.out, r
    # back in the stopped thread, stepping works again
    assert after(r, "thread 2")[0] == '[Switching to Thread 2 "stopper"]'
    assert r.stops[-1][2] == "stopper", r
    assert "results [100, 101]" in r.out and r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_stepping_stays_in_its_thread(backend):
    steps = ["step"] * 6 + ["next", "next", "finish", "next"]
    r = cpdb([STEP], ["break threads_step.py:23", "continue"] + steps
             + ["continue"], backend)
    names = [name for _, name in thread_lines(r)]
    assert names and set(names) == {"walker"}, r
    funcs = [f for _, _, f in r.stops[1:]]
    assert set(funcs) <= {"walk", "spin"}, r
    assert funcs[:2] == ["walk", "spin"], r
    assert "done" in r.out and r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_quit_at_a_stop_in_a_worker_ends_the_program(backend):
    start = time.monotonic()
    r = cpdb([POOL], ["break threads_pool.py:10", "continue", "quit"],
             backend)
    assert r.out.count("Breakpoint 1, work") == 1, r
    assert "results" not in r.out, r
    assert time.monotonic() - start < TIMEOUT
    r = cpdb([FOREVER], ["break threads_forever.py:10", "continue",
                         "p n", "quit"], backend)
    assert after(r, "p n")[0].startswith("$1 = "), r


def test_ctrl_c_stops_a_program_whose_threads_run(home):
    pexpect = pytest.importorskip("pexpect")
    from test_terminal import PROMPT, spawn
    c = spawn(home, [FOREVER])
    c.expect_exact(PROMPT)
    c.sendline("continue")
    c.expect_exact("started")
    time.sleep(0.3)
    c.sendintr()
    c.expect_exact(PROMPT)
    c.sendline("info threads")
    c.expect_exact("loop-2")
    c.expect_exact(PROMPT)
    c.sendline("quit")
    c.expect(pexpect.EOF, timeout=15)
    c.close()
    assert c.exitstatus is not None or c.signalstatus is not None


@pytest.mark.parametrize("backend", BACKENDS)
def test_catchpoint_stops_in_a_worker(backend, tmp_path):
    prog = tmp_path / "exc.py"
    prog.write_text(
        "import threading\n"
        "def work():\n"
        "    try:\n"
        "        raise KeyError('in worker')\n"
        "    except KeyError:\n"
        "        pass\n"
        "t = threading.Thread(target=work, name='w')\n"
        "t.start()\n"
        "t.join()\n"
        "print('end')\n")
    r = cpdb([str(prog)], ["catch raise --user KeyError", "continue",
                           "continue"], backend)
    assert "Catchpoint 1 (raise), KeyError: 'in worker'" in r.out, r
    assert thread_lines(r) == [("2", "w")], r
    assert r.stops[1] == ("exc.py", 4, "work"), r
    assert "end" in r.out and r.rc == 0, r


@pytest.mark.parametrize("backend", BACKENDS)
def test_all_stop_other_threads_do_not_run_while_the_prompt_is_up(
        backend):
    # A worker counts without pause; the main thread is stopped.  Half a
    # second at the prompt: the worker runs at most the few milliseconds
    # Python typed there shares the GIL for.
    env = dict(os.environ, NO_COLOR="1", CPDB_BACKEND=backend)
    env.pop("PYTHONPATH", None)
    p = subprocess.Popen([CPDB, "-q", "-nx", program("threads_allstop.py")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line, pause in (("continue", 0.5), ("p count", 0.5),
                            ("p count", 0), ("p rate", 0),
                            ("p ($2 - $1) / $3", 0), ("continue", 0)):
            p.stdin.write(line + "\n")
            p.stdin.flush()
            time.sleep(pause)
        out, err = p.communicate(timeout=TIMEOUT)
    finally:
        p.kill()
    m = re.search(r"^\$4 = (\S+)$", out, re.M)
    assert m, out + err
    # the share of the half second the worker ran
    assert float(m.group(1)) < 0.5 / 4, out
    assert "counted" in out and p.returncode == 0, out + err


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_thread_started_before_the_breakpoint_stops_at_it(backend):
    # The spinner runs its loop (one frame, never called again) when
    # the breakpoint is set at the main thread's stop.
    r = cpdb([program("threads_late.py")],
             ["continue", "break threads_late.py:11", "continue",
              "p total > 0", "delete", "continue"], backend)
    assert "Breakpoint 1, spin" in r.out, r
    assert thread_lines(r) == [("2", "spinner")], r
    assert after(r, "p total > 0") == ["$1 = True"], r
    assert "end" in r.out and r.rc == 0, r


def test_the_main_thread_has_its_name_before_threading_is_imported():
    # At the first stop nothing has imported threading yet: the main
    # thread is still named as threading will name it.
    r = run_cpdb([STEP], ["info threads", "thread", "quit"],
                 timeout=TIMEOUT)
    rows = after(r, "info threads")
    # (3.10 keeps no native id of a thread threading has not seen: "?")
    assert re.match(r"^\* 1 +(\d+|\?) +MainThread +> \S+threads_step\.py"
                    r"\(\d+\)<module>\(\)$", rows[1]), rows
    assert after(r, "thread") == [
        '[Current thread is 1 (Thread 1 "MainThread")]'], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_breakpoint_set_in_a_worker_stop_reaches_the_main_frame(backend):
    """The main thread's module frame already runs (it waits for the
    workers) when a breakpoint is set, at a stop in a worker, on a line
    it has yet to run: it stops there."""
    prog = os.path.join(TESTS, "dap", "programs", "threads3.py")
    r = cpdb([prog], ["break 9 if tag == 'a'", "continue", "clear 9",
                      "break 26", "continue", "info threads", "continue"],
             backend)
    assert "Breakpoint 2, <module> ()" in r.out, r
    assert "threads done" in r.out and "exited with status 0" in r.out, r
