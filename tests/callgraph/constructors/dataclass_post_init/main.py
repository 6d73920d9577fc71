from dataclasses import dataclass


def validate(value):
    pass


@dataclass
class Order:
    amount: int

    def __post_init__(self):
        validate(self.amount)


Order(3)
