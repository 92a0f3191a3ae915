"""An exception that nobody catches, raised three frames down."""


def _never():
    pass


def inner():
    raise LookupError("nowhere")   # @inner


def middle():
    inner()                        # @middle


def outer():
    middle()                       # @outer


outer()                            # @call

