"""Coroutines and generators: "next" over an await stays in its
coroutine; next, step, until and finish at the end of an asyncio task's
coroutine go on in the task that awaits it, not in the event loop;
"info tasks", "task N" and the tasks at the end of "backtrace"."""

import os
import re

import pytest

from conftest import program, python_version, run_cpdb
from transcript import after, error_lines, locations, stop_after

TASKS = os.path.realpath(program("coro_tasks.py"))
GEN = os.path.realpath(program("coro_gen.py"))

BACKENDS = ["legacy", "monitoring"] if python_version() >= (3, 12) \
    else ["legacy"]


def line(prog, name):
    """The line of the "# @name" comment of a test program."""
    with open(prog) as f:
        for number, text in enumerate(f, 1):
            if re.search(r"# @%s\b" % re.escape(name), text):
                return number
    raise AssertionError("no marker %s in %s" % (name, prog))


def run(commands, backend, prog=TASKS):
    return run_cpdb([prog], commands, env={"CPDB_BACKEND": backend})


def at(name, func, prog=TASKS):
    return (os.path.basename(prog), line(prog, name), func)


def in_asyncio(r):
    """The stops made in asyncio's own files."""
    return [loc for loc in locations(r.out.splitlines())
            if os.sep + "asyncio" + os.sep in loc[0]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_next_over_await_stays_in_the_same_coroutine(backend):
    # Task "slow" is stopped; "quick" runs fetch() meanwhile and its
    # await ends first: next must not stop there.
    r = run(["break %d" % line(TASKS, "fetch_first"), "continue",
             "disable 1", "p delay", "next", "next", "p delay", "next",
             "p delay"], backend)
    assert after(r, "p delay") == ["$1 = 0.2"], r
    assert stop_after(r, "next", 0) == at("fetch_await", "fetch"), r
    assert stop_after(r, "next", 1) == at("fetch_after", "fetch"), r
    assert "Internal StopIteration" not in "\n".join(after(r, "next", 1))
    assert after(r, "p delay", 1) == ["$2 = 0.2"], r
    assert stop_after(r, "next", 2) == at("fetch_ret", "fetch"), r


@pytest.mark.parametrize("backend", BACKENDS)
def test_next_at_the_end_of_a_task_goes_to_the_awaiting_task(backend):
    # worker() is the coroutine of task "quick"; main() awaits it
    # through gather and resumes when both tasks are done.
    r = run(["break %d if delay < 0.1" % line(TASKS, "worker_ret"),
             "continue", "disable 1", "next", "p results", "next",
             "next"], backend)
    assert stop_after(r, "next", 0) == at("main_print", "main"), r
    assert after(r, "p results") == ["$1 = [4, 4]"], r
    assert in_asyncio(r) == [], r
    # The end of main(), the program's main task: on in the code that
    # called asyncio.run().
    assert stop_after(r, "next", 2) == at("after_run", "<module>"), r


@pytest.mark.parametrize("backend", BACKENDS)
def test_step_at_the_end_of_a_task_does_not_enter_the_event_loop(backend):
    r = run(["break %d if delay < 0.1" % line(TASKS, "worker_ret"),
             "continue", "disable 1", "step", "step"], backend)
    out = after(r, "step", 0)
    assert out[0] == "--Return--", r
    assert stop_after(r, "step", 0) == at("worker_ret", "worker"), r
    assert stop_after(r, "step", 1) == at("main_print", "main"), r
    assert in_asyncio(r) == [], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_until_at_the_end_of_a_task_goes_to_the_awaiting_task(backend):
    r = run(["break %d if delay < 0.1" % line(TASKS, "worker_ret"),
             "continue", "disable 1", "until"], backend)
    assert stop_after(r, "until") == at("main_print", "main"), r


@pytest.mark.parametrize("backend", BACKENDS)
def test_finish_out_of_a_coroutine_stops_in_its_awaiter(backend):
    # fetch() is awaited by worker(): the stop is in worker, at the
    # await, with the value as pdb shows it.  worker() is a task's
    # coroutine: finish goes on in main(), which awaits the task.
    # (On 3.12+ pdb's "return" in a coroutine also stops at the
    # StopIteration of each await inside it: the last fetch() leaves
    # none.)
    r = run(["break %d if delay < 0.1 and n == 1"
             % line(TASKS, "fetch_after"),
             "continue", "disable 1", "finish", "finish", "p results",
             "finish"], backend)
    assert stop_after(r, "finish", 0) == at("worker_await", "worker"), r
    assert after(r, "finish", 0)[0] == "Internal StopIteration: 3", r
    assert stop_after(r, "finish", 1) == at("main_print", "main"), r
    assert stop_after(r, "finish", 2) == at("after_run", "<module>"), r
    assert after(r, "p results") == ["$1 = [4, 4]"], r
    assert in_asyncio(r) == [], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_info_tasks_lists_each_task_state_and_where_it_waits(backend):
    r = run(["info tasks", "break %d if delay > 0.1" % line(TASKS,
                                                           "fetch_after"),
             "continue", "info tasks"], backend)
    assert after(r, "info tasks", 0) == [
        "No asyncio tasks: no event loop runs in this thread."], r
    rows = after(r, "info tasks", 1)
    assert rows[0].split() == ["Num", "State", "Name", "Coroutine",
                               "Where"], r
    by_name = {}
    for row in rows[1:]:
        fields = row[1:].split(None, 4)
        by_name[fields[2]] = (row[0], fields)
    assert set(by_name) == {"Task-1", "slow"}, r     # quick is done
    mark, slow = by_name["slow"]
    assert mark == "*" and slow[1] == "running" and slow[3] == "worker", r
    assert slow[4] == "%s(%d)fetch()" % (TASKS, line(TASKS, "fetch_after"))
    mark, main = by_name["Task-1"]
    assert mark == " " and main[1] == "pending" and main[3] == "main", r
    # Task-1 first, then the named tasks by name.
    assert (main[0], by_name["slow"][1][0]) == ("1", "2"), r
    assert main[4].startswith("%s(%d)main(), awaiting gather of tasks "
                              % (TASKS, line(TASKS, "main_gather"))), r
    assert error_lines(r) == [], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_backtrace_in_a_task_shows_the_tasks_awaiting_it(backend):
    r = run(["break %d if delay > 0.1" % line(TASKS, "fetch_after"),
             "continue", "bt", "info tasks", "task 1", "task 2",
             "task 99", "task x"], backend)
    out = after(r, "bt")
    assert out[0].startswith("> #0   fetch (n=0, delay=0.2) at "), r
    assert out[1].startswith("  #1   worker (n=2, delay=0.2) at "), r
    start = [i for i, l in enumerate(out) if l.startswith("In task ")]
    assert len(start) == 1, r
    tail = out[start[0]:]
    assert re.match(r'In task \d+ "slow" \(worker\), awaited by:$',
                    tail[0]), r
    assert re.match(r'  task \d+ "Task-1" \(main\), through gather$',
                    tail[1]), r
    assert tail[2:] == ["    main () at %s:%d" % (TASKS, line(TASKS,
                                                        "main_gather"))], r
    numbers = {row[1:].split()[2]: row[1:].split()[0]
               for row in after(r, "info tasks")[1:]}
    # "task N" of the pending main task: its suspended coroutines.
    main_n = int(numbers["Task-1"])
    out = after(r, "task %d" % main_n)
    assert out[0] == 'Task %d "Task-1" (main), pending' % main_n, r
    assert out[1] == "  main () at %s:%d" % (TASKS, line(TASKS,
                                                       "main_gather")), r
    assert out[2].startswith("Awaiting gather of tasks "), r
    slow_n = int(numbers["slow"])
    assert after(r, "task %d" % slow_n) == [
        'Task %d "slow" (worker), running' % slow_n,
        'It runs now: "backtrace" shows its frames.'], r
    assert error_lines(r) == [
        'No task number 99 ("info tasks" lists them).',
        'Bad task number "x": a number from "info tasks" is expected.'], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_task_shows_a_suspended_task_innermost_coroutine_first(backend):
    # Stopped in "quick" while "slow" sleeps in fetch().  Tasks are
    # numbered as cpdb first sees them: look at each.
    r = run(["break %d if delay < 0.1" % line(TASKS, "fetch_after"),
             "continue", "info tasks", "task 1", "task 2", "task 3"],
            backend)
    shown = [after(r, "task %d" % n) for n in (1, 2, 3)]
    slow = [out for out in shown if out and '"slow"' in out[0]]
    assert len(slow) == 1, r
    out = slow[0]
    assert re.match(r'Task \d "slow" \(worker\), pending$', out[0]), r
    frames = [l.split()[0] for l in out[1:-1]]
    assert frames[-2:] == ["fetch", "worker"], r
    assert out[-2] == "  worker (n=2, delay=0.2) at %s:%d" % (
        TASKS, line(TASKS, "worker_await")), r
    assert out[-1].startswith("Awaiting "), r


@pytest.mark.parametrize("backend", BACKENDS)
def test_next_over_yield_stays_in_the_generator(backend):
    r = run(["break %d" % line(GEN, "gen_yield"), "continue", "disable 1",
             "next", "p i", "next", "next", "p i"], backend, prog=GEN)
    assert stop_after(r, "next", 0) == at("gen_incr", "numbers", GEN), r
    assert after(r, "p i") == ["$1 = 0"], r
    assert stop_after(r, "next", 2) == at("gen_yield", "numbers", GEN), r
    assert after(r, "p i", 1) == ["$2 = 1"], r


GROUP = os.path.realpath(program("coro_group.py"))


@pytest.mark.skipif(python_version() < (3, 11), reason="TaskGroup: 3.11+")
@pytest.mark.parametrize("backend", BACKENDS)
def test_next_at_the_end_of_a_taskgroup_child_goes_to_its_parent(backend):
    # The parent waits in TaskGroup.__aexit__ (asyncio's code): the stop
    # is in the program's coroutine that holds the "async with".
    r = run(["break %d" % line(GROUP, "child_ret"), "continue", "bt",
             "next", "p task.result()"], backend, prog=GROUP)
    out = after(r, "bt")
    tail = out[[i for i, l in enumerate(out)
                if l.startswith("In task ")][0]:]
    assert re.match(r'In task \d+ "child" \(child\), awaited by:$',
                    tail[0]), r
    assert re.match(r'  task \d+ "Task-1" \(main\)', tail[1]), r
    assert tail[-1].startswith("    main () at %s:" % GROUP), r
    assert stop_after(r, "next") == at("after_group", "main", GROUP), r
    assert after(r, "p task.result()") == ["$1 = 6"], r
    assert in_asyncio(r) == [], r


@pytest.mark.parametrize("backend", BACKENDS)
def test_backtrace_after_task_n_shows_that_task_until_the_next_stop(
        backend):
    r = run(["break %d if delay < 0.1" % line(TASKS, "fetch_after"),
             "continue", "task 1", "bt", "task 2", "bt", "task 3", "bt",
             "task", "continue", "bt", "task"], backend)
    states = {}
    for n in (1, 2, 3):
        head = after(r, "task %d" % n)[0]
        m = re.match(r'Task %d "([^"]+)" \((\w+)\), (\w+)$' % n, head)
        assert m, r
        states[n] = m.groups()
        bt = after(r, "bt", n - 1)
        if m.group(3) == "running":
            assert m.group(1) == "quick", r
            assert bt[0].startswith("> #0   fetch (n=0, delay=0.01) at "), r
        else:
            frames = after(r, "task %d" % n)[1:-1]
            assert bt[0] == 'Task %d "%s" (%s), pending:' % (
                n, m.group(1), m.group(2)), r
            assert bt[1:1 + len(frames)] == frames, r
            rest = bt[1 + len(frames):]
            if m.group(1) == "slow":
                assert rest[0] == "Awaited by:", r
                assert re.match(r'  task \d "Task-1" \(main\), through '
                                r'gather$', rest[1]), r
                assert rest[2:] == ["    main () at %s:%d" % (
                    TASKS, line(TASKS, "main_gather"))], r
            else:
                assert frames == ["  main () at %s:%d" % (
                    TASKS, line(TASKS, "main_gather"))], r
                assert rest == [], r
    assert sorted(s[0] for s in states.values()) == ["Task-1", "quick",
                                                     "slow"], r
    assert after(r, "task", 0) == (
        ['"backtrace" shows the stack of the stop.']
        if states[3][2] == "running" else ['"backtrace" shows task 3.']), r
    # The next stop shows its own stack again.
    assert after(r, "bt", 3)[0].startswith(
        "> #0   fetch (n=1, delay=0.01) at "), r
    assert after(r, "task", 1) == ['"backtrace" shows the stack of the '
                                   'stop.'], r
