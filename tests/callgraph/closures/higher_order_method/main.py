class Collection:
    def __init__(self, items):
        self.items = items

    def each(self, fn):
        for item in self.items:
            fn(item)


def show(x):
    pass


Collection([1]).each(show)
