def describe(value):
    if isinstance(value, int):
        return repr(value)
    return str(value)


describe(1)
