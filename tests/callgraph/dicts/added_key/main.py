def first():
    pass


def second():
    pass


table = {"a": first}
table["b"] = second
table["b"]()
