def target():
    pass


def pick():
    return target


pick()()
