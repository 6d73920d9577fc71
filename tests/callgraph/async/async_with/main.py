import asyncio


class Lock:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        pass


async def guarded():
    async with Lock():
        pass


asyncio.run(guarded())
