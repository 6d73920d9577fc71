def pair(first, second):
    second()


def a():
    pass


def b():
    pass


pair(second=b, first=a)
