from pkg import x  # ok: import-cycle


def why():
    return 1


def back():
    return x.ex()
