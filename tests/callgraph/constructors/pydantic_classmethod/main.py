from pydantic import BaseModel


class Config(BaseModel):
    path: str

    @classmethod
    def default(cls):
        return cls(path=".")


Config.default()
