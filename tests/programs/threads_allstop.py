"""A worker counts as fast as it can while the main thread stops."""
import threading
import time

count = 0
running = True


def counter():
    global count
    while running:
        count += 1


t = threading.Thread(target=counter, name="counter", daemon=True)
t.start()
time.sleep(0.2)
rate = count / 0.2                      # counts per second, running free
breakpoint()
running = False
t.join()
print("counted")
