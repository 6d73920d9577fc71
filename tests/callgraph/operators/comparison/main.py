class Version:
    def __eq__(self, other):
        return True

    def __lt__(self, other):
        return False


a = Version()
b = Version()
a == b
a < b
