"""A generator consumed by a for loop, for the coroutine tests."""


def numbers(n):
    i = 0
    while i < n:
        yield i                     # @gen_yield
        i += 1                      # @gen_incr
    return i                        # @gen_ret


def consume():
    total = 0
    for v in numbers(3):            # @for
        total += v                  # @add
    return total


print("total", consume())
