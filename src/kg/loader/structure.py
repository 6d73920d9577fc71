"""Modules, classes, functions and module variables, with CONTAINS and lines of code.

Runs over every module before any other step, so that calls, fields and
imports can point at definitions anywhere in the project.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left

from astroid import nodes

from kg.loader import classes
from kg.loader.context import FUNCTIONS, ModuleContext, label_of
from kg.loader.module_nodes import ModuleNodes

BRANCHES = (nodes.If, nodes.For, nodes.AsyncFor, nodes.While, nodes.IfExp, nodes.ExceptHandler,
            nodes.With, nodes.AsyncWith, nodes.Assert, nodes.Comprehension, nodes.MatchCase)
DEFINITION_TYPES = (nodes.ClassDef, nodes.FunctionDef, nodes.AsyncFunctionDef)
# what a function's complexity counts, and the nested scopes it leaves to their own
NESTED = FUNCTIONS + (nodes.ClassDef, nodes.Lambda)
DECISIONS = tuple(b for b in BRANCHES if b not in (nodes.With, nodes.AsyncWith)) + (nodes.BoolOp,)


def register_definitions(ctx: ModuleContext) -> None:
    """Give every class and function of the module its id (before any facts are written)."""
    tree = ctx.tree
    ctx.project.register(tree, f"{ctx.repo}:Module:{ctx.module_name}")
    taken: set[str] = set()
    for node in ctx.nodes_of(DEFINITION_TYPES):
        qualname = node.qname()
        if qualname in taken:
            qualname = f"{qualname}@{node.lineno}"
        taken.add(qualname)
        ctx.project.register(node, f"{ctx.repo}:{label_of(node)}:{qualname}")


def extract(ctx: ModuleContext) -> None:
    lines = (ctx.parsed.text or "").splitlines()
    _module(ctx, lines)
    shapes = _Shapes(ctx.nodes)
    for node in ctx.nodes_of(DEFINITION_TYPES):
        if isinstance(node, nodes.ClassDef):
            _class(ctx, node, lines)
        else:
            _function(ctx, node, lines, shapes)
        parent_label, parent_id = ctx.container_of(node)
        ctx.facts.add_edge("CONTAINS", parent_label, parent_id, label_of(node),
                           ctx.project.id_of(node))
    _variables(ctx)


def add_unparsed_module(project, parsed) -> None:
    """A file that could not be read or parsed is still a Module, carrying its error."""
    source = parsed.source
    text = parsed.text or ""
    lines = text.splitlines()
    project.facts.add_node(
        "Module", f"{project.repo}:Module:{source.module}", repo=project.repo, file=source.rel,
        line=1, end_line=max(len(lines), 1), name=source.module, path=source.rel,
        loc=len(lines), sloc=_sloc(lines, 1, len(lines)), is_package=source.is_package,
        is_test=source.is_test, parse_error=parsed.error)


_IGNORE = re.compile(r"#\s*kg:\s*ignore(?:\[([a-z0-9,\s-]*)\])?")


def suppressions(lines: list[str]) -> list[str]:
    """`# kg: ignore[rule-a,rule-b] reason` comments as "line:rule-a,rule-b" ("*": every rule)."""
    out = []
    for number, text in enumerate(lines, 1):
        if "kg:" not in text:
            continue
        match = _IGNORE.search(text)
        if match:
            ids = ",".join(sorted(i.strip() for i in (match.group(1) or "*").split(",")
                                  if i.strip())) or "*"
            out.append(f"{number}:{ids}")
    return out


def _module(ctx: ModuleContext, lines: list[str]) -> None:
    source = ctx.parsed.source
    ctx.facts.add_node(
        "Module", ctx.project.id_of(ctx.tree), repo=ctx.repo, file=ctx.file, line=1,
        end_line=max(len(lines), 1), name=source.module, path=source.rel, loc=len(lines),
        sloc=_sloc(lines, 1, len(lines)), is_package=source.is_package, is_test=source.is_test,
        parse_error=None, suppressions=suppressions(lines))


def _class(ctx: ModuleContext, node: nodes.ClassDef, lines: list[str]) -> None:
    line, end = node.lineno, node.end_lineno or node.lineno
    ctx.facts.add_node(
        "Class", ctx.project.id_of(node), **ctx.position(node), name=node.name,
        qualname=node.qname(), module=ctx.module_name, kind=classes.class_kind(ctx, node),
        decorators=_decorators(node), bases=[b.as_string() for b in node.bases],
        is_abstract=classes.is_abstract(ctx, node), loc=end - line + 1,
        sloc=_sloc(lines, line, end))


def _function(ctx: ModuleContext, node: nodes.FunctionDef, lines: list[str],
              shapes: _Shapes) -> None:
    line, end = node.lineno, node.end_lineno or node.lineno
    decorators = _decorators(node)
    short = {d.split("(")[0].rsplit(".", 1)[-1] for d in decorators}
    ctx.facts.add_node(
        "Function", ctx.project.id_of(node), **ctx.position(node), name=node.name,
        qualname=node.qname(), module=ctx.module_name, is_method=node.is_method(),
        is_async=isinstance(node, nodes.AsyncFunctionDef),
        is_property=bool(short & {"property", "cached_property", "setter", "getter", "deleter"}),
        is_classmethod="classmethod" in short, is_staticmethod="staticmethod" in short,
        is_abstract="abstractmethod" in short, decorators=decorators, params=_params(node),
        loc=end - line + 1, sloc=_sloc(lines, line, end), statements=_statements(node),
        complexity=shapes.complexity(node), fingerprint=shapes.fingerprint(node))


def _variables(ctx: ModuleContext) -> None:
    module = ctx.tree
    for name in sorted(module.locals):
        assigned = [n for n in module.locals[name]
                    if isinstance(n, nodes.AssignName) and _in_source(n, module)]
        if not assigned:
            continue
        first = assigned[0]
        statement = first.statement()
        if not isinstance(statement, nodes.Assign | nodes.AnnAssign | nodes.AugAssign):
            continue
        value = getattr(statement, "value", None)
        var_id = f"{ctx.repo}:Variable:{ctx.module_name}.{name}"
        ctx.facts.add_node(
            "Variable", var_id, **ctx.position(statement), name=name,
            qualname=f"{ctx.module_name}.{name}", module=ctx.module_name,
            value=_short(value.as_string()) if value is not None else None,
            is_constant=name.isupper() or (name.lstrip("_").isupper()))
        ctx.facts.add_edge("CONTAINS", "Module", ctx.project.id_of(module), "Variable", var_id)


def _in_source(node: nodes.NodeNG, module: nodes.Module) -> bool:
    """Not a name astroid's brain plugins injected (e.g. `_HAS_DEFAULT_FACTORY` for dataclasses)."""
    statement = node.statement()
    while statement.parent is not module:
        statement = statement.parent.statement() if statement.parent else module
        if statement is module:
            return True
    return statement in module.body


def _decorators(node) -> list[str]:
    if not node.decorators:
        return []
    return [_short(d.as_string(), 200) for d in node.decorators.nodes]


def _params(node: nodes.FunctionDef) -> list[str]:
    args = node.args
    out = [a.name for a in (args.posonlyargs or []) + (args.args or [])]
    if args.vararg:
        out.append("*" + args.vararg)
    out.extend(a.name for a in args.kwonlyargs or [])
    if args.kwarg:
        out.append("**" + args.kwarg)
    return out


def _statements(node: nodes.FunctionDef) -> int:
    """Statements in the body, nested blocks included, the docstring and nested defs' bodies not."""
    body = list(node.body)
    if body and isinstance(body[0], nodes.Expr) and isinstance(body[0].value, nodes.Const) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    count = 0
    stack = body
    while stack:
        n = stack.pop()
        count += 1
        if not isinstance(n, FUNCTIONS + (nodes.ClassDef,)):
            stack.extend(c for c in n.get_children() if c.is_statement)
    return count


class _Shapes:
    """Complexity and fingerprint of the module's functions from the module's one walk: a
    function's nodes are a slice of it, so nested functions are not walked again.

    complexity: 1, plus each branch (if, loop, comprehension, conditional expression,
    except, assert, match case) and each extra operand of `and`/`or`, nested functions,
    classes and lambdas left out. fingerprint: a hash of the body's shape, the type (and
    operator) of each node in source order, with names and literals normalised away."""

    def __init__(self, walk: ModuleNodes):
        self.walk = walk
        self._tokens: list[str] | None = None
        self._decisions = walk.positions(DECISIONS + NESTED)
        self._at: dict[int, int] = {id(walk.order[p]): p for p in walk.positions(FUNCTIONS)}

    def complexity(self, node: nodes.FunctionDef) -> int:
        walk, start = self.walk, self._at[id(node)]
        end = walk.ends[start]
        score, skip_to = 1, 0
        decisions = self._decisions
        for i in range(bisect_left(decisions, start + 1), bisect_left(decisions, end)):
            position = decisions[i]
            if position < skip_to:
                continue
            found = walk.order[position]
            if isinstance(found, NESTED):
                skip_to = walk.ends[position]
            elif isinstance(found, nodes.BoolOp):
                score += len(found.values) - 1
            else:
                score += 1
        return score

    def fingerprint(self, node: nodes.FunctionDef) -> str:
        """The body is the function's last children: its nodes end the function's slice."""
        walk, start = self.walk, self._at[id(node)]
        body = start + 1
        for _ in range(len(list(node.get_children())) - len(node.body)):
            body = walk.ends[body]
        if self._tokens is None:
            self._tokens = [_token(n) for n in walk.order]
        return hashlib.sha1(" ".join(self._tokens[body:walk.ends[start]]).encode()) \
            .hexdigest()[:16]


def _token(node: nodes.NodeNG) -> str:
    op = getattr(node, "op", None)
    return f"{type(node).__name__} {op}" if isinstance(op, str) else type(node).__name__


def _sloc(lines: list[str], start: int, end: int) -> int:
    count = 0
    for text in lines[max(start - 1, 0):end]:
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            count += 1
    return count


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
