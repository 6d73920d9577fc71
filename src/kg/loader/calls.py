"""Call sites and what they call (CallSite, RESOLVES_TO, CALLS), resolved by inference.

Each call's callee expression is inferred once (ctx.infer) and every value
astroid gives back becomes a callee (resolve.callee_of). When that gives
nothing, the same inference is looked at more closely, still by type, never
by name: an item of a dict/list literal (`handlers[key]()`,
`handlers.get(key)()`: every callable in the literal), a method of an
external receiver whose method astroid could not see (`df.to_csv()` ->
`pandas.core.frame.DataFrame.to_csv`), a receiver whose type only its annotation
gives (calls_types: `def f(ctx: Context): ctx.run()`). Only then are definitions of the
loaded code with the callee's name taken (resolved "name", lower confidence:
calls_names), and failing that the call site stays, unresolved, with its text.

Confidence: by inference 1/n for n distinct callees (a class and the
`__init__` it runs are one callee); by name 0.5 / 0.4 / 0.2 (same module /
an imported module / anywhere) divided by the number of matches; 0 unresolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from astroid import nodes
from astroid.exceptions import AstroidError

from kg.loader import (
    calls_dispatch,
    calls_flow,
    calls_implicit,
    calls_io,
    calls_lambdas,
    calls_properties,
    calls_refs,
    calls_walk,
)
from kg.loader.calls_names import ModuleNames
from kg.loader.calls_types import Types
from kg.loader.context import ModuleContext
from kg.loader.import_names import qualname_of
from kg.loader.resolve import (
    Callee,
    Target,
    callee_of,
    callees_of,
    container_items,
    external,
    init_of,
    member_of_receiver,
    side_calls,
    unresolved_bases,
)
from kg.model.facts import Facts

INFERENCE, NAME, UNRESOLVED, CALLBACK = "inference", "name", "unresolved", "callback"
PROPERTY_PARTS = ("setter", "getter", "deleter")
# Builtins that call the callables they are given (PyCG: the scope handing them over calls them).
CALLS_ITS_ARGUMENTS = frozenset({
    "builtins.map", "builtins.filter", "builtins.sorted", "builtins.max", "builtins.min",
    "builtins.list.sort", "functools.reduce", "builtins.iter",
})
CALLEE_TEXT_LIMIT = 200
_LAST_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class Resolution:
    how: str                                    # inference | name | unresolved
    targets: tuple[tuple[Target, float], ...]   # each target with its confidence

    @property
    def confidence(self) -> float:
        return max((c for _, c in self.targets), default=0.0)


def extract(ctx: ModuleContext) -> None:
    names, types = ModuleNames(ctx), Types(ctx)
    uses = calls_walk.collect(ctx.tree, names.index.names)
    calls_lambdas.add_nodes(ctx, uses.lambdas)
    resolutions = {}
    for call in uses.calls:
        calls_flow.appended(ctx, call)
        resolution = resolve_call(ctx, call, names, types)
        resolutions[id(call)] = resolution
        _add_call_site(ctx, call, resolution)
    calls_refs.extract(ctx, uses, resolutions)
    _apply_decorators(ctx, uses.decorated)
    calls_implicit.extract(ctx, uses.implicit, uses.calls, types)
    calls_properties.extract(ctx, uses.names, types)


def extract_project(project) -> None:
    """After every module: `self.x()` and `super().x()` dispatched over the constructed classes
    (calls_dispatch); calls whose callee is a parameter (or an attribute assigned from one)
    get the callables their arguments hold (calls_flow)."""
    late: list[tuple[ModuleContext, str, tuple[str, str], int, list[Callee]]] = []
    for deferred, methods in calls_dispatch.resolve(project):
        callees = deferred.inferred if methods is None else \
            callees_of(deferred.ctx, methods)
        late.append((deferred.ctx, deferred.site_id, deferred.scope, deferred.call.lineno,
                     callees))
    for watched, callees in calls_flow.resolve_watched(project, _flow_callees):
        late.append((watched.ctx, watched.site_id, watched.scope, watched.call.lineno,
                     callees))
    sites = {site_id for _, site_id, *_ in late}
    known: dict[str, set[str]] = {}
    for e in project.facts.edges if sites else ():
        if e.type == "RESOLVES_TO" and e.src in sites:
            known.setdefault(e.src, set()).add(e.dst)
    for ctx, site_id, scope, line, callees in late:
        if callees:
            _add_late(ctx, site_id, scope, line, callees, known.setdefault(site_id, set()))


def _add_late(ctx: ModuleContext, site_id: str, scope: tuple[str, str], line: int,
              callees: list[Callee], known: set[str]) -> None:
    site = ctx.facts.nodes["CallSite"].get(site_id) or {}
    share = round(1 / len(callees), 3)
    scope_label, scope_id = scope
    for callee in callees:
        for target in callee:
            if target.id in known:
                continue
            known.add(target.id)
            ctx.facts.add_edge("RESOLVES_TO", "CallSite", site_id, target.label, target.id,
                               resolved=INFERENCE, confidence=share)
            ctx.facts.add_edge("CALLS", scope_label, scope_id, target.label, target.id,
                               line=line, resolved=INFERENCE, confidence=share)
    if site.get("resolved") != INFERENCE:
        ctx.facts.add_node("CallSite", site_id, resolved=INFERENCE,
                           confidence=max(share, site.get("confidence") or 0.0))


def _flow_callees(ctx: ModuleContext, values: list) -> list[Callee]:
    applied = [v.definition for v in values if isinstance(v, calls_flow.Applied)]
    found = callees_of(ctx, [v for v in values if not isinstance(v, calls_flow.Applied)])
    for definition in applied:
        kg_id = ctx.project.id_of(definition)
        if kg_id is not None and isinstance(definition, nodes.FunctionDef):
            found.append((Target("Function", kg_id, definition.qname()),))
    return list(dict.fromkeys(found))


def _is_local_name(call: nodes.Call) -> bool:
    """The callee is a name bound in an enclosing function (a parameter, a loop variable, a
    closure's free variable), or an item or key of one: its arguments may tell more."""
    func = call.func
    if isinstance(func, nodes.Subscript):
        func = func.value
    elif _is_dict_get(func):
        func = func.func.expr
    if not isinstance(func, nodes.Name):
        return False
    scope = func.scope()
    while not isinstance(scope, nodes.Module):
        if func.name in scope.locals:
            return not isinstance(scope, nodes.ClassDef)
        scope = scope.parent.scope()
    return False


def _watch(ctx: ModuleContext, call: nodes.Call) -> bool:
    """Hand the call to calls_flow when its callee comes from parameters or attributes
    assigned elsewhere; True when it does."""
    return calls_flow.watch(ctx, call, ctx.call_site_id(call), _caller_of(ctx, call))


def _caller_of(ctx: ModuleContext, node: nodes.NodeNG) -> tuple[str, str]:
    return calls_lambdas.scope_of(ctx, node) or ctx.scope_of(node)


def resolve_call(ctx: ModuleContext, call: nodes.Call, names: ModuleNames,
                 types: Types) -> Resolution:
    callees = _inferred_callees(ctx, call, types)
    local_name = _is_local_name(call)
    if callees:
        share = round(1 / len(callees), 3)
        targets = [_with_io(ctx, call, _public(ctx, call, t)) for callee in callees
                   for t in callee]
        apart = _run_apart(ctx, call)
        calls_flow.arrived(ctx, call, [t.id for t in targets
                                       if t.label == "Function" and t not in apart])
        calls_dispatch.constructed(ctx, [t.id for t in targets if t.label == "Class"])
        if local_name:
            _watch(ctx, call)
        if calls_dispatch.defer(ctx, call, ctx.call_site_id(call), _caller_of(ctx, call),
                                [tuple(dict.fromkeys(targets))]):
            return Resolution(UNRESOLVED, ())    # the constructed classes will tell
        return Resolution(INFERENCE, tuple((t, share) for t in dict.fromkeys(targets)))
    if _is_super_member(call) and calls_dispatch.defer(
            ctx, call, ctx.call_site_id(call), _caller_of(ctx, call), []):
        return Resolution(UNRESOLVED, ())
    if (local_name or _is_self_member(call) or _is_loop_item(call)) and _watch(ctx, call):
        return Resolution(UNRESOLVED, ())    # its arguments will tell (calls_flow)
    imported = _uninstalled_import(ctx, call)
    if imported is not None:
        return Resolution(NAME, ((_with_io(ctx, call, imported), 1.0),))
    members = _external_members(ctx, call.func)
    if members is not None:     # a member of something outside the loaded code: never by name
        share = round(1 / len(members), 3) if members else 0.0
        return Resolution(NAME, tuple((t, share) for t in members)) if members else \
            Resolution(UNRESOLVED, ())
    name = _simple_name(call.func)
    matches = names.by_name(name, isinstance(call.func, nodes.Attribute)) if name else []
    if matches:
        return Resolution(NAME, tuple(matches))
    return Resolution(UNRESOLVED, ())


def _run_apart(ctx: ModuleContext, call: nodes.Call) -> set[Target]:
    """What constructing the classes the callee names runs without the call's arguments
    (a dataclass's `__post_init__` and default factories): their parameters get none of them."""
    return {t for v in ctx.infer(call.func) if isinstance(v, nodes.ClassDef)
            and ctx.project.is_local(v) for t in side_calls(ctx, v)}


def _apply_decorators(ctx: ModuleContext, decorated: list[nodes.NodeNG]) -> None:
    """`@deco` hands the definition to deco (calls_flow: a wrapper calling its `fn` calls the
    definition); the decorator a call returns (`@retry(3)` -> `decorator`) and the
    `__init__` of a decorator class are applied, that is called, where the definition is."""
    for definition in decorated:
        innermost = definition.decorators.nodes[-1]
        for decorator in definition.decorators.nodes:
            applied = []
            for value in ctx.infer(decorator):
                if not ctx.project.is_local(value):
                    _apply_external(ctx, decorator, value)
                    continue
                if isinstance(value, nodes.FunctionDef):
                    applied.append(Target("Function", ctx.project.id_of(value), value.qname()))
                    is_result = isinstance(decorator, nodes.Call)
                elif isinstance(value, nodes.ClassDef):
                    init = init_of(ctx, value)
                    applied += [init] if init is not None else []
                    is_result = True
                else:
                    continue
                if is_result and applied:
                    label, scope_id = ctx.container_of(decorator)
                    ctx.facts.add_edge("REFERENCES", label, scope_id, "Function", applied[-1].id,
                                       line=decorator.lineno, kind="decorator",
                                       in_annotation=False)
            if decorator is innermost:
                calls_flow.applied(ctx, definition, [t.id for t in applied])


def _apply_external(ctx: ModuleContext, decorator: nodes.NodeNG, value) -> None:
    """`@dataclass`, `@contextlib.contextmanager`: applying a function of the stdlib or a
    package is a call of it (a written-out `@deco(...)` is a call site already); the builtin
    descriptors (property, staticmethod, classmethod, a property's setter) are not."""
    if isinstance(decorator, nodes.Call) or not isinstance(value, nodes.FunctionDef) \
            or value.root().name == "builtins" or (isinstance(decorator, nodes.Attribute)
                                                   and decorator.attrname in PROPERTY_PARTS):
        return
    for target in callee_of(ctx, value):
        label, scope_id = ctx.container_of(decorator)
        ctx.facts.add_edge("REFERENCES", label, scope_id, target.label, target.id,
                           line=decorator.lineno, kind="decorator", in_annotation=False)


def _hand_over(ctx: ModuleContext, call: nodes.Call, resolution: Resolution
               ) -> tuple[tuple[Target, float], ...]:
    """Callables of the loaded code handed to a builtin that calls them (`map(f, xs)`,
    `sorted(xs, key=f)`): called by the scope that hands them over, as PyCG counts them."""
    if not any(t.qualname in CALLS_ITS_ARGUMENTS for t, _ in resolution.targets):
        return ()
    found = []
    for arg in [*call.args, *(k.value for k in call.keywords or () if k.arg == "key")]:
        for callee in callees_of(ctx, ctx.infer(arg)):
            found += [t for t in callee if t.label == "Function"]
    return tuple((t, 1.0) for t in dict.fromkeys(found))


def _in_class_header(call: nodes.Call) -> bool:
    """In a class statement's bases or keywords: runs in the enclosing scope, not the body."""
    child, node = call, call.parent
    while node is not None and not isinstance(node, nodes.ClassDef):
        child, node = node, node.parent
    return node is not None and (any(child is b for b in node.bases)
                                 or any(child is k for k in node.keywords or ()))


def _is_loop_item(call: nodes.Call) -> bool:
    """`for f in fs: f()` or `next(gen)()`: an element of what is iterated (calls_flow)."""
    func = call.func
    if isinstance(func, nodes.Call):
        return isinstance(func.func, nodes.Name) and func.func.name == "next"
    if not isinstance(func, nodes.Name):
        return False
    try:
        _, assigned = func.lookup(func.name)
    except (AstroidError, RecursionError):
        return False
    return any(isinstance(a.parent, nodes.For) and a.parent.target is a for a in assigned)


def _is_super_member(call: nodes.Call) -> bool:
    func = call.func
    return isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Call) \
        and isinstance(func.expr.func, nodes.Name) and func.expr.func.name == "super"


def _external_members(ctx: ModuleContext, func: nodes.NodeNG) -> list[Target] | None:
    """`recv.name` where recv is bound only to what external calls returned (`f` of `with
    open(p) as f`, `c = thirdparty.Client()`), or `self.name` in a class whose bases inference
    cannot see (`thirdparty.Base`) and that does not define name: the member, named after the
    external class (`io.TextIOWrapper.read`, `thirdparty.Client.fetch`, `thirdparty.Base.helper`)
    when the class is known, [] when not. None when recv may be the loaded code's."""
    if not isinstance(func, nodes.Attribute) or not isinstance(func.expr, nodes.Name):
        return None
    if _is_self_member_of(func):
        return _unknown_base_members(ctx, func)
    try:
        _, assigned = func.expr.lookup(func.expr.name)
    except (AstroidError, RecursionError):
        return None
    classes = []
    for node in assigned:
        made = _made_by(node)
        if made is None:
            return None
        found = _external_class_made(ctx, made)
        if found is None:
            return None
        classes.append(found)
    if not classes:
        return None
    return sorted({external(ctx, f"{c}.{func.attrname}") for c in classes if c})


# The result type of external functions whose body astroid cannot evaluate (C code, caches).
RETURNS = {"builtins.open": "io.TextIOWrapper", "io.open": "io.TextIOWrapper",
           "_io.open": "io.TextIOWrapper", "re.compile": "re.Pattern",
           "re.match": "re.Match", "re.search": "re.Match", "re.fullmatch": "re.Match",
           "builtins.str.split": "builtins.list", "builtins.str.rsplit": "builtins.list",
           "builtins.str.splitlines": "builtins.list", "builtins.bytes.split": "builtins.list"}


def _made_by(node: nodes.NodeNG) -> nodes.Call | None:
    """The call whose result a name is bound to: `x = f()` or `with f() as x`."""
    parent = node.parent
    if isinstance(parent, nodes.Assign) and len(parent.targets) == 1 \
            and isinstance(parent.value, nodes.Call):
        return parent.value
    if isinstance(parent, nodes.With):
        for expr, var in parent.items:
            if var is node and isinstance(expr, nodes.Call):
                return expr
    return None


def _external_class_made(ctx: ModuleContext, call: nodes.Call) -> str | None:
    """The external class a call returns an instance of: a known function's result type, the
    class of an uninstalled package constructed; "" for an external call of unknown result;
    None when the call may be the loaded code's."""
    values = ctx.infer(call.func)
    if values:
        if any(ctx.project.is_local(v) or ctx.project.is_local(v.root()) for v in values
               if hasattr(v, "root")):
            return None
        names = {getattr(v, "qname", lambda: "")() for v in values}
        known = {RETURNS[n] for n in names if n in RETURNS}
        return known.pop() if len(known) == 1 else ""
    if isinstance(call.func, nodes.Attribute | nodes.Name):
        named = qualname_of(ctx.project, call.func)
        if named and "." in named and named.split(".", 1)[0] not in ctx.project.modules \
                and not any(m.startswith(named.split(".", 1)[0] + ".")
                            for m in ctx.project.modules):
            return named
    return None


def _is_self_member_of(func: nodes.Attribute) -> bool:
    method = func.scope()
    if not isinstance(method, nodes.FunctionDef) or not isinstance(method.parent, nodes.ClassDef):
        return False
    args = method.args.posonlyargs + method.args.args
    return bool(args) and args[0].name == func.expr.name and method.type == "method"


def _unknown_base_members(ctx: ModuleContext, func: nodes.Attribute) -> list[Target] | None:
    cls = func.scope().parent
    try:
        if any(func.attrname in k.locals for k in [cls, *cls.ancestors()]):
            return None
    except (AstroidError, RecursionError):
        return None
    bases = unresolved_bases(ctx, cls)
    return [external(ctx, f"{b}.{func.attrname}") for b in bases] or None


def _is_self_member(call: nodes.Call) -> bool:
    func = call.func
    return (isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name)
            and func.expr.name in ("self", "cls"))


def _uninstalled_import(ctx: ModuleContext, call: nodes.Call) -> Target | None:
    """`requests.get(...)` or `pd.read_csv(...)` where the package is not installed (kg never
    needs the target's dependencies): the External the import statement names, so its io is
    known all the same. Marked as resolved by name: no inference stands behind it."""
    if not isinstance(call.func, nodes.Attribute | nodes.Name):
        return None
    qualname = qualname_of(ctx.project, call.func)
    if qualname is None or "." not in qualname:
        return None
    top = qualname.split(".", 1)[0]
    if top in ctx.project.modules or any(m.startswith(top + ".") for m in ctx.project.modules):
        return None
    return external(ctx, qualname)


def _inferred_callees(ctx: ModuleContext, call: nodes.Call, types: Types) -> list[Callee]:
    func = call.func
    callees = callees_of(ctx, ctx.infer(func))
    if callees:
        return callees
    if isinstance(func, nodes.Subscript):
        return _container_callees(ctx, func.value, _constant(func.slice))
    if _is_dict_get(func):
        return _container_callees(ctx, func.func.expr,
                                  _constant(func.args[0]) if func.args else None)
    if isinstance(func, nodes.Attribute):
        return _member_callees(ctx, func, types)
    return []


def _member_callees(ctx: ModuleContext, func: nodes.Attribute, types: Types) -> list[Callee]:
    """`receiver.name` through the receiver's inferred or annotated type (calls_types); for an
    external receiver whose member astroid cannot see, `module.Class.name` all the same."""
    receivers = types.values(func.expr)
    callees = callees_of(ctx, [v for r in receivers for v in types.member(r, func.attrname)])
    if callees:
        return callees
    found = (member_of_receiver(ctx, r, func.attrname) for r in receivers)
    return [(t,) for t in sorted({t for t in found if t is not None})]


def _container_callees(ctx: ModuleContext, container: nodes.NodeNG,
                       key: str | int | None = None) -> list[Callee]:
    """The callables held in the dict/list literal(s) the container infers to: under a
    constant key, the item with that key (in the literal or assigned `d[key] = f` in the
    scope that binds the container); else every item."""
    literals = ctx.infer(container)
    if key is None:
        items = container_items(ctx, literals)
    else:
        items = [v for d in literals if isinstance(d, nodes.Dict) for k, v in d.items
                 if isinstance(k, nodes.Const) and k.value == key]
        items += [d.elts[key] for d in literals if isinstance(d, nodes.List | nodes.Tuple)
                  and isinstance(key, int) and -len(d.elts) <= key < len(d.elts)]
        items += _assigned_items(container, key)
    return callees_of(ctx, [v for item in items for v in ctx.infer(item)])


def _assigned_items(container: nodes.NodeNG, key) -> list[nodes.NodeNG]:
    """`name[key] = value` statements in the scope that binds name."""
    if not isinstance(container, nodes.Name):
        return []
    try:
        scope, _ = container.lookup(container.name)
    except (AstroidError, RecursionError):
        return []
    found = []
    for assign in scope.nodes_of_class(nodes.Assign):
        for target in assign.targets:
            if isinstance(target, nodes.Subscript) and isinstance(target.value, nodes.Name) \
                    and target.value.name == container.name \
                    and _constant(target.slice) == key:
                found.append(assign.value)
    return found


def _constant(node: nodes.NodeNG):
    value = node.value if isinstance(node, nodes.Const) else None
    return value if isinstance(value, str | int) else None


def _is_dict_get(func: nodes.NodeNG) -> bool:
    return (isinstance(func, nodes.Call) and isinstance(func.func, nodes.Attribute)
            and func.func.attrname == "get")


def _public(ctx: ModuleContext, call: nodes.Call, target: Target) -> Target:
    """An external symbol by the name the code reaches it through: `asyncio.run`, not the
    `asyncio.runners.run` that defines it; `random.randint`, not `random.Random.randint`.
    Only when the module the code names is a prefix of the definition's qualname."""
    if target.label != "External":
        return target
    module, name = _named_module(ctx, call.func)
    if module is None or ctx.project.modules.get(module) is not None:
        return target
    qualname = target.qualname
    public = f"{module}.{name}"
    if qualname != public and qualname.startswith(module + ".") and \
            qualname.endswith("." + name):
        return external(ctx, public)
    return target


def _named_module(ctx: ModuleContext, func: nodes.NodeNG) -> tuple[str | None, str]:
    """(`mod`, `name`) for a callee written `mod.name` on an imported module, or `name`
    imported with `from mod import name`; (None, "") otherwise."""
    if isinstance(func, nodes.Attribute):
        modules = [v for v in ctx.infer(func.expr) if isinstance(v, nodes.Module)]
        if len(modules) == 1:
            return modules[0].name, func.attrname
    elif isinstance(func, nodes.Name):
        try:
            _, assigned = func.lookup(func.name)
            if len(assigned) == 1 and isinstance(assigned[0], nodes.ImportFrom) \
                    and not assigned[0].level:
                return assigned[0].modname, assigned[0].real_name(func.name)
        except (AstroidError, RecursionError):
            return None, ""
    return None, ""


def _with_io(ctx: ModuleContext, call: nodes.Call, target: Target) -> Target:
    """An open-like call with a write mode literal goes to the `#write` twin of its External."""
    if target.label != "External":
        return target
    position = calls_io.open_mode_position(target.qualname)
    if position is None:
        return target
    mode = _mode_of(ctx, call, position)
    if mode is None or not calls_io.is_write_mode(mode):
        return target
    return external(ctx, target.qualname + calls_io.WRITE_SUFFIX)


def _mode_of(ctx: ModuleContext, call: nodes.Call, position: int) -> str | None:
    node = next((k.value for k in call.keywords or () if k.arg == "mode"), None)
    if node is None and len(call.args) > position:
        node = call.args[position]
    if node is None:
        return None
    if not isinstance(node, nodes.Const):
        values = ctx.infer(node)
        node = values[0] if len(values) == 1 else None
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def _simple_name(func: nodes.NodeNG) -> str | None:
    if isinstance(func, nodes.Name):
        return func.name
    if isinstance(func, nodes.Attribute):
        return func.attrname
    return None


def _add_call_site(ctx: ModuleContext, call: nodes.Call, resolution: Resolution) -> None:
    site_id = ctx.call_site_id(call)
    in_lambda = calls_lambdas.scope_of(ctx, call)
    scope_label, scope_id = in_lambda or ctx.scope_of(call)
    ctx.facts.add_node(
        "CallSite", site_id, **ctx.position(call), callee_text=callee_text(call),
        caller=_qualname_of(ctx, scope_label, scope_id), col=call.col_offset,
        args=sum(1 for a in call.args if not isinstance(a, nodes.Starred)),
        keywords=[k.arg for k in call.keywords or () if k.arg],
        star_args=any(isinstance(a, nodes.Starred) for a in call.args),
        star_kwargs=any(k.arg is None for k in call.keywords or ()),
        resolved=resolution.how, confidence=resolution.confidence)
    container_label, container_id = in_lambda or ctx.container_of(call)
    if container_label == "Class" and _in_class_header(call):
        container_label, container_id = scope_label, scope_id
    ctx.facts.add_edge("CONTAINS", container_label, container_id, "CallSite", site_id)
    for target, confidence in resolution.targets:
        ctx.facts.add_edge("RESOLVES_TO", "CallSite", site_id, target.label, target.id,
                           resolved=resolution.how, confidence=confidence)
        ctx.facts.add_edge("CALLS", scope_label, scope_id, target.label, target.id,
                           line=call.lineno, resolved=resolution.how, confidence=confidence)
    for target, confidence in _hand_over(ctx, call, resolution):
        ctx.facts.add_edge("RESOLVES_TO", "CallSite", site_id, target.label, target.id,
                           resolved=CALLBACK, confidence=confidence)
        ctx.facts.add_edge("CALLS", scope_label, scope_id, target.label, target.id,
                           line=call.lineno, resolved=CALLBACK, confidence=confidence)


def callee_text(call: nodes.Call) -> str:
    text = " ".join(call.func.as_string().split())
    return text if len(text) <= CALLEE_TEXT_LIMIT else text[: CALLEE_TEXT_LIMIT - 1] + "…"


def _qualname_of(ctx: ModuleContext, label: str, kg_id: str) -> str:
    return kg_id[len(f"{ctx.repo}:{label}:"):]


def call_stats(facts: Facts) -> dict:
    """How the load's call sites were resolved, overall and for calls to the loaded code's own
    functions and classes (those whose callee's last name is one of theirs)."""
    local_names = {row["name"] for label in ("Function", "Class")
                   for row in facts.nodes[label].values()}
    stats = dict.fromkeys(("calls_total", "calls_inferred", "calls_by_name", "calls_unresolved",
                           "local_calls", "local_calls_inferred"), 0)
    key = {INFERENCE: "calls_inferred", NAME: "calls_by_name", UNRESOLVED: "calls_unresolved"}
    for site in facts.nodes["CallSite"].values():
        stats["calls_total"] += 1
        stats[key[site["resolved"]]] += 1
        match = _LAST_NAME.search(site["callee_text"])
        if match and match.group(1) in local_names:
            stats["local_calls"] += 1
            stats["local_calls_inferred"] += site["resolved"] == INFERENCE
    return stats
