class Base:
    def close(self):
        pass


class Child(Base):
    def close(self):
        super(Child, self).close()


Child().close()
