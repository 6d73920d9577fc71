"""Field writes (SETS) and reads (READS), each attributed to the enclosing function or module.

A write is tied to a field only through the inferred type of what is written to
(or the class a constructor call infers to), never through the attribute's name
alone: `other.name = x` on an unrelated class is not a write to `User.name`.
To stay cheap, a receiver is only inferred when the attribute's name is the name
of some field in the project, and never when it is a plain parameter (astroid
could only infer it from its default, at a high price).

Constructor arguments (keyword, positional, `**{...}`) are writes only for classes
whose constructor is generated from their fields (dataclass, pydantic, attrs,
NamedTuple, TypedDict). A plain class's `__init__` parameters are not its fields;
its own `self.x = x` is the write, attributed to `__init__`.

Unknown content. A constructor call that passes `**kwargs` of unknown content
(or `model_validate(data)`, `model_copy(update=data)`, `replace(obj, **changes)`
with a non-literal) may set any field; kg cannot say which. Rather than staying
silent, it records a SETS edge with via "unknown kwargs" to every constructor
field that call does not otherwise set (and "unknown args" for the positional
fields a `*args` may fill). A rule asking "is this field ever set?" thus tells
"never set" (no SETS at all) from "uncertain" (only unknown-kwargs SETS).
"""

from __future__ import annotations

from astroid import nodes
from astroid.bases import Instance

from kg.loader import assigned_properties
from kg.loader.calls_types import Types
from kg.loader.context import ModuleContext
from kg.loader.fields_decl import (
    constructor_fields,
    field_names,
    owner_of,
    positional_fields,
    self_name,
)
from kg.loader.fields_kinds import class_kind
from kg.loader.fields_lineage import lineage, memo
from kg.loader.fields_names import qualnames
from kg.loader.resolve import is_property

VALIDATE = frozenset({"model_validate", "parse_obj"})
VALIDATE_OPAQUE = frozenset({"model_validate_json", "model_validate_strings", "parse_raw"})
COPY = frozenset({"model_copy", "copy"})
REPLACE = frozenset({"dataclasses.replace", "copy.replace", "attr.evolve", "attrs.evolve",
                     "attr._funcs.evolve"})
UNKNOWN_KWARGS = "unknown kwargs"
UNKNOWN_ARGS = "unknown args"


def field_id(ctx: ModuleContext, cls: nodes.ClassDef, name: str) -> str:
    return f"{ctx.repo}:Field:{class_qualname(ctx, cls)}.{name}"


def class_qualname(ctx: ModuleContext, cls: nodes.ClassDef) -> str:
    """The class's qualified name as its id spells it (`@line` for a redefined name)."""
    return ctx.project.id_of(cls).split(":Class:", 1)[1]


class Access:
    """Collects one module's SETS and READS, each (source, field, kind, line) once."""

    def __init__(self, ctx: ModuleContext):
        self.ctx = ctx
        self.names = field_names(ctx)
        self.seen: set[tuple] = set()
        self._synthetic = synthetic_classes(ctx)
        self._types = Types(ctx)

    # --- attributes -------------------------------------------------------------------
    def attribute_write(self, node: nodes.AssignAttr) -> None:
        if node.attrname not in self.names:
            return
        augmented = isinstance(node.parent, nodes.AugAssign) and node.parent.target is node
        for cls in self.receivers(node.expr):
            self._set(node, cls, node.attrname, "attribute")
            if augmented:
                self._read(node, cls, node.attrname)

    def attribute_read(self, node: nodes.Attribute) -> None:
        if node.attrname in self.names:
            for cls in self.receivers(node.expr):
                self._read(node, cls, node.attrname)

    # --- calls ------------------------------------------------------------------------
    def call(self, call: nodes.Call) -> None:
        if not call.args and not call.keywords:
            return
        func = call.func
        name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
        if name in ("setattr", "getattr") and isinstance(func, nodes.Name):
            self._by_name(call, name)
        elif isinstance(func, nodes.Attribute) and name in VALIDATE | VALIDATE_OPAQUE:
            self._validate(call, name)
        elif isinstance(func, nodes.Attribute) and name in COPY:
            self._copy(call)
        elif self._is_replace(func, name):
            self._replace(call)
        else:
            self._construction(call)

    def _is_replace(self, func: nodes.NodeNG, name: str) -> bool:
        """Inferred as dataclasses.replace (or attrs.evolve); by its import when not inferable."""
        if any(isinstance(v, nodes.FunctionDef) and v.qname() in REPLACE
               for v in self.ctx.infer(func)):
            return True
        return name in ("replace", "evolve") and bool(REPLACE & set(qualnames(self.ctx, func)))

    def _by_name(self, call: nodes.Call, name: str) -> None:
        if len(call.args) < 2 or "builtins." + name not in qualnames(self.ctx, call.func):
            return
        attribute = _string(call.args[1])
        if attribute is None or attribute not in self.names:
            return
        for cls in self.receivers(call.args[0]):
            if name == "setattr":
                self._set(call, cls, attribute, "setattr")
            else:
                self._read(call, cls, attribute)

    def _validate(self, call: nodes.Call, method: str) -> None:
        data = call.args[0] if call.args else _keyword(call, "obj")
        for cls in self._classes(call.func.expr):
            if class_kind(self.ctx, cls) != "pydantic":
                continue
            keys, complete = _dict_keys(data) if method in VALIDATE else ([], False)
            self._keyed(call, cls, keys, complete, "model_validate")

    def _copy(self, call: nodes.Call) -> None:
        update = _keyword(call, "update")
        if update is None:
            return
        for cls in self.receivers(call.func.expr):
            if class_kind(self.ctx, cls) == "pydantic":
                self._keyed(call, cls, *_dict_keys(update), "model_copy update")

    def _replace(self, call: nodes.Call) -> None:
        if not call.args:
            return
        for cls in self.receivers(call.args[0]):
            self._keywords(call, cls, "dataclasses.replace", set())

    def _construction(self, call: nodes.Call) -> None:
        if isinstance(call.func, nodes.Attribute) and call.func.attrname == "model_construct":
            classes = self._classes(call.func.expr)
        else:
            classes = self._classes(call.func)
        for cls in classes:
            if not constructor_fields(self.ctx, cls):
                continue
            done: set[str] = set()
            self._positional(call, cls, done)
            self._keywords(call, cls, "constructor keyword", done)

    def _positional(self, call: nodes.Call, cls: nodes.ClassDef, done: set[str]) -> None:
        slots = positional_fields(self.ctx, cls)
        for index, arg in enumerate(call.args):
            if isinstance(arg, nodes.Starred):
                for owner, decl in slots[index:]:
                    if decl.name not in done:
                        self._edge("SETS", call, owner, decl.name, via=UNKNOWN_ARGS)
                return
            if index < len(slots):
                owner, decl = slots[index]
                done.add(decl.name)
                self._edge("SETS", call, owner, decl.name, via="positional")

    def _keywords(self, call: nodes.Call, cls: nodes.ClassDef, via: str, done: set[str]) -> None:
        """Named keywords, then `**{...}` literals, then the marker for `**unknown`."""
        by_keyword = {decl.init_name: (owner, decl)
                      for owner, decl in constructor_fields(self.ctx, cls)}
        unknown = False
        for keyword in call.keywords or []:
            if keyword.arg is not None:
                keys, how = [keyword.arg], via
            else:
                keys, complete = _dict_keys(keyword.value)
                how, unknown = "dict unpacking", unknown or not complete
            for key in keys:
                if key in by_keyword:
                    owner, decl = by_keyword[key]
                    done.add(decl.name)
                    self._edge("SETS", call, owner, decl.name, via=how)
        if unknown:
            self._unknown(call, by_keyword.values(), done)

    def _keyed(self, call: nodes.Call, cls: nodes.ClassDef, keys: list[str], complete: bool,
               via: str) -> None:
        """Keys of a dict literal set fields by name; the rest of a dict may set any field."""
        for key in keys:
            self._set(call, cls, key, via)
        if not complete:
            self._unknown(call, constructor_fields(self.ctx, cls), set(keys))

    def _unknown(self, call: nodes.Call, fields, done: set[str]) -> None:
        for owner, decl in fields:
            if decl.name not in done:
                self._edge("SETS", call, owner, decl.name, via=UNKNOWN_KWARGS)

    # --- types ------------------------------------------------------------------------
    def receivers(self, expr: nodes.NodeNG) -> list[nodes.ClassDef]:
        """Local classes expr is an instance of (or is); `self` in a method needs no inference."""
        own = self._self_class(expr)
        if own is not None:
            return [own]
        if _is_parameter(expr):
            return self._local(v._proxied for v in self._types.declared(expr)
                               if isinstance(v, Instance))
        values = [v._proxied if isinstance(v, Instance) else v for v in self.ctx.infer(expr)]
        return self._local(values)

    def _classes(self, expr: nodes.NodeNG) -> list[nodes.ClassDef]:
        return self._local(self.ctx.infer(expr))

    def _local(self, values) -> list[nodes.ClassDef]:
        found: list[nodes.ClassDef] = []
        for value in values:
            cls = self._synthetic.get(_synthetic_key(value), value)
            if isinstance(cls, nodes.ClassDef) and self.ctx.project.is_local(cls) \
                    and cls not in found:
                found.append(cls)
        return found

    def _self_class(self, expr: nodes.NodeNG) -> nodes.ClassDef | None:
        if not isinstance(expr, nodes.Name):
            return None
        method = expr.frame()
        cls = method.parent
        if isinstance(cls, nodes.ClassDef) and isinstance(method, nodes.FunctionDef) \
                and _first_parameter(method) == expr.name and self.ctx.project.is_local(cls):
            return cls
        return None

    # --- facts ------------------------------------------------------------------------
    def _set(self, node, cls: nodes.ClassDef, name: str, via: str) -> None:
        found = self._owner(cls, name)
        if found is not None:
            self._edge("SETS", node, found, name, via=via)

    def _read(self, node, cls: nodes.ClassDef, name: str) -> None:
        found = self._owner(cls, name)
        if found is not None:
            self._edge("READS", node, found, name)

    def _owner(self, cls: nodes.ClassDef, name: str) -> nodes.ClassDef | None:
        """The class whose field `name` of a cls instance is; None when there is none, or when
        a class before it along the MRO makes name a property: the accessors run then
        (calls_properties), not a read or write of the base's field."""
        found = owner_of(self.ctx, cls, name)
        if found is None:
            return None
        for candidate in lineage(self.ctx, cls).chain:
            if candidate is found[0]:
                return candidate
            if _is_property_in(candidate, name):
                return None
        return found[0]

    def _edge(self, type: str, node, owner: nodes.ClassDef, name: str, **props) -> None:
        label, source = self.ctx.scope_of(node)
        target = field_id(self.ctx, owner, name)
        key = (type, source, target, node.lineno, tuple(props.items()))
        if key not in self.seen:
            self.seen.add(key)
            self.ctx.facts.add_edge(type, label, source, "Field", target, line=node.lineno,
                                    **props)


def _is_property_in(cls: nodes.ClassDef, name: str) -> bool:
    members = cls.locals.get(name, ())
    return assigned_properties.made_in_body(cls, name) is not None \
        or any(isinstance(m, nodes.FunctionDef) and is_property(m) for m in members)


def synthetic_classes(ctx: ModuleContext) -> dict[tuple, nodes.ClassDef]:
    """Local NamedTuple classes by the (name, fields) of astroid's stand-in for them.

    astroid infers a `class P(NamedTuple)` to a synthetic class of its own that
    no longer knows its module or line; its name and `_fields` still tell which
    local class it stands for (ambiguous keys are dropped rather than guessed).
    """
    store = memo(ctx)
    if store.synthetic is None:
        found: dict[tuple, list] = {}
        for node in ctx.project.definitions():
            if isinstance(node, nodes.ClassDef) and class_kind(ctx, node) == "namedtuple":
                names = tuple(d.name for _, d in constructor_fields(ctx, node))
                found.setdefault((node.name, names), []).append(node)
        store.synthetic = {key: group[0] for key, group in found.items() if len(group) == 1}
    return store.synthetic


def _synthetic_key(value) -> tuple | None:
    if not (isinstance(value, nodes.ClassDef)
            and value.qname().startswith("__astroid_synthetic") and "_fields" in value.locals):
        return None
    assigned = value.locals["_fields"][0].parent
    elements = getattr(getattr(assigned, "value", None), "elts", None) or []
    return (value.name, tuple(_string(e) for e in elements))


def _is_parameter(expr: nodes.NodeNG) -> bool:
    """A plain parameter: astroid infers it only from its default, at a high price, so skip it."""
    if not isinstance(expr, nodes.Name):
        return False
    arguments = expr.frame().args if isinstance(expr.frame(), nodes.FunctionDef) else None
    if arguments is None or not arguments.args and not arguments.kwonlyargs:
        return False
    for argument, default in _with_defaults(arguments):
        if argument.name == expr.name:
            return default is None and not _rebound(expr)
    return False


def _first_parameter(method: nodes.FunctionDef) -> str | None:
    """`self` of a method or `cls` of a classmethod: the instance or the class itself."""
    if method.type == "classmethod":
        args = (method.args.posonlyargs or []) + (method.args.args or [])
        return args[0].name if args else None
    return self_name(method)


def _with_defaults(arguments: nodes.Arguments):
    positional = (arguments.posonlyargs or []) + (arguments.args or [])
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    yield from zip(positional, defaults, strict=True)
    yield from zip(arguments.kwonlyargs, arguments.kw_defaults or [], strict=False)


def _rebound(expr: nodes.Name) -> bool:
    """The parameter is assigned again in the function body (`cfg = Config()`)."""
    return any(not isinstance(n.parent, nodes.Arguments)
               for n in expr.frame().locals.get(expr.name, []))


def _string(node) -> str | None:
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: nodes.Call, name: str):
    return next((k.value for k in call.keywords or [] if k.arg == name), None)


def _dict_keys(node) -> tuple[list[str], bool]:
    """The string keys of a dict literal, and whether they are all of its keys."""
    if not isinstance(node, nodes.Dict):
        return [], False
    keys = [_string(key) for key, _ in node.items]
    return [k for k in keys if k is not None], all(k is not None for k in keys)
