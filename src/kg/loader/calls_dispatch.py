"""`self.method()` and `super().method()` dispatched over the classes the code instantiates.

astroid resolves `self.body()` in `Report.render` to `Report.body`, as if self
were always a Report, and `super().setup()` in `B` to the next class in B's own
MRO. What runs depends on the class of self: for an `Html(Report)` instance,
`Html.body`; for a `D(B, C)` instance, B's `super()` is `C`. This step keeps
such calls until every module is extracted, then looks the method up along
the MRO of each class of the family (the method's class and its subclasses in
the loaded code) that the loaded code constructs. When none of them is
constructed (a library's base class, an instance made by a framework),
astroid's answer stands.

Only calls in a method of a class with subclasses are kept (`self.x()`), or
any `super().x()`: elsewhere the class of self is the class itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astroid import nodes
from astroid.exceptions import AstroidError

from kg.loader.context import ModuleContext

PENDING_KEY = "calls.dispatch"
CLASSES_KEY = "calls.dispatch.classes"


@dataclass
class Deferred:
    ctx: ModuleContext
    call: nodes.Call
    site_id: str
    scope: tuple[str, str]
    owner: nodes.ClassDef       # the class whose method holds the call
    name: str
    is_super: bool
    inferred: list              # astroid's callees, kept when no constructed class tells


@dataclass
class Dispatch:
    constructed: set[str] = field(default_factory=set)     # kg ids of constructed classes
    deferred: list[Deferred] = field(default_factory=list)


@dataclass
class Classes:
    """The class index and MROs: caches of one process, kept across its modules (under
    CLASSES_KEY, a fragments.CACHES key), so they are built once per process, not per module."""

    children: dict[int, list[nodes.ClassDef]] | None = None
    mros: dict[int, list[nodes.ClassDef]] = field(default_factory=dict)


def merge(into: Dispatch | None, part: Dispatch) -> Dispatch:
    """One module's records joined to those before it (fragments.py)."""
    merged = into or Dispatch()
    merged.constructed |= part.constructed
    merged.deferred.extend(part.deferred)
    return merged


def dispatch_of(ctx: ModuleContext) -> Dispatch:
    found = ctx.project.pending.get(PENDING_KEY)
    if found is None:
        found = ctx.project.pending[PENDING_KEY] = Dispatch()
    return found


def constructed(ctx: ModuleContext, class_ids) -> None:
    dispatch_of(ctx).constructed.update(class_ids)


def defer(ctx: ModuleContext, call: nodes.Call, site_id: str, scope: tuple[str, str],
          inferred: list) -> bool:
    """Keep a `self.x()` or `super().x()` call for after all modules; False for any other."""
    func = call.func
    if not isinstance(func, nodes.Attribute):
        return False
    is_super = _is_super(func.expr)
    owner = _method_class(func.expr, is_super)
    if owner is None or not ctx.project.is_local(owner):
        return False
    dispatch = dispatch_of(ctx)
    if not is_super and not _children(ctx).get(id(owner)):
        return False
    dispatch.deferred.append(Deferred(ctx, call, site_id, scope, owner, func.attrname,
                                      is_super, inferred))
    return True


def resolve(project) -> list[tuple[Deferred, list]]:
    """Each kept call with the methods that run for the constructed classes of its family
    (astroid's callees when none is constructed)."""
    dispatch = project.pending.get(PENDING_KEY)
    if dispatch is None:
        return []
    found = []
    for deferred in dispatch.deferred:
        ctx = deferred.ctx
        family = [deferred.owner, *_descendants(ctx, deferred.owner)]
        classes = [c for c in family if ctx.project.id_of(c) in dispatch.constructed]
        methods = []
        for cls in classes:
            method = _lookup(ctx, cls, deferred.owner, deferred.name, deferred.is_super)
            if method is None:
                methods = None
                break
            methods.append(method)
        found.append((deferred, methods if classes and methods else None))
    return found


def _lookup(ctx: ModuleContext, cls: nodes.ClassDef, owner: nodes.ClassDef, name: str,
            is_super: bool) -> nodes.FunctionDef | None:
    mro = _mro(_classes(ctx), cls)
    if is_super:
        positions = [i for i, k in enumerate(mro) if k is owner]
        if not positions:
            return None
        mro = mro[positions[0] + 1:]
    for klass in mro:
        defined = klass.locals.get(name)
        if defined:
            value = defined[-1]
            return value if isinstance(value, nodes.FunctionDef) else None
    return None


def _classes(ctx: ModuleContext) -> Classes:
    return ctx.project.pending.setdefault(CLASSES_KEY, Classes())


def _mro(classes: Classes, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
    if id(cls) not in classes.mros:
        try:
            classes.mros[id(cls)] = cls.mro()
        except (AstroidError, RecursionError, TypeError, ValueError):
            classes.mros[id(cls)] = []
    return classes.mros[id(cls)]


def _children(ctx: ModuleContext) -> dict[int, list[nodes.ClassDef]]:
    """id(class) -> the loaded classes that name it as a direct base, built once per process
    (not per module: inferring every base of the project again in each module cost more than
    the rest of the step). Not kept when the module's inference budget ran out while building
    it, so that a cut-short index is never reused by another module."""
    classes = _classes(ctx)
    if classes.children is not None:
        return classes.children
    children: dict[int, list[nodes.ClassDef]] = {}
    for node in ctx.project.definitions():
        if not isinstance(node, nodes.ClassDef):
            continue
        for base in node.bases:
            for value in ctx.infer(base):
                if isinstance(value, nodes.ClassDef) and ctx.project.is_local(value):
                    children.setdefault(id(value), []).append(node)
    if ctx.budget_exceeded is None:
        classes.children = children
    return children


def _descendants(ctx: ModuleContext, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
    children = _children(ctx)
    found: dict[int, nodes.ClassDef] = {}
    stack = list(children.get(id(cls), ()))
    while stack:
        klass = stack.pop()
        if id(klass) not in found and klass is not cls:
            found[id(klass)] = klass
            stack.extend(children.get(id(klass), ()))
    return list(found.values())


def _is_super(expr: nodes.NodeNG) -> bool:
    return (isinstance(expr, nodes.Call) and isinstance(expr.func, nodes.Name)
            and expr.func.name == "super" and not expr.args)


def _method_class(expr: nodes.NodeNG, is_super: bool) -> nodes.ClassDef | None:
    """The class whose method holds the call, when the receiver is its self (or super())."""
    method = expr.scope()
    if not isinstance(method, nodes.FunctionDef) or not isinstance(method.parent, nodes.ClassDef):
        return None
    if is_super:
        return method.parent
    args = method.args.posonlyargs + method.args.args
    if not isinstance(expr, nodes.Name) or not args or args[0].name != expr.name \
            or method.type != "method":
        return None
    return method.parent
