"""Callables that flow into parameters: `def run(fn): fn()` called as `run(hello)` calls hello.

astroid infers a parameter without knowing its arguments (only its default),
so a call of a parameter resolves to nothing, or to the default alone. This
step follows the arguments instead, after every module has been extracted:

- while a module is extracted, each call resolved to a function of the loaded
  code is recorded as an *arrival* at that function (the call node, with the
  module's context), and each call whose callee comes from a parameter is
  *watched*: `fn()`, `fn` from a closure, `for f in fns: f()` (an item of the
  parameter), `handlers["done"]()` and `options.get("done")()` (a keyword of
  `**handlers`), `self.callback()` where some method of the class (or of a
  subclass) assigned `self.callback` from its parameter, or from any value;
- after all modules, each watched call gets the callees of the arguments
  bound to that parameter at every arrival (keywords, `*args`, `**kwargs`, a
  dict unpacked with `**`), inferred with the cached inference of the
  caller's module; an argument that is itself a parameter is followed to its
  own arrivals, a few hops deep.

No name matching: every callee found is a value inference gave for an
argument, so the edges are resolved "inference" with confidence 1/n.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astroid import bases, nodes
from astroid.exceptions import AstroidError

from kg.loader import calls_lambdas
from kg.loader.context import ModuleContext

PENDING_KEY = "calls.flow"
FAMILIES_KEY = "calls.flow.families"
MAX_HOPS = 4
ITEM = ("item",)               # what iterating it gives: an element, a generator's yield
ANY_KEY = ("any",)             # any value held: a dict's values, a list's elements
Selector = tuple | None        # None: the value itself; ITEM; ANY_KEY; ("key", k)
APPENDS = ("append", "add", "insert", "appendleft")


@dataclass(frozen=True)
class Slot:
    """A parameter of a function (or lambda), and which part of its argument is called."""

    function: nodes.NodeNG
    param: str
    selector: Selector = None


@dataclass(frozen=True)
class Held:
    """A value an expression holds for the call: inferred in its own module's context."""

    ctx: ModuleContext
    node: nodes.NodeNG
    selector: Selector = None


@dataclass
class Watched:
    ctx: ModuleContext
    call: nodes.Call
    site_id: str
    scope: tuple[str, str]
    origins: list


@dataclass
class Flow:
    arrivals: dict[str, list[tuple[ModuleContext, nodes.Call]]] = field(default_factory=dict)
    watched: list[Watched] = field(default_factory=list)
    # (list or set literal, context, item appended to it): astroid nodes, so that the records
    # can travel between processes (fragments.py); indexed by the resolver
    appended: list[tuple[nodes.NodeNG, ModuleContext, nodes.NodeNG]] = field(
        default_factory=list)


def merge(into: Flow | None, part: Flow) -> Flow:
    """One module's flow records joined to those of the modules before it (fragments.py): its
    arrivals, watched calls and appends."""
    merged = into or Flow()
    for kg_id, arrivals in part.arrivals.items():
        merged.arrivals.setdefault(kg_id, []).extend(arrivals)
    merged.watched.extend(part.watched)
    merged.appended.extend(part.appended)
    return merged


def flow_of(ctx: ModuleContext) -> Flow:
    flow = ctx.project.pending.get(PENDING_KEY)
    if flow is None:
        flow = ctx.project.pending[PENDING_KEY] = Flow()
    return flow


def arrived(ctx: ModuleContext, call: nodes.Call, target_ids) -> None:
    """The call reaches these functions of the loaded code: their parameters get its arguments."""
    if not call.args and not call.keywords:
        return
    arrivals = flow_of(ctx).arrivals
    for kg_id in target_ids:
        arrivals.setdefault(kg_id, []).append((ctx, call))


@dataclass(frozen=True)
class Applied:
    """A decorator applied to a definition: a call with the definition as its one argument."""

    definition: nodes.NodeNG
    func = None
    keywords = ()

    @property
    def args(self) -> list[nodes.NodeNG]:
        return [self.definition]


def applied(ctx: ModuleContext, definition: nodes.NodeNG, target_ids) -> None:
    """`@deco` on definition: deco's first parameter receives it."""
    arrivals = flow_of(ctx).arrivals
    for kg_id in target_ids:
        arrivals.setdefault(kg_id, []).append((ctx, Applied(definition)))


def watch(ctx: ModuleContext, call: nodes.Call, site_id: str, scope: tuple[str, str]) -> bool:
    """Remember a call whose callee comes from a parameter or an attribute of self; False when
    it comes from neither."""
    origins = _origins(ctx, call.func, None, 0)
    if origins:
        flow_of(ctx).watched.append(Watched(ctx, call, site_id, scope, origins))
    return bool(origins)


def resolve_watched(project, callees_of) -> list[tuple[Watched, list]]:
    """After all modules: each watched call with the callees its origins give.
    callees_of(ctx, values) turns inferred values into callees (resolve.callees_of); a
    decorated definition handed to its decorator is an `Applied`, the definition itself
    (not what the decorator makes of it)."""
    flow = project.pending.get(PENDING_KEY)
    if flow is None:
        return []
    resolver = _Resolver(flow)
    found = []
    for watched in flow.watched:
        values = resolver.values(watched.ctx, watched.origins, 0, frozenset())
        callees = callees_of(watched.ctx, values)
        if callees:
            found.append((watched, callees))
    return found


# -- where a callee's value comes from ----------------------------------------------------------

def _origins(ctx: ModuleContext, expr: nodes.NodeNG, selector: Selector, depth: int) -> list:
    """Slots and held values an expression may take its value from; [] when it is none of the
    shapes followed (inference alone then)."""
    if depth > MAX_HOPS:
        return []
    if isinstance(expr, nodes.Name):
        return _name_origins(ctx, expr, selector, depth)
    if isinstance(expr, nodes.Subscript) and selector is None:
        key = expr.slice.value if isinstance(expr.slice, nodes.Const) else None
        inner = ("key", key) if isinstance(key, str) else ANY_KEY
        return _origins(ctx, expr.value, inner, depth + 1)
    if isinstance(expr, nodes.Call) and selector == ITEM and _is_values(expr):
        receiver = expr.func.expr
        return [Held(ctx, receiver, ANY_KEY), *_origins(ctx, receiver, ANY_KEY, depth + 1)]
    if isinstance(expr, nodes.Call) and selector is None and _is_next(expr):
        return [Held(ctx, expr.args[0], ITEM), *_origins(ctx, expr.args[0], ITEM, depth + 1)]
    if isinstance(expr, nodes.Call) and selector is None and _is_get(expr):
        return _origins(ctx, expr.func.expr, ("key", expr.args[0].value), depth + 1)
    if isinstance(expr, nodes.Attribute) and selector is None:
        return _attribute_origins(ctx, expr, depth)
    return []


def _name_origins(ctx, name: nodes.Name, selector: Selector, depth: int) -> list:
    try:
        _, assigned = name.lookup(name.name)
    except (AstroidError, RecursionError):
        return []
    found = []
    for node in assigned:
        if isinstance(node, nodes.Arguments):               # *args or **kwargs
            found.append(Slot(node.parent, name.name, selector))
        elif isinstance(node, nodes.AssignName) and isinstance(node.parent, nodes.Arguments):
            found.append(Slot(node.parent.parent, name.name, selector))
        elif isinstance(node, nodes.AssignName) and isinstance(node.parent, nodes.For) \
                and node.parent.target is node and selector is None:
            found.append(Held(ctx, node.parent.iter, ITEM))
            found += _origins(ctx, node.parent.iter, ITEM, depth + 1)
        elif isinstance(node, nodes.AssignName) and isinstance(node.parent, nodes.Assign) \
                and len(node.parent.targets) == 1:
            found += _origins(ctx, node.parent.value, selector, depth + 1)
    return found


def _attribute_origins(ctx, attr: nodes.Attribute, depth: int) -> list:
    """`self.name`: what the methods of self's class, or of its subclasses, assign to it."""
    cls = _class_of_self(attr.expr)
    if cls is None or not ctx.project.is_local(cls):
        return []
    found = []
    for klass in _family(ctx, cls):
        for assign in klass.instance_attrs.get(attr.attrname, ()):
            statement = assign.parent
            if isinstance(statement, nodes.Assign) and len(statement.targets) == 1:
                value = statement.value
                found.append(Held(ctx, value))
                found += _origins(ctx, value, None, depth + 1)
    return found


def _class_of_self(expr: nodes.NodeNG) -> nodes.ClassDef | None:
    if not isinstance(expr, nodes.Name):
        return None
    method = expr.scope()
    if not isinstance(method, nodes.FunctionDef) or not isinstance(method.parent, nodes.ClassDef):
        return None
    args = method.args.posonlyargs + method.args.args
    if not args or args[0].name != expr.name:
        return None
    return method.parent


def _family(ctx: ModuleContext, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
    """The class and the loaded classes that have it in their ancestry."""
    return [cls, *(k for k in heirs_of(ctx.project).get(id(cls), ()) if k is not cls)]


def heirs_of(project) -> dict[int, list[nodes.ClassDef]]:
    """id(class) -> the loaded classes that have it in their ancestry (as far as astroid
    gets before an error), in definition order: built once per process (a cache kept
    across its modules, under FAMILIES_KEY, a fragments.CACHES key) by walking each class's
    ancestry once, not every class's ancestry again for each class asked about."""
    heirs = project.pending.get(FAMILIES_KEY)
    if heirs is None:
        heirs = project.pending[FAMILIES_KEY] = {}
        for klass in project.definitions():
            if not isinstance(klass, nodes.ClassDef):
                continue
            seen: set[int] = set()
            try:
                for ancestor in klass.ancestors():
                    if id(ancestor) not in seen:
                        seen.add(id(ancestor))
                        heirs.setdefault(id(ancestor), []).append(klass)
            except (AstroidError, RecursionError):
                continue
    return heirs


def _is_values(call: nodes.Call) -> bool:
    return isinstance(call.func, nodes.Attribute) and call.func.attrname == "values" \
        and not call.args


def _is_next(call: nodes.Call) -> bool:
    return isinstance(call.func, nodes.Name) and call.func.name == "next" and len(call.args) == 1


def appended(ctx: ModuleContext, call: nodes.Call) -> None:
    """`items.append(f)` (add, insert, appendleft): f is one more element of the list or set
    literal(s) items infers to."""
    func = call.func
    if not (isinstance(func, nodes.Attribute) and func.attrname in APPENDS and call.args):
        return
    item = call.args[-1]
    for value in ctx.infer(func.expr):
        if isinstance(value, nodes.List | nodes.Set):
            flow_of(ctx).appended.append((value, ctx, item))


def _is_get(call: nodes.Call) -> bool:
    return (isinstance(call.func, nodes.Attribute) and call.func.attrname == "get"
            and len(call.args) >= 1 and isinstance(call.args[0], nodes.Const)
            and isinstance(call.args[0].value, str))


# -- resolving after all modules ---------------------------------------------------------------

class _Resolver:
    def __init__(self, flow: Flow):
        self.flow = flow
        self.appended: dict[int, list[tuple[ModuleContext, nodes.NodeNG]]] = {}
        for literal, ctx, item in flow.appended:
            self.appended.setdefault(id(literal), []).append((ctx, item))

    def values(self, ctx: ModuleContext, origins: list, hops: int, seen: frozenset) -> list:
        found = []
        for origin in origins:
            if isinstance(origin, Held):
                values = origin.ctx.infer(origin.node)
                found += _select(origin.ctx, values, origin.selector)
                found += self._appended(values, origin.selector, hops, seen)
            elif isinstance(origin, Slot) and origin not in seen and hops <= MAX_HOPS:
                found += self._slot_values(ctx, origin, hops, seen | {origin})
        return found

    def _slot_values(self, ctx: ModuleContext, slot: Slot, hops: int, seen: frozenset) -> list:
        kg_id = _id_of(ctx, slot.function)
        found = []
        for caller_ctx, call in self.flow.arrivals.get(kg_id, ()) if kg_id else ():
            if isinstance(call, Applied):
                found += [call] if _first_param(slot) else []
                continue
            for node, selector in _bound(slot, call):
                values = caller_ctx.infer(node)
                found += _select(caller_ctx, values, selector)
                found += self._appended(values, selector, hops, seen)
                found += self.values(caller_ctx, _origins(caller_ctx, node, selector, 0),
                                     hops + 1, seen)
        return found


    def _appended(self, values: list, selector: Selector, hops: int, seen: frozenset) -> list:
        """What was appended to the list or set literals among values (an item of them)."""
        if selector not in (ITEM, ANY_KEY) or hops > MAX_HOPS:
            return []
        found = []
        for value in values:
            for ctx, item in self.appended.get(id(value), ()):
                found += ctx.infer(item)
                found += self.values(ctx, _origins(ctx, item, None, 0), hops + 1, seen)
        return found


def _first_param(slot: Slot) -> bool:
    """The slot is the first positional parameter, with no part selected: a decorator's."""
    args = slot.function.args
    positional = [a.name for a in (args.posonlyargs or []) + (args.args or [])]
    if _is_bound(slot.function, Applied(slot.function)):
        positional = positional[1:]
    return slot.selector is None and positional[:1] == [slot.param]


def _id_of(ctx: ModuleContext, function: nodes.NodeNG) -> str | None:
    kg_id = ctx.project.id_of(function)
    if kg_id is None and calls_lambdas.is_lambda(function):
        found = calls_lambdas.lambda_id(ctx, function)
        kg_id = found[0] if found else None
    return kg_id


def _select(ctx: ModuleContext, values: list, selector: Selector) -> list:
    """The part of each value the selector takes: iterated, any held value, or by key."""
    if selector is None:
        return values
    found = []
    for value in values:
        if isinstance(value, nodes.Dict) and selector != ITEM:
            for key, item in value.items:
                if selector == ANY_KEY or (isinstance(key, nodes.Const)
                                           and key.value == selector[1]):
                    found += ctx.infer(item)
        elif isinstance(value, nodes.List | nodes.Tuple | nodes.Set) \
                and selector in (ITEM, ANY_KEY):
            for item in value.elts:
                found += ctx.infer(item)
        elif isinstance(value, bases.Generator) and selector == ITEM:
            found += _yielded(ctx, value.parent)
    return found


def _yielded(ctx: ModuleContext, function: nodes.NodeNG) -> list:
    if not isinstance(function, nodes.FunctionDef):
        return []
    found = []
    for node in function.nodes_of_class(nodes.Yield, skip_klass=(nodes.FunctionDef,
                                                                nodes.ClassDef, nodes.Lambda)):
        if node.value is not None:
            found += ctx.infer(node.value)
    return found


def _bound(slot: Slot, call: nodes.Call) -> list[tuple[nodes.NodeNG, Selector]]:
    """The argument expressions of call bound to the slot's parameter, each with what part of
    it the slot takes."""
    function, name, selector = slot.function, slot.param, slot.selector
    args = function.args
    if args is None or args.args is None:
        return []
    positional = [a.name for a in (args.posonlyargs or []) + (args.args or [])]
    if _is_bound(function, call):
        positional = positional[1:]
    given = [a for a in call.args if not isinstance(a, nodes.Starred)]
    keywords = {k.arg: k.value for k in call.keywords or () if k.arg}
    if name == args.vararg:
        extra = given[len(positional):]
        return [(a, None) for a in extra] if selector == ITEM else []
    if name == args.kwarg:
        if isinstance(selector, tuple) and selector[0] == "key":
            node = keywords.get(selector[1])
            return [(node, None)] if node is not None else []
        return [(v, None) for k, v in keywords.items() if k not in positional] \
            if selector == ITEM else []
    if name in positional and positional.index(name) < len(given):
        return [(given[positional.index(name)], selector)]
    if name in keywords:
        return [(keywords[name], selector)]
    if selector is not None:
        return []
    return [(k.value, ("key", name)) for k in call.keywords or () if k.arg is None]


def _is_bound(function: nodes.NodeNG, call: nodes.Call) -> bool:
    """Whether the call passes the first parameter implicitly (self or cls)."""
    if not isinstance(function, nodes.FunctionDef) or not isinstance(function.parent, nodes.ClassDef):
        return False
    if function.type == "staticmethod":
        return False
    if function.name == "__init__" or function.name == "__new__":
        return True
    return isinstance(call.func, nodes.Attribute)

