"""Modules, classes, functions and module variables, with CONTAINS and lines of code.

Runs over every module before any other step, so that calls, fields and
imports can point at definitions anywhere in the project.
"""

from __future__ import annotations

import hashlib
import re

from astroid import nodes

from kg.loader import classes
from kg.loader.context import FUNCTIONS, ModuleContext, label_of

BRANCHES = (nodes.If, nodes.For, nodes.AsyncFor, nodes.While, nodes.IfExp, nodes.ExceptHandler,
            nodes.With, nodes.AsyncWith, nodes.Assert, nodes.Comprehension, nodes.MatchCase)


def register_definitions(ctx: ModuleContext) -> None:
    """Give every class and function of the module its id (before any facts are written)."""
    tree = ctx.tree
    ctx.project.register(tree, f"{ctx.repo}:Module:{ctx.module_name}")
    taken: set[str] = set()
    for node in _definitions(tree):
        qualname = node.qname()
        if qualname in taken:
            qualname = f"{qualname}@{node.lineno}"
        taken.add(qualname)
        ctx.project.register(node, f"{ctx.repo}:{label_of(node)}:{qualname}")


def extract(ctx: ModuleContext) -> None:
    lines = (ctx.parsed.text or "").splitlines()
    _module(ctx, lines)
    for node in _definitions(ctx.tree):
        if isinstance(node, nodes.ClassDef):
            _class(ctx, node, lines)
        else:
            _function(ctx, node, lines)
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


def _definitions(tree: nodes.Module):
    """Every ClassDef/FunctionDef in the module, outer before inner, in source order."""
    stack = list(reversed(list(tree.get_children())))
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.ClassDef | nodes.FunctionDef | nodes.AsyncFunctionDef):
            yield node
        stack.extend(reversed(list(node.get_children())))


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


def _function(ctx: ModuleContext, node: nodes.FunctionDef, lines: list[str]) -> None:
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
        complexity=_complexity(node), fingerprint=fingerprint(node.body))


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


def _complexity(node: nodes.FunctionDef) -> int:
    score = 1
    stack = list(node.get_children())
    while stack:
        n = stack.pop()
        if isinstance(n, FUNCTIONS + (nodes.ClassDef, nodes.Lambda)):
            continue
        if isinstance(n, BRANCHES) and not isinstance(n, nodes.With | nodes.AsyncWith):
            score += 1
        elif isinstance(n, nodes.BoolOp):
            score += len(n.values) - 1
        stack.extend(n.get_children())
    return score


def fingerprint(statements) -> str:
    """A hash of the statements' shape, with names and literals normalised away."""
    parts: list[str] = []
    stack = list(reversed(list(statements)))
    while stack:
        n = stack.pop()
        parts.append(type(n).__name__)
        op = getattr(n, "op", None)
        if isinstance(op, str):
            parts.append(op)
        stack.extend(reversed(list(n.get_children())))
    return hashlib.sha1(" ".join(parts).encode()).hexdigest()[:16]


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
