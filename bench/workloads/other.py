"""A module the workloads import: the breakpoint "in another file", and
the timing every workload does the same way."""
import sys
import time


def never():
    return 0        # BREAK-OTHER: never reached


def timed(work, default_n):
    """Run work(n), n from the command line, and print how long it took.
    Return: n."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else default_n
    t = time.perf_counter()
    work(n)
    print("elapsed %.6f" % (time.perf_counter() - t))
    if n < 0:
        never()
    return n
