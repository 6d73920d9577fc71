"""A test helper module: test code itself, never reported."""  # ok: module-used-only-by-tests


def make():
    return 6
