class Widget:
    def __init__(self):
        pass


def build(factory):
    return factory()


build(Widget)
