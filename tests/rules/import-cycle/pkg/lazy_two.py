VALUE = 5


def late():
    from pkg import lazy_one  # ok: import-cycle
    return lazy_one.VALUE
