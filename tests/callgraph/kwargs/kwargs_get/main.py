def build(**options):
    factory = options.get("factory")
    return factory()


def make():
    return 1


build(factory=make)
