def factory():
    def product():
        pass
    return product


factory()()
