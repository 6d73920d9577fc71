"""A class's ancestors worked out once per load, not at every attribute lookup.

astroid walks a class's bases again, inferring each one, whenever it looks an
attribute up on the class or on an instance of it (`ClassDef.ancestors`, from
`getattr`, `instance_attr_ancestors`, `is_subtype_of`, the metaclass search).
On sympy's deep hierarchies that walk was about a fifth of the extraction's CPU.
It also runs under the context of the inference that asked: the bases'
inference shares that inference's count of nodes inferred (astroid gives up
past `max_inferred`) and its recursion guard, so a lookup deep in an inference
could find a shortened ancestry and the inference end Uninferable, where the
walk on its own finds every base.

A class defined at module level, or in a class there, has bases that name
what the module's scope holds, never a function's parameters: its ancestry
cannot depend on the inference that asks. While `remembered()` is active, such
a class's ancestry is walked once, with a context of its own, and kept for the
rest of the block. A class defined in a function (a class factory:
`def make(base): class Made(base): ...`) gets astroid's own walk every time,
under the asking context, since its bases may be the call's arguments; so does
a class whose ancestry is being walked (a cyclic hierarchy: the walk's
recursion guard stops it as before). The kept ancestry is the same whichever
module asked first, in whichever process, so the graph stays independent of
`--jobs` and of the order modules are extracted in.

Not active while the target is parsed: a build may still add to the trees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from astroid import nodes
from astroid.context import InferenceContext

_walked: dict[nodes.ClassDef, tuple[nodes.ClassDef, ...]] = {}
_walking: set[nodes.ClassDef] = set()
_astroid_walk: list = []        # ClassDef.ancestors as astroid defines it, while patched


@contextmanager
def remembered() -> Iterator[None]:
    """Within the block, a module-level class's ancestry is walked once (see above)."""
    if _astroid_walk:                   # already active (a nested load)
        yield
        return
    _astroid_walk.append(nodes.ClassDef.ancestors)
    nodes.ClassDef.ancestors = _ancestors
    try:
        yield
    finally:
        nodes.ClassDef.ancestors = _astroid_walk.pop()
        _walked.clear()
        _walking.clear()


def _ancestors(cls: nodes.ClassDef, recurs: bool = True,
               context: InferenceContext | None = None) -> Iterator[nodes.ClassDef]:
    if not recurs or cls in _walking or not _at_module_level(cls):
        return _astroid_walk[0](cls, recurs, context)
    return _kept(cls)


def _kept(cls: nodes.ClassDef) -> Iterator[nodes.ClassDef]:
    """Walked when first iterated, as astroid's generator is (an error surfaces there too)."""
    found = _walked.get(cls)
    if found is None:
        _walking.add(cls)
        try:
            found = _walked[cls] = tuple(_astroid_walk[0](cls, True, None))
        finally:
            _walking.discard(cls)
    yield from found


def _at_module_level(cls: nodes.ClassDef) -> bool:
    """Defined in a module's body, or in a class's body there, not in a function's."""
    scope = cls.parent.frame() if cls.parent is not None else None
    while isinstance(scope, nodes.ClassDef):
        scope = scope.parent.frame() if scope.parent is not None else None
    return isinstance(scope, nodes.Module)
