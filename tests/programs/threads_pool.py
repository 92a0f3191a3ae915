"""Workers of every kind reach the same function: threading.Thread,
_thread.start_new_thread and a ThreadPoolExecutor."""
import _thread
import threading
from concurrent.futures import ThreadPoolExecutor


def work(n):
    value = n * 10
    return value                        # the breakpoint line


def raw(done, out):
    out.append(work(3))
    done.release()


def main():
    out = []
    t = threading.Thread(target=lambda: out.append(work(1)),
                         name="worker-1")
    t.start()
    t.join()
    done = _thread.allocate_lock()
    done.acquire()
    _thread.start_new_thread(raw, (done, out))
    done.acquire()
    with ThreadPoolExecutor(max_workers=1,
                            thread_name_prefix="pool") as ex:
        out.append(ex.submit(work, 5).result())
    print("results", sorted(out))


main()
