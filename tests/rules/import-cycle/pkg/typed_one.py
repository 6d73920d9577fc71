"""Imports typed_two, which imports it back only for type checking: not a run-time cycle."""

from pkg.typed_two import Two  # ok: import-cycle


def make():
    return Two()
