"""Objects the garbage collector does not track (str, bytes, bytearray,
int, float, and tuples and dicts of atoms), each kind held in four
places: a class attribute, a list item, a dict value and a local
variable of worker().  Each value is made at run time, so that it has
one holder.  Big.data is a 50 MB bytes held by a class attribute."""

import gc

KINDS = ["str", "bytes", "bytearray", "int", "float", "tuple", "dict"]


def make(kind, k):
    """A new object of the kind, distinct for each k."""
    if kind == "str":
        return "".join(["untracked-str-", str(k)])
    if kind == "bytes":
        return ("untracked-bytes-%d" % k).encode()
    if kind == "bytearray":
        return bytearray(b"untracked-bytearray-%d" % k)
    if kind == "int":
        return int("123456789012") * 1000 + k
    if kind == "float":
        return float(k) + 0.25
    if kind == "tuple":
        return tuple([k, "untracked-tuple"])     # untracked by collect()
    return dict(value=k)                        # atoms only: untracked


class Holder:
    pass


class Big:
    data = bytes(50 * 1024 * 1024)


for number, name in enumerate(KINDS):
    setattr(Holder, name, make(name, number))
LIST = [make(name, 100 + number) for number, name in enumerate(KINDS)]
TABLE = {name: make(name, 200 + number) for number, name in enumerate(KINDS)}


def worker():
    local_str = make("str", 300)
    local_bytes = make("bytes", 301)
    local_bytearray = make("bytearray", 302)
    local_int = make("int", 303)
    local_float = make("float", 304)
    local_tuple = make("tuple", 305)
    local_dict = make("dict", 306)
    gc.collect()
    return (local_str, local_bytes, local_bytearray, local_int,  # STOP here
            local_float, local_tuple, local_dict)


worker()
