"""Exceptions: one raised and caught in user code, one caught by the
standard library after leaving user code (inspect.getmembers catches
AttributeError from a property), one uncaught."""
import inspect
import sys


def risky(n):
    if n > 1:
        raise ValueError("bad %d" % n)  # @raise
    return n


class Shy:
    @property
    def secret(self):
        raise AttributeError("no secret here")  # @prop-raise


def caught():
    try:
        risky(2)
    except ValueError:
        pass


def main():
    caught()
    names = [name for name, _ in inspect.getmembers(Shy())]
    print("members", len(names) > 0)
    if "--uncaught" in sys.argv:
        risky(3)  # @uncaught-call
    print("done")


main()
