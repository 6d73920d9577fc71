def source():
    return 1


def numbers():
    yield source()
    yield 2


for n in numbers():
    pass
