def wrap(x):
    return x


def value():
    return 1


wrap(value())
