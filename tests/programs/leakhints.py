"""Every leak pattern "leak hints" knows, each made by a request."""
import functools

registry = []


class Handler:
    listeners = []

    def __init__(self, n):
        self.n = n

    @functools.lru_cache(maxsize=None)
    def render(self, x):
        return x * self.n


class Conn:
    def __init__(self):
        self.peer = None

    def __del__(self):
        pass


@functools.lru_cache(maxsize=None)
def square(x):
    return x * x


@functools.lru_cache(maxsize=32)
def bounded(x):
    return x + 1


def lookup(key, _memo={}):
    if key not in _memo:
        _memo[key] = [key] * 3
    return _memo[key]


def small(key, _seen=[]):
    return key


def request(i):
    h = Handler(i)
    h.render(2)
    registry.append(h)
    Handler.listeners.append(i)
    square(i)
    bounded(i)
    lookup(i)
    a, b = Conn(), Conn()
    a.peer, b.peer = b, a
    global pair
    pair = a


def main():
    for i in range(120):
        request(i)
    checkpoint = 1              # line 63
    for i in range(120, 150):
        request(i)
    checkpoint = 2              # line 66
    return checkpoint


main()
