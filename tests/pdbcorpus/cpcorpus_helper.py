"""Helper module for twofiles.py."""


def _never():
    pass


def scale(x):
    factor = 3                     # @scale
    return x * factor              # @scale_ret


class Shape:
    def __init__(self, side):
        self.side = side           # @shape_init

    def area(self):
        return scale(self.side) * self.side    # @area
