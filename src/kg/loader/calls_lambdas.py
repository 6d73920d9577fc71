"""Lambdas as Function nodes (`is_lambda`), named as PyCG names them: `<lambdaN>` in the scope
that holds them, numbered from 1 in source order (`main.<lambda1>`, `main.setup.<lambda2>`).

A call in a lambda's body runs when the lambda is called, not when its scope
runs, so it belongs to the lambda; a call whose callee is a lambda calls it.
The owner of a lambda is its nearest enclosing function, lambda, class or
module (comprehensions are not owners, as in PyCG). Names are computed per
module, once, from the lambdas the calls step's walk collected (or, for a
module not yet extracted, one walk of that module), and kept for the load.
The owner REFERENCES its lambda: a lambda is a value used where it is written,
so it is never dead code by itself.
"""

from __future__ import annotations

from astroid import nodes

from kg.loader.context import ModuleContext, label_of

PENDING_KEY = "calls.lambdas"
OWNERS = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Lambda, nodes.ClassDef, nodes.Module)


def is_lambda(node: nodes.NodeNG) -> bool:
    return isinstance(node, nodes.Lambda) and not isinstance(node, nodes.FunctionDef)


def owner_of(node: nodes.NodeNG) -> nodes.NodeNG:
    """The nearest enclosing function, lambda, class or module of a node."""
    scope = node.parent.scope() if node.parent is not None else node
    while not isinstance(scope, OWNERS) and scope.parent is not None:
        scope = scope.parent.scope()
    return scope


def lambda_id(ctx: ModuleContext, lam: nodes.Lambda) -> tuple[str, str] | None:
    """(kg id, qualname) of a lambda of the loaded code; None for a lambda elsewhere."""
    module = lam.root()
    if not ctx.project.is_local(module):
        return None
    names = _names(ctx, module)
    qualname = names.get(id(lam))
    if qualname is None:
        return None
    return f"{ctx.repo}:Function:{qualname}", qualname


def scope_of(ctx: ModuleContext, node: nodes.NodeNG) -> tuple[str, str] | None:
    """("Function", id) of the lambda whose body holds node, None when it is in none."""
    owner = owner_of(node)
    if not is_lambda(owner):
        return None
    found = lambda_id(ctx, owner)
    return ("Function", found[0]) if found else None


def add_nodes(ctx: ModuleContext, lambdas: list[nodes.Lambda]) -> None:
    """A Function node for each lambda of the module, CONTAINed and REFERENCED by its owner."""
    _names(ctx, ctx.tree, lambdas)
    for lam in lambdas:
        found = lambda_id(ctx, lam)
        if found is None:
            continue
        kg_id, qualname = found
        line, end = lam.lineno or 0, lam.end_lineno or lam.lineno or 0
        ctx.facts.add_node(
            "Function", kg_id, **ctx.position(lam), name=qualname.rsplit(".", 1)[-1],
            qualname=qualname, module=ctx.module_name, is_method=False, is_async=False,
            is_property=False, is_classmethod=False, is_staticmethod=False, is_abstract=False,
            is_lambda=True, decorators=[], params=_params(lam), loc=end - line + 1,
            sloc=end - line + 1, statements=0, complexity=1)
        label, owner_id = _owner_node(ctx, lam)
        if owner_id is None:
            continue
        ctx.facts.add_edge("CONTAINS", label, owner_id, "Function", kg_id)
        ctx.facts.add_edge("REFERENCES", label, owner_id, "Function", kg_id, line=line,
                           kind="lambda", in_annotation=False)


def _owner_node(ctx: ModuleContext, lam: nodes.Lambda) -> tuple[str, str | None]:
    owner = owner_of(lam)
    if is_lambda(owner):
        found = lambda_id(ctx, owner)
        return "Function", found[0] if found else None
    return label_of(owner), ctx.project.id_of(owner)


def _names(ctx: ModuleContext, module: nodes.Module,
           lambdas: list[nodes.Lambda] | None = None) -> dict[int, str]:
    """id(lambda) -> qualname for every lambda of a module, computed once per module."""
    cache = ctx.project.pending.setdefault(PENDING_KEY, {})
    key = id(module)
    if key not in cache:
        if lambdas is None:
            lambdas = list(module.nodes_of_class(nodes.Lambda))
        ordered = sorted((n for n in lambdas if is_lambda(n)),
                         key=lambda n: (n.lineno or 0, n.col_offset or 0))
        names: dict[int, str] = {}
        counters: dict[int, int] = {}
        for lam in ordered:      # outer before inner: an owner is named before its lambdas
            owner = owner_of(lam)
            counters[id(owner)] = counters.get(id(owner), 0) + 1
            prefix = names.get(id(owner)) if is_lambda(owner) else _qualname(ctx, owner)
            names[id(lam)] = f"{prefix}.<lambda{counters[id(owner)]}>"
        cache[key] = (module, ordered, names)     # the nodes keep their ids alive
    return cache[key][2]


def _qualname(ctx: ModuleContext, owner: nodes.NodeNG) -> str:
    kg_id = ctx.project.id_of(owner)
    if kg_id is None:
        return owner.qname()
    return kg_id.split(":", 2)[2]


def _params(lam: nodes.Lambda) -> list[str]:
    args = lam.args
    names = [a.name for a in (args.posonlyargs or []) + (args.args or [])]
    if args.vararg:
        names.append("*" + args.vararg)
    names += [a.name for a in args.kwonlyargs or []]
    if args.kwarg:
        names.append("**" + args.kwarg)
    return names
