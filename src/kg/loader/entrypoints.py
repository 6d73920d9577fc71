"""EntryPoint nodes and ENTERS: where a run of the project can start.

Five kinds: console scripts declared in the project's config, click/typer
commands (full command lines such as `lem campaign run`), `if __name__ ==
"__main__":` blocks, packages' `__main__.py` (`python -m pkg`), and files a
tool runs by their name and place, which nothing imports (`tool_run`:
setup.py, noxfile.py, fabfile.py outside a package, Sphinx's conf.py in a docs
folder, and in code that uses Django the modules it finds by convention: an
app's admin, apps, models, urls, migrations, template tags and management
commands, the project's settings, wsgi and asgi), with the functions the tool
calls in them (conf.py's `setup`, nox sessions, fabric tasks).

Each module contributes its main blocks and what it registers on command
trees; the trees, the console scripts and the command names are resolved
once after all modules, since a command is usually defined in one module,
registered in another and named in pyproject.toml. A command tree is named
after the console scripts that point at it, failing that after its root's
own name (the group function's click name, the Typer's `name=` or variable).
A main block or `__main__.py` that calls a CLI object ENTERS all its commands.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from astroid import nodes

from kg.loader import commands, spawns
from kg.loader.console_scripts import Script, console_scripts
from kg.loader.context import FUNCTIONS, ModuleContext, Project
from kg.loader.import_names import canonical, definition, longest_local_prefix, qualname_of

NESTED_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)
RUN_FUNCTIONS = {"typer.run", "typer.main.run"}
# file name -> the tool that runs it, and how it picks the module-level functions it calls:
# by name, or by the last part of a decorator's name
TOOL_FILES = {"setup.py": ("setuptools", None, None),
              "noxfile.py": ("nox", None, "session"),
              "fabfile.py": ("fabric", None, "task"),
              "conf.py": ("sphinx", "setup", None)}
DOCS_FOLDERS = {"doc", "docs"}
# Modules Django finds by convention in a project that uses it, never imported by name:
# an app's module of these names, and any module of these folders of an app
DJANGO_MODULES = {"admin", "apps", "models", "urls", "wsgi", "asgi", "settings"}
DJANGO_FOLDERS = {"migrations", "templatetags", "commands"}    # commands: management/commands


def extract(ctx: ModuleContext) -> None:
    for node in ctx.nodes_of(FUNCTIONS + (nodes.Call,)):
        commands.collect(ctx, node)
    for block in main_blocks(ctx.tree):
        ep = _entry_point(ctx.project, "main_block", ctx.module_name, target=ctx.module_name,
                          source=f"{ctx.file}:{block.lineno}", **ctx.position(block))
        _enters(ctx.project, ep, ctx.tree)
        _runs(ctx, ep, block.body)
    package, _, last = ctx.module_name.rpartition(".")
    if last == "__main__" and package:
        ep = _entry_point(ctx.project, "module_exec", f"python -m {package}",
                          target=ctx.module_name, source=ctx.file, repo=ctx.repo,
                          file=ctx.file, line=1, end_line=ctx.tree.tolineno or 1)
        _enters(ctx.project, ep, ctx.tree)
        _runs(ctx, ep, ctx.tree.body)


def _tool_runs(project: Project) -> None:
    """Files a tool runs by their name and place: outside any package (the folder is no
    module of the load), and for Sphinx's conf.py, in a docs folder. Project-wide, since
    whether a folder is a package can change with no edit of the file itself."""
    for module, parsed in sorted(project.modules.items()):
        folders, _, name = parsed.source.rel.rpartition("/")
        if (name not in TOOL_FILES or parsed.tree is None
                or module.rpartition(".")[0] in project.modules):
            continue
        if name == "conf.py" and not DOCS_FOLDERS & set(folders.split("/")):
            continue
        _tool_run(project, parsed.tree, parsed.source.rel, *TOOL_FILES[name])
    if _uses_django(project):
        for module, parsed in sorted(project.modules.items()):
            if parsed.tree is not None and _found_by_django(module, parsed.source):
                _tool_run(project, parsed.tree, parsed.source.rel, "django", None, None)


def _uses_django(project: Project) -> bool:
    """Whether the loaded code imports Django, or is Django."""
    return ("django" in project.modules
            or any(row.get("qualname", "").partition(".")[0] == "django"
                   for row in project.facts.nodes["External"].values()))


def _found_by_django(module: str, source) -> bool:
    *package, last = module.split(".")
    if source.is_package or source.is_test or not package:
        return False
    if last in DJANGO_MODULES:
        return True
    folder = package[-1]
    if folder == "commands":
        return package[-2:-1] == ["management"]
    return folder in DJANGO_FOLDERS


def _tool_run(project: Project, tree: nodes.Module, file: str, tool: str, called: str | None,
              decorator: str | None) -> None:
    ep = _entry_point(project, "tool_run", f"{tool} {file}", target=tree.name, source=file,
                      repo=project.repo, file=file, line=1, end_line=tree.tolineno or 1)
    _enters(project, ep, tree)
    for function in tree.body:
        if not isinstance(function, nodes.FunctionDef | nodes.AsyncFunctionDef):
            continue
        decorators = function.decorators.nodes if function.decorators else []
        if function.name == called or (decorator is not None and any(
                _decorator_name(d).rpartition(".")[2] == decorator for d in decorators)):
            _enters(project, ep, function)


def _decorator_name(node: nodes.NodeNG) -> str:
    """`nox.session`, also when called: `@nox.session(python=...)`."""
    return (node.func if isinstance(node, nodes.Call) else node).as_string()


def extract_project(project: Project, root: Path) -> None:
    tree = commands.build(project)
    starts: dict[str, list[str]] = defaultdict(list)     # CLI object -> command prefixes
    subprojects = tuple(sorted({p.source.project for p in project.modules.values()} - {""}))
    for script in console_scripts(root, subprojects):
        key = _console_script(project, tree, script)
        if key is not None:
            starts[key].append(script.name)
    for ep, called in project.pending.get("entrypoints.runners", []):
        key = canonical(project, called)
        if key in tree.objects:
            for function in tree.functions(key):
                _enters(project, ep, definition(project, function))
    for key in tree.roots:
        if key not in starts:
            obj = tree.objects[key]
            starts[key].append(obj.name or commands.default_name(obj))
    for key in sorted(starts):
        for prefix in sorted(set(starts[key])):
            for command in tree.commands(key, prefix):
                ep = _entry_point(project, "cli_command", command.name, target=command.function,
                                  source=f"{command.file}:{command.line}", repo=project.repo,
                                  file=command.file, line=command.line, end_line=command.line)
                _enters(project, ep, definition(project, command.function))
    _tool_runs(project)
    spawns.extract_project(project)


def main_blocks(tree: nodes.Module) -> list[nodes.If]:
    return [s for s in tree.body if isinstance(s, nodes.If) and _is_main_test(s.test)]


def _is_main_test(test: nodes.NodeNG) -> bool:
    if not isinstance(test, nodes.Compare) or len(test.ops) != 1 or test.ops[0][0] != "==":
        return False
    sides = {_text(test.left), _text(test.ops[0][1])}
    return sides == {"__name__", "'__main__'"}


def _text(node: nodes.NodeNG) -> str:
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return repr(node.value)
    return node.as_string() if isinstance(node, nodes.Name) else ""


def _console_script(project: Project, tree: commands.CliTree, script: Script) -> str | None:
    """The console script's EntryPoint; the CLI object it runs, if it runs one."""
    key = canonical(project, _in_load(project, script))
    if longest_local_prefix(project, key) is None:
        return None                 # declared for code that is not part of this load
    ep = _entry_point(project, "console_script", script.name, target=script.target,
                      source=f"{script.file} {script.section}", repo=project.repo,
                      file=script.file, line=script.line, end_line=script.line)
    if key in tree.objects:
        for function in tree.functions(key):
            _enters(project, ep, definition(project, function))
        return key
    _enters(project, ep, definition(project, key))
    return None


def _in_load(project: Project, script: Script) -> str:
    """The script's target as this load names it: a sub-project's module may have been
    named by its path, its own name being taken (discover.py)."""
    if not script.project:
        return script.qualname
    named = {p.source.local: p.source.module for p in project.modules.values()
             if p.source.project == script.project}
    parts = script.qualname.split(".")
    for end in range(len(parts), 0, -1):
        module = named.get(".".join(parts[:end]))
        if module is not None:
            return ".".join([module, *parts[end:]])
    return script.qualname


def _runs(ctx: ModuleContext, ep: str, statements: list[nodes.NodeNG]) -> None:
    """What the statements of a main block or `__main__.py` call: functions and CLI objects."""
    for statement in statements:
        if isinstance(statement, NESTED_SCOPES):
            continue
        for call in statement.nodes_of_class(nodes.Call, skip_klass=NESTED_SCOPES):
            if not isinstance(call.func, nodes.Name | nodes.Attribute):
                continue
            for value in ctx.infer(call.func):
                if isinstance(value, FUNCTIONS) and ctx.project.is_local(value):
                    _enters(ctx.project, ep, value)
            called = qualname_of(ctx.project, call.func)
            if called in RUN_FUNCTIONS and call.args:
                target = qualname_of(ctx.project, call.args[0])
                _enters(ctx.project, ep, definition(ctx.project, target) if target else None)
            elif called:
                ctx.project.pending.setdefault("entrypoints.runners", []).append((ep, called))


def _entry_point(project: Project, kind: str, name: str, **props) -> str:
    ep = f"{project.repo}:EntryPoint:{kind}:{name}"
    project.facts.add_node("EntryPoint", ep, name=name, kind=kind, **props)
    return ep


def _enters(project: Project, ep: str, target: nodes.NodeNG | None) -> None:
    """ENTERS from an EntryPoint to a local Function or Module, once per pair."""
    kg_id = project.id_of(target) if target is not None else None
    if kg_id is None or not isinstance(target, FUNCTIONS + (nodes.Module,)):
        return
    done = project.pending.setdefault("entrypoints.enters", set())
    if (ep, kg_id) in done:
        return
    done.add((ep, kg_id))
    label = "Module" if isinstance(target, nodes.Module) else "Function"
    project.facts.add_edge("ENTERS", "EntryPoint", ep, label, kg_id)
