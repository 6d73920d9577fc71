class Bag:
    def items(self):
        return [1]

    def __iter__(self):
        yield from self.items()


for x in Bag():
    pass
