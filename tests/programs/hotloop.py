"""A loop of many calls in functions without breakpoints, then one
function with a breakpoint (the hot-path rule: no line events in frames
that cannot stop)."""


def inc(x):
    y = x + 1
    return y


def never():
    return 0            # a breakpoint here is never hit


def done(total):
    return total        # the final breakpoint


def main():
    total = 0
    for i in range(20000):
        total = inc(total)
    return done(total)


main()
