from dataclasses import dataclass


@dataclass(init=False)
class Pair:
    a: int

    def __init__(self, a):
        self.a = a


Pair(1)
