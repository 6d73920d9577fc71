"""What an inferred value is, as a graph node: a Function, a Class, or an External.

A call's callee is inferred once (ctx.infer); each value astroid gives back is
turned into one *callee*: the function itself for functions, bound and
unbound methods and partials; the class and the `__init__` that will run for
a class (one callee, two targets); `__call__` for a called instance; and the
public qualname of a stdlib or third-party symbol for anything outside the
loaded code (`module.Class.method` after the receiver's class for methods).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from astroid import bases, nodes, objects
from astroid.exceptions import AstroidError

from kg.loader import calls_io, calls_lambdas
from kg.loader.context import ModuleContext
from kg.loader.import_names import qualname_of

MAX_CONTAINER_ITEMS = 50   # callables taken from one dict/list literal
SYNTHETIC_MODULE = "__astroid_synthetic"


@dataclass(frozen=True, order=True)
class Target:
    label: str          # Function | Class | External
    id: str
    qualname: str


Callee = tuple[Target, ...]    # what one inferred value calls: usually one target


def callees_of(ctx: ModuleContext, values: list) -> list[Callee]:
    """The distinct callees of a call whose callee inferred to values, in a stable order."""
    seen: dict[Target, Callee] = {}
    for value in values:
        callee = callee_of(ctx, value)
        if callee and callee[0] not in seen:
            seen[callee[0]] = callee
    return [seen[k] for k in sorted(seen)]


def callee_of(ctx: ModuleContext, value) -> Callee:
    if isinstance(value, bases.BoundMethod | bases.UnboundMethod):
        return _method(ctx, value)
    if isinstance(value, objects.PartialFunction):
        return _partial(ctx, value)
    if isinstance(value, nodes.FunctionDef):
        return _wrappers(ctx, value) or (_function(ctx, value),)
    if calls_lambdas.is_lambda(value):
        found = calls_lambdas.lambda_id(ctx, value)
        return (Target("Function", *found),) if found else ()
    if isinstance(value, nodes.ClassDef):
        return _construction(ctx, value)
    if isinstance(value, bases.Instance) and not isinstance(value, nodes.NodeNG):
        return _called_instance(ctx, value)
    return ()


def class_target(ctx: ModuleContext, cls: nodes.ClassDef) -> Target:
    kg_id = ctx.project.id_of(cls)
    if kg_id is not None:
        return Target("Class", kg_id, cls.qname())
    return external(ctx, cls.qname())


def external(ctx: ModuleContext, qualname: str) -> Target:
    """The External node of a qualname, added to the facts when first seen."""
    qualname = calls_io.normalise(qualname)
    kg_id = ctx.project.external_id(qualname)
    ctx.facts.add_node("External", kg_id, repo=ctx.repo,
                       name=qualname.split("#")[0].rsplit(".", 1)[-1], qualname=qualname,
                       io=calls_io.io_of(qualname))
    return Target("External", kg_id, qualname)


def member_of_receiver(ctx: ModuleContext, receiver, name: str) -> Target | None:
    """`module.Class.name` for a member of an external instance, class or module."""
    if isinstance(receiver, nodes.Module) and not ctx.project.is_local(receiver):
        return external(ctx, f"{receiver.name}.{name}")
    cls = _class_of(receiver)
    if cls is None or ctx.project.is_local(cls) or _lacks(cls, name):
        return None
    return external(ctx, f"{cls.qname()}.{name}")


def _lacks(cls: nodes.ClassDef, name: str) -> bool:
    """A builtin class (astroid builds builtins from the live interpreter, every member
    included) without the member: `x.all()` where x may be None raises at run time, so it
    calls nothing, least of all a `builtins.NoneType.all` at full confidence."""
    if cls.root().name != "builtins":
        return False
    try:
        cls.getattr(name)
    except AstroidError:
        return True
    return False


def container_items(ctx: ModuleContext, values: list) -> list[nodes.NodeNG]:
    """The element nodes of dict/list/tuple/set literals (a dict's values)."""
    items: list[nodes.NodeNG] = []
    for value in values:
        if isinstance(value, nodes.Dict):
            items.extend(v for _, v in value.items)
        elif isinstance(value, nodes.List | nodes.Tuple | nodes.Set):
            items.extend(value.elts)
    return items[:MAX_CONTAINER_ITEMS]


def _function(ctx: ModuleContext, fn: nodes.FunctionDef) -> Target:
    kg_id = ctx.project.id_of(fn)
    if kg_id is not None:
        return Target("Function", kg_id, fn.qname())
    return external(ctx, fn.qname())


def _method(ctx: ModuleContext, method) -> Callee:
    fn = unwrap(method)
    if isinstance(fn, objects.PartialFunction):
        return _partial(ctx, fn)
    if not isinstance(fn, nodes.FunctionDef):
        return ()
    if ctx.project.is_local(fn):
        return _wrappers(ctx, fn) or (_function(ctx, fn),)
    receiver = getattr(method, "bound", None)
    target = member_of_receiver(ctx, receiver, fn.name) if receiver is not None else None
    return (target or _function(ctx, fn),)


def _wrappers(ctx: ModuleContext, fn: nodes.FunctionDef) -> tuple[Target, ...]:
    """What runs in place of a decorated function of the loaded code: the function a local
    decorator returns (`wrapper`, through `@retry(3)` too), or the `__call__` of a local
    decorator class; () when no decorator replaces it (one that returns its argument). astroid
    resolves a decorated name to the function itself; the wrapper calls it in turn
    (calls_flow follows the function into the decorator's parameter). Cached per function."""
    if not fn.decorators or not ctx.project.is_local(fn):
        return ()
    cache = ctx.project.pending.setdefault("calls.wrappers", {})
    if id(fn) not in cache:
        found: list[Target] = []
        for decorator in fn.decorators.nodes:
            for value in ctx.infer(decorator):
                if isinstance(value, nodes.FunctionDef) and ctx.project.is_local(value):
                    found += [_function(ctx, w) for w in _returned_functions(value)]
                elif isinstance(value, nodes.ClassDef) and ctx.project.is_local(value):
                    found += _called_instance(ctx, bases.Instance(value))
        cache[id(fn)] = tuple(dict.fromkeys(t for t in found if t.label == "Function"))
    return cache[id(fn)]


def _returned_functions(fn: nodes.FunctionDef) -> list[nodes.FunctionDef]:
    """The functions of the loaded code defined in fn and returned by name (a closure)."""
    found = []
    for ret in fn.nodes_of_class(nodes.Return, skip_klass=(nodes.FunctionDef, nodes.ClassDef)):
        if isinstance(ret.value, nodes.Name):
            try:
                _, assigned = ret.value.lookup(ret.value.name)
            except (AstroidError, RecursionError):
                continue
            found += [a for a in assigned if isinstance(a, nodes.FunctionDef) and a.parent is not None
                      and a.parent.scope() is fn]
    return found


def unwrap(method):
    """The function under a bound or unbound method (proxies nest: bound -> unbound -> def)."""
    fn = method
    for _ in range(5):
        if not isinstance(fn, bases.UnboundMethod):
            break
        fn = fn._proxied
    return fn


def _partial(ctx: ModuleContext, partial: objects.PartialFunction) -> Callee:
    """A functools.partial object calls the function it wraps (astroid keeps its args node)."""
    wrapped = partial.args.parent
    if isinstance(wrapped, nodes.FunctionDef) and not isinstance(wrapped, objects.PartialFunction):
        return (_function(ctx, wrapped),)
    return ()


def _construction(ctx: ModuleContext, cls: nodes.ClassDef) -> Callee:
    """The class, then what constructing it runs: the loaded code's `__new__`, the `__init__`,
    and what a dataclass's generated `__init__` calls (side_calls)."""
    if cls.root().name == SYNTHETIC_MODULE:
        return ()       # a class astroid made up (a typing.NamedTuple's), not a real symbol
    target = class_target(ctx, cls)
    if target.label != "Class":
        return (target,)
    mro = mro_of(ctx, cls)
    runs = (new_of(ctx, mro), init_of(ctx, cls, mro))
    return (target, *(t for t in runs if t is not None), *side_calls(ctx, cls, mro))


def new_of(ctx: ModuleContext, mro: list[nodes.ClassDef]) -> Target | None:
    """The `__new__` that runs when it is the loaded code's: the first in the MRO."""
    for klass in mro:
        news = [n for n in klass.locals.get("__new__", ()) if isinstance(n, nodes.FunctionDef)]
        if news:
            kg_id = ctx.project.id_of(news[-1])
            return Target("Function", kg_id, news[-1].qname()) if kg_id else None
    return None


def side_calls(ctx: ModuleContext, cls: nodes.ClassDef,
               mro: list[nodes.ClassDef] | None = None) -> tuple[Target, ...]:
    """What the `__init__` a dataclass generates calls of the loaded code: the default_factory
    of each field (`field(default_factory=new_tags)`), then `__post_init__`. They run without
    the constructor's arguments. () when a written-out `__init__` runs instead."""
    mro = mro_of(ctx, cls) if mro is None else mro
    owner = next((k for k in mro if any(isinstance(n, nodes.FunctionDef)
                                        for n in k.locals.get("__init__", ()))), None)
    if owner is None or not getattr(owner, "is_dataclass", False) \
            or not ctx.project.is_local(owner) \
            or any(ctx.project.id_of(n) for n in owner.locals["__init__"]):
        return ()
    found = [t for k in reversed(mro) if getattr(k, "is_dataclass", False)
             and ctx.project.is_local(k) for t in _default_factories(ctx, k)]
    post_init = next((k.locals["__post_init__"][-1] for k in mro if "__post_init__" in k.locals),
                     None)
    if isinstance(post_init, nodes.FunctionDef) and ctx.project.id_of(post_init):
        found.append(_function(ctx, post_init))
    return tuple(dict.fromkeys(found))


def _default_factories(ctx: ModuleContext, klass: nodes.ClassDef) -> list[Target]:
    """`name: T = field(default_factory=f)` in a dataclass body: f, when it is the loaded
    code's function or class (an external factory, `list`, is not code anyone reads)."""
    found: list[Target] = []
    for statement in klass.body:
        value = statement.value if isinstance(statement, nodes.AnnAssign) else None
        if not isinstance(value, nodes.Call) or not any(
                getattr(v, "qname", lambda: "")() == "dataclasses.field"
                for v in ctx.infer(value.func)):
            continue
        for keyword in value.keywords or ():
            if keyword.arg == "default_factory":
                for factory in ctx.infer(keyword.value):
                    made = (class_target(ctx, factory), init_of(ctx, factory)) \
                        if isinstance(factory, nodes.ClassDef) else callee_of(ctx, factory)
                    found += [t for t in made if t is not None and t.label != "External"]
    return found


def init_of(ctx: ModuleContext, cls: nodes.ClassDef,
            mro: list[nodes.ClassDef] | None = None) -> Target | None:
    """The `__init__` that runs: the first in the MRO. An external base's is an External named
    as the code names the base (`pydantic.BaseModel.__init__`, `builtins.Exception.__init__`),
    also when the base's package is not installed (`thirdparty.Base.__init__`). None for
    object's, and for a generated one (a dataclass's), which is not in the source."""
    for klass in mro_of(ctx, cls) if mro is None else mro:
        inits = [n for n in klass.locals.get("__init__", ()) if isinstance(n, nodes.FunctionDef)]
        if not inits:
            continue
        kg_id = ctx.project.id_of(inits[-1])
        if kg_id is not None:
            return Target("Function", kg_id, inits[-1].qname())
        if ctx.project.is_local(klass) or _is_builtin_type(ctx, klass):
            return None
        return external(ctx, f"{_named_base(ctx, cls, klass)}.__init__")
    unknown = unresolved_bases(ctx, cls)
    return external(ctx, f"{unknown[0]}.__init__") if len(unknown) == 1 else None


def _is_builtin_type(ctx: ModuleContext, klass: nodes.ClassDef) -> bool:
    """object, tuple, dict...: their constructors are not code anyone reads (an exception
    class's `__init__` is, as PyCG lists it)."""
    if klass.root().name != "builtins":
        return False
    return not any(k.qname() == "builtins.BaseException" for k in mro_of(ctx, klass))


def _named_base(ctx: ModuleContext, cls: nodes.ClassDef, base: nodes.ClassDef) -> str:
    """The name the loaded code gives an external base class where it names it as a base."""
    for klass in mro_of(ctx, cls):
        if not ctx.project.is_local(klass):
            continue
        for expr in klass.bases:
            if any(v is base for v in ctx.infer(expr)):
                named = qualname_of(ctx.project, expr)
                if named and named.split(".", 1)[0] not in ctx.project.modules:
                    return named
    return base.qname()


def unresolved_bases(ctx: ModuleContext, cls: nodes.ClassDef) -> list[str]:
    """Bases of a class (or of its loaded ancestors) that inference cannot see, by the name
    their import gives (`thirdparty.Base`): a package that is not installed."""
    found = []
    for klass in mro_of(ctx, cls):
        if not ctx.project.is_local(klass):
            continue
        for expr in klass.bases:
            if ctx.infer(expr):
                continue
            named = qualname_of(ctx.project, expr)
            if named and "." in named and named.split(".", 1)[0] not in ctx.project.modules:
                found.append(named)
    return sorted(set(found))


def _called_instance(ctx: ModuleContext, instance: bases.Instance) -> Callee:
    cls = instance._proxied
    if not isinstance(cls, nodes.ClassDef):
        return ()
    if not ctx.project.is_local(cls):
        return (external(ctx, f"{cls.qname()}.__call__"),)
    for klass in mro_of(ctx, cls):
        calls = [n for n in klass.locals.get("__call__", ()) if isinstance(n, nodes.FunctionDef)]
        if calls:
            return (_function(ctx, calls[-1]),)
    return ()


def mro_of(ctx: ModuleContext, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
    """The class's MRO, worked out once per class for the module being extracted: kg asks for
    the same few classes' MROs at every construction, dunder and property (sympy: 89,000 asks
    for about 5 CPU s), and astroid walks the bases and infers them again at each ask. The
    answers rest on astroid's inference cache, which is emptied before each module, so they
    are dropped when another module's context asks (and when the context goes). Not to be
    changed by the caller."""
    held = _mros.get("for")
    if held is None or held() is not ctx:
        _mros.clear()
        _mros["for"] = weakref.ref(ctx, _forget_mros)
    found = _mros.get(id(cls))
    if found is None or found[0] is not cls:
        found = _mros[id(cls)] = (cls, _mro(cls))
    return found[1]


# "for": a weak reference to the module context the answers are for; id(class) -> (the class,
# its MRO)
_mros: dict = {}


def _forget_mros(context_gone) -> None:
    if _mros.get("for") is context_gone:
        _mros.clear()


def _mro(cls: nodes.ClassDef) -> list[nodes.ClassDef]:
    try:
        return cls.mro()
    except (AstroidError, RecursionError, TypeError, ValueError):
        try:
            return [cls, *cls.ancestors()]
        except (AstroidError, RecursionError):
            return [cls]


def is_property(function: nodes.NodeNG) -> bool:
    """Decorated as a property: reading it calls it, so it is neither a method nor a value."""
    decorators = function.decorators.nodes if getattr(function, "decorators", None) else []
    return any(d.as_string().rsplit(".", 1)[-1] in ("property", "cached_property", "setter")
               for d in decorators)


def _class_of(value) -> nodes.ClassDef | None:
    if isinstance(value, nodes.ClassDef):
        return value
    proxied = getattr(value, "_proxied", None)
    if isinstance(value, bases.Instance | nodes.Const) and isinstance(proxied, nodes.ClassDef):
        return proxied
    return None
