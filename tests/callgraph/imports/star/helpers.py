def greet():
    pass


def _private():
    pass
