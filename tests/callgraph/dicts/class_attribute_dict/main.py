import sys


def load_json():
    pass


def load_yaml():
    pass


class Loader:
    readers = {"json": load_json, "yaml": load_yaml}

    def read(self, kind):
        return self.readers[kind]()


Loader().read(sys.argv[1])
