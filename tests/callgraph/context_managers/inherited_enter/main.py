class Base:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


class Resource(Base):
    def use(self):
        pass


with Resource() as r:
    r.use()
