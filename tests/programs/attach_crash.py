"""Raises an uncaught exception a while after it starts, for the attach
tests' post-mortem: the main thread after SLEEP seconds, or a thread
first when argv[2] is "thread"."""
import os
import sys
import threading
import time

SLEEP = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5


def fail(n):
    limit = n * 2
    raise ValueError("late failure %d" % limit)


print("ready", os.getpid(), flush=True)
time.sleep(SLEEP)
if len(sys.argv) > 2 and sys.argv[2] == "thread":
    t = threading.Thread(target=fail, args=(7,), name="failing")
    t.start()
    t.join()
    print("thread ended", flush=True)
    time.sleep(0.5)
    print("main goes on", sys.gettrace(), flush=True)
else:
    fail(21)
