"""Calls that syntax makes: dunder methods of the loaded code run by operators and statements.

`with m:` runs `m.__enter__` and `m.__exit__`; `for x in it:` (and a
comprehension) runs `it.__iter__` and then `__next__` of what that returns;
`a + b` runs `a.__add__`, `a += b` `a.__iadd__` (or `__add__`), `-a`
`a.__neg__`, `a == b` `a.__eq__`, `x in c` `c.__contains__`, `a[k]`
`a.__getitem__` (`__setitem__`, `__delitem__` when assigned or deleted);
`async with` and `async for` their async twins. Each becomes a CallSite
(callee_text `<operand>.__dunder__`, resolved "inference") of the scope that
holds the statement, resolving to the dunder of the operand's inferred class
of the loaded code (or, when inference gives nothing, of its annotated type:
`def count(lines: Lines): for _ in lines`). Builtins run a dunder of their
argument too: `len(x)` `x.__len__`, `str(x)` `__str__`, `iter(x)`
`__iter__`, `next(it)` `__next__` (of what `__iter__` returned, when `it =
iter(x)`), and so on (BUILTINS); such a call keeps its own CallSite to the
builtin and gets a second one for the dunder. Turning x into text runs
`__str__` (`str(x)`, `print(x)`, `"%s" % x`), `__repr__` (`repr(x)`, `ascii(x)`,
`"%r" % x`, `f"{x!r}"`) or `__format__` (`format(x)`, `f"{x}"`), and a class
that does not define the one asked for runs what object's own does: its
`__format__` calls `str(x)` (with an empty format spec), its `__str__` calls
`repr(x)` (FALLS_BACK). The first definition along the MRO runs, object's
own left out: a class of the loaded code defining only `__repr__` has
`str(x)` call it; one whose external base defines `__str__`
(`Exception.__str__`) calls none of the loaded code; one defining neither
nothing. Operands are only inferred when
some class of the loaded code defines one of the dunders that node could run,
so code without such classes pays nothing; a literal operand never is, and
arithmetic (`a * b + c`: the operand `a * b`) only when one of its own operands
may be an instance of a loaded class (_may_be_local).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from astroid import bases, nodes
from astroid.exceptions import AstroidError

from kg.loader import assigned_properties, calls_lambdas, calls_walk
from kg.loader.calls_types import Types
from kg.loader.context import ModuleContext
from kg.loader.resolve import Target, is_property, mro_of

BINARY = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
          "//": "__floordiv__", "%": "__mod__", "**": "__pow__", "@": "__matmul__",
          "&": "__and__", "|": "__or__", "^": "__xor__", "<<": "__lshift__", ">>": "__rshift__"}
UNARY = {"-": "__neg__", "+": "__pos__", "~": "__invert__"}
COMPARE = {"==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__",
           ">=": "__ge__"}
SUBSCRIPT = {"Load": "__getitem__", "Store": "__setitem__", "Del": "__delitem__"}
# builtin -> (the dunder it runs on its first argument, the most positional arguments it
# takes in that form: `iter(f, sentinel)` calls f, `str(b, "utf-8")` decodes).
BUILTINS = {"builtins.len": ("__len__", 1), "builtins.str": ("__str__", 1),
            "builtins.repr": ("__repr__", 1), "builtins.iter": ("__iter__", 1),
            "builtins.next": ("__next__", 2), "builtins.hash": ("__hash__", 1),
            "builtins.bool": ("__bool__", 1), "builtins.abs": ("__abs__", 1),
            "builtins.reversed": ("__reversed__", 1), "builtins.format": ("__format__", 2),
            "builtins.int": ("__int__", 1), "builtins.float": ("__float__", 1),
            "builtins.complex": ("__complex__", 1), "builtins.bytes": ("__bytes__", 1),
            "builtins.round": ("__round__", 2), "builtins.aiter": ("__aiter__", 1),
            "builtins.anext": ("__anext__", 2), "builtins.ascii": ("__repr__", 1)}
# What object's own dunder runs in turn: `object.__format__(x, "")` is `str(x)`,
# `object.__str__(x)` is `repr(x)`.
FALLS_BACK = {"__format__": "__str__", "__str__": "__repr__"}
# `"%s" % x`: the conversions that run a dunder of x (other conversions read numbers)
_PERCENT = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?[hlL]?([a-zA-Z%])")
_CONVERSIONS = {"s": "__str__", "r": "__repr__", "a": "__repr__"}
_FSTRING_CONVERSIONS = {ord("s"): "__str__", ord("r"): "__repr__", ord("a"): "__repr__"}
_BUILTIN_NAMES = frozenset(q.split(".", 1)[1] for q in BUILTINS)
ALL_DUNDERS = ({"__enter__", "__exit__", "__aenter__", "__aexit__", "__iter__", "__next__",
                "__aiter__", "__anext__", "__contains__"} | set(BINARY.values())
               | {d.replace("__", "__i", 1) for d in BINARY.values()} | set(UNARY.values())
               | set(COMPARE.values()) | set(SUBSCRIPT.values())
               | {dunder for dunder, _ in BUILTINS.values()})
NODE_TYPES = calls_walk.IMPLICIT
# Operands astroid infers to themselves (a node, never an instance of a class: `"%s" % x`,
# `[1] * n`) or to nothing (comprehensions): no dunder of the loaded code runs on them.
LITERALS = (nodes.Const, nodes.JoinedStr, nodes.List, nodes.Tuple, nodes.Set, nodes.Dict,
            nodes.ListComp, nodes.SetComp, nodes.DictComp, nodes.GeneratorExp, nodes.Lambda)
PENDING_KEY = "calls_implicit.dunders"


def extract(ctx: ModuleContext, found: list[nodes.NodeNG], calls: list[nodes.Call],
            types: Types) -> None:
    defined = defined_names(ctx).dunders
    if not defined:
        return
    seen: dict[int, bool] = {}      # _may_be_local's answers
    for node in [*found, *_text_nodes(ctx, defined)]:
        for operand, dunders in _runs(node):
            wanted = _wanted(dunders, defined)
            if wanted:
                methods = _methods(ctx, operand, wanted, types, seen)
                if isinstance(node, nodes.For | nodes.Comprehension):
                    is_async = wanted[0] == "__aiter__"
                    methods += _next_of(ctx, methods, "__anext__" if is_async else "__next__")
                _add(ctx, node, operand, methods, wanted[0], dunders[0])
    printed = _wanted(chain("__str__"), defined)
    for call in calls:
        if printed and _is_print(ctx, call):
            for operand in call.args:
                _add(ctx, call, operand, _methods(ctx, operand, printed, types, seen),
                     printed[0], printed[0])
            continue
        dunder = _builtin_dunder(ctx, call, defined)
        wanted = _wanted(chain(dunder, _empty_spec(call)), defined) if dunder else []
        if wanted:
            operand = call.args[0]
            methods = _methods(ctx, operand, wanted, types, seen) \
                or _iterated(ctx, operand, dunder)
            _add(ctx, call, operand, methods, dunder, dunder)


def chain(dunder: str, falls_back: bool = True) -> tuple[str, ...]:
    """The dunder and, when a class does not define it, what object's own runs in turn."""
    found = [dunder]
    while falls_back and found[-1] in FALLS_BACK:
        found.append(FALLS_BACK[found[-1]])
    return tuple(found)


def _wanted(dunders: tuple[str, ...], defined: frozenset[str]) -> list[str]:
    """The dunders worth looking for: those the loaded code defines; a fallback chain whole,
    when it defines one of them (the class's own `__str__` comes before its `__repr__`, and
    an external one before either)."""
    if dunders[0] in FALLS_BACK:
        return list(dunders) if defined.intersection(dunders) else []
    return [d for d in dunders if d in defined]


def _empty_spec(call: nodes.Call) -> bool:
    """`format(x)` or `format(x, "")`: object's `__format__` then calls `str(x)`."""
    return len(call.args) < 2 or isinstance(call.args[1], nodes.Const) \
        and call.args[1].value == ""


def _builtin_dunder(ctx: ModuleContext, call: nodes.Call, defined: set[str]) -> str | None:
    """The dunder a builtin runs on the call's first argument (`len(x)`: `__len__`), when
    some class of the loaded code defines it (or one it falls back to); the callee is inferred
    (cached), never named."""
    func = call.func
    name = func.name if isinstance(func, nodes.Name) else getattr(func, "attrname", None)
    if name not in _BUILTIN_NAMES or not call.args or call.keywords \
            or any(isinstance(a, nodes.Starred) for a in call.args):
        return None
    for value in ctx.infer(func):
        dunder, most = BUILTINS.get(getattr(value, "qname", lambda: "")(), (None, 0))
        if dunder is not None and defined.intersection(chain(dunder)) \
                and len(call.args) <= most:
            return dunder
    return None


def _is_print(ctx: ModuleContext, call: nodes.Call) -> bool:
    """`print(a, b, sep=...)` runs `str()` on each positional argument."""
    func = call.func
    return isinstance(func, nodes.Name) and func.name == "print" and bool(call.args) \
        and not any(isinstance(a, nodes.Starred) for a in call.args) \
        and any(getattr(v, "qname", lambda: "")() == "builtins.print" for v in ctx.infer(func))


def _text_nodes(ctx: ModuleContext, defined: frozenset[str]) -> list[nodes.FormattedValue]:
    """The `{x}` of f-strings, when some class of the loaded code defines a dunder they run."""
    if not defined.intersection(chain("__format__")):
        return []
    return ctx.nodes_of(nodes.FormattedValue)


def _iterated(ctx: ModuleContext, operand: nodes.NodeNG, dunder: str) -> list[Method]:
    """`next(it)` where `it = iter(x)` (or `next(iter(x))`): astroid cannot see through
    `iter`, so `__next__` of what x's `__iter__` returns."""
    if dunder not in ("__next__", "__anext__"):
        return []
    made = _bound_calls(operand)
    found: list[Method] = []
    for call in made:
        first = _builtin_dunder(ctx, call, {"__iter__", "__aiter__"})
        if first is not None:
            iters = _methods(ctx, call.args[0], [first], None)
            found += [m for m in _next_of(ctx, iters, dunder) if m not in found]
    return found


def _bound_calls(operand: nodes.NodeNG) -> list[nodes.Call]:
    """The call itself, or the calls a name is bound to by plain assignments."""
    if isinstance(operand, nodes.Call):
        return [operand]
    if not isinstance(operand, nodes.Name):
        return []
    try:
        _, assigned = operand.lookup(operand.name)
    except (AstroidError, RecursionError):
        return []
    calls = [a.parent.value for a in assigned if isinstance(a.parent, nodes.Assign)
             and isinstance(a.parent.value, nodes.Call)]
    return calls if len(calls) == len(assigned) else []


@dataclass(frozen=True)
class Defined:
    dunders: frozenset[str]      # the ALL_DUNDERS the loaded code's classes define
    properties: frozenset[str]   # the names of the loaded code's properties (calls_properties)


def defined_names(ctx: ModuleContext) -> Defined:
    """What the loaded code's classes define that syntax runs, computed once per load."""
    pending = ctx.project.pending
    if PENDING_KEY not in pending:
        definitions = list(ctx.project.definitions())
        methods = [d for d in definitions
                   if isinstance(d, nodes.FunctionDef) and isinstance(d.parent, nodes.ClassDef)]
        assigned = {name for d in definitions if isinstance(d, nodes.ClassDef)
                    for name in assigned_properties.names_made(d)}
        pending[PENDING_KEY] = Defined(
            frozenset(d.name for d in methods if d.name in ALL_DUNDERS),
            frozenset(d.name for d in methods if d.decorators and is_property(d)) | assigned)
    return pending[PENDING_KEY]


def _runs(node: nodes.NodeNG):
    """(operand, dunders tried in order) for each implicit call node makes; the call's text
    is the operand's and the first dunder's (`a.__iadd__` for `a += b`)."""
    if isinstance(node, nodes.With):
        is_async = isinstance(node, nodes.AsyncWith)
        for item, _ in node.items:
            for dunder in (("__aenter__", "__aexit__") if is_async else ("__enter__", "__exit__")):
                yield item, (dunder,)
    elif isinstance(node, nodes.For | nodes.Comprehension):
        is_async = bool(getattr(node, "is_async", False)) or isinstance(node, nodes.AsyncFor)
        yield node.iter, ("__aiter__" if is_async else "__iter__",)
    elif isinstance(node, nodes.BinOp) and node.op in BINARY:
        yield node.left, (BINARY[node.op],)
        if node.op == "%" and isinstance(node.left, nodes.Const) \
                and isinstance(node.left.value, str):
            yield from _formatted(node.left.value, node.right)
    elif isinstance(node, nodes.FormattedValue):
        dunder = _FSTRING_CONVERSIONS.get(node.conversion)
        yield node.value, chain(dunder) if dunder else chain("__format__",
                                                             node.format_spec is None)
    elif isinstance(node, nodes.AugAssign) and node.op.rstrip("=") in BINARY:
        plain = BINARY[node.op.rstrip("=")]
        yield node.target, (plain.replace("__", "__i", 1), plain)
    elif isinstance(node, nodes.UnaryOp) and node.op in UNARY:
        yield node.operand, (UNARY[node.op],)
    elif isinstance(node, nodes.Compare):
        left = node.left
        for op, right in node.ops:
            if op in ("in", "not in"):
                yield right, ("__contains__",)
            elif op in COMPARE:
                yield left, (COMPARE[op],)
            left = right
    elif isinstance(node, nodes.Subscript):
        yield node.value, (SUBSCRIPT.get(getattr(node.ctx, "name", "Load"), "__getitem__"),)


def _formatted(template: str, values: nodes.NodeNG):
    """(operand, dunders) for each `%s`, `%r`, `%a` of `template % values`: the items of a
    tuple literal in order, or values itself for a lone conversion. Nothing for a mapping
    (`%(name)s`) or a `*` width, which take their values otherwise."""
    conversions = [m for m in _PERCENT.finditer(template) if m.group(5) != "%"]
    if any(m.group(1) or "*" in m.group(0) for m in conversions):
        return
    if isinstance(values, nodes.Tuple):
        operands = values.elts
    elif len(conversions) == 1 and not isinstance(values, LITERALS):
        operands = [values]
    else:
        return
    for match, operand in zip(conversions, operands, strict=False):
        dunder = _CONVERSIONS.get(match.group(5))
        if dunder is not None and not isinstance(operand, nodes.Starred):
            yield operand, chain(dunder)


def _add(ctx: ModuleContext, node, operand, methods: list[Method], dunder: str,
         shown: str) -> None:
    """The site of the dunder that runs, its text naming the dunder the syntax tries first
    (written out only here: most operands run no dunder of the loaded code)."""
    targets = list(dict.fromkeys(target for target, _ in methods))
    if targets:
        add_site(ctx, node, operand, targets, f"{ctx.call_site_id(operand)}:{dunder}",
                 f"{_text(operand)}.{shown}")


def add_site(ctx: ModuleContext, node, operand, targets: list[Target], site_id: str,
             text: str) -> None:
    """A CallSite of the scope that holds node, at operand, resolved to targets."""
    in_lambda = calls_lambdas.scope_of(ctx, node)
    scope_label, scope_id = in_lambda or ctx.scope_of(node)
    share = round(1 / len(targets), 3)
    ctx.facts.add_node("CallSite", site_id, **ctx.position(operand), callee_text=text[:200],
                       caller=scope_id.split(":", 2)[-1], col=operand.col_offset or 0, args=0,
                       keywords=[], star_args=False, star_kwargs=False, resolved="inference",
                       confidence=share)
    container_label, container_id = in_lambda or ctx.container_of(node)
    ctx.facts.add_edge("CONTAINS", container_label, container_id, "CallSite", site_id)
    for target in targets:
        ctx.facts.add_edge("RESOLVES_TO", "CallSite", site_id, target.label, target.id,
                           resolved="inference", confidence=share)
        ctx.facts.add_edge("CALLS", scope_label, scope_id, target.label, target.id,
                           line=node.lineno, resolved="inference", confidence=share)


Method = tuple[Target, nodes.FunctionDef]


def _methods(ctx: ModuleContext, operand, dunders: list[str], types: Types | None,
             seen: dict[int, bool] | None = None) -> list[Method]:
    """The dunder of each local class the operand's values are instances of (its annotated
    types when inference gives nothing and types are given)."""
    found: list[Method] = []
    if isinstance(operand, LITERALS) or _is_arithmetic(operand) \
            and not _may_be_local(ctx, operand, {} if seen is None else seen):
        return found
    values = ctx.infer(operand)
    if not values and types is not None and isinstance(operand, nodes.Name | nodes.Attribute):
        values = types.values(operand)
    for value in values:
        if not isinstance(value, bases.Instance) or isinstance(value, nodes.NodeNG):
            continue
        method = _method(ctx, value._proxied, dunders)
        if method is not None and method not in found:
            found.append(method)
    return found


def _may_be_local(ctx: ModuleContext, expression: nodes.NodeNG, seen: dict[int, bool]) -> bool:
    """Whether arithmetic can give an instance of a class of the loaded code: only when one
    of its operands is one (or is such a class, whose metaclass runs the operator). Other
    operands run the dunders of builtins and external classes, which know no class of the
    loaded code. Inferring the expression itself infers the call of each operator's dunder,
    at each site anew, the costliest inference there is; its first operands are inferred
    anyway (each is an operand too). `seen` keeps the answer for each expression, so a long
    sum (`a + b + c + ...`, each left operand an operand in turn) is walked once, from the
    innermost out."""
    spine: list[nodes.NodeNG] = []
    node = expression
    while _is_arithmetic(node) and id(node) not in seen:
        spine.append(node)
        node = node.left if isinstance(node, nodes.BinOp) else node.operand
    found = seen[id(node)] if id(node) in seen else _holds_local(ctx, node, seen)
    for node in reversed(spine):
        if not found and isinstance(node, nodes.BinOp):
            found = _holds_local(ctx, node.right, seen)
        seen[id(node)] = found
    return found


def _is_arithmetic(node: nodes.NodeNG) -> bool:
    return isinstance(node, nodes.BinOp) or isinstance(node, nodes.UnaryOp) and node.op != "not"


def _holds_local(ctx: ModuleContext, node: nodes.NodeNG, seen: dict[int, bool]) -> bool:
    if _is_arithmetic(node):
        return _may_be_local(ctx, node, seen)
    if isinstance(node, (*LITERALS, nodes.UnaryOp)):      # `not x`: a bool
        return False
    return any(_is_local_instance(ctx, v) or isinstance(v, nodes.ClassDef)
               and ctx.project.is_local(v) for v in ctx.infer(node))


def _is_local_instance(ctx: ModuleContext, value) -> bool:
    return isinstance(value, bases.Instance) and not isinstance(value, nodes.NodeNG) \
        and ctx.project.is_local(value._proxied)


def _method(ctx: ModuleContext, cls, dunders: list[str]) -> Method | None:
    if not isinstance(cls, nodes.ClassDef) or not ctx.project.is_local(cls):
        return None
    for dunder in dunders:
        for klass in mro_of(ctx, cls):
            if dunder in FALLS_BACK and klass.qname() == "builtins.object":
                continue        # object's own runs the next of the chain
            defs = [n for n in klass.locals.get(dunder, ()) if isinstance(n, nodes.FunctionDef)]
            if defs:
                kg_id = ctx.project.id_of(defs[-1])
                return (Target("Function", kg_id, defs[-1].qname()), defs[-1]) if kg_id \
                    else None
    return None


def _next_of(ctx: ModuleContext, iters: list[Method], dunder: str) -> list[Method]:
    """`__next__` of what each `__iter__` returns (a generator `__iter__` runs no dunder)."""
    found: list[Method] = []
    for _, fn in iters:
        if fn.is_generator():
            continue
        for ret in fn.nodes_of_class(nodes.Return):
            if ret.value is not None and ret.scope() is fn:
                found += [m for m in _methods(ctx, ret.value, [dunder], None)
                          if m not in found]
    return found


def _text(node: nodes.NodeNG) -> str:
    return " ".join(node.as_string().split())
