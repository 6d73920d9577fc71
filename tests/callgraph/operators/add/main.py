class Vec:
    def __add__(self, other):
        return self


v = Vec() + Vec()
