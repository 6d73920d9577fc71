def value():
    return 1


result = (lambda: value())()
