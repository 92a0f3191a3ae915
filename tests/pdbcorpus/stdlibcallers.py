"""Functions of this file called by Python code of the standard library
(functools.singledispatch, contextlib): their callers are frames in files
without breakpoints."""
import contextlib
import functools


def _never():
    pass


@functools.singledispatch
def describe(value):
    return "thing"                 # @desc_default


@describe.register
def _(value: int):
    text = "int %d" % value        # @desc_int
    return text                    # @desc_int_ret


@contextlib.contextmanager
def opened(name):
    handle = [name]                # @op_first
    yield handle                   # @op_yield
    handle.append("closed")        # @op_after


def main():
    a = describe(3)                # @main
    b = describe("x")              # @main_str
    with opened("f") as h:         # @main_with
        h.append("used")           # @main_body
    return a, b, h                 # @main_ret


main()
