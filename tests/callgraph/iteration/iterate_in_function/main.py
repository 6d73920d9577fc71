class Lines:
    def __iter__(self):
        return iter([])


def count(lines: Lines):
    n = 0
    for _ in lines:
        n += 1
    return n


count(Lines())
