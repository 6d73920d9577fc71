"""Imported only by tests: module-used-only-by-tests reports it, not this rule."""  # ok: dead-module


def checked():
    return 6
