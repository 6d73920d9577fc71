def rank(x):
    return x


items = sorted([3, 1], key=lambda x: rank(x))
