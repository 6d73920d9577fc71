import asyncio


async def background():
    pass


async def main():
    task = asyncio.create_task(background())
    await task


asyncio.run(main())
