"""IMPORTS: which modules each module imports, local or external.

Targets come from the project's module table, never from the import system:
an absolute name that starts with a project module goes to the longest such
module, anything else is an External named by the imported module
(`requests`, `os.path`). Relative imports are always local; when they point
nowhere in the project they give no edge.

One edge per import statement and target (a module imported twice, on two
lines, gives two edges, each with its own `line` and context flags), with the
statement's imported names merged into `names`. `from pkg import sub, X`,
where sub is a submodule, gives an edge to pkg.sub (names [sub]) and one to
pkg for the other names (names [X]); a statement importing only submodules
gives no edge to pkg, as in grimp/import-linter: otherwise every
`from pkg import sub` inside pkg would close a cycle through pkg's
`__init__`. (That Python runs pkg's `__init__` first is implied by the
package hierarchy, which reachability follows.) Whatever pkg re-exports is
found through pkg's own IMPORTS edges.

A call importing a module by a literal name (`importlib.import_module("app.plugins.csv")`,
also relative with a literal `package`, `__package__` or `__name__`; `__import__("app.x")`)
is an import too, with `dynamic` set, and so is a string literal spelling a module's full
dotted name (at least one dot), alone or with a name the module defines: extension and
plugin lists (`builtin_extensions = ("sphinx.builders.html", ...)`), settings
(`"mysite.wsgi.application"`) and registries (`{"da": "sphinx.search.da.SearchDanish"}`)
name modules imported later through a variable, and without the edge those modules read
as dead.
"""

from __future__ import annotations

from collections import defaultdict

from astroid import nodes

from kg.loader.context import FUNCTIONS, ModuleContext
from kg.loader.import_names import absolute_name, longest_local_prefix

IMPORTING_CALLS = {"import_module", "__import__"}      # the callee's last name


def extract(ctx: ModuleContext) -> None:
    source = ctx.parsed.source
    for statement in ctx.nodes_of((nodes.Import, nodes.ImportFrom)):
        if isinstance(statement, nodes.Import):
            targets = _plain_import_targets(ctx, statement)
        else:
            targets = _from_import_targets(ctx, statement, source.is_package)
        flags = {"line": statement.lineno, "type_checking": under_type_checking(statement),
                 "in_function": in_function(statement),
                 "is_star": any(name == "*" for name, _ in statement.names),
                 "is_relative": bool(getattr(statement, "level", 0)), "dynamic": False}
        for (label, target), names in sorted(targets.items()):
            _edge(ctx, label, target, names, flags)
    called = set()
    for call in ctx.nodes_of((nodes.Call,)):
        name = _imported_by_call(ctx, call)
        if name is None:
            continue
        local = longest_local_prefix(ctx.project, name)
        _edge(ctx, *(("Module", local) if local else ("External", name)), [],
              _dynamic(call, is_relative=name != _first_argument(call)))
        called.add(call.args[0] if call.args else None)
    for const in ctx.nodes_of((nodes.Const,)):
        if isinstance(const.value, str) and const not in called and not _run_as_program(const):
            module = _spelled_module(ctx, const.value)
            if module is not None:
                _edge(ctx, "Module", module, [], _dynamic(const, is_relative=False))


def _spelled_module(ctx: ModuleContext, text: str) -> str | None:
    """The module a string spells: its full dotted name (`app.plugins.csv`), or that and a
    name the module defines (`app.search.da.SearchDanish`, `mysite.wsgi.application`)."""
    if "." not in text:
        return None
    modules = ctx.project.modules
    if text in modules:
        return text
    module, _, name = text.rpartition(".")
    parsed = modules.get(module)
    if "." in module and parsed is not None and parsed.tree is not None \
            and name in parsed.tree.locals:
        return module
    return None


def _run_as_program(const: nodes.Const) -> bool:
    """`[sys.executable, "-m", "app.worker"]`: a subprocess runs the module (SPAWNS)."""
    parent = const.parent
    if not isinstance(parent, nodes.List | nodes.Tuple):
        return False
    index = parent.elts.index(const)
    before = parent.elts[index - 1] if index else None
    return isinstance(before, nodes.Const) and before.value == "-m"


def _dynamic(node: nodes.NodeNG, is_relative: bool) -> dict:
    return {"line": node.lineno, "type_checking": under_type_checking(node),
            "in_function": in_function(node), "is_star": False, "is_relative": is_relative,
            "dynamic": True}


def _imported_by_call(ctx: ModuleContext, call: nodes.Call) -> str | None:
    """The absolute module name an importing call names by a literal, None for any other
    call; `import_module(".x", package)` resolved as importlib resolves it."""
    callee = call.func.attrname if isinstance(call.func, nodes.Attribute) else \
        getattr(call.func, "name", None)
    name = _first_argument(call)
    if callee not in IMPORTING_CALLS or not name:
        return None
    level = len(name) - len(name.lstrip("."))
    if not level:
        return name
    if callee != "import_module":
        return None             # __import__'s level is an argument of its own
    package = _package_argument(ctx, call)
    bits = package.rsplit(".", level - 1) if package else []
    if len(bits) < level:
        return None
    rest = name[level:]
    return f"{bits[0]}.{rest}" if rest else bits[0]


def _first_argument(call: nodes.Call) -> str | None:
    first = call.args[0] if call.args else next(
        (k.value for k in call.keywords or () if k.arg == "name"), None)
    if isinstance(first, nodes.Const) and isinstance(first.value, str):
        return first.value.strip()
    return None


def _package_argument(ctx: ModuleContext, call: nodes.Call) -> str | None:
    value = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords or () if k.arg == "package"), None)
    if isinstance(value, nodes.Const) and isinstance(value.value, str):
        return value.value
    if isinstance(value, nodes.Name) and value.name == "__name__":
        return ctx.module_name
    if isinstance(value, nodes.Name) and value.name == "__package__":
        return (ctx.module_name if ctx.parsed.source.is_package
                else ctx.module_name.rpartition(".")[0])
    return None


def _plain_import_targets(ctx: ModuleContext, statement: nodes.Import) -> dict:
    """`import a.b.c`: the deepest project module it names, else External a.b.c."""
    targets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, _alias in statement.names:
        if name in namespace_packages(ctx.project):
            continue
        local = longest_local_prefix(ctx.project, name)
        targets[("Module", local) if local else ("External", name)].append(name)
    return targets


def _from_import_targets(ctx: ModuleContext, statement: nodes.ImportFrom,
                         is_package: bool) -> dict:
    targets: dict[tuple[str, str], list[str]] = defaultdict(list)
    base = absolute_name(ctx.module_name, is_package, statement.modname or None,
                         statement.level)
    if base is None:
        return targets
    project = ctx.project
    names = [name for name, _alias in statement.names]
    if base in project.modules:
        for name in names:
            if name != "*" and f"{base}.{name}" in project.modules:
                targets[("Module", f"{base}.{name}")].append(name)
            else:
                targets[("Module", base)].append(name)
    elif base in namespace_packages(project):
        for name in names:
            if f"{base}.{name}" in project.modules:
                targets[("Module", f"{base}.{name}")].append(name)
    elif statement.level:
        pass                    # `from .missing import x`: nothing in the project to point at
    elif local := longest_local_prefix(project, base):
        targets[("Module", local)] = names      # a missing submodule: its nearest package
    else:
        targets[("External", base)] = names
    return targets


def _edge(ctx: ModuleContext, label: str, target: str, names: list[str], flags: dict) -> None:
    if label == "Module":
        if target == ctx.module_name:
            return              # `from . import x` inside pkg/__init__: x is pkg's own name
        dst = f"{ctx.repo}:Module:{target}"
    else:
        dst = ctx.project.external_id(target)
        if ctx.facts.node("External", dst) is None:     # the calls step may know its io
            ctx.facts.add_node("External", dst, repo=ctx.repo, name=target.rsplit(".", 1)[-1],
                               qualname=target, io="")
    ctx.facts.add_edge("IMPORTS", "Module", ctx.project.id_of(ctx.tree), label, dst,
                       names=names, **flags)


def under_type_checking(node: nodes.NodeNG) -> bool:
    """Inside `if TYPE_CHECKING:` (or the else branch of `if not TYPE_CHECKING:`)."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, nodes.Module):
        if isinstance(parent, nodes.If):
            test, negated = parent.test, False
            if isinstance(test, nodes.UnaryOp) and test.op == "not":
                test, negated = test.operand, True
            if _is_type_checking(test):
                in_body = child in parent.body
                return in_body != negated
        child, parent = parent, parent.parent
    return False


def _is_type_checking(test: nodes.NodeNG) -> bool:
    return (isinstance(test, nodes.Name) and test.name == "TYPE_CHECKING") or \
        (isinstance(test, nodes.Attribute) and test.attrname == "TYPE_CHECKING")


def namespace_packages(project) -> frozenset[str]:
    """Folders without `__init__.py` that hold project modules: importable, but no Module node."""
    found = project.pending.get("imports.namespaces")
    if found is None:
        found = frozenset(".".join(name.split(".")[:end]) for name in project.modules
                          for end in range(1, name.count(".") + 1)) - set(project.modules)
        project.pending["imports.namespaces"] = found
    return found


def in_function(node: nodes.NodeNG) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, FUNCTIONS + (nodes.Lambda,)):
            return True
        parent = parent.parent
    return False
