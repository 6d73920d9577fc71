class Money:
    def __init__(self, cents):
        self.cents = cents

    @classmethod
    def from_units(cls, units):
        return cls(units * 100)


Money.from_units(2)
