"""Loop-heavy: arithmetic in one frame, no calls."""
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
    if other.timed(work, 8000000) < 0:
        never()


main()
