"""A class's ancestry: its local ancestors in method resolution order and every outside name.

Kinds and fields both need it, for every class, from any module; it is computed
once per class per load and kept in the project's scratch space (`pending`),
because inference through another module's bases is the costly part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astroid import nodes

from kg.loader.context import ModuleContext
from kg.loader.fields_names import qualnames, target_of

NAMEDTUPLE_CALLS = frozenset({"collections.namedtuple", "typing.NamedTuple",
                              "typing_extensions.NamedTuple"})


@dataclass
class Base:
    """One written base: the local class it is, or the outside names it may be."""

    expr: nodes.NodeNG
    local: nodes.ClassDef | None
    names: list[str]


@dataclass
class Lineage:
    bases: list[Base]                   # direct bases, in the order written
    chain: list[nodes.ClassDef]         # the class, then its local ancestors
    names: set[str]                     # qualnames of every non-local ancestor


@dataclass
class Memo:
    """Per-load caches of the classes step, keyed by id() of live astroid nodes."""

    lineages: dict[int, Lineage] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    declared: dict[int, dict] = field(default_factory=dict)
    external_ancestors: dict[str, list[str]] = field(default_factory=dict)
    field_names: frozenset[str] | None = None
    synthetic: dict[tuple, nodes.ClassDef] | None = None


def memo(ctx: ModuleContext) -> Memo:
    return ctx.project.pending.setdefault("classes", Memo())


def lineage(ctx: ModuleContext, cls: nodes.ClassDef) -> Lineage:
    cache = memo(ctx).lineages
    key = id(cls)
    if key not in cache:
        cache[key] = Lineage([], [cls], set())   # a cycle (class A(A)) stops here
        cache[key] = _compute(ctx, cls)
    return cache[key]


def _compute(ctx: ModuleContext, cls: nodes.ClassDef) -> Lineage:
    bases = [_base(ctx, expr) for expr in cls.bases]
    order: list[nodes.ClassDef] = [cls]
    names: set[str] = set()
    for base in bases:
        names.update(base.names)
        if base.local is not None:
            parent = lineage(ctx, base.local)
            order.extend(parent.chain)
            names.update(parent.names)
    return Lineage(bases, _keep_last(order), names)


def _base(ctx: ModuleContext, expr: nodes.NodeNG) -> Base:
    target = target_of(expr) if not isinstance(expr, nodes.Call) else expr
    values = ctx.infer(target)
    local = next((v for v in values
                  if isinstance(v, nodes.ClassDef) and ctx.project.is_local(v)), None)
    if local is not None:
        return Base(expr, local, [])
    names: list[str] = []
    if isinstance(expr, nodes.Call):
        names = [n for n in qualnames(ctx, expr.func) if n in NAMEDTUPLE_CALLS]
    for value in values:
        if isinstance(value, nodes.ClassDef):
            if "_fields" in value.locals and value.qname().startswith("__astroid_synthetic"):
                names.append("collections.namedtuple")
            else:
                names.extend(_with_ancestors(ctx, value))
    for name in qualnames(ctx, expr) if not isinstance(expr, nodes.Call) else []:
        if name not in names:
            names.append(name)
    return Base(expr, None, names)


def _with_ancestors(ctx: ModuleContext, cls: nodes.ClassDef) -> list[str]:
    """An outside class's name and its ancestors' (IntEnum is an Enum), cached by name."""
    cache = memo(ctx).external_ancestors
    name = cls.qname()
    if name not in cache:
        try:
            cache[name] = [name] + [a.qname() for a in cls.ancestors()]
        except Exception:  # astroid gives up on some library hierarchies
            cache[name] = [name]
    return cache[name]


def _keep_last(order: list[nodes.ClassDef]) -> list[nodes.ClassDef]:
    """A diamond's shared base comes after both sides, as in Python's MRO."""
    seen: set[int] = set()
    out: list[nodes.ClassDef] = []
    for cls in reversed(order):
        if id(cls) not in seen:
            seen.add(id(cls))
            out.append(cls)
    return out[::-1]
