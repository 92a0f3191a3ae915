"""Memory the program holds but the standard library allocates."""
import contextlib
import threading


@contextlib.contextmanager
def session(n):
    yield n


def open_sessions(n):
    return [session(i) for i in range(n)]       # line 12


def fill_in_thread(into):
    # list.extend runs in the thread with only threading.py's frames
    # above it: no frame of this file
    t = threading.Thread(target=into.extend, args=(range(200000),))
    t.start()
    t.join()


held = open_sessions(3000)                      # line 23
numbers = []
fill_in_thread(numbers)                         # line 25
print(len(held), len(numbers))                  # line 26
