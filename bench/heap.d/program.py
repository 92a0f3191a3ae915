"""The program bench/heap measures: a heap of about N objects the garbage
collector tracks, with three chains of references to find.

    program.py N cpdb               build the heap, then stop at
                                    breakpoint() again and again
    program.py N objgraph NAME...   build the heap, then time objgraph on
                                    it (see objgraph_run.py)

What the heap holds, all alive from this module:

- SHALLOW: an object cached in a default argument, as in the seed:
  module .compute -> function .__defaults__ -> tuple [0] -> dict ['seed']
  -> BigObject (4 references).
- DEEP: the last node of a linked list of DEEP_LEN nodes (each a Link
  whose .next is the following node), the first held by DEEP_HEAD:
  DEEP_LEN references from the module.
- WIDE: the last of WIDE_LEVELS + 1 Level objects, each the .next of the
  one before, the first held by WIDE_ROOT; each level's object is also in
  WIDE_FAN one-item lists that hang off the level before (.fans), so
  every object on the way has thousands of referrers.  The shortest
  chain is the .next one (WIDE_LEVELS + 1 references); through a fan it
  is three references a level.
- LOCAL: a linked list of LOCAL_LEN nodes held, under cpdb, only by a
  variable of the function that stops (serve()'s root); LOCAL_TAIL()
  is its last node: LOCAL_LEN references from the variable.  objgraph
  is asked for the chain from the list's head.
- Store.blob: a bytes of 1 MiB (the collector does not track it) held
  by a class attribute: module .Store -> class .blob (2 references).
- WIDGETS: N_WIDGETS Widget objects, for "gc instances".
- GRAPH_LIST: a list of GRAPH_LIST_LEN distinct ints, for "gc graph";
  REFS_LIST, its first REFS_LIST_LEN, for "gc refs" (ints are not
  tracked: the heap grows by two objects).
- FILLER: groups of five objects (Point -> dict -> tuple -> list ->
  Record), all tracked, enough for the heap to reach N objects.

SHALLOW, DEEP and WIDE are weak references: calling one gives the object
without adding a reference the collector sees.
"""

import gc
import json
import sys
import time
import weakref

try:
    # Imported in both modes, before the heap is built, so that cpdb and
    # objgraph look at the same heap.
    import objgraph_run     # beside this file, on sys.path
except ImportError:         # no objgraph: cpdb alone is measured
    objgraph_run = None

DEEP_LEN = 10000
LOCAL_LEN = 6
WIDE_LEVELS = 20
WIDE_FAN = 2000
N_WIDGETS = 3000
GRAPH_LIST_LEN = 2000000
REFS_LIST_LEN = 200000


class Record:
    def __init__(self, value):
        self.value = value


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Widget:
    def __init__(self, number):
        self.number = number
        self.parts = []


class BigObject:
    def __init__(self):
        self.payload = list(range(100))


class Store:
    blob = bytes(1 << 20)


class Link:
    def __init__(self, next_node):
        self.next = next_node


class Level:
    def __init__(self):
        self.next = None
        self.fans = []


def compute(key, _cache={}):
    """Return the value for key, kept forever in a default argument."""
    if key not in _cache:
        _cache[key] = BigObject()
    return _cache[key]


def build_deep_n(n):
    """Return the head of a linked list of n nodes and a weak reference
    to its tail."""
    tail = Link(None)
    node = tail
    for _ in range(n - 1):
        node = Link(node)
    return node, weakref.ref(tail)


def build_deep():
    return build_deep_n(DEEP_LEN)


def build_local():
    """Return a list holding the head of a linked list of LOCAL_LEN
    nodes, and a weak reference to its tail."""
    head, _ = build_deep_n(LOCAL_LEN)
    tail = head
    while tail.next is not None:
        tail = tail.next
    return [head], weakref.ref(tail)


def build_wide():
    """Return the first level and a weak reference to the last."""
    levels = [Level() for _ in range(WIDE_LEVELS + 1)]
    for k in range(WIDE_LEVELS):
        levels[k].next = levels[k + 1]
        levels[k].fans = [[levels[k + 1]] for _ in range(WIDE_FAN)]
    return levels[0], weakref.ref(levels[-1])


def filler_group(i):
    """Five tracked objects: the tuple holds a list and the dict a tuple,
    so the collector keeps tracking both."""
    return Point({"t": ([Record(i)], i)}, i)


def grow(n):
    """Add about n objects to the heap."""
    GROWN.extend(filler_group(i) for i in range(n // 5))


started = time.perf_counter()
gc.disable()
SHALLOW = weakref.ref(compute("seed"))
DEEP_HEAD, DEEP = build_deep()
WIDE_ROOT, WIDE = build_wide()
LOCAL, LOCAL_TAIL = build_local()
WIDGETS = [Widget(i) for i in range(N_WIDGETS)]
GRAPH_LIST = list(range(GRAPH_LIST_LEN))
REFS_LIST = GRAPH_LIST[:REFS_LIST_LEN]
GROWN = []
FILLER = []
FILLER.extend(filler_group(i)
              for i in range((int(sys.argv[1]) - len(gc.get_objects())) // 5))
gc.enable()
gc.collect()
BUILD_SECONDS = time.perf_counter() - started

# What bench/heap needs to know of this heap, on one line.
print("HEAP " + json.dumps({
    "objects": len(gc.get_objects()), "build_seconds": BUILD_SECONDS,
    "deep_len": DEEP_LEN, "local_len": LOCAL_LEN,
    "wide_levels": WIDE_LEVELS, "wide_fan": WIDE_FAN, "widgets": N_WIDGETS, "refs_list": REFS_LIST_LEN,
    "graph_list": GRAPH_LIST_LEN}), flush=True)

def serve(root):
    """Stop again and again, root held by this frame alone."""
    while True:
        breakpoint()


if sys.argv[2] == "cpdb":
    serve(LOCAL.pop())
else:
    objgraph_run.main(sys.modules[__name__], sys.argv[3:])
