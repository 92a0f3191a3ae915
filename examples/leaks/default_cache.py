"""A report generator that keeps every report it ever built.

compute() caches its results in a default argument: the dict is made
once, when "def" runs, and lives as long as the function does.  Each new
key adds a big object that is never dropped.

Find it:  cpdb -x default_cache.cpdb default_cache.py
"""

import sys


class BigObject:
    """A report: a title and a lot of rows."""

    def __init__(self, key, n_rows):
        self.key = key
        self.rows = [(i, key, i * 0.5) for i in range(n_rows)]

    def total(self):
        return sum(row[2] for row in self.rows)


def compute(key, _cache={}):
    # "Cache" the expensive report; nothing ever evicts it.
    if key not in _cache:
        _cache[key] = BigObject(key, 10000)
    return _cache[key].total()


def publish(key, value):
    print("%s: %.1f" % (key, value))


def main():
    for key in ["foo", "bar", "foo", "baz", "foo"]:
        publish(key, compute(key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
