"""Recursive functions: the same code object on several frames."""


def _never():
    pass


def fact(n):
    if n <= 1:                     # @fact_test
        return 1                   # @fact_base
    sub = fact(n - 1)              # @fact_rec
    return n * sub                 # @fact_ret


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)     # @fib_line


def main():
    a = fact(4)                    # @main_fact
    b = fib(3)                     # @main_fib
    return a + b


main()
