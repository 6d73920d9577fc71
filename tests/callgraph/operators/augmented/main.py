class Bag:
    def __iadd__(self, other):
        return self


b = Bag()
b += Bag()
