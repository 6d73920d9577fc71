def enter():
    pass


def leave():
    pass


def pair():
    return enter, leave


a, b = pair()
b()
