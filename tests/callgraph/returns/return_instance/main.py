class Conn:
    def close(self):
        pass


def connect():
    return Conn()


connect().close()
