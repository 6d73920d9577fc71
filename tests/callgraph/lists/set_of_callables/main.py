def x():
    pass


def y():
    pass


for fn in {x, y}:
    fn()
