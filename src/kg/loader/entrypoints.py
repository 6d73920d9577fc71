"""EntryPoint nodes and ENTERS: where a run of the project can start.

Four kinds: console scripts declared in the project's config, click/typer
commands (full command lines such as `lem campaign run`), `if __name__ ==
"__main__":` blocks, and packages' `__main__.py` (`python -m pkg`).

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
