"""Objects of six kinds made before and after "mem start" (at line 39),
and lists made before it, old, freed after it."""
import gc


class Plain:
    def __init__(self, n):
        self.n = n


class Slotted:
    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


def make(n):
    plain = Plain(n)                    # line 19
    slotted = Slotted(n)                # line 20
    items = [n, n + 1, n + 2]           # line 21
    table = {"n": n, "m": n + 1}        # line 22
    raw = bytes(100 + n)                # line 23
    text = "text %d " % n * 20          # line 24
    return [plain, slotted, items, table, raw, text]


def churn():
    """Free lists, dicts, tuples and floats, so that CPython has some of
    each to reuse."""
    return [([i], {"i": i}, (i, [i]), i / 3) for i in range(200)]


old = make(1)                           # line 34
churn()
spare = [[i] for i in range(300)]       # lists made before "mem start"
gc.collect()                            # old's and spare's objects are old
young = make(4)                         # line 38: young, made before too
new = None                              # line 39: "mem start" here
new = make(2)                           # line 40
del spare                               # freed after "mem start"
late = make(3)                          # line 42
print("done")                           # line 43
