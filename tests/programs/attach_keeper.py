"""Keeps what it is given: the attach tests put cpdb's functions into
KEPT at the prompt; after SLEEP seconds the program calls each of them,
as a program that saved sys.breakpointhook while cpdb was attached would
after the detach, and prints what came of it."""
import os
import sys
import time

SLEEP = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
KEPT = []
print("ready", os.getpid(), flush=True)
time.sleep(SLEEP)
for fn in KEPT:
    try:
        fn()
        print("called", flush=True)
    except Exception as e:
        print("raised", type(e).__name__, flush=True)
print("end", len(KEPT), flush=True)
