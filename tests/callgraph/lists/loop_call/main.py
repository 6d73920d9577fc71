def a():
    pass


def b():
    pass


for fn in [a, b]:
    fn()
