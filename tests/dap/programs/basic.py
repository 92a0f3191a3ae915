"""Stops, steps and values for the DAP tests: markers "# @NAME" name the
lines the tests stop at."""
import json
import os
import sys


class Basket:
    def __init__(self, owner):
        self.owner = owner
        self.items = {"apple": 3, "pear": [1, 2, {"deep": "yes"}]}


LABEL = "global-label"
BASKETS = [Basket("b%d" % i) for i in range(3000)]


def add(a, b):
    total = a + b  # @add-body
    return total  # @add-return


def values():
    n = 42
    name = "ann"
    basket = Basket("ann")
    big_list = list(range(10000))
    big_dict = {"k%05d" % i: i for i in range(10000)}
    return n, name, basket, big_list, big_dict  # @values


def counter():
    n = 1
    n = n + 1  # @set-here
    m = n * 2  # @set-next
    return m


def main():  # @main-def
    count = 0
    for i in range(3):  # @for
        count = add(count, i)  # @call-add
        text = json.dumps({"i": i})  # @json
    print("count", count, text)  # @after-loop
    values()
    print("m", counter())
    return count


if __name__ == "__main__":
    main()
