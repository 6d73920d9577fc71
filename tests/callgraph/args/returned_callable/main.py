def identity(fn):
    return fn


def work():
    pass


identity(work)()
