def weigh(x):
    return x


def total(items):
    return sum(weigh(i) for i in items)


total([1, 2])
