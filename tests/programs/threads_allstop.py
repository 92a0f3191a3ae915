"""A worker counts as fast as it can while the main thread stops."""
import threading

count = 0
running = True


def counter():
    global count
    while running:
        count += 1


t = threading.Thread(target=counter, name="counter", daemon=True)
t.start()
while count < 1000:
    pass
breakpoint()
running = False
t.join()
print("counted")
