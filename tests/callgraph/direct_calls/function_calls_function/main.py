def a():
    b()


def b():
    pass


a()
