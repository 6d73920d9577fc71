"""click and typer command trees, recognised from the source alone.

Neither library needs to be installed: `click.group`, `typer.Typer` and
friends are recognised by the dotted names the import statements give them,
and every CLI object is keyed by its qualified name (`lem.cli.app` for a
Typer instance, `pkg.cli.main` for a click group function). Each module
contributes objects and registrations; the tree is resolved once all modules
are read, because a sub-app is often defined in one module and added in another.

Default command names follow the libraries: typer lowercases the function
name and turns `_` into `-`; click (8.2+) does the same and then drops a
`-command`, `-cmd`, `-group` or `-grp` suffix. typer (0.14+) merges a sub-app
added without any name into its parent, and runs a top-level app with a
single command, no callback and no sub-apps as that command itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from astroid import nodes

from kg.loader.context import FUNCTIONS, ModuleContext, Project
from kg.loader.import_names import definition, qualname_of

CLICK_FACTORIES = {"click.command": False, "click.group": True,
                   "click.decorators.command": False, "click.decorators.group": True}
APP_CLASSES = {"typer.Typer": "typer", "typer.main.Typer": "typer",
               "click.Group": "click", "click.core.Group": "click"}
DECORATOR_METHODS = {"command", "group", "callback"}
ADD_METHODS = {"add_command", "add_typer"}
INTERESTING = DECORATOR_METHODS | ADD_METHODS | {"Typer", "Group"}


@dataclass
class CliObject:
    key: str                    # qualified name of the Typer/Group variable or the function
    framework: str              # click | typer
    is_group: bool
    function: str | None        # qualified name of the command's own function
    name: str | None            # as given in the source
    file: str
    line: int


@dataclass(frozen=True, order=True)
class Registration:
    parent: str                 # the receiver's qualified name
    child: str                  # qualified name of the function or object registered
    method: str                 # command, group, callback, add_command, add_typer
    name: str | None
    file: str
    line: int


@dataclass
class CliRegistry:
    objects: dict[str, CliObject] = field(default_factory=dict)
    registrations: list[Registration] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class Command:
    name: str                   # full command line: `lem campaign run`
    function: str               # qualified name of the function it enters
    file: str
    line: int


def registry_of(project: Project) -> CliRegistry:
    return project.pending.setdefault("cli", CliRegistry())


# ---- collecting, module by module ---------------------------------------------------------

def collect(ctx: ModuleContext, node: nodes.NodeNG) -> None:
    """Record what one function definition or call contributes to a command tree."""
    if isinstance(node, FUNCTIONS):
        if node.decorators:
            for decorator in node.decorators.nodes:
                _decorator(ctx, node, decorator)
    elif isinstance(node, nodes.Call) and not isinstance(node.parent, nodes.Decorators):
        _call(ctx, node)


def _decorator(ctx: ModuleContext, function: nodes.FunctionDef, decorator: nodes.NodeNG) -> None:
    call = decorator if isinstance(decorator, nodes.Call) else None
    func = call.func if call is not None else decorator
    if _last_name(func) not in DECORATOR_METHODS:
        return
    registry = registry_of(ctx.project)
    qualname = qualname_of(ctx.project, func)
    name = _name_argument(call)
    if qualname in CLICK_FACTORIES:
        registry.objects[function.qname()] = CliObject(
            function.qname(), "click", CLICK_FACTORIES[qualname], function.qname(), name,
            ctx.file, function.lineno)
    elif isinstance(func, nodes.Attribute):
        receiver = qualname_of(ctx.project, func.expr)
        if receiver and receiver not in ("click", "typer"):
            registry.registrations.append(Registration(
                receiver, function.qname(), func.attrname, name, ctx.file, decorator.lineno))


def _call(ctx: ModuleContext, call: nodes.Call) -> None:
    func = call.func
    if isinstance(func, nodes.Call):            # app.command("name")(function)
        inner = func.func
        if (isinstance(inner, nodes.Attribute) and inner.attrname in DECORATOR_METHODS
                and call.args):
            _register(ctx, inner.expr, call.args[0], inner.attrname, _name_argument(func), call)
        return
    last = _last_name(func)
    if last not in INTERESTING:
        return
    if last in ADD_METHODS and isinstance(func, nodes.Attribute) and call.args:
        name = _name_argument(call, position=1)
        _register(ctx, func.expr, call.args[0], func.attrname, name, call)
    elif last in ("Typer", "Group"):
        _app(ctx, call)


def _register(ctx: ModuleContext, receiver: nodes.NodeNG, child: nodes.NodeNG, method: str,
              name: str | None, at: nodes.NodeNG) -> None:
    parent_key = qualname_of(ctx.project, receiver)
    child_key = qualname_of(ctx.project, child)
    if parent_key and child_key:
        registry_of(ctx.project).registrations.append(
            Registration(parent_key, child_key, method, name, ctx.file, at.lineno))


def _app(ctx: ModuleContext, call: nodes.Call) -> None:
    """`app = typer.Typer(...)` or `cli = click.Group(...)` at module level."""
    framework = APP_CLASSES.get(qualname_of(ctx.project, call.func) or "")
    assign = call.parent
    if framework is None or not isinstance(assign, nodes.Assign) or len(assign.targets) != 1:
        return
    target = assign.targets[0]
    if not isinstance(target, nodes.AssignName) or not isinstance(assign.scope(), nodes.Module):
        return
    key = f"{ctx.module_name}.{target.name}"
    registry = registry_of(ctx.project)
    registry.objects[key] = CliObject(key, framework, True, None, _keyword(call, "name"),
                                      ctx.file, call.lineno)
    callback = next((k.value for k in call.keywords or [] if k.arg == "callback"), None)
    if callback is not None:
        callback_key = qualname_of(ctx.project, callback)
        if callback_key:
            registry.registrations.append(
                Registration(key, callback_key, "callback", None, ctx.file, call.lineno))


def _last_name(func: nodes.NodeNG) -> str | None:
    if isinstance(func, nodes.Attribute):
        return func.attrname
    if isinstance(func, nodes.Name):
        return func.name
    return None


def _name_argument(call: nodes.Call | None, position: int = 0) -> str | None:
    if call is None:
        return None
    if len(call.args) > position:
        value = call.args[position]
        return value.value if isinstance(value, nodes.Const) and isinstance(value.value, str) \
            else None
    return _keyword(call, "name")


def _keyword(call: nodes.Call, name: str) -> str | None:
    for keyword in call.keywords or []:
        if keyword.arg == name and isinstance(keyword.value, nodes.Const) \
                and isinstance(keyword.value.value, str):
            return keyword.value.value
    return None


# ---- resolving, once for the project ------------------------------------------------------

@dataclass
class CliTree:
    objects: dict[str, CliObject]
    children: dict[str, list[tuple[Registration, CliObject]]]
    callbacks: dict[str, Registration]
    roots: list[str]

    def functions(self, key: str) -> list[str]:
        """Every function a run of this object can enter: callbacks and commands below it."""
        found: set[str] = set()
        stack, seen = [key], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            obj = self.objects[current]
            if obj.function:
                found.add(obj.function)
            if current in self.callbacks:
                found.add(self.callbacks[current].child)
            stack.extend(child.key for _reg, child in self.children.get(current, []))
        return sorted(found)

    def commands(self, key: str, prefix: str) -> list[Command]:
        """The full command lines under an object invoked as `prefix`."""
        out = []
        for obj, name in self._walk(key, prefix, set(), top=True):
            function = self.callbacks[obj.key].child if obj.key in self.callbacks \
                else obj.function
            if function:
                reg = self.callbacks.get(obj.key)
                file, line = (reg.file, reg.line) if reg else (obj.file, obj.line)
                out.append(Command(name, function, file, line))
        return sorted(set(out))

    def _walk(self, key: str, name: str, seen: set[str], top: bool = False) -> \
            Iterator[tuple[CliObject, str]]:
        obj = self.objects[key]
        if key in seen:
            return
        seen = seen | {key}
        children = self.children.get(key, [])
        if top and obj.framework == "typer" and key not in self.callbacks and \
                len(children) == 1 and not children[0][1].is_group:
            reg, child = children[0]        # typer runs a lone command as the app itself
            yield _at(child, reg), name
            return
        yield obj, name
        for reg, child in children:
            child_name = reg.name or child.name or default_name(child)
            if child.framework == "typer" and child.is_group and not (reg.name or child.name):
                child_name = ""             # typer merges an unnamed sub-app into its parent
            full = f"{name} {child_name}".strip() if child_name else name
            if child.is_group:
                yield from self._walk(child.key, full, seen)
            else:
                yield _at(child, reg), full


def _at(child: CliObject, reg: Registration) -> CliObject:
    """The command as registered: its source position is the registration's."""
    return CliObject(child.key, child.framework, child.is_group, child.function, child.name,
                     reg.file, reg.line)


def default_name(obj: CliObject) -> str:
    base = (obj.function or obj.key).rsplit(".", 1)[-1]
    name = base.lower().replace("_", "-")
    if obj.framework == "click":
        left, sep, suffix = name.rpartition("-")
        if sep and suffix in {"command", "cmd", "group", "grp"}:
            name = left
    return name


def build(project: Project) -> CliTree:
    registry = registry_of(project)
    objects = dict(registry.objects)
    children: dict[str, list[tuple[Registration, CliObject]]] = defaultdict(list)
    callbacks: dict[str, Registration] = {}
    added: set[str] = set()
    waiting = sorted(set(registry.registrations))
    progress = True
    while progress:          # a registration counts once its receiver is known to be a CLI object
        progress = False
        for reg in list(waiting):
            parent = objects.get(reg.parent)
            if parent is None:
                continue
            waiting.remove(reg)
            progress = True
            if not parent.is_group:
                continue
            if reg.method == "callback":
                if _function_node(project, reg.child) is not None:
                    callbacks.setdefault(parent.key, reg)
                continue
            child = objects.get(reg.child)
            if child is None and reg.method in DECORATOR_METHODS:
                child = _function_object(project, reg, parent.framework)
                if child is not None:
                    objects[child.key] = child
            if child is not None and child.key != parent.key:
                children[parent.key].append((reg, child))
                added.add(child.key)
    roots = sorted(k for k in objects if k not in added)
    return CliTree(objects, dict(children), callbacks, roots)


def _function_object(project: Project, reg: Registration, framework: str) -> CliObject | None:
    if _function_node(project, reg.child) is None:
        return None
    return CliObject(reg.child, framework, reg.method == "group", reg.child, None,
                     reg.file, reg.line)


def _function_node(project: Project, qualname: str):
    node = definition(project, qualname)
    return node if isinstance(node, FUNCTIONS) else None
