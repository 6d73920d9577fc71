"""SPAWNS: subprocess calls that run the project itself again.

A call to subprocess, os.system/exec*/spawn* or asyncio's subprocess
functions whose command line can be rebuilt from the source (argv.py)
SPAWNS the Module it runs with `-m pkg.mod` (behind any launcher: `python3`,
`accelerate launch`, `torchrun ...`, `uv run`), a package's `__main__`, or
a project file it runs by path (`python scripts/train.py`), or
the EntryPoint of the longest console-script command line it starts with
(`lem campaign run ...` -> `lem campaign run`). Console scripts are known
only after every module is read, so those matches are made in
extract_project, called by entrypoints.extract_project.

The CallSite node is the calls step's; this step only adds the edge, and a
minimal CallSite when none exists yet, so the edge survives on its own.
"""

from __future__ import annotations

import os

from astroid import nodes

from kg.loader.argv import Token, Unknown, argv_of, text
from kg.loader.context import ModuleContext, Project
from kg.loader.import_names import qualname_of

# qualname -> how the command is passed: (form, position of the first argument that counts)
#   argv: a list (or a string) at that position; shell: a string there;
#   args: every positional argument from there on is one argv item.
SPAWNERS: dict[str, tuple[str, int]] = {
    **{f"subprocess.{f}": ("argv", 0)
       for f in ("run", "call", "check_call", "check_output", "Popen")},
    **{f"subprocess.{f}": ("shell", 0) for f in ("getoutput", "getstatusoutput")},
    "os.system": ("shell", 0), "os.popen": ("shell", 0),
    "asyncio.create_subprocess_exec": ("args", 0),
    "asyncio.create_subprocess_shell": ("shell", 0),
    **{f"os.{f}": ("argv", 1) for f in ("execv", "execve", "execvp", "execvpe",
                                        "posix_spawn", "posix_spawnp")},
    **{f"os.{f}": ("args", 1) for f in ("execl", "execle", "execlp", "execlpe")},
    **{f"os.{f}": ("argv", 2) for f in ("spawnv", "spawnve", "spawnvp", "spawnvpe")},
    **{f"os.{f}": ("args", 2) for f in ("spawnl", "spawnle", "spawnlp", "spawnlpe")},
}
SHORT_NAMES = {name.rsplit(".", 1)[-1] for name in SPAWNERS}
MODULE_FLAGS = ("-m", "--module")
RUNNERS = {"uv", "poetry", "pdm", "hatch", "pipx", "rye"}   # `uv run lem ...`


def extract(ctx: ModuleContext) -> None:
    for call in ctx.nodes_of(nodes.Call):
        func = call.func
        short = func.attrname if isinstance(func, nodes.Attribute) else \
            func.name if isinstance(func, nodes.Name) else None
        if short not in SHORT_NAMES:
            continue
        form = SPAWNERS.get(qualname_of(ctx.project, func) or "")
        if form is None:
            continue
        argv = _argv(ctx, call, *form)
        if argv:
            _spawn(ctx, call, argv)


def _argv(ctx: ModuleContext, call: nodes.Call, form: str, position: int) -> list[Token]:
    args = list(call.args)
    if form == "args":
        if args and isinstance(call.func, nodes.Attribute) and call.func.attrname[-1] == "e":
            args = args[:-1]                    # execle/spawnle: the last one is the env
        out: list[Token] = []
        for arg in args[position:]:
            if isinstance(arg, nodes.Starred):
                out.extend(argv_of(ctx, arg.value))
            else:
                out.append(text(ctx, arg, 0))
        return out
    value = args[position] if len(args) > position else _keyword(call, ("args", "command", "cmd"))
    return argv_of(ctx, value) if value is not None else []


def _keyword(call: nodes.Call, names: tuple[str, ...]) -> nodes.NodeNG | None:
    return next((k.value for k in call.keywords or [] if k.arg in names), None)


def _spawn(ctx: ModuleContext, call: nodes.Call, argv: list[Token]) -> None:
    call_site = ctx.call_site_id(call)
    command = " ".join(str(t) for t in argv)
    site = {**ctx.position(call), "callee_text": call.func.as_string(), "col": call.col_offset}
    module = spawned_module(ctx.project, argv)
    if module is None:
        ctx.project.pending.setdefault("spawns.commands", []).append(
            (call_site, site, argv, command))
        return
    _ensure_call_site(ctx.project, call_site, site)
    ctx.facts.add_edge("SPAWNS", "CallSite", call_site, "Module",
                       f"{ctx.repo}:Module:{module}", command=command)


def spawned_module(project: Project, argv: list[Token]) -> str | None:
    """The project module the command line runs: `-m pkg.mod` (a package runs its
    `__main__`), else a script path such as `scripts/train.py` naming one project file."""
    return _module_flag(project, argv) or _script_path(project, argv)


def _script_path(project: Project, argv: list[Token]) -> str | None:
    for token in argv[:3]:
        if isinstance(token, str) and token.endswith(".py") and "{" not in token:
            path = token.replace("\\", "/").removeprefix("./")
            found = [name for name, parsed in project.modules.items()
                     if parsed.source.rel == path or parsed.source.rel.endswith("/" + path)]
            return found[0] if len(found) == 1 else None
    return None


def _module_flag(project: Project, argv: list[Token]) -> str | None:
    for i, token in enumerate(argv):
        if token in MODULE_FLAGS and i + 1 < len(argv):
            name = argv[i + 1]
        elif isinstance(token, str) and token.startswith("-m") and len(token) > 2:
            name = token[2:]                    # python -mpkg.mod
        else:
            continue
        return _runnable(project, name) if isinstance(name, str) else None
    return None


def _runnable(project: Project, name: str) -> str | None:
    parsed = project.modules.get(name)
    if parsed is None:
        return None
    if parsed.source.is_package:
        return f"{name}.__main__" if f"{name}.__main__" in project.modules else None
    return name


def extract_project(project: Project) -> None:
    """Match the remaining command lines against the project's console-script commands."""
    commands: dict[tuple[str, ...], str] = {}
    for kind in ("cli_command", "console_script"):      # a console script wins a tie
        commands.update({tuple(row["name"].split()): ep for ep, row in
                         sorted(project.facts.nodes["EntryPoint"].items())
                         if row.get("kind") == kind})
    longest = max((len(words) for words in commands), default=0)
    for call_site, site, argv, command in project.pending.get("spawns.commands", []):
        words = _command_words(argv)
        for n in range(min(longest, len(words)), 0, -1):
            ep = commands.get(tuple(words[:n]))
            if ep is not None:
                _ensure_call_site(project, call_site, site)
                project.facts.add_edge("SPAWNS", "CallSite", call_site, "EntryPoint", ep,
                                       command=command)
                break


def _command_words(argv: list[Token]) -> list[str]:
    """The words a console script sees: the program's file name first, launchers dropped."""
    words = list(argv)
    if len(words) > 2 and isinstance(words[0], str) and \
            os.path.basename(words[0]) in RUNNERS and words[1] == "run":
        words = words[2:]
    out: list[str] = []
    for i, word in enumerate(words):
        if isinstance(word, Unknown):
            break
        out.append(os.path.basename(word) if i == 0 else word)
    return out


def _ensure_call_site(project: Project, call_site: str, site: dict) -> None:
    """A minimal CallSite when the calls step has not made one, so SPAWNS is not dropped."""
    if project.facts.node("CallSite", call_site) is None:
        project.facts.add_node("CallSite", call_site, **site)
