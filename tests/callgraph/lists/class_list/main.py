class Cat:
    def __init__(self):
        pass


class Dog:
    def __init__(self):
        pass


for kind in [Cat, Dog]:
    kind()
