"""A batch worker that turned the garbage collector off for speed and
makes a reference cycle on every job: nothing ever frees the cycles.
Also: a fixed set of widgets, and a class made and dropped per batch."""

import gc

gc.disable()


class Job:
    __slots__ = ("name", "peer")

    def __init__(self, name):
        self.name = name
        self.peer = None


class Widget:
    def __init__(self, number):
        self.number = number


def make_pair(n):
    first, second = Job("first%d" % n), Job("second%d" % n)
    first.peer, second.peer = second, first


def make_type(n):
    class Temporary:
        serial = n
    return Temporary.serial


def checkpoint(n):
    return n                                # STOP checkpoint


WIDGETS = [Widget(i) for i in range(37)]
for job in range(12):
    make_pair(job)
    checkpoint(job)
make_type(0)
checkpoint(-1)
print("jobs done")
