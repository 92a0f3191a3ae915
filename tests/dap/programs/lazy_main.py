"""Imports lazymod only after a first line of output: a breakpoint in
lazymod is pending until then."""
import sys

print("before import", flush=True)
import lazymod  # noqa: E402

print("work", lazymod.work(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
