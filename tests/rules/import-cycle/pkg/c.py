from pkg import a  # ok: import-cycle

VALUE = 2


def back():
    return a.VALUE
