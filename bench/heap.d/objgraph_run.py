"""Time objgraph on the heap program.py built, in program.py's process.

Each measurement prints one JSON line: its name, wall seconds, the peak
memory it added (bytes, measured as cpdb's "maintenance space" does: the
peak resident size is reset through /proc/self/clear_refs, then VmHWM
after minus VmRSS before) and what it found.  A measurement that runs
longer than TIMEOUT seconds is stopped and reported as a timeout.
"""

import gc
import io
import json
import os
import re
import signal
import sys
import time

import objgraph


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def memory(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def chain_found(chain, obj, start=objgraph.is_proper_module):
    """References in an objgraph chain (its module's __dict__ counts as
    one), or None when it found none ([obj] alone)."""
    if len(chain) < 2 or chain[-1] is not obj or not start(chain[0]):
        return None
    return len(chain) - 1


def measurements(program):
    """name -> function returning what it found (JSON-able)."""
    out = io.StringIO()

    def types():
        objgraph.show_most_common_types(limit=20, file=out)

    def growth():
        out.seek(0)
        out.truncate()
        objgraph.show_growth(limit=20, file=out)
        grown = [int(line.split()[-1]) for line in
                 out.getvalue().splitlines()]
        return "+%d" % sum(grown) if grown else "none grew"

    def instances():
        return len(objgraph.by_type("Widget"))

    def chain(ref, max_depth=20, start=objgraph.is_proper_module):
        obj = ref()
        return chain_found(objgraph.find_backref_chain(
            obj, start, max_depth=max_depth), obj, start)

    def leaks():
        return len(objgraph.get_leaking_objects())

    def referrers():
        # what objgraph's backref searches call for each object
        return len(gc.get_referrers(program.WIDGETS[0]))

    def refs_list():
        return len(gc.get_referents(program.REFS_LIST))

    def graph_backrefs():
        # show_backrefs as "gc graph OBJ backrefs" draws: depth 3
        text = io.StringIO()
        objgraph.show_backrefs([program.WIDGETS[0]], max_depth=3,
                               output=text)
        return len(re.findall(r"^ *o\d+\[label=", text.getvalue(), re.M))

    def graph_list():
        # show_refs as "gc graph" draws: depth 3, DOT text only.
        text = io.StringIO()
        objgraph.show_refs([program.GRAPH_LIST], max_depth=3, output=text)
        return len(re.findall(r"^ *o\d+\[label=", text.getvalue(), re.M))

    return {
        "types": types,
        "growth-first": growth,
        "grow": lambda: program.grow(1000),
        "growth-second": growth,
        "instances": instances,
        "chain-shallow": lambda: chain(program.SHALLOW),
        "chain-bytes": lambda: chain(lambda: program.Store.blob),
        # from the function, and from the local list's head (a module
        # holds it here: cpdb's run holds it in a frame alone)
        "chain-to": lambda: chain(program.SHALLOW,
                                  start=lambda x: x is program.compute),
        "chain-local": lambda: chain(program.LOCAL_TAIL,
                                     start=lambda x: x is program.LOCAL[0]),
        # With its default max_depth=20 objgraph gives up on the deep
        # chain; the whole chain needs DEEP_LEN + 1 steps (the module's
        # __dict__ is one), the wide one WIDE_LEVELS + 2.
        "chain-deep-default": lambda: chain(program.DEEP),
        "chain-deep": lambda: chain(program.DEEP, program.DEEP_LEN + 1),
        "chain-wide": lambda: chain(program.WIDE, program.WIDE_LEVELS + 10),
        "leaks": leaks,
        "referrers": referrers,
        "refs-list": refs_list,
        "graph-list": graph_list,
        "graph-backrefs": graph_backrefs,
    }


def report(record):
    print(json.dumps(record), flush=True)


def main(program, names):
    timeout = int(os.environ.get("TIMEOUT", "120"))
    table = measurements(program)
    signal.signal(signal.SIGALRM, on_alarm)
    for name in names:
        reset_peak()
        before = memory("VmRSS")
        started = time.perf_counter()
        signal.alarm(timeout)
        try:
            found = table[name]()
            timed_out = False
        except Timeout:
            found = None
            timed_out = True
        finally:
            signal.alarm(0)
        seconds = time.perf_counter() - started
        peak = max(0, memory("VmHWM") - before)
        report({"name": name, "seconds": seconds, "peak": peak,
                "found": found, "timeout": timed_out})
        gc.collect()
