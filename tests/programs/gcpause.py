"""Cycles left for the collector, and a stop before it runs."""
import gc


class Node:
    def __init__(self):
        self.other = None


def make_cycles(n):
    for _ in range(n):
        a, b = Node(), Node()
        a.other, b.other = b, a


gc.collect()
make_cycles(30)         # 60 Nodes nothing refers to, not collected yet
gc.set_threshold(100)   # the next 100 allocations would collect them
stop = 1                # line 19
print("enabled:", gc.isenabled())
