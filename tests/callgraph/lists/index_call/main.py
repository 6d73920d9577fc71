def zero():
    pass


def one():
    pass


fns = [zero, one]
fns[1]()
