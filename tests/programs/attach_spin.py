"""A loop in pure Python that calls and allocates nothing (no function
cpdb's loader can wait for is ever called), alone in its process, for
the attach tests."""
import os

print("ready", os.getpid(), flush=True)
spinning = True
while spinning:
    pass
print("stopped spinning", flush=True)
