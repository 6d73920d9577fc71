def helper():
    pass


def outer():
    def inner():
        helper()
    return inner


outer()()
