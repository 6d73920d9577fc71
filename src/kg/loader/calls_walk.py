"""One walk of a module collecting what the calls step needs: calls, raises, handlers, and
name uses that may refer to a definition, each with the role it plays.

Roles: a decorator written without a call (`@deco`); anything inside an
annotation; a value (any other load). Base classes are skipped (INHERITS
covers them), and so are the names in `raise X` and `except X` (RAISES and
CATCHES cover them). A name that is the callee of a call is not a use: the
call site covers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astroid import nodes

VALUE, DECORATOR, ANNOTATION, SKIP = "value", "decorator", "annotation", "skip"
# Nodes whose syntax may run a dunder method (calls_implicit).
IMPLICIT = (nodes.With, nodes.For, nodes.Comprehension, nodes.BinOp, nodes.AugAssign,
            nodes.UnaryOp, nodes.Compare, nodes.Subscript)

_ARG_ANNOTATIONS = ("annotations", "posonlyargs_annotations", "kwonlyargs_annotations")


@dataclass
class Uses:
    calls: list[nodes.Call] = field(default_factory=list)
    raises: list[nodes.Raise] = field(default_factory=list)
    handlers: list[nodes.ExceptHandler] = field(default_factory=list)
    names: list[tuple[nodes.Name | nodes.Attribute, str]] = field(default_factory=list)
    implicit: list[nodes.NodeNG] = field(default_factory=list)   # calls_implicit.NODE_TYPES
    lambdas: list[nodes.Lambda] = field(default_factory=list)
    decorated: list[nodes.FunctionDef | nodes.ClassDef] = field(default_factory=list)


def collect(tree: nodes.Module, interesting: set[str]) -> Uses:
    """Everything in source order; only names in `interesting` are kept as uses."""
    uses = Uses()
    stack: list[tuple[nodes.NodeNG, str]] = [(tree, VALUE)]
    while stack:
        node, role = stack.pop()
        if isinstance(node, nodes.Call):
            uses.calls.append(node)
        elif isinstance(node, nodes.Raise):
            uses.raises.append(node)
        elif isinstance(node, nodes.ExceptHandler):
            uses.handlers.append(node)
        elif isinstance(node, nodes.Lambda) and not isinstance(node, nodes.FunctionDef):
            uses.lambdas.append(node)
        elif isinstance(node, nodes.Name | nodes.Attribute) and role != SKIP:
            name = node.name if isinstance(node, nodes.Name) else node.attrname
            if name in interesting and not _is_callee(node):
                uses.names.append((node, role))
        if isinstance(node, nodes.FunctionDef | nodes.ClassDef) and node.decorators:
            uses.decorated.append(node)
        if isinstance(node, IMPLICIT) and role != ANNOTATION:
            uses.implicit.append(node)
        stack.extend(reversed(list(_children(node, role))))
    uses.calls.sort(key=_position)
    uses.names.sort(key=lambda pair: _position(pair[0]))
    return uses


def _children(node: nodes.NodeNG, role: str):
    """(child, role) pairs: the role a child plays follows from its place in the parent."""
    inherited = role if role in (ANNOTATION, SKIP) else VALUE
    if isinstance(node, nodes.ClassDef | nodes.FunctionDef | nodes.AsyncFunctionDef):
        yield from _definition_children(node, inherited)
    elif isinstance(node, nodes.Arguments):
        annotations = _argument_annotations(node)
        for child in node.get_children():
            yield child, ANNOTATION if id(child) in annotations else inherited
    elif isinstance(node, nodes.AnnAssign):
        for child in node.get_children():
            yield child, ANNOTATION if child is node.annotation else inherited
    elif isinstance(node, nodes.Raise):
        for child in node.get_children():
            yield child, SKIP if child is node.exc and _is_plain(child) else inherited
    elif isinstance(node, nodes.ExceptHandler):
        for child in node.get_children():
            yield child, SKIP if child is node.type else inherited
    else:
        for child in node.get_children():
            yield child, inherited


def _definition_children(node, inherited: str):
    decorators = node.decorators.nodes if node.decorators else []
    bases = getattr(node, "bases", [])
    returns = getattr(node, "returns", None)
    for child in node.get_children():
        if child is node.decorators:
            for decorator in decorators:
                yield decorator, DECORATOR if _is_plain(decorator) else inherited
        elif any(child is b for b in bases):
            yield child, SKIP
        elif child is returns:
            yield child, ANNOTATION
        else:
            yield child, inherited


def _argument_annotations(node: nodes.Arguments) -> set[int]:
    found = [a for name in _ARG_ANNOTATIONS for a in getattr(node, name, []) or [] if a]
    found += [a for a in (node.varargannotation, node.kwargannotation) if a is not None]
    return {id(a) for a in found}


def _is_plain(node: nodes.NodeNG) -> bool:
    return isinstance(node, nodes.Name | nodes.Attribute)


def _is_callee(node: nodes.NodeNG) -> bool:
    return isinstance(node.parent, nodes.Call) and node.parent.func is node


def _position(node: nodes.NodeNG) -> tuple[int, int]:
    return (node.lineno or 0, node.col_offset or 0)
