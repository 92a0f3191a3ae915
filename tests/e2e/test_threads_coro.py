"""breakpoint() in a coroutine that runs in a worker thread's event loop
stops in that thread, and the task commands find that thread's loop."""

import re

import pytest

from conftest import program, python_version, run_cpdb
from transcript import after

AIO = program("threads_aio.py")

# Both backends where there are two (test_threads.py).
BACKENDS = (["monitoring", "legacy"] if python_version() >= (3, 12)
            else ["legacy"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_breakpoint_in_a_coroutine_of_a_worker_threads_loop(backend):
    r = run_cpdb([AIO], ["continue", "p x", "info tasks", "info threads",
                         "thread apply all bt", "continue"], timeout=60,
                 env={"CPDB_BACKEND": backend})
    assert '[Thread 2 "loop-thread"]' in r.out, r
    # breakpoint() stops at the line after it, as pdb's does
    assert r.stops[1] == ("threads_aio.py", 8, "handler"), r
    assert after(r, "p x") == ["$1 = 21"], r
    tasks = after(r, "info tasks")
    assert re.match(r"^\* 1 +running +Task-1 +handler +\S+threads_aio\.py"
                    r"\(8\)handler\(\)$", tasks[1]), tasks
    threads = after(r, "info threads")
    assert re.match(r"^\* 2 +\d+ +loop-thread +> \S+threads_aio\.py\(8\)"
                    r"handler\(\)$", threads[2]), threads
    # the task is the loop thread's: the main thread's stack has none
    bt = "\n".join(after(r, "thread apply all bt"))
    loop, main = bt.split('Thread 1 "MainThread":')
    assert 'In task 1 "Task-1" (handler)' in loop, bt
    assert "In task" not in main, bt
    assert "result 21" in r.out and "done" in r.out, r
    assert r.rc == 0, r
