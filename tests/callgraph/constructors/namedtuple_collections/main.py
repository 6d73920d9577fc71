from collections import namedtuple


class Version(namedtuple("Version", "major minor")):
    def label(self):
        return str(self.major)


Version(1, 2).label()
