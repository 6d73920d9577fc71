"""Console scripts a project declares: PEP 621, poetry, setup.cfg and setup.py.

Read from the loaded folder or the nearest folder above it that holds a
pyproject.toml, setup.cfg or setup.py (the loaded path may be `src/pkg`), stopping
at a repository's top (a `.git`); and from each sub-project of the loaded folder
(discover.py: a monorepo's `packages/cli`), whose targets name its own modules.
setup.py is read, never run: only `setup(entry_points=...)` given as literals
(a dict of lists, or the INI text) counts.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - python 3.10
    import tomli as tomllib

CONFIG_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


@dataclass(frozen=True)
class Script:
    name: str           # the command a user types: `lem`
    target: str         # `lem.cli:app`
    file: str           # the config file, relative to the loaded root
    line: int
    section: str        # `[project.scripts]`
    project: str = ""   # the sub-project that declares it, relative to the loaded root

    @property
    def qualname(self) -> str:
        """`lem.cli:app` as the dotted name `lem.cli.app`."""
        return self.target.replace(":", ".")


def console_scripts(root: Path, projects: tuple[str, ...] = ()) -> list[Script]:
    """The scripts of the loaded folder's project, and of each of its sub-projects
    (folders relative to root)."""
    root = Path(root).resolve()
    folders = [("", config_folder(root)), *((p, root / p) for p in projects)]
    scripts: list[Script] = []
    for project, folder in folders:
        if folder is None:
            continue
        for name in CONFIG_FILES:
            path = folder / name
            if path.is_file():
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                scripts.extend(Script(s.name, s.target, s.file, s.line, s.section, project)
                               for s in READERS[name](path, rel))
    return sorted(set(scripts), key=lambda s: (s.name, s.target, s.file))


def config_folder(start: Path) -> Path | None:
    folder = start if start.is_dir() else start.parent
    while True:
        if any((folder / name).is_file() for name in CONFIG_FILES):
            return folder
        if (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent


def _pyproject(path: Path, rel: str) -> list[Script]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    tables = [("[project.scripts]", data.get("project", {}).get("scripts", {})),
              ("[project.gui-scripts]", data.get("project", {}).get("gui-scripts", {})),
              ("[tool.poetry.scripts]",
               data.get("tool", {}).get("poetry", {}).get("scripts", {}))]
    out = []
    for section, table in tables:
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            target = _poetry_reference(value)
            if target:
                out.append(Script(name, _clean(target), rel, _line_of(text, name), section))
    return out


def _poetry_reference(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):     # poetry: {reference = "pkg.cli:app", type = "console"}
        target = value.get("reference") or value.get("callable")
        if isinstance(target, str) and value.get("type", "console") == "console":
            return target
    return None


def _setup_cfg(path: Path, rel: str) -> list[Script]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        text = path.read_text(encoding="utf-8")
        parser.read_string(text)
        block = parser.get("options.entry_points", "console_scripts", fallback="")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return []
    out = []
    for entry in block.splitlines():
        name, sep, target = entry.partition("=")
        if sep and name.strip() and target.strip():
            out.append(Script(name.strip(), _clean(target), rel, _line_of(text, name.strip()),
                              "[options.entry_points] console_scripts"))
    return out


def _setup_py(path: Path, rel: str) -> list[Script]:
    """`setup(entry_points={"console_scripts": ["name = pkg.cli:main"]})`, or the same as
    INI text, when written as literals in the call."""
    try:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return []
    out = []
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and _called_name(call.func) == "setup"):
            continue
        for keyword in call.keywords:
            if keyword.arg != "entry_points":
                continue
            for entry, line in _setup_py_entries(keyword.value):
                name, sep, target = entry.partition("=")
                if sep and name.strip() and target.strip():
                    out.append(Script(name.strip(), _clean(target), rel, line,
                                      "setup(entry_points) console_scripts"))
    return out


def _called_name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _setup_py_entries(value: ast.expr) -> list[tuple[str, int]]:
    """The console_scripts entries of a literal entry_points, each with its line."""
    try:
        literal = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return []
    if isinstance(literal, dict):
        entries = literal.get("console_scripts") or []
        if isinstance(entries, str):
            entries = entries.splitlines()
        lines = {n.value: n.lineno for n in ast.walk(value)
                 if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        return [(e, lines.get(e, value.lineno)) for e in entries
                if isinstance(e, str) and e.strip()]
    if isinstance(literal, str):
        parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
        parser.optionxform = str        # script names keep their case
        try:
            parser.read_string(literal)
        except configparser.Error:
            return []
        if not parser.has_section("console_scripts"):
            return []
        return [(f"{k}={v}", value.lineno + _line_in(literal, k))
                for k, v in parser.items("console_scripts")]
    return []


def _line_in(text: str, name: str) -> int:
    """Lines before the one declaring name in a string literal (which starts on the line
    of its opening quote)."""
    return _line_of(text, name) - 1


def _clean(target: str) -> str:
    """`pkg.cli:app [extra]` -> `pkg.cli:app`."""
    return target.split("[")[0].strip()


def _line_of(text: str, name: str) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


READERS = {"pyproject.toml": _pyproject, "setup.cfg": _setup_cfg, "setup.py": _setup_py}
