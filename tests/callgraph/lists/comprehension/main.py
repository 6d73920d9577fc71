def f():
    return 1


def g():
    return 2


def collect():
    return [fn() for fn in (f, g)]


collect()
