"""Reading, assigning and deleting a property of the loaded code calls its getter, setter, deleter.

`c.area` where c is an instance of a class of the loaded code whose `area`
is a property runs the getter (`@property def area`), `t.celsius = 5` the
setter (`@celsius.setter`), `t.celsius += 1` both, `del t.celsius` the
deleter. Each becomes a CallSite (callee_text `c.area.fget`, `.fset`,
`.fdel`; resolved "inference") of the scope that holds the attribute. The
receiver's class comes from inference, or from its annotation when inference
gives nothing (calls_types); the property is the first definition of the
name along that class's MRO. A property the class body makes by assignment
(`x = property(getx, setx, delx)`, `x = x.setter(f)`: assigned_properties) calls
its accessors alike, whatever function, lambda or method of the loaded code each
argument infers to. A property read on the class itself (`Circle.area`)
calls nothing. Only attributes named like some property of the loaded code
are looked at, so the rest costs a set lookup.
"""

from __future__ import annotations

from astroid import bases, nodes

from kg.loader import assigned_properties
from kg.loader.assigned_properties import DELETE, GET, SET
from kg.loader.calls_implicit import add_site, defined_names
from kg.loader.calls_names import index_of
from kg.loader.calls_types import Types
from kg.loader.calls_walk import VALUE
from kg.loader.context import ModuleContext
from kg.loader.resolve import Target, callees_of, is_property, mro_of

_PARTS = {"getter": GET, "setter": SET, "deleter": DELETE}


def extract(ctx: ModuleContext, names: list[tuple[nodes.NodeNG, str]], types: Types) -> None:
    """names: the module's name uses (calls_walk), where every read of an attribute named like
    a definition is."""
    properties = defined_names(ctx).properties
    if not properties:
        return
    for node, role in names:
        if isinstance(node, nodes.Attribute) and role == VALUE and node.attrname in properties:
            _add(ctx, types, node, GET)
    for node in _unnamed_reads(ctx, properties):
        _add(ctx, types, node, GET)
    for node in ctx.nodes_of((nodes.AssignAttr, nodes.DelAttr)):
        if node.attrname not in properties:
            continue
        if isinstance(node, nodes.DelAttr):
            _add(ctx, types, node, DELETE)
            continue
        if isinstance(node.parent, nodes.AugAssign):
            _add(ctx, types, node, GET)
        _add(ctx, types, node, SET)


def _unnamed_reads(ctx: ModuleContext, properties: frozenset[str]) -> list[nodes.Attribute]:
    """Reads of properties no definition is named like (`x = property(getx)`): the name uses
    hold only names of definitions. Not the callee of a call (`obj.x()`), as there."""
    unnamed = properties - index_of(ctx.project).names
    if not unnamed:
        return []
    return [node for node in ctx.nodes_of(nodes.Attribute)
            if type(node) is nodes.Attribute and node.attrname in unnamed
            and not (isinstance(node.parent, nodes.Call) and node.parent.func is node)]


def _add(ctx: ModuleContext, types: Types, node, accessor: str) -> None:
    targets = _accessors(ctx, types, node, accessor)
    if targets:
        text = " ".join(node.as_string().split())
        add_site(ctx, node, node, targets, f"{ctx.call_site_id(node)}:{accessor}",
                 f"{text}.{accessor}")


def _accessors(ctx: ModuleContext, types: Types, node, accessor: str) -> list[Target]:
    """The accessor of the property `receiver.name` is, for each instance the receiver is."""
    found: list[Target] = []
    for value in types.values(node.expr):
        if not isinstance(value, bases.Instance) or isinstance(value, nodes.NodeNG):
            continue
        cls = value._proxied
        if not isinstance(cls, nodes.ClassDef) or not ctx.project.is_local(cls):
            continue
        found += [t for t in _accessor(ctx, cls, node.attrname, accessor) if t not in found]
    return found


def _accessor(ctx: ModuleContext, cls: nodes.ClassDef, name: str, accessor: str
              ) -> list[Target]:
    """The getter, setter or deleter of the property name, where the first class of the MRO
    that defines name defines a property; [] for a plain attribute or method."""
    for klass in mro_of(ctx, cls):
        members = klass.locals.get(name)
        if not members:
            continue
        made = assigned_properties.made_in_body(klass, name)
        if made is not None:
            return _functions(ctx, made.accessors.get(accessor))
        functions = [m for m in members if isinstance(m, nodes.FunctionDef)]
        if len(functions) != len(members) or not is_property(functions[0]):
            return []
        function = next((f for f in reversed(functions) if _role(f) == accessor), None)
        return _functions(ctx, function)
    return []


def _functions(ctx: ModuleContext, accessor: nodes.NodeNG | None) -> list[Target]:
    """The functions of the loaded code an accessor is: a method, or what the argument of
    `property(...)` infers to (a function, a lambda)."""
    if isinstance(accessor, nodes.FunctionDef):
        kg_id = ctx.project.id_of(accessor)
        return [Target("Function", kg_id, accessor.qname())] if kg_id is not None else []
    if accessor is None:
        return []
    return [t for callee in callees_of(ctx, ctx.infer(accessor)) for t in callee
            if t.label == "Function"]


def _role(function: nodes.FunctionDef) -> str:
    """fget, fset or fdel: `@x.setter` marks a setter, any other property decorator a getter."""
    for decorator in function.decorators.nodes if function.decorators else ():
        part = decorator.as_string().rsplit(".", 1)[-1]
        if part in _PARTS and isinstance(decorator, nodes.Attribute):
            return _PARTS[part]
    return GET
