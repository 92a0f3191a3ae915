"""Objects held in every way the gc commands name: attributes, dict keys,
list indices, a default argument, a closure, a class attribute, a
module's globals, a stopped frame's variable, a weak reference, a long
linked list, and a function held only by the interpreter (atexit)."""

import atexit
import weakref


class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next


class Handler:
    def __init__(self, name):
        self.name = name


class Registry:
    shared = [Handler("class-level")]       # a class attribute


class Target:
    def __init__(self, tag):
        self.tag = tag


class Holder:
    def __init__(self, inner=None):
        self.inner = inner


def last(node):
    while node.next is not None:
        node = node.next
    return node


def make_counter():
    counts = [0]

    def bump():
        counts[0] += 1
        return counts[0]
    return bump


def lookup(key, _memo={}):
    if key not in _memo:
        _memo[key] = Handler(key)
    return _memo[key]


def _flush_on_exit():
    return None


CONFIG = {"handlers": [Handler("first"), Handler("second")], "depth": 3}
CHAIN = None
for _i in range(10000):
    CHAIN = Node(_i, CHAIN)
BUMP = make_counter()
lookup("cached")
# The target is held strongly three steps away, and weakly from the
# module: the chain must take the strong path.
HOLDER = Holder(Holder(Holder(Target("deep"))))
WEAK = weakref.ref(HOLDER.inner.inner.inner)
atexit.register(_flush_on_exit)
del _flush_on_exit, _i


def worker(label):
    payload = Target(label)
    payload.items = [label, len(label)]
    return len(payload.items)               # STOP worker


print("worker gave", worker("local"))
