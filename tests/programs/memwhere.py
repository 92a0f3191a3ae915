"""Objects of six kinds made before and after "mem start" (at line 41).
The program imports tracemalloc and collects its garbage first: objects
alive before "mem start" that die after it give CPython's free lists
memory tracemalloc never saw (see test_mem_where_versions.py)."""
import gc
import tracemalloc  # noqa: F401  (cpdb's import would leave garbage)


class Plain:
    def __init__(self, n):
        self.n = n


class Slotted:
    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


def make(n):
    plain = Plain(n)                    # line 22
    slotted = Slotted(n)                # line 23
    items = [n, n + 1, n + 2]           # line 24
    table = {"n": n, "m": n + 1}        # line 25
    raw = bytes(100 + n)                # line 26
    text = "text %d " % n * 20          # line 27
    return [plain, slotted, items, table, raw, text]


def churn():
    """Free lists, dicts, tuples and floats, so that CPython has some of
    each to reuse."""
    return [([i], {"i": i}, (i, [i]), i / 3) for i in range(200)]


old = make(1)                           # line 37
churn()
gc.collect()
spare = [[i] for i in range(300)]       # line 40: lists made before 41
new = None                              # line 41: "mem start" here
new = make(2)                           # line 42
del spare                               # line 43: freed after "mem start"
late = make(3)                          # line 44
print("done")                           # line 45
