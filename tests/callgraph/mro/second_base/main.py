class Reader:
    def read(self):
        pass


class Writer:
    def write(self):
        pass


class File(Reader, Writer):
    pass


File().write()
