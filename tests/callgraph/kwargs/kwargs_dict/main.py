def dispatch(**handlers):
    handlers["done"]()


def finished():
    pass


dispatch(done=finished)
