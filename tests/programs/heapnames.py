"""Objects of the standard library's C types on the way to a value, for
gc chain to name every reference: exceptions and tracebacks, frames,
functools, descriptors, generators, weak references, collections,
__slots__ and logging."""
import collections
import functools
import logging
import weakref


class Big:
    def __init__(self, tag):
        self.tag = tag


def fail(x):
    local_x = x
    raise ValueError("boom")


def outer():
    try:
        fail(Big("traceback local"))
    except ValueError as e:
        raise KeyError("k") from e


try:
    outer()
except KeyError as err:
    EXC = err


def target(a, key=None):
    return a


PART = functools.partial(target, Big("partial arg"), key=Big("partial kw"))


@functools.lru_cache(maxsize=None)
def cached(n):
    return Big("cached %d" % n)


cached(1)


class Slotted:
    __slots__ = ("slot_a",)

    def __init__(self):
        self.slot_a = Big("slot")

    @staticmethod
    def helper():
        return 1


Slotted.helper.__dict__["note"] = Big("on a staticmethod's function")
INST = Slotted()


def gen():
    g_local = Big("generator local")
    yield g_local


GEN = gen()
next(GEN)


def on_gone(ref, payload=Big("weakref callback default")):
    pass


KEEP = Big("weakly referred")
WREF = weakref.ref(KEEP, on_gone)
DQ = collections.deque([Big("deque 0"), Big("deque 1")])
DD = collections.defaultdict(list, b=Big("defaultdict value"))
LOG = logging.getLogger("app.names")
HANDLER = logging.StreamHandler()
HANDLER.extra = Big("handler attribute")
LOG.addHandler(HANDLER)
del HANDLER


class Holder:
    pass


HOLD = Holder()
setattr(HOLD, "dyn" + "amic", Big("attribute no code names"))
stop = 1                                            # line 94
