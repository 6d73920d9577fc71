import asyncio


class Client:
    async def connect(self):
        pass

    async def request(self):
        await self.connect()


asyncio.run(Client().request())
