"""The command line a subprocess call runs, rebuilt from the source where it is plain.

Handles literals, list and string concatenation, f-strings, `str()`,
`" ".join(...)`, `shlex.split/join`, `sys.executable` (written as `python`)
and names assigned once in the same function or module. Anything else
becomes an `Unknown` token that shows its source text (`{args}`) and never
matches a module or command name, so argv built from input gives no edge.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from astroid import nodes

from kg.loader.context import ModuleContext
from kg.loader.import_names import qualname_of

MAX_DEPTH = 6
PYTHON_NAMES = {"sys.executable": "python"}
PASS_THROUGH = {"str", "os.fspath", "shutil.which", "builtins.str"}
JOINERS = {"shlex.join"}
SPLITTERS = {"shlex.split"}


@dataclass(frozen=True)
class Unknown:
    text: str

    def __str__(self) -> str:
        return "{" + self.text + "}"


Token = str | Unknown


def argv_of(ctx: ModuleContext, expr: nodes.NodeNG) -> list[Token]:
    """The argv an expression gives: a list as is, a string split as a shell would."""
    listed = tokens(ctx, expr, 0)
    if listed is not None:
        return listed
    return split(text(ctx, expr, 0))


def split(command: Token) -> list[Token]:
    if isinstance(command, Unknown):
        return [command]
    try:
        return list(shlex.split(command))
    except ValueError:
        return command.split()


def tokens(ctx: ModuleContext, expr: nodes.NodeNG, depth: int) -> list[Token] | None:
    """The items of a list-valued expression; None when it is not list-like."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(expr, nodes.List | nodes.Tuple):
        out: list[Token] = []
        for item in expr.elts:
            if isinstance(item, nodes.Starred):
                out.extend(tokens(ctx, item.value, depth + 1) or [_unknown(item)])
            else:
                out.append(text(ctx, item, depth + 1))
        return out
    if isinstance(expr, nodes.BinOp) and expr.op == "+":
        left, right = tokens(ctx, expr.left, depth + 1), tokens(ctx, expr.right, depth + 1)
        if left is None and right is None:
            return None
        return (left or [_unknown(expr.left)]) + (right or [_unknown(expr.right)])
    if isinstance(expr, nodes.Name):
        value = assigned_value(expr)
        return tokens(ctx, value, depth + 1) if value is not None else None
    if isinstance(expr, nodes.Call):
        return _list_call(ctx, expr, depth)
    return None


def _list_call(ctx: ModuleContext, call: nodes.Call, depth: int) -> list[Token] | None:
    func = call.func
    if qualname_of(ctx.project, func) in SPLITTERS and call.args:
        return split(text(ctx, call.args[0], depth + 1))
    if isinstance(func, nodes.Attribute) and func.attrname == "split" and not call.args:
        value = text(ctx, func.expr, depth + 1)
        return value.split() if isinstance(value, str) else [value]
    if isinstance(func, nodes.Name) and func.name in ("list", "tuple") and call.args:
        return tokens(ctx, call.args[0], depth + 1)
    return None


def text(ctx: ModuleContext, expr: nodes.NodeNG, depth: int) -> Token:
    """A string-valued expression, or Unknown."""
    if depth > MAX_DEPTH:
        return _unknown(expr)
    if isinstance(expr, nodes.Const) and isinstance(expr.value, str | int | float):
        return str(expr.value)
    if isinstance(expr, nodes.JoinedStr):
        return "".join(_part(ctx, part, depth) for part in expr.values)
    if isinstance(expr, nodes.BinOp) and expr.op == "+":
        left, right = text(ctx, expr.left, depth + 1), text(ctx, expr.right, depth + 1)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return _unknown(expr)
    if isinstance(expr, nodes.Attribute | nodes.Name):
        dotted = qualname_of(ctx.project, expr)
        if dotted in PYTHON_NAMES:
            return PYTHON_NAMES[dotted]
        value = assigned_value(expr) if isinstance(expr, nodes.Name) else None
        return text(ctx, value, depth + 1) if value is not None else _unknown(expr)
    if isinstance(expr, nodes.Call):
        return _text_call(ctx, expr, depth)
    return _unknown(expr)


def _text_call(ctx: ModuleContext, call: nodes.Call, depth: int) -> Token:
    func = call.func
    if isinstance(func, nodes.Attribute) and func.attrname == "join" and call.args \
            and isinstance(func.expr, nodes.Const) and isinstance(func.expr.value, str):
        items = tokens(ctx, call.args[0], depth + 1)
        if items is not None and all(isinstance(t, str) for t in items):
            return func.expr.value.join(items)
        return _unknown(call)
    called = qualname_of(ctx.project, func)
    if called in PASS_THROUGH and len(call.args) == 1:
        return text(ctx, call.args[0], depth + 1)
    if called in JOINERS and call.args:
        items = tokens(ctx, call.args[0], depth + 1)
        if items is not None:
            return " ".join(str(t) if isinstance(t, Unknown) else shlex.quote(t) for t in items)
    return _unknown(call)


def _part(ctx: ModuleContext, part: nodes.NodeNG, depth: int) -> str:
    if isinstance(part, nodes.FormattedValue):
        return str(text(ctx, part.value, depth + 1))
    return str(text(ctx, part, depth + 1))


def assigned_value(name: nodes.Name) -> nodes.NodeNG | None:
    """The value of a name bound by exactly one plain assignment in its scope.

    Later `+=` extensions of a list are allowed (they only add arguments at
    the end); a parameter, a loop variable or a second assignment is not.
    """
    try:
        scope, found = name.lookup(name.name)
    except (AttributeError, KeyError, ValueError):
        return None
    if not found:
        return None
    bindings = scope.locals.get(name.name, [])     # every binding, not only the last one
    plain = []
    for binding in bindings:
        statement = binding.parent
        if isinstance(statement, nodes.AugAssign):
            continue
        if isinstance(statement, nodes.AnnAssign) and statement.value is not None:
            plain.append(statement.value)
            continue
        if not isinstance(binding, nodes.AssignName) or not isinstance(statement, nodes.Assign) \
                or len(statement.targets) != 1:
            return None
        plain.append(statement.value)
    return plain[0] if len(plain) == 1 else None


def _unknown(expr: nodes.NodeNG) -> Unknown:
    text = " ".join(expr.as_string().split())
    return Unknown(text if len(text) <= 60 else text[:59] + "…")
