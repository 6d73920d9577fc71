"""What a base, decorator or callee expression names, with or without the library installed.

kg never imports the analysed code and the libraries it builds on (pydantic, attrs)
are often not installed where kg runs, so inference alone would see
`class User(BaseModel)` as a class with an unknown base. The import statement
still says what `BaseModel` is: `from pydantic import BaseModel` names
`pydantic.BaseModel`. Both readings are kept, so kind detection works in
either environment.
"""

from __future__ import annotations

import builtins

from astroid import nodes

from kg.loader.context import ModuleContext

_BUILTINS = frozenset(dir(builtins))


def target_of(expr: nodes.NodeNG) -> nodes.NodeNG:
    """`Base[T]` names Base; `decorator(args)` names decorator."""
    while isinstance(expr, nodes.Subscript | nodes.Call):
        expr = expr.value if isinstance(expr, nodes.Subscript) else expr.func
    return expr


def qualnames(ctx: ModuleContext, expr: nodes.NodeNG) -> list[str]:
    """Qualified names expr denotes: inferred definitions first, then what its import says."""
    expr = target_of(expr)
    out = [v.qname() for v in ctx.infer(expr)
           if isinstance(v, nodes.ClassDef | nodes.FunctionDef) and _is_real(v)]
    written = imported_name(expr)
    if written and written not in out:
        out.append(written)
    return out


def imported_name(expr: nodes.NodeNG) -> str | None:
    """The dotted name a Name/Attribute chain refers to through imports, without inference."""
    parts = _dotted(expr)
    if not parts:
        return None
    head = parts[0]
    try:
        _, assigned = _innermost(expr).lookup(head)
    except (AttributeError, KeyError):
        return None
    for node in assigned:
        base = _binding(node, head, parts)
        if base:
            return base
    if not assigned and head in _BUILTINS:
        return ".".join(["builtins", *parts])
    return None


def _binding(node: nodes.NodeNG, head: str, parts: list[str]) -> str | None:
    rest = parts[1:]
    if isinstance(node, nodes.ImportFrom):
        module = node.modname
        if node.level:
            module = node.root().relative_to_absolute_name(node.modname, node.level)
        for original, alias in node.names:
            if (alias or original) == head:
                return ".".join([module, original, *rest])
    elif isinstance(node, nodes.Import):
        for original, alias in node.names:
            if alias == head:
                return ".".join([original, *rest])
            if alias is None and original.split(".")[0] == head:
                return ".".join(parts)
    elif isinstance(node, nodes.ClassDef | nodes.FunctionDef):
        return ".".join([node.qname(), *rest])
    return None


def _dotted(expr: nodes.NodeNG) -> list[str]:
    parts: list[str] = []
    while isinstance(expr, nodes.Attribute):
        parts.append(expr.attrname)
        expr = expr.expr
    if not isinstance(expr, nodes.Name):
        return []
    parts.append(expr.name)
    return parts[::-1]


def _innermost(expr: nodes.NodeNG) -> nodes.Name:
    while isinstance(expr, nodes.Attribute):
        expr = expr.expr
    return expr


def _is_real(value: nodes.NodeNG) -> bool:
    """astroid's stand-ins (functools.partial objects, synthetic classes) have no useful name."""
    return type(value).__name__ != "PartialFunction" and \
        not value.qname().startswith("__astroid_synthetic")
