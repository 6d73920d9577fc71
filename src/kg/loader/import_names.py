"""What a name in the analysed code stands for, read from its import statements.

Names are resolved against the project's module table and the import
statements as written, never by importing anything: `click.group`,
`typer.Typer`, `subprocess.run` are recognised even when click, typer or the
target's own packages are not installed, and a name re-exported through a
package's `__init__` is followed to the module that defines it.
"""

from __future__ import annotations

from astroid import nodes

from kg.loader.context import Project

MAX_HOPS = 8   # re-export chains longer than this are left where they stop


def package_of(module: str, is_package: bool) -> str:
    """The package a module's relative imports start from."""
    return module if is_package else module.rpartition(".")[0]


def absolute_name(module: str, is_package: bool, modname: str | None, level: int | None) -> \
        str | None:
    """The absolute dotted name an import statement refers to; None when it climbs too far."""
    if not level:
        return modname or None
    parts = package_of(module, is_package).split(".") if package_of(module, is_package) else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not modname):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([modname] if modname else [])) or None


def from_base(project: Project, node: nodes.ImportFrom) -> str | None:
    """The absolute module name of a `from X import ...` statement."""
    source = project_source(project, node.root().name)
    is_package = source.is_package if source else False
    return absolute_name(node.root().name, is_package, node.modname or None, node.level)


def project_source(project: Project, module: str):
    parsed = project.modules.get(module)
    return parsed.source if parsed is not None else None


def longest_local_prefix(project: Project, dotted: str) -> str | None:
    """The longest leading part of a dotted name that is a module of the project."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in project.modules:
            return candidate
    return None


def dotted_parts(expr: nodes.NodeNG) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(expr, nodes.Attribute):
        parts.append(expr.attrname)
        expr = expr.expr
    if not isinstance(expr, nodes.Name):
        return None
    parts.append(expr.name)
    return parts[::-1]


def _head(expr: nodes.NodeNG) -> nodes.Name | None:
    while isinstance(expr, nodes.Attribute):
        expr = expr.expr
    return expr if isinstance(expr, nodes.Name) else None


def qualname_of(project: Project, expr: nodes.NodeNG) -> str | None:
    """The dotted name an expression such as `click.group` or `sp.run` stands for.

    The head name is looked up in its scope: an import gives the imported
    module or symbol, a module-level binding gives `module.name`; the rest of
    the attribute chain is appended. Re-exports inside the project are followed.
    """
    parts = dotted_parts(expr)
    head = _head(expr)
    if parts is None or head is None:
        return None
    base = binding_qualname(project, head, head.name)
    if base is None:
        return None
    return canonical(project, ".".join([base] + parts[1:]))


def binding_qualname(project: Project, where: nodes.NodeNG, name: str) -> str | None:
    """What `name` is bound to where it is used: an imported name, or a module-level name."""
    try:
        scope, bindings = where.lookup(name)
    except (AttributeError, KeyError, ValueError):
        return None
    for binding in bindings:
        if isinstance(binding, nodes.Import | nodes.ImportFrom):
            return import_binding(project, binding, name)
    if not bindings:
        return None
    binding = bindings[-1]
    if isinstance(binding, nodes.FunctionDef | nodes.AsyncFunctionDef | nodes.ClassDef):
        return binding.qname()
    if isinstance(scope, nodes.Module):
        return f"{scope.name}.{name}"
    return None


def import_binding(project: Project, statement: nodes.NodeNG, name: str) -> str | None:
    """The dotted name that an import statement binds to `name`."""
    for real, alias in statement.names:
        if isinstance(statement, nodes.Import):
            if alias == name:
                return real
            if alias is None and real.split(".")[0] == name:
                return name
        elif (alias or real) == name:
            base = from_base(project, statement)
            return f"{base}.{real}" if base else None
    return None


def canonical(project: Project, dotted: str) -> str:
    """Follow re-exports: `pkg.app`, where pkg/__init__ imports app from pkg.cli, is pkg.cli.app."""
    for _ in range(MAX_HOPS):
        module = longest_local_prefix(project, dotted)
        if module is None or module == dotted:
            return dotted
        rest = dotted[len(module) + 1:].split(".")
        tree = project.modules[module].tree
        bindings = tree.locals.get(rest[0], []) if tree is not None else []
        imported = [b for b in bindings if isinstance(b, nodes.Import | nodes.ImportFrom)]
        if not imported:
            return dotted
        target = import_binding(project, imported[-1], rest[0])
        if target is None or target == f"{module}.{rest[0]}":
            return dotted
        dotted = ".".join([target] + rest[1:])
    return dotted


def definition(project: Project, qualname: str) -> nodes.NodeNG | None:
    """The function, class or module-level binding a project qualname names, if any."""
    module = longest_local_prefix(project, qualname)
    if module is None:
        return None
    tree = project.modules[module].tree
    if tree is None:
        return None
    if module == qualname:
        return tree
    scope: nodes.NodeNG = tree
    for part in qualname[len(module) + 1:].split("."):
        found = scope.locals.get(part) if hasattr(scope, "locals") else None
        if not found:
            return None
        scope = found[-1]
    return scope
