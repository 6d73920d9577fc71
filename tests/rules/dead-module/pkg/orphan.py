"""Nothing imports this module."""  # ruleid: dead-module

from pkg import used_by_orphan


def forgotten():
    return used_by_orphan.VALUE
