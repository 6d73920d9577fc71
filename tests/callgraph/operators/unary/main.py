class Num:
    def __neg__(self):
        return self


n = -Num()
