"""Worker threads that never end on their own: Ctrl-C and quit must
still end the program."""
import threading
import time


def loop(n):
    while True:
        time.sleep(0.01)
        n += 1


for i in range(3):
    threading.Thread(target=loop, args=(i,), name="loop-%d" % i,
                     daemon=True).start()
print("started", flush=True)
while True:
    time.sleep(0.01)
