"""A long-running service for the attach tests: a worker thread serves
"requests" (handle) every few milliseconds and leaks one Session per
request into a module-level list; the main thread beats every 0.1 s.
It prints what the tests check: its readiness, each beat with the
tracer state, and the work done when it ends (after STOP_AFTER seconds
or when the file named by argv[1] appears)."""
import os
import sys
import threading
import time

STOP_AFTER = float(os.environ.get("STOP_AFTER", "30"))
stop_file = sys.argv[1] if len(sys.argv) > 1 else None


class Session:
    def __init__(self, n):
        self.n = n
        self.payload = "x" * 64


LEAK = []
done = 0
lock = threading.Lock()


def handle(i):
    global done
    LEAK.append(Session(i))
    with lock:
        done += 1
    return i * 2


def serve():
    i = 0
    while not stopping.is_set():
        handle(i)
        i += 1
        time.sleep(0.005)


stopping = threading.Event()
worker = threading.Thread(target=serve, name="server")
worker.start()
print("ready", os.getpid(), flush=True)
start = time.time()
beat = 0
while time.time() - start < STOP_AFTER:
    if stop_file and os.path.exists(stop_file):
        break
    time.sleep(0.1)
    beat += 1
    print("beat", beat, sys.gettrace(), threading.active_count(),
          flush=True)
stopping.set()
worker.join()
print("done", done == len(LEAK), flush=True)
