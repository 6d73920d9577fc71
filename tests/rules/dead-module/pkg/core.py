"""Imported only through the package's re-export."""  # ok: dead-module


def run():
    return 1
