import asyncio


def produce():
    return 1


async def stream():
    yield produce()


async def consume():
    async for _ in stream():
        pass


asyncio.run(consume())
