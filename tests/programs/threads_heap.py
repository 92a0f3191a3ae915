"""A worker thread keeps an object in a local variable and waits; the
main thread stops with a weak reference to it."""
import threading
import weakref


class Cargo:
    pass


ready = threading.Event()
release = threading.Event()
refs = []


def hold():
    cargo = Cargo()
    refs.append(weakref.ref(cargo))
    ready.set()
    release.wait()
    return cargo


t = threading.Thread(target=hold, name="holder")
t.start()
ready.wait()
target = refs[0]
breakpoint()
release.set()
t.join()
print("done")
