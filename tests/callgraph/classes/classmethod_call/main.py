class Config:
    def __init__(self, data):
        self.data = data

    @classmethod
    def empty(cls):
        return cls({})


cfg = Config.empty()
