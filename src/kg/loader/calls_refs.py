"""Non-call uses of definitions (REFERENCES) and exceptions raised and caught (RAISES, CATCHES).

A name is a reference when scope lookup takes it to a class, function or
module variable of the loaded code (following `from x import y` through the
loaded modules, re-exports included); an attribute when its receiver infers
to a loaded module, class or instance whose member by that name is one
(`self.handler`, `mod.CONSTANT`, `Class.method`; the member is looked up,
not evaluated). Only names some definition or module
variable of the loaded code carries are looked at (calls_walk), so most
names cost a set lookup.
"""

from __future__ import annotations

from astroid import bases, nodes
from astroid.exceptions import AstroidError

from kg.loader.calls_walk import ANNOTATION, Uses
from kg.loader.context import ModuleContext, label_of
from kg.loader.resolve import Target, class_target, is_property

MAX_REEXPORT_HOPS = 4


def extract(ctx: ModuleContext, uses: Uses, resolutions: dict) -> None:
    seen: set[tuple] = set()
    for node, role in uses.names:
        label, src = ctx.container_of(node)
        for target in _referenced(ctx, node):
            _add_once(ctx, seen, ("REFERENCES", label, src, target, node.lineno, role),
                      kind=role, in_annotation=role == ANNOTATION)
    for raise_ in uses.raises:
        if raise_.exc is not None:
            label, src = ctx.scope_of(raise_)
            for target in _raised(ctx, raise_.exc, resolutions):
                _add_once(ctx, seen, ("RAISES", label, src, target, raise_.lineno))
    for handler in uses.handlers:
        if handler.type is not None:
            label, src = ctx.scope_of(handler)
            for target in _caught(ctx, handler.type):
                _add_once(ctx, seen, ("CATCHES", label, src, target, handler.lineno))


def _add_once(ctx: ModuleContext, seen: set, key: tuple, **props) -> None:
    if key in seen:
        return
    seen.add(key)
    type, label, src, target, line = key[:5]
    ctx.facts.add_edge(type, label, src, target.label, target.id, line=line, **props)


def _referenced(ctx: ModuleContext, node) -> list[Target]:
    if isinstance(node, nodes.Name):
        return _looked_up(ctx, node, node.name)
    found: set[Target] = set()
    for receiver in ctx.infer(node.expr):
        for member in _members(ctx, receiver, node.attrname):
            found.update(_definitions(ctx, member, node.attrname, 0))
    return sorted(found)


def _members(ctx: ModuleContext, receiver, name: str) -> list[nodes.NodeNG]:
    """The definitions `receiver.name` names, looked up on the receiver's module or class
    without evaluating them (a property read is a call of its getter, not a reference)."""
    if isinstance(receiver, nodes.Module):
        return receiver.locals.get(name, []) if ctx.project.is_local(receiver) else []
    cls = receiver if isinstance(receiver, nodes.ClassDef) else getattr(receiver, "_proxied", None)
    if not isinstance(cls, nodes.ClassDef) or isinstance(receiver, nodes.Const):
        return []
    try:
        members = cls.getattr(name)
    except (AstroidError, RecursionError):
        return []
    return [m for m in members if isinstance(m, nodes.ClassDef | nodes.FunctionDef)
            and not is_property(m)]


def _looked_up(ctx: ModuleContext, node: nodes.NodeNG, name: str) -> list[Target]:
    try:
        _, assigned = node.lookup(name)
    except (AstroidError, RecursionError):
        return []
    return sorted({t for a in assigned for t in _definitions(ctx, a, name, 0)})


def _definitions(ctx: ModuleContext, node: nodes.NodeNG, name: str, hops: int) -> list[Target]:
    """The loaded code's definitions a binding of `name` stands for."""
    if isinstance(node, nodes.ClassDef | nodes.FunctionDef):
        kg_id = ctx.project.id_of(node)
        return [Target(label_of(node), kg_id, node.qname())] if kg_id else []
    if isinstance(node, nodes.AssignName):
        module = node.scope()
        if isinstance(module, nodes.Module) and ctx.project.is_local(module):
            qualname = f"{module.name}.{name}"
            return [Target("Variable", f"{ctx.repo}:Variable:{qualname}", qualname)]
        return []
    if isinstance(node, nodes.ImportFrom) and hops < MAX_REEXPORT_HOPS:
        return _imported(ctx, node, name, hops)
    return []


def _imported(ctx: ModuleContext, node: nodes.ImportFrom, name: str, hops: int) -> list[Target]:
    try:
        modname = node.root().relative_to_absolute_name(node.modname, node.level)
        real = node.real_name(name)
    except (AstroidError, ValueError):
        return []
    parsed = ctx.project.modules.get(modname)
    if parsed is None or parsed.tree is None:
        return []
    return [t for a in parsed.tree.locals.get(real, ()) for t in _definitions(ctx, a, real, hops + 1)]


def _raised(ctx: ModuleContext, exc: nodes.NodeNG, resolutions: dict) -> list[Target]:
    """The classes of what a raise statement raises: `raise X`, `raise X(...)`, `raise err`."""
    if isinstance(exc, nodes.Call):
        classes = _classes(ctx, ctx.infer(exc.func), instances=False)
        if not classes:
            classes = _classes(ctx, ctx.infer(exc), instances=True)
        if not classes and id(exc) in resolutions:
            classes = [t for t, _ in resolutions[id(exc)].targets if t.label == "Class"]
        return sorted(set(classes))
    return sorted(set(_classes(ctx, ctx.infer(exc), instances=True)))


def _caught(ctx: ModuleContext, type_: nodes.NodeNG) -> list[Target]:
    """The classes an `except` clause names, a tuple literal's or a tuple variable's items too."""
    items = type_.elts if isinstance(type_, nodes.Tuple) else [type_]
    values = []
    for item in items:
        for value in ctx.infer(item):
            if isinstance(value, nodes.Tuple):
                values += [v for elt in value.elts for v in ctx.infer(elt)]
            else:
                values.append(value)
    return sorted(set(_classes(ctx, values, instances=False)))


def _classes(ctx: ModuleContext, values: list, instances: bool) -> list[Target]:
    out = []
    for value in values:
        if isinstance(value, nodes.ClassDef):
            out.append(class_target(ctx, value))
        elif instances and isinstance(value, bases.Instance) and not isinstance(
                value, nodes.NodeNG) and isinstance(value._proxied, nodes.ClassDef):
            out.append(class_target(ctx, value._proxied))
    return out
