def a():
    pass


def b():
    pass


def callables():
    yield a
    yield b


for fn in callables():
    fn()
