"""astroid's transform pass over a freshly built module, walked with less overhead a node.

After building a module astroid walks every node of it to apply the transforms its brain
registers for a few node classes (TransformVisitor: three Python calls, a dictionary
lookup and a handful of isinstance tests a node): on sympy's 1.6M nodes that walk is a
fifth of kg's whole parse. Within `walked()` astroid's visitor walks with `_visit` below
instead, which does what astroid 4.3.4's does, in the same order: each node's fields in
`_astroid_fields` order, a node after its children, the transforms registered for its
class with their predicates in registration order, a replacement put in the parent's field
(a list field replaced by a new list only when an element changed, as astroid's comparison
does) and the inference cache emptied through `astroid.transforms._invalidate_cache` (which
inference_cache.kept() patches), a RecursionError in a node's subtree leaving that node
untransformed. It makes fewer calls a node (the fields of a node are walked in its own
call, a list's nodes without a comprehension's frame) and none for a node of a class no
transform is registered for.

Fewer calls a node also means a shallower stack: a transform run deep in a tree has more
of the recursion limit left than under astroid's walk (two to four frames a level), so one
that hit the limit there may now complete. kg refuses trees nested deeper than a fifth of
the limit (limits.py), and none of rich's, django's or sympy's modules come near the
depth where the difference begins; their graphs are identical either way.

The walk is used only with the astroid version it mirrors, and only while astroid's
visitor is its own (nothing replaced `_visit`, `_visit_generic` or `_transform`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from itertools import repeat

import astroid
from astroid import nodes
from astroid import transforms as astroid_transforms
from astroid.brain.brain_builtin_inference import _builtin_filter_predicate
from astroid.transforms import TransformVisitor

MIRRORED_ASTROID = "4.3.4"

_ASTROIDS_OWN = (TransformVisitor.visit, TransformVisitor._visit,
                 TransformVisitor._visit_generic, TransformVisitor._transform)


def applies() -> bool:
    """Whether the walk below is astroid's, step for step."""
    return astroid.__version__ == MIRRORED_ASTROID and (
        TransformVisitor.visit, TransformVisitor._visit, TransformVisitor._visit_generic,
        TransformVisitor._transform) == _ASTROIDS_OWN


@contextmanager
def walked() -> Iterator[None]:
    """Within the block, astroid's transform pass walks with `_visit` (when it `applies`)."""
    if not applies():
        yield
        return
    TransformVisitor.visit = _visit
    try:
        yield
    finally:
        TransformVisitor.visit = _ASTROIDS_OWN[0]


def _visit(self: TransformVisitor, module):
    """TransformVisitor.visit: the module with every registered transform applied."""
    registered = self.transforms.get
    invalidated = astroid_transforms
    calls = registered(nodes.Call)
    builtins = _builtin_names(calls or ())
    none = repeat(None)

    def walk(node):
        """astroid's `_visit(node)`: the node's fields walked, then its transforms."""
        for name in node._astroid_fields:
            value = getattr(node, name)
            if not value or isinstance(value, str):
                continue
            if isinstance(value, (list, tuple)):
                visited = sequence(value)
            else:
                try:
                    visited = walk(value)
                except RecursionError:
                    visited = value
            if visited != value:
                setattr(node, name, visited)
        found = registered(node.__class__)
        return transformed(node, found) if found else node

    def sequence(value):
        """astroid's `_visit_generic` of a list or tuple: a new one of what each became."""
        out = []
        for child in value:
            if not child or isinstance(child, str):
                out.append(child)
            elif isinstance(child, (list, tuple)):
                out.append(sequence(child))
            else:
                try:
                    out.append(walk(child))
                except RecursionError:
                    out.append(child)
        return out if isinstance(value, list) else tuple(out)

    def transformed(node, found):
        """astroid's `_transform(node)`."""
        cls = node.__class__
        for_builtins = builtins if found is calls and len(found) == len(builtins) else none
        for (transform, predicate), builtin in zip(found, for_builtins, strict=False):
            if builtin is not None and _not_a_call_of(node.func, builtin):
                continue
            if predicate is None or predicate(node):
                ret = transform(node)
                if ret is not None:
                    invalidated._invalidate_cache()
                    node = ret
                if ret.__class__ != cls:
                    break
        return node

    return walk(module)


def _builtin_names(found) -> tuple:
    """For each transform registered for Call, the builtin it is for when its predicate is
    astroid's `_builtin_filter_predicate` for one (19 of the 36 a Call is offered to), None
    for any other."""
    return tuple(_builtin_of(predicate) for _, predicate in found)


def _builtin_of(predicate) -> str | None:
    if isinstance(predicate, partial) and predicate.func is _builtin_filter_predicate \
            and not predicate.args and set(predicate.keywords) == {"builtin_name"}:
        return predicate.keywords["builtin_name"]
    return None


def _not_a_call_of(func, builtin: str) -> bool:
    """Whether `_builtin_filter_predicate(call, builtin)` is sure to be False for a call of
    func, without calling it: it can be True only when func is a Name of the builtin, or an
    Attribute (`dict.fromkeys`)."""
    if isinstance(func, nodes.Name):
        return func.name != builtin
    return not isinstance(func, nodes.Attribute)
