import asyncio


async def a():
    pass


async def b():
    pass


async def both():
    await asyncio.gather(a(), b())


asyncio.run(both())
