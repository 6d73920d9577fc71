def attempt():
    pass


def commit():
    pass


try:
    attempt()
except OSError:
    pass
else:
    commit()
