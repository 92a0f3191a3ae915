"""Threads: 8 busy threads share the calls of the call-heavy workload
(the breakpoints are in its code, which every thread runs)."""
import threading

import other
from calls import mid, never, rare      # the breakpoints' lines are there

N_THREADS = 8


def busy(first, n, step, out):
    total = 0
    for i in range(first, n, N_THREADS):
        total += mid(i)
        if i % step == 0:
            rare(i)
    out.append(total)


def work(n):
    out = []
    step = max(n // 1000, 1)
    threads = [threading.Thread(target=busy, args=(k, n, step, out))
               for k in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(out)


def main():
    if other.timed(work, 4000000) < 0:
        never()


main()
