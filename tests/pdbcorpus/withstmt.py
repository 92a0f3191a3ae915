"""with statements: a context manager class and @contextmanager."""
import contextlib


def _never():
    pass


class Resource:
    def __init__(self, name):
        self.name = name           # @res_init
        self.log = []

    def __enter__(self):
        self.log.append("enter")   # @enter
        return self                # @enter_ret

    def __exit__(self, et, ev, tb):
        self.log.append("exit")    # @exit
        return False               # @exit_ret


@contextlib.contextmanager
def managed(tag):
    log = [tag]                    # @cm_before
    try:
        yield log                  # @cm_yield
    finally:
        log.append("closed")       # @cm_finally


def use_class():
    with Resource("a") as r:       # @uc_with
        r.log.append("body")       # @uc_body
    return r.log                   # @uc_ret


def use_cm():
    with managed("t") as log:      # @ucm_with
        log.append("body")         # @ucm_body
    return log                     # @ucm_ret


def use_cm_exc():
    try:
        with managed("e"):         # @ucme_with
            raise RuntimeError("inside")   # @ucme_raise
    except RuntimeError:
        return "handled"           # @ucme_handled


def main():
    use_class()                    # @main
    use_cm()                       # @main_cm
    use_cm_exc()                   # @main_cm_exc


main()
