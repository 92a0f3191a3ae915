"""Ends in the way named by sys.argv[1]."""
import sys


def fail(x):
    y = x * 2
    raise ValueError("bad value %d" % y)


def outer(x):
    return fail(x + 1)


mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
print("mode", mode)
if mode == "code":
    sys.exit(3)
elif mode == "msg":
    sys.exit("goodbye message")
elif mode == "raise":
    raise SystemExit(4)
elif mode == "exc":
    outer(20)
elif mode == "kbd":
    raise KeyboardInterrupt
print("finished", mode)
