"""x <-> y: a cycle of two."""

from pkg.y import why  # ruleid: import-cycle


def ex():
    return why()
