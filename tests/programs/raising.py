"""Exceptions raised and caught: in a loop, by the program's own code,
by C code it calls, and inside the standard library."""
import json


class ParseError(ValueError):
    pass


def parse(text):
    if not text.isdigit():
        raise ParseError("not a number: " + text)
    return int(text)


def lookup(table, key):
    return table[key]


def decode(doc):
    try:
        return json.loads(doc)
    except json.JSONDecodeError as e:
        return "bad json at %d" % e.pos


def main():
    total = 0
    for word in ["1", "x", "2", "y"]:
        try:
            total += parse(word)
        except ValueError:
            total += 100
    try:
        lookup({}, "missing")
    except KeyError:
        total += 1000
    print("decoded", decode("[1, 2]"), decode("[1, "))
    print("total", total)
    return total


if __name__ == "__main__":
    main()
