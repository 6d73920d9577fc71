class A:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


class B:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


with A(), B():
    pass
