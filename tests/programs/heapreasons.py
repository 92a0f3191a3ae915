"""Objects alive with no chain from a module: a dropped cycle while the
collector is off, then on; a cycle kept in gc.garbage by DEBUG_SAVEALL;
an object held from C only (atexit's list); a value the program
dropped.  Each stop writes "gc chain ADDRESS" for cpdb to source, so
the value history does not hold the object (argv[1]: the folder)."""
import atexit
import gc
import os
import sys

OUT = sys.argv[1]


class Node:
    def __init__(self, name):
        self.name = name
        self.other = None


def make_cycle():
    a = Node("a")
    b = Node("b")
    a.other = b
    b.other = a
    return a


def note(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("gc chain %#x\n" % id(obj))


gc.disable()
held = make_cycle()
note("off.cmd", held)
del held
stop_off = 1                                        # line 37
gc.enable()
gc.set_threshold(100000, 10, 10)
held = make_cycle()
note("on.cmd", held)
del held
stop_on = 1                                         # line 43
gc.set_debug(gc.DEBUG_SAVEALL)
held = make_cycle()
note("saved.cmd", held)
del held
gc.collect()
stop_saved = 1                                      # line 49
gc.set_debug(0)
gc.garbage.clear()
from_c = [Node("c")]
atexit.register(from_c.pop)
note("c.cmd", from_c)
del from_c
value = Node("v")
stop_value = 1                                      # line 57
del value
stop_end = 1                                        # line 59
