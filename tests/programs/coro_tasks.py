"""asyncio with tasks and gather, for the coroutine tests.  Task "slow"
and task "quick" run fetch() at the same time; quick's sleep ends
first, while slow is suspended in its await."""
import asyncio


async def fetch(n, delay):
    x = n * 2                       # @fetch_first
    await asyncio.sleep(delay)      # @fetch_await
    y = x + 1                       # @fetch_after
    return y                        # @fetch_ret


async def worker(n, delay):
    total = 0                       # @worker_first
    for i in range(n):
        v = await fetch(i, delay)   # @worker_await
        total += v                  # @worker_add
    return total                    # @worker_ret


async def main():
    slow = asyncio.create_task(worker(2, 0.2), name="slow")
    quick = asyncio.create_task(worker(2, 0.01), name="quick")
    results = await asyncio.gather(slow, quick)     # @main_gather
    print("results", results)       # @main_print
    return results


asyncio.run(main())
print("done")                       # @after_run
