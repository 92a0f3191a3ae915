"""Imported by bpmain.py only after it has run for a while."""


class Shape:
    def __init__(self, side):
        self.side = side

    def area(self):
        a = self.side * self.side
        return a


def helper(k):
    return k + 100
