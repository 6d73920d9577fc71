def outer(fn):
    inner(fn)


def inner(fn):
    fn()


def target():
    pass


outer(target)
