"""A thread already runs its loop when the breakpoint is set."""
import threading
import time

go = threading.Event()


def spin():
    total = 0
    while not go.is_set():
        total += 1                      # the breakpoint line
        time.sleep(0.001)
    return total


t = threading.Thread(target=spin, name="spinner")
t.start()
time.sleep(0.1)
breakpoint()
time.sleep(0.2)
go.set()
t.join()
print("end")
