class Session:
    def query(self):
        pass


class Db:
    def __enter__(self):
        return Session()

    def __exit__(self, *exc):
        pass


with Db() as s:
    s.query()
