class Base:
    def run(self):
        self.step()


class Impl(Base):
    def __init__(self):
        self.step = self.work

    def work(self):
        pass


Impl().run()
