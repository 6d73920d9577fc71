"""astroid's transform pass over a freshly built module, walked with less overhead a node.

After building a module astroid walks every node of it to apply the transforms its brain
registers for a few node classes (TransformVisitor: three Python calls, a dictionary
lookup and a handful of isinstance tests a node): on sympy's 1.6M nodes the pass (walk,
predicates and what they infer) takes more CPU than compiling the source. Within `walked()` astroid's visitor walks with `_visit` below
instead, which does what astroid 4.3.4's does, in the same order: each node's fields in
`_astroid_fields` order, a node after its children, the transforms registered for its
class with their predicates in registration order, a replacement put in the parent's field
(a list field replaced by a new list only when an element changed, as astroid's comparison
does) and the inference cache emptied through `astroid.transforms._invalidate_cache` (which
inference_cache.kept() patches), a RecursionError in a node's subtree leaving that node
untransformed. It makes fewer calls a node (the fields of a node are walked in its own
call, a list's nodes without a comprehension's frame), none for a node of a class no
transform is registered for, and does not call the predicate of a builtin's transform (19
of the 36 a Call is offered to) for a call whose callee cannot be that builtin.

Fewer calls a node also means a shallower stack (one or two frames a level of the tree
instead of two to four): a transform, or a build it sets off, that hit the recursion limit
under astroid's walk may now complete. Only that can make a graph differ; rich's, django's
and sympy's graphs are identical with either walk, node by node and relationship by
relationship with all their properties.

inference_cache.kept() has every build of a load walked so; parse() too when called alone.
The walk is used only with the astroid version it mirrors, and only while astroid's
visitor is its own (nothing replaced `visit`, `_visit`, `_visit_generic` or `_transform`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

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
        TransformVisitor._transform) == _ASTROIDS_OWN and all(
        method.__module__ == astroid_transforms.__name__ for method in _ASTROIDS_OWN)


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
    if type(self) is not TransformVisitor:      # a subclass may walk otherwise
        return _ASTROIDS_OWN[0](self, module)
    registered = self.transforms.get
    invalidated = astroid_transforms
    calls = registered(nodes.Call) or []
    builtins = [_builtin_of(predicate) for _, predicate in calls]
    offered_any, offered_a_name, offered_other = _offered(builtins)

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
        if found is calls and len(builtins) == len(calls):
            return call_transformed(node)
        return applied(node, found)

    def one(transform, node, cls):
        """astroid's step for a transform whose predicate holds: the node it leaves, and
        whether the next transforms are offered it (not after None, nor a node of another
        class)."""
        ret = transform(node)
        if ret is not None:
            invalidated._invalidate_cache()
            node = ret
        return node, ret.__class__ == cls

    def applied(node, found):
        cls = node.__class__
        for transform, predicate in found:
            if predicate is None or predicate(node):
                node, more = one(transform, node, cls)
                if not more:
                    break
        return node

    def call_transformed(call):
        """`applied(call, calls)` without the predicates of the builtins the callee cannot
        be; once a transform has been applied (the callee may have changed), the remaining
        ones as astroid offers them."""
        func = call.func
        if isinstance(func, nodes.Name):
            indexes = offered_a_name.get(func.name, offered_other)
        elif isinstance(func, nodes.Attribute):
            indexes = offered_any
        else:
            indexes = offered_other
        cls = call.__class__
        for index in indexes:
            transform, predicate = calls[index]
            if predicate is None or predicate(call):
                call, more = one(transform, call, cls)
                return applied(call, calls[index + 1:]) if more else call
        return call

    try:
        return walk(module)
    finally:
        _untie(walk, sequence, transformed, one, applied, call_transformed)


def _untie(*functions) -> None:
    """Empty the cells the functions share: they refer to each other through them, a cycle
    only a collection would free, and the parse runs with collections off (extract._frozen)."""
    for function in functions:
        for cell in function.__closure__ or ():
            cell.cell_contents = None


def _builtin_of(predicate) -> str | None:
    """The builtin a transform registered for Call is for when its predicate is astroid's
    `_builtin_filter_predicate` for one (19 of the 36 a Call is offered to), else None."""
    if isinstance(predicate, partial) and predicate.func is _builtin_filter_predicate \
            and not predicate.args and set(predicate.keywords) == {"builtin_name"}:
        return predicate.keywords["builtin_name"]
    return None


def _offered(builtins: list) -> tuple[list, dict[str, list], list]:
    """The indexes of the transforms of Call whose predicate may be true for a call whose
    func is an Attribute, a Name (by name), anything else: `_builtin_filter_predicate(call,
    builtin)` is True only when func is a Name of the builtin, or an Attribute
    (`dict.fromkeys`)."""
    other = [index for index, builtin in enumerate(builtins) if builtin is None]
    named = {builtin: [index for index, of in enumerate(builtins) if of in (None, builtin)]
             for builtin in builtins if builtin is not None}
    return list(range(len(builtins))), named, other
