"""One thread steps while another runs the same code in a loop."""
import threading
import time

stop = threading.Event()


def busy():
    while not stop.is_set():
        spin()
        time.sleep(0.001)


def spin():
    k = 0
    for i in range(50):
        k += i
    return k


def walk():
    a = 1                               # the breakpoint line
    b = spin()
    c = a + b
    return c


def main():
    t = threading.Thread(target=busy, name="busy")
    t.start()
    time.sleep(0.05)
    w = threading.Thread(target=walk, name="walker")
    w.start()
    w.join()
    stop.set()
    t.join()
    print("done")


main()
