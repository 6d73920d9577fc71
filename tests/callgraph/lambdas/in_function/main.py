def one():
    pass


def two():
    pass


def setup():
    first = lambda: one()
    second = lambda: two()
    first()
    second()


setup()
