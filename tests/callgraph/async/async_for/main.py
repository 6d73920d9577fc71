import asyncio


class Ticker:
    def __aiter__(self):
        return self

    async def __anext__(self):
        raise StopAsyncIteration


async def consume():
    async for _ in Ticker():
        pass


asyncio.run(consume())
