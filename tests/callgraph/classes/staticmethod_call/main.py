class Math:
    @staticmethod
    def add(a, b):
        return a + b


Math.add(1, 2)
Math().add(3, 4)
