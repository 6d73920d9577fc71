import pkg.b  # ok: import-cycle

VALUE = 3


def back():
    return pkg.b.VALUE
