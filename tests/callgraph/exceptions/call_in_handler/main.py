def risky():
    pass


def recover():
    pass


try:
    risky()
except ValueError:
    recover()
