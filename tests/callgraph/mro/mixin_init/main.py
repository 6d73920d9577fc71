class Mixin:
    def __init__(self):
        pass


class Base:
    def __init__(self):
        pass


class Thing(Mixin, Base):
    pass


Thing()
