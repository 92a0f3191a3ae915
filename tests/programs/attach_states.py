"""A target for the injector's tests (tests/e2e/test_attach_inject.py),
busy in one state (MODES) until the file STOP exists:

    python3 attach_states.py MODE STOP

It prints "ready" once busy, then, once stopped, one line per worker:
"NAME k=K sum=S errors=E", where S must be the sum of i*i for i < K
(computed through the mode's own work) and E must be 0; the sleep mode
adds how late its sleeps woke up.  Exit status 0.
"""

import hashlib
import json
import os
import queue
import signal
import socket
import sys
import threading
import time

MODE, STOP = sys.argv[1], sys.argv[2]
results = []
lock = threading.Lock()


def stopped():
    return os.path.exists(STOP)


def report(name, k, total, errors, extra=""):
    with lock:
        results.append("%s k=%d sum=%d errors=%d%s" % (name, k, total,
                                                       errors, extra))


def loop(name, step):
    """Run step(k) for k = 0, 1, ... until stopped; step returns the
    value to add (k*k when right) and whether it went wrong."""
    k = total = errors = 0
    while not stopped():
        value, bad = step(k)
        total += value
        errors += bad
        k += 1
    report(name, k, total, errors)


def in_thread(fn, *args):
    """Run fn(*args) in a thread of its own; the main thread waits."""
    th = threading.Thread(target=fn, args=args)
    th.start()
    th.join()


def sleeper(name="sleep"):
    """The main thread in time.sleep: how late does it wake?"""
    k = total = 0
    late = 0.0
    while not stopped():
        t0 = time.monotonic()
        time.sleep(0.1)
        late = max(late, abs(time.monotonic() - t0 - 0.1))
        total += k * k
        k += 1
    report(name, k, total, 0, " late_ms=%.1f" % (late * 1e3))


def server():
    """A server thread in accept/recv, the main thread a client in
    connect/recv: each request i is answered with i*i."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]

    def serve():
        while True:
            conn, _ = srv.accept()
            with conn:
                data = conn.recv(64)
                if data == b"bye":
                    return
                i = int(data)
                time.sleep(0.001)
                conn.sendall(str(i * i).encode())

    th = threading.Thread(target=serve)
    th.start()
    k = total = errors = 0
    while not stopped():
        with socket.create_connection(("127.0.0.1", port)) as c:
            c.sendall(str(k).encode())
            answer = int(c.recv(64))
        errors += answer != k * k
        total += answer
        k += 1
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(b"bye")
    th.join()
    report("server", k, total, errors)


def event_loop():
    """asyncio: the loop in epoll_wait between a producer that sleeps and
    a consumer on an asyncio.Queue."""
    import asyncio

    async def main():
        q = asyncio.Queue()

        async def produce():
            i = 0
            while not stopped():
                await asyncio.sleep(0.002)
                await q.put(i)
                i += 1
            await q.put(None)

        task = asyncio.create_task(produce())
        k = total = errors = 0
        while True:
            i = await q.get()
            if i is None:
                break
            errors += i != k
            total += i * i
            k += 1
        await task
        report("asyncio", k, total, errors)

    asyncio.run(main())


def futex():
    """Every thread waits on a lock or a condition (futex): a producer
    waits on an event with a timeout, the consumer in Queue.get."""
    q = queue.Queue()
    ev = threading.Event()

    def produce():
        i = 0
        while not stopped():
            ev.wait(0.002)
            q.put(i)
            i += 1
        q.put(None)

    th = threading.Thread(target=produce)
    th.start()
    k = total = errors = 0
    while True:
        i = q.get()
        if i is None:
            break
        errors += i != k
        total += i * i
        k += 1
    th.join()
    report("futex", k, total, errors)


def alloc():
    """Pure Python that allocates all the time."""
    k = total = errors = 0
    while not stopped():
        for _ in range(200):
            items = [str(j) for j in range(k % 50)]
            d = {s: int(s) for s in items}
            errors += sum(d.values()) != sum(range(k % 50))
            total += int(str(k)) * k
            k += 1
    report("alloc", k, total, errors)


def worker_threads():
    """Many threads allocating: bytes, json.dumps/loads."""
    def step(k):
        obj = {"i": k, "s": "x" * (k % 100), "l": list(range(k % 20))}
        back = json.loads(json.dumps(obj))
        return (back["i"] * back["i"],
                back != obj or len(bytes(k % 1000)) != k % 1000)

    ths = [threading.Thread(target=loop, args=("thread%d" % n, step))
           for n in range(4)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()


def spawner():
    """Threads made and ended all the time: each computes one square."""
    def step(k):
        out = []
        th = threading.Thread(target=lambda: out.append(k * k))
        th.start()
        th.join()
        return out[0], len(out) != 1

    loop("spawn", step)


def importer():
    """A thread that loads and unloads shared libraries (the loader's
    lock) and re-imports a module (the import lock) in a loop."""
    import ctypes
    import importlib
    import colorsys

    def step(k):
        libm = ctypes.CDLL("libm.so.6")
        libm.sqrt.restype = ctypes.c_double
        libm.sqrt.argtypes = [ctypes.c_double]
        root = int(libm.sqrt(float(k * k)))
        del libm
        importlib.reload(colorsys)
        return root * root, root != k

    in_thread(loop, "import", step)


def signals():
    """SIGALRM every millisecond, counted by a Python handler, while the
    main thread computes."""
    count = [0]

    def on_alarm(signum, frame):
        count[0] += 1

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
    k = total = 0
    while not stopped():
        for _ in range(1000):
            total += k * k
            k += 1
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    report("signals", k, total, 0 if count[0] > 0 else 1)


def faulthandler_on():
    """faulthandler.enable() (an alternate signal stack) with a thread
    sleeping and the main thread allocating."""
    import faulthandler
    faulthandler.enable()
    th = threading.Thread(target=sleeper, args=("sleeper",))
    th.start()
    alloc()
    th.join()


def blocked_in_c():
    """A thread hashing big buffers (the GIL released inside hashlib),
    the main thread waiting for it."""
    data = bytes(range(256)) * 4096 * 4
    want = hashlib.sha256(data).hexdigest()

    def step(k):
        return k * k, hashlib.sha256(data).hexdigest() != want

    in_thread(loop, "hash", step)


MODES = {
    "sleep": sleeper, "server": server, "asyncio": event_loop,
    "futex": futex, "alloc": alloc,
    "threads": worker_threads, "spawn": spawner, "import": importer,
    "signals": signals,
    "faulthandler": faulthandler_on, "cblock": blocked_in_c,
}

if __name__ == "__main__":
    print("ready", flush=True)
    MODES[MODE]()
    for line in sorted(results):
        print(line)
    sys.exit(0)
