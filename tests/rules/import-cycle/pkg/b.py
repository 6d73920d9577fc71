"""Part of a's cycle: not reported again here."""

from pkg import c, d  # ok: import-cycle

VALUE = 1


def total():
    return c.VALUE + d.VALUE
