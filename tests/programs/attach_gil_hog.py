"""Holds the GIL in one long C call (sum over a range), with an idle
thread beside it, for the attach tests: cpdb's agent cannot run until
the call returns.  Prints when the call is over, then sleeps."""
import os
import sys
import threading
import time

N = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**9
threading.Thread(target=time.sleep, args=(10**6,), daemon=True).start()
print("ready", os.getpid(), flush=True)
time.sleep(0.5)
t0 = time.monotonic()
total = sum(range(N))
print("sum done %.1f" % (time.monotonic() - t0), flush=True)
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 5)
print("end", sys.gettrace(), flush=True)
