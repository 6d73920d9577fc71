"""Console scripts a project declares: PEP 621, poetry, and setup.cfg.

Read from the loaded folder or the nearest folder above it that holds a
pyproject.toml or setup.cfg (the loaded path may be `src/pkg`), stopping at a
repository's top (a `.git`).
"""

from __future__ import annotations

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

CONFIG_FILES = ("pyproject.toml", "setup.cfg")


@dataclass(frozen=True)
class Script:
    name: str           # the command a user types: `lem`
    target: str         # `lem.cli:app`
    file: str           # the config file, relative to the loaded root
    line: int
    section: str        # `[project.scripts]`

    @property
    def qualname(self) -> str:
        """`lem.cli:app` as the dotted name `lem.cli.app`."""
        return self.target.replace(":", ".")


def console_scripts(root: Path) -> list[Script]:
    folder = config_folder(Path(root).resolve())
    if folder is None:
        return []
    scripts: list[Script] = []
    for name in CONFIG_FILES:
        path = folder / name
        if path.is_file():
            reader = _pyproject if name == "pyproject.toml" else _setup_cfg
            scripts.extend(reader(path, os.path.relpath(path, root).replace(os.sep, "/")))
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


def _clean(target: str) -> str:
    """`pkg.cli:app [extra]` -> `pkg.cli:app`."""
    return target.split("[")[0].strip()


def _line_of(text: str, name: str) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1
