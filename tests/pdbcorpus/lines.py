"""Line-level shapes: one-line loops, statements on several lines, several
statements on one line, for/else, while with break and continue, return
inside try/finally, breakpoints on def lines."""


def _never():
    pass


def one_line_loop(n):
    total = 0                      # @oll_first
    for i in range(n): total += i     # @oll_loop
    return total                   # @oll_ret


def multi_line(a,
               b):
    result = (a +                  # @ml_first
              b *
              2)
    value = max(a,
                b)                 # @ml_args
    x = 1; y = 2                   # @ml_semicolon
    return result + value + x + y


def for_else(items):
    for item in items:             # @fe_for
        if item < 0:
            break
    else:
        item = None                # @fe_else
    return item                    # @fe_ret


def while_flow(n):
    i = 0
    while True:                    # @wf_while
        i += 1
        if i % 2:
            continue               # @wf_continue
        if i > n:
            break                  # @wf_break
    return i                       # @wf_ret


def return_in_finally():
    try:
        return "body"              # @rf_return
    finally:
        done = True                # @rf_finally


def main():                        # @main_def
    one_line_loop(3)               # @main
    multi_line(1,
               2)                  # @main_ml
    for_else([1, 2])               # @main_fe
    while_flow(3)                  # @main_wf
    return_in_finally()            # @main_rf


main()
