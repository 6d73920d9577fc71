"""Class kinds and fields (HAS_FIELD), inheritance, assignments, and field writes and reads.

One walk over the module: class definitions give INHERITS and Field nodes,
assignment statements give Assignment nodes, attribute writes, attribute reads
and calls give SETS/READS (see fields_access for how a write is tied to a field).
"""

from __future__ import annotations

from astroid import nodes

from kg.loader.context import ModuleContext
from kg.loader.fields_access import Access, class_qualname, field_id
from kg.loader.fields_decl import SHORT, declared
from kg.loader.fields_kinds import class_kind, is_abstract
from kg.loader.fields_lineage import lineage

__all__ = ["class_kind", "is_abstract", "extract"]


def extract(ctx: ModuleContext) -> None:
    """Fields of every class in the module, and every field write and read in it."""
    access = Access(ctx)
    lines = (ctx.parsed.text or "").splitlines()
    stack = [ctx.tree]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.ClassDef) and ctx.project.is_local(node):
            _inherits(ctx, node)
            _fields(ctx, node)
        elif isinstance(node, nodes.Assign | nodes.AnnAssign | nodes.AugAssign):
            _assignment(ctx, node, lines)
        elif isinstance(node, nodes.AssignAttr):
            access.attribute_write(node)
        elif isinstance(node, nodes.Attribute):
            access.attribute_read(node)
        elif isinstance(node, nodes.Call):
            access.call(node)
        stack.extend(node.get_children())


def _inherits(ctx: ModuleContext, cls: nodes.ClassDef) -> None:
    source = ctx.project.id_of(cls)
    for position, base in enumerate(lineage(ctx, cls).bases):
        if base.local is not None:
            ctx.facts.add_edge("INHERITS", "Class", source, "Class",
                               ctx.project.id_of(base.local), position=position)
        elif base.names:
            qualname = base.names[0]
            target = ctx.project.external_id(qualname)
            ctx.facts.add_node("External", target, repo=ctx.repo,
                               name=qualname.rsplit(".", 1)[-1], qualname=qualname)
            ctx.facts.add_edge("INHERITS", "Class", source, "External", target,
                               position=position)


def _fields(ctx: ModuleContext, cls: nodes.ClassDef) -> None:
    class_id = ctx.project.id_of(cls)
    owner = class_qualname(ctx, cls)
    for position, decl in enumerate(declared(ctx, cls).values()):
        target = field_id(ctx, cls, decl.name)
        ctx.facts.add_node(
            "Field", target, **ctx.position(decl.node), name=decl.name,
            qualname=f"{owner}.{decl.name}", owner=owner, annotation=decl.annotation,
            has_default=decl.has_default, default_value=decl.default, origin=decl.origin,
            position=position, is_classvar=decl.is_classvar)
        ctx.facts.add_edge("HAS_FIELD", "Class", class_id, "Field", target)


def _assignment(ctx: ModuleContext, statement, lines: list[str]) -> None:
    if isinstance(statement, nodes.AnnAssign) and statement.value is None:
        return      # `x: int` declares, it does not assign
    targets = statement.targets if isinstance(statement, nodes.Assign) else [statement.target]
    value = _source(statement.value, lines)
    label, container = ctx.container_of(statement)
    for target in targets:
        kind = "augmented" if isinstance(statement, nodes.AugAssign) else _target_kind(target)
        assignment = ctx.assignment_id(target)
        ctx.facts.add_node(
            "Assignment", assignment, **ctx.position(target), target_text=target.as_string(),
            kind=kind, value_text=_short(value), col=target.col_offset)
        ctx.facts.add_edge("CONTAINS", label, container, "Assignment", assignment)


def _target_kind(target) -> str:
    if isinstance(target, nodes.Tuple | nodes.List):
        kinds = {_target_kind(e) for e in target.elts}
        return next((k for k in ("attribute", "subscript") if k in kinds), "name")
    if isinstance(target, nodes.Starred):
        return _target_kind(target.value)
    if isinstance(target, nodes.AssignAttr):
        return "attribute"
    if isinstance(target, nodes.Subscript):
        return "subscript"
    return "name"


def _source(node, lines: list[str]) -> str:
    """The node's text as written, cut short: cheaper than as_string() on a large literal."""
    start, end = node.lineno, node.end_lineno
    if not start or not end or end > len(lines) or not lines[start - 1].isascii() \
            or not lines[end - 1].isascii():   # columns count UTF-8 bytes
        return node.as_string()
    if start == end:
        return lines[start - 1][node.col_offset:node.end_col_offset]
    parts = [lines[start - 1][node.col_offset:]]
    for number in range(start, end - 1):
        if sum(len(p) for p in parts) > SHORT:
            break
        parts.append(lines[number])
    else:
        parts.append(lines[end - 1][:node.end_col_offset])
    return " ".join(parts)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"
