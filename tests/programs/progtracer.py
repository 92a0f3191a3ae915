"""A program with a tracer, a profiler or a coverage recorder of its own:
it prints what they saw, to be compared with a run under plain python.
Usage: progtracer.py settrace|thread|allthreads|profile|lines|cprofile|plain
(allthreads: threading.settrace_all_threads, 3.12+)"""
import sys
import threading
from collections import Counter

counts = Counter()
covered = set()


def tracer(frame, event, arg):
    counts[event] += 1
    return tracer


def line_recorder(frame, event, arg):
    if event == "line" and frame.f_code.co_filename == __file__:
        covered.add((frame.f_code.co_name, frame.f_lineno))
    return line_recorder


def profiler(frame, event, arg):
    counts[event] += 1


def helper(i):
    if i % 2:           # bp-helper
        return i * 3
    return i * 2


def gen(k):
    for j in range(k):
        yield j


def work(n):
    total = 0           # bp-work
    for i in range(n):
        total += helper(i)
    try:
        raise ValueError("x")
    except ValueError:
        total += 1
    total += sum(gen(3))
    return total


def profiled_calls(path):
    import pstats
    stats = pstats.Stats(path).stats
    return sorted((name, nc) for (file, line, name), (cc, nc, tt, ct, callers)
                  in stats.items() if file == __file__)


mode = sys.argv[1]
print("gettrace before", sys.gettrace())       # bp-start
if mode == "settrace":
    sys.settrace(tracer)
    print("gettrace is tracer", sys.gettrace() is tracer)
    result = work(6)
    sys.settrace(None)
elif mode == "thread":
    threading.settrace(tracer)
    worker = threading.Thread(target=work, args=(6,))
    worker.start()
    worker.join()
    threading.settrace(None)
    result = work(6)
elif mode == "allthreads":
    threading.settrace_all_threads(tracer)
    print("gettrace is tracer", sys.gettrace() is tracer)
    worker = threading.Thread(target=work, args=(6,))
    worker.start()
    worker.join()
    result = work(6)
    threading.settrace_all_threads(None)
elif mode == "profile":
    sys.setprofile(profiler)
    print("getprofile is profiler", sys.getprofile() is profiler)
    result = work(6)
    sys.setprofile(None)
elif mode == "lines":
    sys.settrace(line_recorder)
    result = work(6)
    sys.settrace(None)
elif mode == "cprofile":
    import cProfile
    import os
    import tempfile
    fd, path = tempfile.mkstemp()
    os.close(fd)
    cProfile.run("result = work(6)", path)
    print("profiled", profiled_calls(path))
    os.unlink(path)
else:
    result = work(6)
print("result", result)
print("counts", sorted(counts.items()))
print("covered", sorted(covered))
print("gettrace after", sys.gettrace())
