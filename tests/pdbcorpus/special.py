"""Special methods: a class-based iterator, operators, __getattr__."""


def _never():
    pass


class Countdown:
    def __init__(self, start):
        self.n = start             # @cd_init

    def __iter__(self):
        return self                # @cd_iter

    def __next__(self):
        if self.n <= 0:            # @cd_next
            raise StopIteration    # @cd_stop
        self.n -= 1
        return self.n              # @cd_ret


class Vector:
    def __init__(self, x):
        self.x = x

    def __add__(self, other):
        return Vector(self.x + other.x)    # @vec_add

    def __eq__(self, other):
        return self.x == other.x           # @vec_eq

    def __getattr__(self, name):
        if name == "double":
            return self.x * 2              # @vec_getattr
        raise AttributeError(name)         # @vec_attr_error


def iterate():
    seen = []
    for v in Countdown(2):         # @it_for
        seen.append(v)             # @it_body
    return seen                    # @it_ret


def operators():
    total = Vector(1) + Vector(2)          # @op_add
    same = total == Vector(3)              # @op_eq
    d = total.double                       # @op_getattr
    missing = getattr(total, "nope", None)     # @op_missing
    return same, d, missing


def main():
    iterate()                      # @main
    operators()                    # @main_ops


main()
