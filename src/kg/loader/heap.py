"""Freezing the astroid heap against cyclic collections, without thawing anyone else's.

`gc.freeze()` moves every object the collector tracks into a permanent generation that
collections never traverse; a load uses it for the project's trees (millions of objects
and next to no garbage: extract.py) and before forking workers (whose collections would
otherwise write to every inherited object's header and so copy the parent's pages:
parallel.py). But `gc.unfreeze()` thaws every frozen object, whoever froze it: a program
that froze its own heap (as a server does before forking its workers) and then called
`kg.api.load` would find its heap thawed afterwards. So kg freezes only when nothing is
frozen yet, or when it froze what is frozen itself, and thaws only what it froze: the
outermost freeze of a load owns the thaw; one nested in it (the workers' fork within the
extraction) adds the objects made since and leaves the thaw to the outer one. When a caller
has frozen objects, kg freezes nothing: a load then runs as it did before it froze
anything, a little slower."""

from __future__ import annotations

import gc

_ours = [False]     # whether what is frozen now was frozen by kg


def freeze() -> bool:
    """Freeze what exists now, unless a caller froze objects of its own. True when this call
    owns the thaw (pass it to thaw), False when an outer freeze does, or nothing was frozen."""
    if gc.get_freeze_count() and not _ours[0]:
        return False
    owner = not _ours[0]
    gc.freeze()
    _ours[0] = True
    return owner


def thaw(owner: bool) -> None:
    """Undo the freeze that returned owner, if it owns the thaw."""
    if owner:
        gc.unfreeze()
        _ours[0] = False
