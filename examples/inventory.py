"""A small inventory report: the example cpdb starts on (dev/start).

Try:  break restock    continue    bt    p item    n    finish
"""

import sys

PRICES = {"apple": 0.5, "pear": 0.75, "fig": 2.0}


class Shelf:
    def __init__(self, name):
        self.name = name
        self.items = {}

    def add(self, item, count):
        self.items[item] = self.items.get(item, 0) + count
        return self.items[item]

    def value(self):
        return sum(PRICES[item] * n for item, n in self.items.items())


def restock(shelf, orders):
    for item, count in orders:
        if item not in PRICES:
            raise KeyError("no price for %r" % item)
        shelf.add(item, count)
    return shelf.value()


def main(argv):
    shelf = Shelf("front")
    orders = [("apple", 10), ("pear", 4), ("fig", 3)]
    if len(argv) > 1:
        orders.append((argv[1], 1))
    total = restock(shelf, orders)
    print("%s shelf is worth %.2f" % (shelf.name, total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
