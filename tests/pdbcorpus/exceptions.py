"""Exceptions: caught in the same frame, in a caller, several frames up,
try/finally, raise inside with, bare re-raise."""


def _never():
    pass


def fail(msg):
    raise ValueError(msg)          # @fail_raise


def catch_here():
    try:
        x = 1 // 0                 # @ch_div
    except ZeroDivisionError:
        x = -1                     # @ch_handler
    return x


def catch_in_caller():
    try:
        fail("one")                # @cc_call
    except ValueError as e:
        return str(e)              # @cc_handler


def level3():
    fail("deep")                   # @l3


def level2():
    level3()                       # @l2


def level1():
    try:
        level2()                   # @l1_call
    except ValueError:
        return "caught"            # @l1_handler


def with_finally():
    try:
        fail("fin")                # @wf_call
    finally:
        cleanup = True             # @wf_finally
    return cleanup


def call_with_finally():
    try:
        with_finally()             # @cwf_call
    except ValueError:
        pass                       # @cwf_pass
    return 1


class Guard:
    def __enter__(self):
        return self                # @guard_enter

    def __exit__(self, et, ev, tb):
        return et is KeyError      # @guard_exit


def raise_in_with():
    with Guard():                  # @riw_with
        raise KeyError("k")        # @riw_raise
    return "suppressed"            # @riw_ret


def reraise():
    try:
        fail("again")              # @rr_call
    except ValueError:
        raise                      # @reraise


def main():
    catch_here()                   # @main_first
    catch_in_caller()
    level1()                       # @main_level1
    call_with_finally()
    raise_in_with()                # @main_with
    try:
        reraise()                  # @main_reraise
    except ValueError:
        pass
    return 0


main()
