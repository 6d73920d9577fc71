def run_all(*fns):
    for fn in fns:
        fn()


def a():
    pass


def b():
    pass


run_all(a, b)
