"""Properties a class body makes by a call rather than a decorator.

`x = property(getx, setx, delx, "doc")`, `x = property(fget=getx, fset=setx)`,
`x = property(getx)` followed by `x = x.setter(setx)` (or by `@x.setter def x`),
and `x = functools.cached_property(f)`. Reading `obj.x` calls the getter,
`obj.x = v` the setter and `del obj.x` the deleter, as for `@property`
(calls_properties); the name is no field of the class (fields_decl), and
assigning it on an instance leaves no instance attribute (inference_cache).

Read from the syntax, by the callee's last name, as `resolve.is_property`
reads decorators: astroid's build asks too (inference_cache), before anything
may be inferred. Each accessor is given as what the body wrote (a name, a
lambda, a decorated function), which the caller resolves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import takewhile

from astroid import nodes

GET, SET, DELETE = "fget", "fset", "fdel"
_POSITIONAL = (GET, SET, DELETE)            # property(fget, fset, fdel, doc)
_PARTS = {"getter": GET, "setter": SET, "deleter": DELETE}
_DECORATORS = frozenset({"property", "cached_property", *_PARTS})


@dataclass(frozen=True)
class Made:
    """A property's accessors by role (fget, fset, fdel); data: it has `__set__`, so an
    assignment on an instance runs it (a cached_property does not: it fills the instance)."""
    accessors: dict[str, nodes.NodeNG] = field(default_factory=dict)
    data: bool = True


def made_in_body(cls: nodes.ClassDef, name: str) -> Made | None:
    """The property `name` is in cls's body, following its bindings in source order (a later
    plain binding undoes it); None when it is none. Only for a name some assignment binds:
    a name bound by functions alone is read by its decorators (calls_properties)."""
    members = cls.locals.get(name, ())
    if all(isinstance(m, nodes.FunctionDef) for m in members):
        return None
    made: Made | None = None
    for member in members:
        made = _rebound(made, member, name)
    return made


def is_made(statement: nodes.NodeNG) -> bool:
    """A class-body assignment whose value is a property (`x = property(getx)`, `x =
    x.setter(setx)`): no field."""
    value = getattr(statement, "value", None)
    maker = _maker(value) if isinstance(value, nodes.Call) else None
    if maker in _PARTS:
        targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
        return isinstance(value.func.expr, nodes.Name) and any(
            isinstance(t, nodes.AssignName) and t.name == value.func.expr.name for t in targets)
    return maker is not None


def names_made(cls: nodes.ClassDef) -> set[str]:
    """The names cls's body binds to a property by assignment."""
    found = set()
    for statement in cls.body:
        if isinstance(statement, nodes.Assign) and is_made(statement):
            found.update(t.name for t in statement.targets if isinstance(t, nodes.AssignName))
    return {name for name in found if made_in_body(cls, name) is not None}


def _rebound(made: Made | None, member: nodes.NodeNG, name: str) -> Made | None:
    if isinstance(member, nodes.FunctionDef):
        return _decorated(made, member)
    assign = member.parent
    if not isinstance(assign, nodes.Assign) or not any(t is member for t in assign.targets) \
            or not isinstance(assign.value, nodes.Call):
        return None
    call = assign.value
    maker = _maker(call)
    if maker in ("property", "cached_property"):
        return Made(_arguments(call, maker), data=maker == "property")
    if maker in _PARTS and made is not None and isinstance(call.func.expr, nodes.Name) \
            and call.func.expr.name == name and call.args:
        return Made({**made.accessors, _PARTS[maker]: call.args[0]}, made.data)
    return None


def _decorated(made: Made | None, function: nodes.FunctionDef) -> Made | None:
    """`@property def x` starts a property, `@x.setter def x` adds to the one before."""
    decorators = function.decorators.nodes if function.decorators else []
    names = [last_name(d) for d in decorators]
    part = next((n for n in names if n in _PARTS), None)
    if part is not None and made is not None:
        return Made({**made.accessors, _PARTS[part]: function}, made.data)
    if "property" in names or "cached_property" in names:
        return Made({GET: function}, data="property" in names)
    return None


def _maker(call: nodes.Call) -> str | None:
    """property, cached_property, or getter/setter/deleter of `x.setter(f)`."""
    name = last_name(call.func)
    if name in ("property", "cached_property"):
        return name
    if name in _PARTS and isinstance(call.func, nodes.Attribute):
        return name
    return None


def _arguments(call: nodes.Call, maker: str) -> dict[str, nodes.NodeNG]:
    roles = _POSITIONAL if maker == "property" else (GET,)
    positional = list(takewhile(lambda a: not isinstance(a, nodes.Starred), call.args))
    found = dict(zip(roles, positional, strict=False))
    for keyword in call.keywords or ():
        role = "fget" if keyword.arg == "func" and maker == "cached_property" else keyword.arg
        if role in roles:
            found[role] = keyword.value
    return {role: arg for role, arg in found.items()
            if not (isinstance(arg, nodes.Const) and arg.value is None)}


def last_name(node: nodes.NodeNG) -> str:
    """`property` in `@property`, `cached_property` in `functools.cached_property(f)`."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Attribute):
        return node.attrname
    return ""

