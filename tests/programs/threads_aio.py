import asyncio
import threading

async def handler(n):
    await asyncio.sleep(0.01)
    x = n * 3
    breakpoint()
    return x

def worker():
    print("result", asyncio.run(handler(7)))

t = threading.Thread(target=worker, name="loop-thread")
t.start()
t.join()
print("done")
