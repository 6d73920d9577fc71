"""Run as `python -m pkg.worker` by pkg.cli."""  # ok: dead-module


def work():
    return 3
