def inner():
    yield 1


def outer():
    yield from inner()


list(outer())
