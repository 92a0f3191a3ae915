"""Comprehensions and generator expressions (their own frames up to
Python 3.11; list/dict/set comprehensions are inlined from 3.12)."""


def _never():
    pass


def square(x):
    return x * x                                       # @square


def comps(n):
    squares = [square(i) for i in range(n)]            # @lc
    table = {i: square(i) for i in range(n)}           # @dc
    evens = {i for i in range(n) if i % 2 == 0}        # @sc
    total = sum(square(i) for i in range(n))           # @ge
    nested = [[j for j in range(i)] for i in range(n)]     # @nested
    return squares, table, evens, total, nested        # @comps_ret


def comp_error(values):
    try:
        return [1 // v for v in values]                # @ce_lc
    except ZeroDivisionError:
        return None                                    # @ce_handler


def main():
    comp_error((1, 0))                                 # @main_error
    return comps(3)                                    # @main


main()
