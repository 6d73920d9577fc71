"""Spawned by pkg.cli (`python -m pkg.worker`); a test imports it too."""  # ok: module-used-only-by-tests


def work():
    return 2
