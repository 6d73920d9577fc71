class Circle:
    def __init__(self, r):
        self.r = r

    @property
    def area(self):
        return self.square() * 3

    def square(self):
        return self.r * self.r


c = Circle(2)
print(c.area)
