"""Runs a busy loop (for pause) and ends by itself after a while."""
import sys
import time


def spin(seconds):
    x = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        x += 1  # @spin-body
    return x


print("spinning", flush=True)
spin(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0)
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write("finished\n")
