def weight(item):
    return item[1]


pairs = [("a", 2), ("b", 1)]
heaviest = max(pairs, key=weight)
lightest = min(pairs, key=weight)
