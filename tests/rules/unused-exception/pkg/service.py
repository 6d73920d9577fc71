"""Raises and catches some of pkg.errors."""

from pkg.errors import (
    RETRYABLE,
    Constructed,
    NotFound,
    OnlyCaught,
    RaisedAsInstance,
)


def find(key, table, future):
    if key not in table:
        raise NotFound(key)
    try:
        return table[key]
    except OnlyCaught:
        return None
    except RETRYABLE:
        future.set_exception(Constructed(key))
        error = RaisedAsInstance(key)
        raise error from None
