"""Busy in Python for the attach tests: the main thread calls work() in
a loop without end (until killed), with an idle thread beside it that
sleeps in C, as a server's do."""
import os
import threading
import time


def work(x):
    return x * 2 + 1


threading.Thread(target=time.sleep, args=(10**6,), daemon=True).start()
print("ready", os.getpid(), flush=True)
total = 0
while True:
    for i in range(1000):
        total += work(i)
