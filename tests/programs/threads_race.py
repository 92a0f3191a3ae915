"""Two threads reach the same line at once (a barrier lets them go
together); a third calls breakpoint()."""
import threading

barrier = threading.Barrier(2)


def racer(n, out):
    barrier.wait()
    got = n + 100
    out.append(got)                     # the breakpoint line


def stopper():
    mine = "in the worker"
    breakpoint()
    return mine


def main():
    out = []
    ts = [threading.Thread(target=racer, args=(n, out), name="racer-%d" % n)
          for n in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    s = threading.Thread(target=stopper, name="stopper")
    s.start()
    s.join()
    print("results", sorted(out))


main()
