"""A TaskGroup (3.11+) whose child task ends while its parent waits in
the group's "async with", for the coroutine tests."""
import asyncio


async def child(n):
    await asyncio.sleep(0.01)
    return n * 3                    # @child_ret


async def main():
    async with asyncio.TaskGroup() as group:
        task = group.create_task(child(2), name="child")
        await asyncio.sleep(0)
    value = task.result()           # @after_group
    print("value", value)
    return value


asyncio.run(main())
