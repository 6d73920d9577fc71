class User:
    def __init__(self, name):
        self.name = name

    def rename(self, name):
        self.name = name
