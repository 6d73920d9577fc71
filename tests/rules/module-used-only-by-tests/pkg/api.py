"""Imported by pkg.cli and by tests."""  # ok: module-used-only-by-tests


def call():
    return 1
