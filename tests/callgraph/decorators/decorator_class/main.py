class CountCalls:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self):
        return self.fn()


@CountCalls
def hello():
    pass


hello()
