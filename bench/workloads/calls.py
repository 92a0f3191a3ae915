"""Call-heavy: many small Python function calls."""
import sys
import time

import other


def rare(i):
    return i        # BREAK-COND: reached 1000 times, condition false


def never():
    return 0        # BREAK-HOT: never reached


def leaf(x):
    return x + 1


def mid(x):
    return leaf(x) + leaf(x)


def work(n):
    total = 0
    step = n // 1000
    for i in range(n):
        total += mid(i)
        if i % step == 0:
            rare(i)
    return total


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6000000
    t = time.perf_counter()
    work(n)
    print("elapsed %.6f" % (time.perf_counter() - t))
    if n < 0:
        never()
        other.never()


main()
