"""Loop-heavy: arithmetic in one frame, no calls."""
import sys
import time

import other


def rare(i):
    return i        # BREAK-COND: reached 1000 times, condition false


def never():
    return 0        # BREAK-HOT: never reached


def work(n):
    total = 0
    step = n // 1000
    for i in range(n):
        total += (i * i) % 7
        total ^= i & 0xff
        if i % step == 0:
            rare(i)
    return total


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8000000
    t = time.perf_counter()
    work(n)
    print("elapsed %.6f" % (time.perf_counter() - t))
    if n < 0:
        never()
        other.never()


main()
