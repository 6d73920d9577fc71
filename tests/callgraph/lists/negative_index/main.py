def first():
    pass


def last():
    pass


chain = [first, last]
chain[-1]()
