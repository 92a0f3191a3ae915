"""Generators that end early: close(), throw(), a for loop left with
break, an exception raised inside a generator, StopIteration from next(),
a suspended generator freed when the frame that holds it returns."""


def _never():
    pass


def ticker(n):
    try:
        for i in range(n):
            yield i                # @tick_yield
    finally:
        stopped = True             # @tick_finally


def faulty():
    yield 1                        # @faulty_first
    raise ValueError("in gen")     # @faulty_raise


def catcher():
    while True:
        try:
            yield "ok"             # @catcher_yield
        except KeyError:
            yield "caught"         # @catcher_caught


def use_close():
    t = ticker(5)
    next(t)                        # @uc_next
    t.close()                      # @uc_close
    return t                       # @uc_ret


def use_break():
    for v in ticker(5):            # @ub_for
        if v == 1:
            break                  # @ub_break
    return v                       # @ub_ret


def use_faulty():
    got = []
    try:
        for v in faulty():         # @uf_for
            got.append(v)
    except ValueError:
        got.append("error")        # @uf_handler
    return got


def sub_faulty():
    yield "a"                      # @sf_yield
    raise KeyError("sub")          # @sf_raise


def delegator_catching():
    try:
        yield from sub_faulty()    # @dc_yf
    except KeyError:
        yield "recovered"          # @dc_recovered


def use_delegator():
    return list(delegator_catching())  # @ud_list


KEEP = []


def use_throw():
    c = catcher()
    KEEP.append(c)
    next(c)                        # @ut_next
    answer = c.throw(KeyError("x"))    # @ut_throw
    return answer                  # @ut_ret


def use_next_exhausted():
    g = ticker(1)
    next(g)                        # @une_first
    try:
        next(g)                    # @une_second
    except StopIteration:
        return "exhausted"         # @une_handler


def use_local_generator():
    t = ticker(3)
    first = next(t)                # @ulg_next
    return first                   # @ulg_ret


def main():
    use_close()                    # @main
    use_break()                    # @main_break
    use_faulty()                   # @main_faulty
    use_throw()                    # @main_throw
    use_next_exhausted()           # @main_next
    use_local_generator()          # @main_local
    use_delegator()                # @main_delegator
    return 0


main()
