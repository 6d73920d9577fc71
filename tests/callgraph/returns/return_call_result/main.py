def inner():
    return helper


def helper():
    pass


def outer():
    return inner()


outer()()
