"""Object-heavy: instances, attributes, dicts and lists."""
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
    if other.timed(work, 3000000) < 0:
        never()


main()
