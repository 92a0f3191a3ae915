"""Plain calls: step, next and return between functions."""


def _never():
    pass


def add(a, b):
    total = a + b                  # @add_body
    return total                   # @add_ret


def double(x):
    y = add(x, x)                  # @double_body
    return y                       # @double_ret


def chain(n):
    a = double(n)                  # @chain_first
    b = add(a, 1)                  # @chain_add
    c = double(b)
    return c                       # @chain_ret


def main():
    r1 = chain(1)                  # @main_first
    r2 = add(r1, 2)
    return r2


main()                             # @call_main
result = 0
