"""Nothing here leaks: "leak hints" must say so.  (typing caches its
generic aliases in an lru_cache on a method: the standard library's
caches are not hinted at.)"""
import typing

ALIASES = [getattr(typing, name)[int] for name in (
    "List", "Set", "FrozenSet", "Deque", "Iterable", "Iterator",
    "Sequence", "Collection", "Container", "AbstractSet", "Reversible",
    "MutableSequence", "MutableSet", "Type")]


def total(values):
    return sum(values)


def main():
    data = [1, 2, 3]
    result = total(data)
    return result               # line 19


main()
