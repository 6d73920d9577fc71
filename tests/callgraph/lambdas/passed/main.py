def helper():
    pass


def run(fn):
    fn()


run(lambda: helper())
