"""Blocked in C for the attach tests: the main thread sleeps SLEEP
seconds in one call, a second thread waits on an event that never
comes.  It prints how long the sleep took, so that a test can check an
attach did not cut it short or make it longer."""
import os
import sys
import threading
import time

SLEEP = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
never = threading.Event()
waiter = threading.Thread(target=never.wait, name="waiter", daemon=True)
waiter.start()


def nap(seconds):
    t0 = time.monotonic()
    time.sleep(seconds)
    return time.monotonic() - t0


print("ready", os.getpid(), flush=True)
took = nap(SLEEP)
print("slept %.2f" % took, sys.gettrace(), flush=True)
