items = [3, 1, 2]
n = len(items)
print(n)
total = sum(items)
