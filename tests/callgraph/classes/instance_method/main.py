class Counter:
    def __init__(self):
        self.n = 0

    def incr(self):
        self.n += 1


c = Counter()
c.incr()
