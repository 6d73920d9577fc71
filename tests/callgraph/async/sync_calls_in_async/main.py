import asyncio


def parse(x):
    return x


async def handle():
    return parse(1)


asyncio.run(handle())
