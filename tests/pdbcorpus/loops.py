"""for and while loops, for until."""


def _never():
    pass


def summing(n):
    total = 0                      # @sum_first
    for i in range(n):             # @for
        total += i                 # @for_body
    after = total * 2              # @after_for
    return after                   # @sum_ret


def countdown(n):
    while n > 0:                   # @while
        n -= 1                     # @while_body
    done = True                    # @after_while
    return done


def nested(n):
    hits = 0
    for i in range(n):             # @outer
        for j in range(n):         # @inner
            hits += 1              # @inner_body
    return hits                    # @nested_ret


def main():
    summing(3)                     # @main
    countdown(3)                   # @main_countdown
    nested(2)                      # @main_nested
    return 0                       # @main_ret


main()
