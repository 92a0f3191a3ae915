"""The target of bench/attach's throughput rows: the main thread calls a
small function in a loop and prints, every PERIOD seconds, how many
calls it made in that period ("rate N"); a second thread sleeps, as a
server's idle threads do.  It runs until killed."""
import os
import sys
import threading
import time

PERIOD = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5


def work(x):
    return x * 2 + 1


def never_called():
    return 0


threading.Thread(target=time.sleep, args=(10**6,), daemon=True).start()
print("ready", os.getpid(), flush=True)
n = 0
t0 = time.monotonic()
while True:
    for i in range(1000):
        work(i)
    n += 1000
    t = time.monotonic()
    if t - t0 >= PERIOD:
        print("rate", int(n / (t - t0)), flush=True)
        n = 0
        t0 = t
