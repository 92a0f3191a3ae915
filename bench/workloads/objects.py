"""Object-heavy: instances, attributes, dicts and lists."""
import sys
import time

import other


def rare(i):
    return i        # BREAK-COND: reached 1000 times, condition false


def never():
    return 0        # BREAK-HOT: never reached


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


def work(n):
    index = {}
    items = []
    step = n // 1000
    for i in range(n):
        p = Point(i, i * 2)
        items.append(p)
        index[i % 4096] = p.x + p.y
        if len(items) > 1000:
            items = items[500:]
        if i % step == 0:
            rare(i)
    return len(index)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000000
    t = time.perf_counter()
    work(n)
    print("elapsed %.6f" % (time.perf_counter() - t))
    if n < 0:
        never()
        other.never()


main()
