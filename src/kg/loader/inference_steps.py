"""Counting astroid's inference steps, the unit of the inference budget (limits.py).

Every inference astroid makes, in whatever context and however deep, starts by looking
its node up in astroid's inference cache (`NodeNG.infer`: `key in context.inferred`,
a hit included), so counting those lookups counts the work an inference does in a unit
that is the same on any machine, however slow or busy: the budget cuts a module at the
same inference wherever it is loaded, where CPU seconds cut it earlier on a slower one.
The count costs a Python call per step, some 250 ns: 0.5% of docutils' load, 1.5% of
sympy's, whose inference takes many cheap steps.

Steps astroid takes while it builds a module are not counted: whether an inference builds
one depends on which modules this process built before (parallel.py hands modules to
workers as they come free), not on the module being extracted.
"""

from __future__ import annotations

from astroid import context

from kg.loader.inference_cache import _builds as _building  # the module builds under way

_taken = [0]


class _CountingCache(dict):
    """astroid's inference cache, counting the lookups `NodeNG.infer` makes in it."""

    __slots__ = ()

    def __contains__(self, key) -> bool:
        if not _building:
            _taken[0] += 1
        return dict.__contains__(self, key)


def taken() -> int:
    """The steps counted so far in this process."""
    if type(context._INFERENCE_CACHE) is not _CountingCache:
        context._INFERENCE_CACHE = _CountingCache(context._INFERENCE_CACHE)
    return _taken[0]


def counted() -> list[int]:
    """The count itself, a one-item list, for a check inside astroid's inference."""
    return _taken
