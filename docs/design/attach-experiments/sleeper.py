import time, threading, sys
def worker():
    time.sleep(30)
threading.Thread(target=worker).start()
t0 = time.monotonic()
time.sleep(4)
print("slept %.3f" % (time.monotonic() - t0), flush=True)
sys.exit(0)
