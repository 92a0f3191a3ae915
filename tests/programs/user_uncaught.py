"""A ValueError caught by the program's own code, and an AttributeError
that leaves a property into inspect.getmembers, which catches it."""
import inspect


def risky(n):
    if n > 1:
        raise ValueError("bad %d" % n)
    return n


class Shy:
    @property
    def secret(self):
        raise AttributeError("no secret here")


def caught():
    try:
        risky(2)
    except ValueError:
        pass


caught()
names = [name for name, _ in inspect.getmembers(Shy())]
print("members", len(names) > 0)
