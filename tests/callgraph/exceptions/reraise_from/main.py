class WrapError(Exception):
    pass


def parse():
    try:
        int("x")
    except ValueError as e:
        raise WrapError("bad") from e


parse()
