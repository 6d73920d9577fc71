def make_caller(fn):
    def call():
        return fn()
    return call


def target():
    pass


make_caller(target)()
