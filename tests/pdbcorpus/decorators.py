"""Decorators, lambdas and closures."""
import functools


def _never():
    pass


def logged(func):
    @functools.wraps(func)
    def wrapper(*args):
        result = func(*args)       # @wrapper_call
        return result              # @wrapper_ret
    return wrapper


def twice(func):
    def inner(x):
        return func(func(x))       # @twice_call
    return inner


@logged
def plus_one(x):
    return x + 1                   # @plus_body


@twice
@logged
def times_two(x):
    return x * 2                   # @times_body


def make_counter():
    count = 0

    def bump(step=1):
        nonlocal count
        count += step              # @bump_body
        return count               # @bump_ret
    return bump                    # @mc_ret


def main():
    a = plus_one(1)                # @main
    b = times_two(3)               # @main_times
    key = lambda v: -v             # @lam_def
    order = sorted([3, 1, 2], key=key)     # @sorted
    apply = lambda f, v: f(v)
    c = apply(plus_one, 5)         # @apply
    counter = make_counter()       # @make_counter
    counter()                      # @counter
    counter(2)
    return a, b, order, c          # @main_ret


main()
