"""Which fields a class declares, in which order, and which its generated constructor takes.

A field is declared in the class body (`x: int = 1`, `x = 1`) or by assigning
to `self` in one of the class's methods. The second kind comes from astroid's
`instance_attrs`, which astroid fills while building the tree, so no method
body is walked again here.

A dataclass, pydantic, attrs, NamedTuple or TypedDict class's constructor takes
its model-like bases' fields first (base-first along the MRO, a redeclared
field keeping its first place, as `dataclasses` does) and then its own; that
order is what positional constructor arguments bind to.
"""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from kg.loader import assigned_properties
from kg.loader.context import FUNCTIONS, ModuleContext
from kg.loader.fields_kinds import class_kind
from kg.loader.fields_lineage import lineage, memo

MODEL_KINDS = frozenset({"dataclass", "pydantic", "attrs", "namedtuple", "typeddict"})
# Model kinds whose generated constructor accepts positional arguments.
POSITIONAL_KINDS = frozenset({"dataclass", "attrs", "namedtuple"})
FIELD_CALLS = frozenset({"field", "ib", "attrib", "Field"})
SHORT = 120


@dataclass(frozen=True)
class FieldDecl:
    name: str
    node: nodes.NodeNG              # the statement or self-attribute that declares it
    annotation: str | None
    default: str | None
    has_default: bool
    origin: str                     # class_body | self_assign
    is_classvar: bool
    in_init: bool                   # a parameter of a generated constructor
    kw_only: bool
    init_name: str                  # its keyword in that constructor


def declared(ctx: ModuleContext, cls: nodes.ClassDef) -> dict[str, FieldDecl]:
    """The class's own fields by name, class body first, then self-assigned, in source order."""
    cache = memo(ctx).declared
    if id(cls) not in cache:
        cache[id(cls)] = {}     # a cyclic hierarchy sees no fields rather than recursing
        own = _class_body(cls, class_kind(ctx, cls))
        inherited = {name for base in lineage(ctx, cls).chain[1:]
                     for name in declared(ctx, base)}
        for decl in _self_assigned(cls):
            if decl.name not in own and decl.name not in inherited:
                own[decl.name] = decl
        cache[id(cls)] = own
    return cache[id(cls)]


def owner_of(ctx: ModuleContext, cls: nodes.ClassDef, name: str):
    """(class, FieldDecl) of the class along cls's MRO that declares `name`, or None."""
    for candidate in lineage(ctx, cls).chain:
        decl = declared(ctx, candidate).get(name)
        if decl is not None:
            return candidate, decl
    return None


def constructor_fields(ctx: ModuleContext, cls: nodes.ClassDef) -> list[tuple]:
    """(class, FieldDecl) the generated constructor takes, base-first; [] for other classes."""
    if class_kind(ctx, cls) not in MODEL_KINDS:
        return []
    ordered: dict[str, tuple] = {}
    for candidate in reversed(lineage(ctx, cls).chain):
        kind = class_kind(ctx, candidate)
        if kind not in MODEL_KINDS:
            continue
        for decl in declared(ctx, candidate).values():
            if decl.in_init:
                ordered[decl.name] = (candidate, decl)
    return list(ordered.values())


def positional_fields(ctx: ModuleContext, cls: nodes.ClassDef) -> list[tuple]:
    if class_kind(ctx, cls) not in POSITIONAL_KINDS:
        return []
    return [(c, d) for c, d in constructor_fields(ctx, cls) if not d.kw_only]


def field_names(ctx: ModuleContext) -> frozenset[str]:
    """Every field name of every class in the project: the only attributes worth inferring."""
    store = memo(ctx)
    if store.field_names is None:
        names: set[str] = set()
        for node in ctx.project.definitions():
            if isinstance(node, nodes.ClassDef):
                names.update(declared(ctx, node))
        store.field_names = frozenset(names)
    return store.field_names


def _class_body(cls: nodes.ClassDef, kind: str) -> dict[str, FieldDecl]:
    out: dict[str, FieldDecl] = {}
    kw_only = _decorated_kw_only(cls)
    for statement in cls.body:
        if isinstance(statement, nodes.AnnAssign) and isinstance(statement.target,
                                                                 nodes.AssignName):
            annotation = statement.annotation.as_string()
            if annotation.rsplit(".", 1)[-1] == "KW_ONLY":
                kw_only = True
                continue
            decl = _body_field(statement.target.name, statement, annotation, kind, kw_only)
        elif isinstance(statement, nodes.Assign):
            for name in _assigned_names(statement):
                decl = _body_field(name, statement, None, kind, kw_only)
                if decl:
                    out.setdefault(name, decl)
            continue
        else:
            continue
        if decl:
            out.setdefault(decl.name, decl)
    return out


def _body_field(name: str, statement, annotation: str | None, kind: str,
                kw_only: bool) -> FieldDecl | None:
    if name.startswith("__") and name.endswith("__") or assigned_properties.is_made(statement):
        return None     # a dunder, or a property (`x = property(getx)`): reading it calls
    value = statement.value
    options = _field_call_options(value)
    is_classvar = bool(annotation) and annotation.split("[")[0].rsplit(".", 1)[-1] == "ClassVar"
    if kind == "pydantic" and name == "model_config":
        is_classvar = True
    # An unannotated `x = attr.ib()` is an attrs field; other plain assignments are not.
    in_init = not is_classvar if annotation is not None else (
        kind == "attrs" and options is not None)
    if options is not None:
        in_init = in_init and _literal(options.get("init"), True)
        kw_only = _literal(options.get("kw_only"), kw_only)
        has_default = bool({"default", "default_factory", "factory"} & set(options)) or (
            "positional" in options)
    else:
        has_default = value is not None
    return FieldDecl(
        name=name, node=statement, annotation=annotation,
        default=_short(value.as_string()) if value is not None else None,
        has_default=has_default, origin="class_body", is_classvar=is_classvar,
        in_init=in_init, kw_only=kw_only,
        init_name=name.lstrip("_") if kind == "attrs" and name.lstrip("_") else name)


def _self_assigned(cls: nodes.ClassDef) -> list[FieldDecl]:
    found = []
    for name, targets in cls.instance_attrs.items():
        mine = sorted((t for t in targets if is_self_attribute(t, cls)),
                      key=lambda t: (t.lineno or 0, t.col_offset or 0))
        if mine and not (name.startswith("__") and name.endswith("__")):
            found.append(_self_field(name, mine[0]))
    return sorted(found, key=lambda d: (d.node.lineno or 0, d.node.col_offset or 0))


def _self_field(name: str, target: nodes.AssignAttr) -> FieldDecl:
    statement = target.parent
    annotation = statement.annotation.as_string() if isinstance(statement, nodes.AnnAssign) \
        else None
    value = getattr(statement, "value", None)
    params = set(target.frame().argnames())
    from_param = isinstance(value, nodes.Name) and value.name in params
    return FieldDecl(
        name=name, node=target, annotation=annotation,
        default=_short(value.as_string()) if value is not None else None,
        has_default=value is not None and not from_param, origin="self_assign",
        is_classvar=False, in_init=False, kw_only=False, init_name=name)


def is_self_attribute(node: nodes.NodeNG, cls: nodes.ClassDef) -> bool:
    """node is `self.<attr>` inside one of cls's own (non-static) methods."""
    if not isinstance(node, nodes.AssignAttr) or not isinstance(node.expr, nodes.Name):
        return False
    method = node.frame()
    return (isinstance(method, FUNCTIONS) and method.parent is cls
            and self_name(method) == node.expr.name)


def self_name(method: nodes.FunctionDef) -> str | None:
    """The name a method calls its instance, None for static and class methods."""
    if method.type != "method":
        return None
    args = method.args.posonlyargs + method.args.args if method.args.args is not None else []
    return args[0].name if args else None


def _assigned_names(statement: nodes.Assign) -> list[str]:
    names = []
    for target in statement.targets:
        if isinstance(target, nodes.AssignName):
            names.append(target.name)
        elif isinstance(target, nodes.Tuple | nodes.List):
            names.extend(e.name for e in target.elts if isinstance(e, nodes.AssignName))
    return names


def _field_call_options(value) -> dict | None:
    """Keywords of `field(...)`, `attr.ib(...)`, `Field(...)`; None when value is no such call."""
    if not isinstance(value, nodes.Call):
        return None
    func = value.func
    name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)
    if name not in FIELD_CALLS:
        return None
    options: dict = {k.arg: k.value for k in value.keywords or [] if k.arg}
    if value.args and not (isinstance(value.args[0], nodes.Const)
                           and value.args[0].value is Ellipsis):
        options["positional"] = value.args[0]     # pydantic's Field(default, ...)
    return options


def _decorated_kw_only(cls: nodes.ClassDef) -> bool:
    for decorator in cls.decorators.nodes if cls.decorators else []:
        if isinstance(decorator, nodes.Call):
            for keyword in decorator.keywords or []:
                if keyword.arg == "kw_only":
                    return _literal(keyword.value, False)
    return False


def _literal(node, default: bool) -> bool:
    if isinstance(node, nodes.Const) and isinstance(node.value, bool):
        return node.value
    return default


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"
