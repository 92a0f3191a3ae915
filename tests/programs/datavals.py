import collections


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def probe(z):
    marker = z + 1
    return marker * 2


def compute(a, b=2, *rest, scale=1, **kw):
    items = [a, b] + list(rest)
    total = sum(items) * scale
    label = "total"
    print("compute total", total)
    return total


def main():
    value = 10
    text = "hello"
    counter = collections.Counter("abca")
    nested = {"numbers": list(range(40)), "name": text, "pt": Point(1, 2)}
    value = value + 1
    print("value is", value)
    print("text is", text)
    r = compute(1, 2, 3, scale=2, extra="e")
    print("compute gave", r)
    print("probe gave", probe(value))
    return len(nested)


main()
