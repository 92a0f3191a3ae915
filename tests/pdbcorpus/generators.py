"""Generators: for loops, yield from, send, exhaustion."""


def _never():
    pass


def count_up(n):
    i = 0                          # @cu_first
    while i < n:
        yield i                    # @cu_yield
        i += 1                     # @cu_incr
    return "done"                  # @cu_ret


def delegate():
    result = yield from count_up(2)    # @del_yf
    yield result                   # @del_result


def accumulator():
    total = 0                      # @acc_first
    while True:
        value = yield total        # @acc_yield
        if value is None:
            break
        total += value             # @acc_add
    return total                   # @acc_ret


def use_for():
    out = []
    for v in count_up(3):          # @for_line
        out.append(v)              # @for_body
    return out                     # @for_ret


def use_delegate():
    seen = []
    for v in delegate():           # @dl_for
        seen.append(v)
    return seen


def use_send():
    acc = accumulator()
    next(acc)                      # @send_start
    acc.send(5)
    acc.send(7)
    try:
        acc.send(None)             # @send_end
    except StopIteration as stop:
        return stop.value          # @send_caught


def use_exhausted():
    g = count_up(1)
    first = next(g)                # @ex_first
    rest = list(g)                 # @ex_list
    again = next(g, "empty")       # @ex_again
    return first, rest, again


def main():
    use_for()                      # @main_for
    use_delegate()                 # @main_delegate
    use_send()                     # @main_send
    use_exhausted()                # @main_exhausted


main()
