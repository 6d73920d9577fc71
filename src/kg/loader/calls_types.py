"""Receiver types from annotations, for the calls astroid's own inference gives up on.

astroid does not read annotations: `def f(ctx: ModuleContext): ctx.infer(x)`
infers `ctx` to nothing, so the method is unknown. A type checker would know
it, and so does this: when inference gives nothing, a receiver's type is
taken from the annotation of the parameter or variable it names, of the
class attribute or property it reads (`self.ctx`, `ctx.facts`), of the
instance attribute's assignment from an annotated parameter
(`self.ctx = ctx`), or of the return type of the function it calls; the
member is then looked up on an instance of that type by astroid. Still type
resolution, never a match by name.
"""

from __future__ import annotations

from astroid import bases, nodes
from astroid.exceptions import AstroidError
from astroid.util import UninferableBase

from kg.loader.context import ModuleContext
from kg.loader.resolve import is_property

MAX_DEPTH = 4
_UNIONS = ("Optional", "Union")
_ERRORS = (AstroidError, RecursionError, StopIteration, TypeError, ValueError, AttributeError,
           KeyError, IndexError)


class Types:
    """Typed values of expressions of one module, cached by node."""

    def __init__(self, ctx: ModuleContext):
        self.ctx = ctx
        self._cache: dict[int, list] = {}

    def member(self, receiver, name: str) -> list:
        """What `receiver.name` is for an inferred receiver, through its declared types too."""
        return self._attribute(receiver, name, 0)

    def values(self, node: nodes.NodeNG, depth: int = 0) -> list:
        """ctx.infer(node), or when that is empty, instances of its annotated type."""
        found = self.ctx.infer(node)
        if found or depth > MAX_DEPTH:
            return found
        key = id(node)
        if key not in self._cache:
            self._cache[key] = []      # a cycle through this node finds nothing
            self._cache[key] = self._annotated(node, depth)
        return self._cache[key]

    def declared(self, node: nodes.Name) -> list:
        """Instances of the types a name is declared with (its annotations), without inferring
        the name itself: for parameters, which astroid infers only from defaults, slowly."""
        return self._of_name(node, MAX_DEPTH)

    def _annotated(self, node: nodes.NodeNG, depth: int) -> list:
        if isinstance(node, nodes.Name):
            return self._of_name(node, depth)
        if isinstance(node, nodes.Attribute):
            return [v for r in self.values(node.expr, depth + 1)
                    for v in self._attribute(r, node.attrname, depth + 1)]
        if isinstance(node, nodes.Call):
            return [v for f in self.ctx.infer(node.func) for v in self._returned(f)]
        return []

    def _of_name(self, node: nodes.Name, depth: int) -> list:
        """From the annotation of each binding of the name, or the value a plain
        `name = value` binds."""
        try:
            _, assigned = node.lookup(node.name)
        except _ERRORS:
            return []
        found = []
        for binding in assigned:
            annotation = _annotation_of_binding(binding)
            if annotation is not None:
                found += self.instances(annotation)
            elif isinstance(binding.parent, nodes.Assign) and binding.parent.value is not None:
                found += self.values(binding.parent.value, depth + 1)
        return found

    def _attribute(self, receiver, name: str, depth: int) -> list:
        """A method is looked up on the receiver's class and bound to it (no evaluation);
        anything else is left to astroid, then to the declared types."""
        cls = _class_of_instance(receiver)
        methods = _methods(cls, name) if cls is not None else []
        if methods:
            return [bases.BoundMethod(m, receiver) for m in methods]
        try:
            found = [v for v in receiver.igetattr(name) if not _uninferable(v)]
        except _ERRORS:
            found = []
        if found or cls is None:
            return found
        return self._declared(cls, name, depth)

    def _declared(self, cls: nodes.ClassDef, name: str, depth: int) -> list:
        """An instance attribute's type from the class body, a property, or `self.x = param`."""
        try:
            members = cls.getattr(name)
        except _ERRORS:
            members = []
        for member in members:
            if isinstance(member, nodes.FunctionDef):
                return self._returned(member)
            annotation = _annotation_of_binding(member)
            if annotation is not None:
                return self.instances(annotation)
        for assigned in cls.instance_attrs.get(name, ()):
            statement = assigned.parent
            if isinstance(statement, nodes.AnnAssign):
                return self.instances(statement.annotation)
            if isinstance(statement, nodes.Assign) and depth <= MAX_DEPTH:
                found = self.values(statement.value, depth + 1)
                if found:
                    return found
        return []

    def _returned(self, function) -> list:
        if isinstance(function, bases.UnboundMethod):
            function = function._proxied
            if isinstance(function, bases.UnboundMethod):
                function = function._proxied
        if not isinstance(function, nodes.FunctionDef):
            return []
        return self.instances(function.returns)

    def instances(self, annotation: nodes.NodeNG | None) -> list:
        """Instances of the classes an annotation names (`X`, `X | None`, `Optional[X]`,
        `list[X]` -> list)."""
        if annotation is None:
            return []
        if isinstance(annotation, nodes.BinOp) and annotation.op == "|":
            return self.instances(annotation.left) + self.instances(annotation.right)
        if isinstance(annotation, nodes.Subscript):
            if annotation.value.as_string().rsplit(".", 1)[-1] in _UNIONS:
                items = annotation.slice
                parts = items.elts if isinstance(items, nodes.Tuple) else [items]
                return [v for p in parts for v in self.instances(p)]
            annotation = annotation.value
        return [bases.Instance(c) for c in self.ctx.infer(annotation)
                if isinstance(c, nodes.ClassDef)]


def _class_of_instance(value) -> nodes.ClassDef | None:
    """The class of an instance made by inference (not a literal: those astroid knows)."""
    if isinstance(value, bases.Instance) and not isinstance(value, nodes.NodeNG):
        cls = value._proxied
        return cls if isinstance(cls, nodes.ClassDef) else None
    return None


def _methods(cls: nodes.ClassDef, name: str) -> list[nodes.FunctionDef]:
    """The plain methods `name` of a class (first definition in the MRO); properties and
    class attributes excluded."""
    try:
        members = cls.getattr(name)
    except _ERRORS:
        return []
    methods = [m for m in members if isinstance(m, nodes.FunctionDef)]
    if len(methods) != len(members) or any(is_property(m) for m in methods):
        return []
    return methods


def _annotation_of_binding(node: nodes.NodeNG) -> nodes.NodeNG | None:
    """The annotation of a parameter or of an annotated assignment's target."""
    parent = node.parent
    if isinstance(parent, nodes.AnnAssign) and parent.target is node:
        return parent.annotation
    if isinstance(parent, nodes.Arguments):
        for names, annotations in ((parent.posonlyargs, parent.posonlyargs_annotations),
                                   (parent.args or [], parent.annotations),
                                   (parent.kwonlyargs, parent.kwonlyargs_annotations)):
            for arg, annotation in zip(names, annotations, strict=False):
                if arg is node:
                    return annotation
    return None


def _uninferable(value) -> bool:
    return isinstance(value, UninferableBase)
