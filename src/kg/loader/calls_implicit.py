"""Calls that syntax makes: dunder methods of the loaded code run by operators and statements.

`with m:` runs `m.__enter__` and `m.__exit__`; `for x in it:` (and a
comprehension) runs `it.__iter__` and then `__next__` of what that returns;
`a + b` runs `a.__add__`, `a += b` `a.__iadd__` (or `__add__`), `-a`
`a.__neg__`, `a == b` `a.__eq__`, `x in c` `c.__contains__`, `a[k]`
`a.__getitem__` (`__setitem__`, `__delitem__` when assigned or deleted);
`async with` and `async for` their async twins. Each becomes a CallSite
(callee_text `<operand>.__dunder__`, resolved "inference") of the scope that
holds the statement, resolving to the dunder of the operand's inferred class
of the loaded code. Operands are only inferred when some class of the loaded
code defines one of the dunders that node could run, so code without such
classes pays nothing.
"""

from __future__ import annotations

from astroid import bases, nodes

from kg.loader import calls_walk
from kg.loader.context import ModuleContext
from kg.loader.resolve import Target, _mro

BINARY = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
          "//": "__floordiv__", "%": "__mod__", "**": "__pow__", "@": "__matmul__",
          "&": "__and__", "|": "__or__", "^": "__xor__", "<<": "__lshift__", ">>": "__rshift__"}
UNARY = {"-": "__neg__", "+": "__pos__", "~": "__invert__"}
COMPARE = {"==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__",
           ">=": "__ge__"}
SUBSCRIPT = {"Load": "__getitem__", "Store": "__setitem__", "Del": "__delitem__"}
ALL_DUNDERS = ({"__enter__", "__exit__", "__aenter__", "__aexit__", "__iter__", "__next__",
                "__aiter__", "__anext__", "__contains__"} | set(BINARY.values())
               | {d.replace("__", "__i", 1) for d in BINARY.values()} | set(UNARY.values())
               | set(COMPARE.values()) | set(SUBSCRIPT.values()))
NODE_TYPES = calls_walk.IMPLICIT
PENDING_KEY = "calls_implicit.dunders"



def extract(ctx: ModuleContext, found: list[nodes.NodeNG]) -> None:
    defined = _dunders_defined(ctx)
    if not defined:
        return
    for node in found:
        for operand, dunders, text in _runs(node):
            wanted = [d for d in dunders if d in defined]
            if wanted:
                _add(ctx, node, operand, wanted, text)


def _dunders_defined(ctx: ModuleContext) -> set[str]:
    """The dunder names the loaded code's classes define, computed once per load."""
    pending = ctx.project.pending
    if PENDING_KEY not in pending:
        pending[PENDING_KEY] = {d.name for d in ctx.project.definitions()
                                if isinstance(d, nodes.FunctionDef) and d.name in ALL_DUNDERS
                                and isinstance(d.parent, nodes.ClassDef)}
    return pending[PENDING_KEY]


def _runs(node: nodes.NodeNG):
    """(operand, dunders tried in order, text) for each implicit call node makes."""
    if isinstance(node, nodes.With):
        is_async = isinstance(node, nodes.AsyncWith)
        for item, _ in node.items:
            for dunder in (("__aenter__", "__aexit__") if is_async else ("__enter__", "__exit__")):
                yield item, (dunder,), f"{_text(item)}.{dunder}"
    elif isinstance(node, nodes.For | nodes.Comprehension):
        is_async = bool(getattr(node, "is_async", False)) or isinstance(node, nodes.AsyncFor)
        dunder = "__aiter__" if is_async else "__iter__"
        yield node.iter, (dunder,), f"{_text(node.iter)}.{dunder}"
    elif isinstance(node, nodes.BinOp) and node.op in BINARY:
        yield node.left, (BINARY[node.op],), f"{_text(node.left)}.{BINARY[node.op]}"
    elif isinstance(node, nodes.AugAssign) and node.op.rstrip("=") in BINARY:
        plain = BINARY[node.op.rstrip("=")]
        in_place = plain.replace("__", "__i", 1)
        yield node.target, (in_place, plain), f"{_text(node.target)}.{in_place}"
    elif isinstance(node, nodes.UnaryOp) and node.op in UNARY:
        yield node.operand, (UNARY[node.op],), f"{_text(node.operand)}.{UNARY[node.op]}"
    elif isinstance(node, nodes.Compare):
        left = node.left
        for op, right in node.ops:
            if op in ("in", "not in"):
                yield right, ("__contains__",), f"{_text(right)}.__contains__"
            elif op in COMPARE:
                yield left, (COMPARE[op],), f"{_text(left)}.{COMPARE[op]}"
            left = right
    elif isinstance(node, nodes.Subscript):
        dunder = SUBSCRIPT.get(getattr(node.ctx, "name", "Load"), "__getitem__")
        yield node.value, (dunder,), f"{_text(node.value)}.{dunder}"


def _add(ctx: ModuleContext, node, operand, dunders: list[str], text: str) -> None:
    methods = _methods(ctx, operand, dunders)
    if isinstance(node, nodes.For | nodes.Comprehension):
        is_async = dunders[0] == "__aiter__"
        methods += _next_of(ctx, methods, "__anext__" if is_async else "__next__")
    targets = list(dict.fromkeys(target for target, _ in methods))
    if not targets:
        return
    site_id = f"{ctx.call_site_id(operand)}:{dunders[0]}"
    scope_label, scope_id = ctx.scope_of(node)
    share = round(1 / len(targets), 3)
    ctx.facts.add_node("CallSite", site_id, **ctx.position(operand), callee_text=text[:200],
                       caller=scope_id.split(":", 2)[-1], col=operand.col_offset or 0, args=0,
                       keywords=[], star_args=False, star_kwargs=False, resolved="inference",
                       confidence=share)
    container_label, container_id = ctx.container_of(node)
    ctx.facts.add_edge("CONTAINS", container_label, container_id, "CallSite", site_id)
    for target in targets:
        ctx.facts.add_edge("RESOLVES_TO", "CallSite", site_id, target.label, target.id,
                           resolved="inference", confidence=share)
        ctx.facts.add_edge("CALLS", scope_label, scope_id, target.label, target.id,
                           line=node.lineno, resolved="inference", confidence=share)


Method = tuple[Target, nodes.FunctionDef]


def _methods(ctx: ModuleContext, operand, dunders: list[str]) -> list[Method]:
    """The dunder of each local class the operand's values are instances of."""
    found: list[Method] = []
    for value in ctx.infer(operand):
        if not isinstance(value, bases.Instance) or isinstance(value, nodes.NodeNG):
            continue
        method = _method(ctx, value._proxied, dunders)
        if method is not None and method not in found:
            found.append(method)
    return found


def _method(ctx: ModuleContext, cls, dunders: list[str]) -> Method | None:
    if not isinstance(cls, nodes.ClassDef) or not ctx.project.is_local(cls):
        return None
    for dunder in dunders:
        for klass in _mro(cls):
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
                found += [m for m in _methods(ctx, ret.value, [dunder]) if m not in found]
    return found


def _text(node: nodes.NodeNG) -> str:
    return " ".join(node.as_string().split())
