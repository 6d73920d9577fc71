def counter():
    count = 0

    def incr():
        nonlocal count
        count += 1
        return count
    return incr


c = counter()
c()
c()
