"""Three named threads; each runs step() once while all are alive (the
main thread waits for them in C)."""
import threading

started = threading.Barrier(3)
finished = threading.Barrier(4)


def step(tag):
    value = tag * 2  # @step-body
    return value


def worker(tag):
    started.wait()
    step(tag)
    finished.wait()


threads = [threading.Thread(target=worker, args=(t,), name="worker-" + t)
           for t in "abc"]
for t in threads:
    t.start()
finished.wait()
for t in threads:
    t.join()
print("threads done")  # @done
