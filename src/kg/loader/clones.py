"""Clone nodes and HAS_CLONE: runs of statements that two or more functions share.

A function's own statements (nested blocks included, the docstring and nested
definitions not) are read in source order; every run of WINDOW consecutive
statements is hashed with names renamed by first use within the run (so `x = f(a)`
and `y = f(b)` match, `x = f(x)` and `x = f(y)` do not) and literals reduced to their
type; attribute and keyword names are kept, since they say what the code does. Each
statement carries its nesting depth relative to the run's shallowest statement.

Runs below MIN_TOKENS (six `pass` or `x = 1` lines) are not hashed. Only hashes that
at least two functions share become Clone nodes, so the graph stays small; each
function points at a Clone once, with the lines of its first occurrence. A copied
block of n statements shows up as n - WINDOW + 1 shared Clones between the two functions.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from astroid import nodes

from kg.loader.context import FUNCTIONS, Project

WINDOW = 6
MIN_TOKENS = 40
NAME = "\0"       # marks a name token, renamed per window
DEFINITIONS = FUNCTIONS + (nodes.ClassDef,)


def extract_project(project: Project) -> None:
    found: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for node in project.definitions():
        if not isinstance(node, FUNCTIONS):
            continue
        kg_id = project.id_of(node)
        for digest, line, end_line in windows(node):
            found[digest].setdefault(kg_id, (line, end_line))
    facts = project.facts
    for digest in sorted(found):
        owners = found[digest]
        if len(owners) < 2:
            continue
        first = min(owners)
        row = facts.node("Function", first) or {}
        clone = f"{project.repo}:Clone:{digest}"
        facts.add_node("Clone", clone, repo=project.repo, file=row.get("file", ""),
                       line=owners[first][0], end_line=owners[first][1], fingerprint=digest,
                       statements=WINDOW, functions=len(owners))
        for kg_id in sorted(owners):
            line, end_line = owners[kg_id]
            facts.add_edge("HAS_CLONE", "Function", kg_id, "Clone", clone, line=line,
                           end_line=end_line)


def windows(function: nodes.FunctionDef) -> list[tuple[str, int, int]]:
    """(hash, first line, last line) of every run of WINDOW statements in the function."""
    statements = _statements(function)
    out = []
    for start in range(len(statements) - WINDOW + 1):
        run = statements[start:start + WINDOW]
        if sum(len(tokens) for _, _, tokens in run) < MIN_TOKENS:
            continue
        shallowest = min(depth for _, depth, _ in run)
        names: dict[str, str] = {}
        parts: list[str] = []
        for _, depth, tokens in run:
            parts.append(f"|{depth - shallowest}")
            for token in tokens:
                if token.startswith(NAME):
                    token = names.setdefault(token, f"v{len(names)}")
                parts.append(token)
        digest = hashlib.sha1(" ".join(parts).encode()).hexdigest()[:16]
        last = run[-1][0]
        out.append((digest, run[0][0].lineno, last.end_lineno or last.lineno))
    return out


def _statements(function: nodes.FunctionDef) -> list[tuple[nodes.NodeNG, int, list[str]]]:
    """The function's own statements in source order, with depth and shape tokens."""
    body = list(function.body)
    if body and isinstance(body[0], nodes.Expr) and isinstance(body[0].value, nodes.Const) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    out = []
    stack = [(s, 0) for s in reversed(body)]
    while stack:
        statement, depth = stack.pop()
        if isinstance(statement, DEFINITIONS):
            continue
        out.append((statement, depth, _shape(statement)))
        inner = [c for c in statement.get_children() if c.is_statement]
        stack.extend((c, depth + 1) for c in reversed(inner))
    return out


def _shape(statement: nodes.NodeNG) -> list[str]:
    """The statement's own expression tree, pre-order, child statements left out."""
    tokens: list[str] = []
    stack = [statement]
    while stack:
        n = stack.pop()
        tokens.append(type(n).__name__)
        op = getattr(n, "op", None)
        if isinstance(op, str):
            tokens.append(op)
        if isinstance(n, nodes.Name | nodes.AssignName | nodes.DelName):
            tokens.append(NAME + n.name)
        elif isinstance(n, nodes.Attribute | nodes.AssignAttr | nodes.DelAttr):
            tokens.append("." + n.attrname)
        elif isinstance(n, nodes.Keyword):
            tokens.append(f"{n.arg}=")
        elif isinstance(n, nodes.Const):
            tokens.append(type(n.value).__name__)
        children = list(n.get_children())
        if n is statement:
            children = [c for c in children if not c.is_statement]
        stack.extend(reversed(children))
    return tokens
