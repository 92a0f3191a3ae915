"""Code at module level: return and next at the end of the program."""


def _never():
    pass


def helper():
    return 1                       # @helper


def pending():
    try:
        yield 1                    # @pending_yield
    finally:
        closed = True              # @pending_finally


x = helper()                       # @first
g = pending()                      # @make_gen
next(g)
y = x + 1                          # @last
