def run(fn):
    fn()


def hello():
    pass


run(hello)
