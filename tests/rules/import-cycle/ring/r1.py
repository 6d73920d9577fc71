"""A ring of seven modules: r1 imports r2."""

from ring import r2  # ruleid: import-cycle


def step():
    return r2.step
