"""Forks a child again and again, for the attach tests: each child calls
work() and exits, the parent waits for it, calls work() itself, and
prints a line per round, until the file named by argv[1] appears."""
import os
import sys
import time

stop_file = sys.argv[1]


def work(n):
    return n * 3


print("ready", os.getpid(), flush=True)
rounds = 0
while not os.path.exists(stop_file):
    pid = os.fork()
    if pid == 0:
        work(rounds)
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    work(rounds)
    rounds += 1
    print("round", rounds, os.waitstatus_to_exitcode(status),
          sys.gettrace(), flush=True)
    time.sleep(0.05)
print("done", rounds, flush=True)
