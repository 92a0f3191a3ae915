"""Call-heavy: many small Python function calls."""
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
    if other.timed(work, 6000000) < 0:
        never()


# threads.py runs the same functions from threads
if __name__ == "__main__":
    main()
