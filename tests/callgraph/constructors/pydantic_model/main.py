from pydantic import BaseModel


class User(BaseModel):
    name: str

    def greeting(self):
        return "hi " + self.name


User(name="ann").greeting()
