"""A plain python process that the attach test attaches to: it says
"ready", then works in a loop until the file named by its first argument
exists."""
import os
import sys
import time

stop_file = sys.argv[1]


def tick(n):
    n = n + 1  # @tick
    return n


print("ready", os.getpid(), flush=True)
n = 0
while not os.path.exists(stop_file):
    n = tick(n)
    time.sleep(0.01)
print("ticks", n > 0, flush=True)
