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

Reading a function's statements is per module (`extract`, a step: its result is part
of the module's fragment, so a module an incremental load keeps is not read again);
comparing them is project-wide (`extract_project`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from astroid import nodes

from kg.loader.context import FUNCTIONS, ModuleContext, Project

WINDOW = 6
MIN_TOKENS = 40
NAME = "\0"       # marks a name token, renamed per window
DEFINITIONS = FUNCTIONS + (nodes.ClassDef,)


PENDING_KEY = "clones.functions"
# a statement: its depth, its shape tokens, its first and last line
Statement = tuple[int, list[str], int, int]


def extract(ctx: ModuleContext) -> None:
    """Each of the module's functions with its statements, in registration order."""
    project = ctx.project
    functions = project.pending.setdefault(PENDING_KEY, [])
    for node in ctx.nodes_of(FUNCTIONS):
        kg_id = project.id_of(node)
        if kg_id is not None:
            functions.append((kg_id, _statements(node)))


def extract_project(project: Project) -> None:
    found: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for kg_id, statements, starts in _candidates(project.pending.get(PENDING_KEY) or []):
        for start in starts:
            digest, line, end_line = _window(statements[start:start + WINDOW])
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


_SHARED = object()      # a run shape more than one function has


def _candidates(functions: list[tuple[str, list[Statement]]]
                ) -> list[tuple[str, list[Statement], list[int]]]:
    """(function id, its statements, the starts of the runs worth hashing) per function.

    Two runs with the same hash have the same shape once every name is blanked out (the
    hash renames names by first use, which blanking forgets), so only runs whose blanked
    shape another function has too can become Clones: the others are never hashed.
    """
    shapes: dict[tuple[str, ...], int] = {}     # a statement's blanked tokens -> its number
    owners: dict[tuple, object] = {}            # a run's blanked shape -> its function, or _SHARED
    found = []
    for kg_id, statements in functions:
        blanked = [shapes.setdefault(tuple(NAME if t.startswith(NAME) else t for t in tokens),
                                     len(shapes)) for _, tokens, _, _ in statements]
        sizes = [len(tokens) for _, tokens, _, _ in statements]
        depths = [depth for depth, _, _, _ in statements]
        runs = []
        for start in range(len(statements) - WINDOW + 1):
            if sum(sizes[start:start + WINDOW]) < MIN_TOKENS:
                continue
            shallowest = min(depths[start:start + WINDOW])
            shape = (tuple(d - shallowest for d in depths[start:start + WINDOW]),
                     tuple(blanked[start:start + WINDOW]))
            owner = owners.setdefault(shape, kg_id)
            if owner is not _SHARED and owner != kg_id:
                owners[shape] = _SHARED
            runs.append((start, shape))
        found.append((kg_id, statements, runs))
    return [(kg_id, statements, [start for start, shape in runs if owners[shape] is _SHARED])
            for kg_id, statements, runs in found]


def _window(run: list[Statement]) -> tuple[str, int, int]:
    """(hash, first line, last line) of one run: names renamed by first use within it."""
    shallowest = min(depth for depth, _, _, _ in run)
    names: dict[str, str] = {}
    parts: list[str] = []
    for depth, tokens, _, _ in run:
        parts.append(f"|{depth - shallowest}")
        for token in tokens:
            if token.startswith(NAME):
                token = names.setdefault(token, f"v{len(names)}")
            parts.append(token)
    digest = hashlib.sha1(" ".join(parts).encode()).hexdigest()[:16]
    return digest, run[0][2], run[-1][3]


def _statements(function: nodes.FunctionDef) -> list[Statement]:
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
        out.append((depth, _shape(statement), statement.lineno,
                    statement.end_lineno or statement.lineno))
        inner = [c for c in statement.get_children() if c.is_statement]
        stack.extend((c, depth + 1) for c in reversed(inner))
    return out


def _shape(statement: nodes.NodeNG) -> list[str]:
    """The statement's own expression tree, pre-order, child statements left out: each node's
    type, its operator, and its name, attribute, keyword or literal type (see _TOKENS)."""
    tokens: list[str] = []
    stack = [statement]
    while stack:
        n = stack.pop()
        cls = n.__class__
        own = _TOKENS.get(cls)
        if own is None:
            own = _TOKENS[cls] = _tokens_of(n)
        tokens.append(own[0])
        if own[1]:
            op = getattr(n, "op", None)
            if isinstance(op, str):
                tokens.append(op)
        if own[2] is not None:
            tokens.append(own[2](n))
        children = list(n.get_children())
        if n is statement:
            children = [c for c in children if not c.is_statement]
        children.reverse()
        stack.extend(children)
    return tokens


# node class -> (its name, whether it may have an operator, its own token or None)
_TOKENS: dict[type, tuple] = {}


def _tokens_of(node: nodes.NodeNG) -> tuple:
    """astroid sets `op` in the constructor of the node classes that have one."""
    cls = node.__class__
    if issubclass(cls, nodes.Name | nodes.AssignName | nodes.DelName):
        token = _name_token
    elif issubclass(cls, nodes.Attribute | nodes.AssignAttr | nodes.DelAttr):
        token = _attribute_token
    elif issubclass(cls, nodes.Keyword):
        token = _keyword_token
    elif issubclass(cls, nodes.Const):
        token = _literal_token
    else:
        token = None
    return cls.__name__, hasattr(node, "op"), token


def _name_token(n) -> str:
    return NAME + n.name


def _attribute_token(n) -> str:
    return "." + n.attrname


def _keyword_token(n) -> str:
    return f"{n.arg}="


def _literal_token(n) -> str:
    return type(n.value).__name__
