"""Field writes (SETS) and reads (READS), each attributed to the enclosing function or module.

A write is tied to a field only through the inferred type of what is written to
(or the class a constructor call infers to), never through the attribute's name
alone: `other.name = x` on an unrelated class is not a write to `User.name`.
To stay cheap, a receiver is only inferred when the attribute's name is the name
of some field in the project.

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

from kg.loader.context import ModuleContext
from kg.loader.fields_decl import (
    constructor_fields,
    field_names,
    owner_of,
    positional_fields,
    self_name,
)
from kg.loader.fields_names import qualnames

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
        elif name in ("replace", "evolve") and REPLACE & set(qualnames(self.ctx, func)):
            self._replace(call)
        else:
            self._construction(call)

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
            keys = _dict_keys(data) if method in VALIDATE else None
            self._keyed(call, cls, keys, "model_validate")

    def _copy(self, call: nodes.Call) -> None:
        update = _keyword(call, "update")
        if update is None:
            return
        for cls in self.receivers(call.func.expr):
            self._keyed(call, cls, _dict_keys(update), "model_copy update")

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
                keys, how = _dict_keys(keyword.value), "dict unpacking"
                if keys is None:
                    unknown = True
                    continue
            for key in keys:
                if key in by_keyword:
                    owner, decl = by_keyword[key]
                    done.add(decl.name)
                    self._edge("SETS", call, owner, decl.name, via=how)
        if unknown:
            self._unknown(call, by_keyword.values(), done)

    def _keyed(self, call: nodes.Call, cls: nodes.ClassDef, keys: list[str] | None,
               via: str) -> None:
        """Keys of a dict literal set fields by name; anything else may set any field."""
        if keys is None:
            self._unknown(call, constructor_fields(self.ctx, cls), set())
            return
        for key in keys:
            self._set(call, cls, key, via)

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
        found: list[nodes.ClassDef] = []
        for value in self.ctx.infer(expr):
            cls = value._proxied if isinstance(value, Instance) else value
            if isinstance(cls, nodes.ClassDef) and self.ctx.project.is_local(cls) \
                    and cls not in found:
                found.append(cls)
        return found

    def _classes(self, expr: nodes.NodeNG) -> list[nodes.ClassDef]:
        found: list[nodes.ClassDef] = []
        for value in self.ctx.infer(expr):
            if isinstance(value, nodes.ClassDef) and self.ctx.project.is_local(value) \
                    and value not in found:
                found.append(value)
        return found

    def _self_class(self, expr: nodes.NodeNG) -> nodes.ClassDef | None:
        if not isinstance(expr, nodes.Name):
            return None
        method = expr.frame()
        cls = method.parent
        if isinstance(cls, nodes.ClassDef) and isinstance(method, nodes.FunctionDef) \
                and self_name(method) == expr.name and self.ctx.project.is_local(cls):
            return cls
        return None

    # --- facts ------------------------------------------------------------------------
    def _set(self, node, cls: nodes.ClassDef, name: str, via: str) -> None:
        found = owner_of(self.ctx, cls, name)
        if found is not None:
            self._edge("SETS", node, found[0], name, via=via)

    def _read(self, node, cls: nodes.ClassDef, name: str) -> None:
        found = owner_of(self.ctx, cls, name)
        if found is not None:
            self._edge("READS", node, found[0], name)

    def _edge(self, type: str, node, owner: nodes.ClassDef, name: str, **props) -> None:
        label, source = self.ctx.scope_of(node)
        target = field_id(self.ctx, owner, name)
        key = (type, source, target, node.lineno, tuple(props.items()))
        if key not in self.seen:
            self.seen.add(key)
            self.ctx.facts.add_edge(type, label, source, "Field", target, line=node.lineno,
                                    **props)


def _string(node) -> str | None:
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: nodes.Call, name: str):
    return next((k.value for k in call.keywords or [] if k.arg == name), None)


def _dict_keys(node) -> list[str] | None:
    """String keys of a dict literal; None when its keys are not all known."""
    if not isinstance(node, nodes.Dict):
        return None
    keys = [_string(key) for key, _ in node.items]
    return None if any(k is None for k in keys) else keys
