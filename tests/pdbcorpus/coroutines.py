"""async functions driven by a hand-written loop (coro.send(None))."""


def _never():
    pass


class Sleep:
    def __await__(self):
        yield "tick"               # @sleep_yield


async def fetch(n):
    await Sleep()                  # @fetch_await
    return n * 10                  # @fetch_ret


async def worker(items):
    results = []                   # @worker_first
    for item in items:
        value = await fetch(item)  # @worker_await
        results.append(value)      # @worker_append
    return results                 # @worker_ret


async def broken():
    await Sleep()                  # @broken_await
    raise ValueError("coro")       # @broken_raise


async def guarded():
    try:
        await broken()             # @guarded_await
    except ValueError:
        return "recovered"         # @guarded_handler


def run(coro):
    while True:
        try:
            coro.send(None)        # @run_send
        except StopIteration as stop:
            return stop.value      # @run_done


def main():
    run(worker([1, 2]))            # @main
    return run(guarded())          # @main_guarded


main()
