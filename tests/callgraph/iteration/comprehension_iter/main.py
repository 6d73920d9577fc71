class Nums:
    def __iter__(self):
        return self

    def __next__(self):
        raise StopIteration


squares = [n * n for n in Nums()]
