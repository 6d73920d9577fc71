class Cursor:
    def __next__(self):
        raise StopIteration


class Rows:
    def __iter__(self):
        return Cursor()


for row in Rows():
    pass
