def first(fn):
    return fn


def second(fn):
    return fn


@first
@second
def target():
    pass


target()
