"""The audited project's own settings: `[tool.kg]` in its pyproject.toml, or a kg.toml.

    [tool.kg]
    exclude = ["migrations/*"]  # kg load: globs below the loaded folder, as --exclude
    inference_budget = 3000000  # kg load: inference steps per module, as --inference-budget
    max_file_size = 10          # kg load: MB, as --max-file-size
    [tool.kg.params]            # any rule's parameter, by name
    max_lines = 80
    [tool.kg.rules.long-function]
    severity = "medium"
    max_lines = 100
    enabled = true
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass
class ProjectConfig:
    path: Path | None = None
    params: dict = field(default_factory=dict)
    rule_params: dict[str, dict] = field(default_factory=dict)
    severities: dict[str, str] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    exclude: tuple[str, ...] = ()
    inference_budget: float | None = None
    max_file_size: float | None = None


def find_config(source: Path) -> ProjectConfig:
    """The nearest kg.toml or pyproject.toml with a [tool.kg] table, from source upwards."""
    start = source if source.is_dir() else source.parent
    for folder in [start, *start.parents]:
        for name in ("kg.toml", "pyproject.toml"):
            path = folder / name
            if path.is_file():
                table = _read(path)
                table = table if name == "kg.toml" else table.get("tool", {}).get("kg")
                if table is not None:
                    return _config(path, table)
        if (folder / ".git").exists():
            break
    return ProjectConfig()


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"{path}: cannot read kg's settings: {e}") from None


def _config(path: Path, table: dict) -> ProjectConfig:
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(g, str) for g in exclude):
        raise InputError(f"{path}: [tool.kg] exclude must be a list of globs")
    config = ProjectConfig(path=path, params=dict(table.get("params", {})),
                           exclude=tuple(exclude),
                           inference_budget=_limit(path, table, "inference_budget"),
                           max_file_size=_limit(path, table, "max_file_size"))
    for rule_id, settings in table.get("rules", {}).items():
        if not isinstance(settings, dict):
            raise InputError(f"{path}: [tool.kg.rules.{rule_id}] must be a table")
        settings = dict(settings)
        if "severity" in settings:
            config.severities[rule_id] = settings.pop("severity")
        if settings.pop("enabled", True) is False:
            config.disabled.add(rule_id)
        config.rule_params[rule_id] = settings
    return config


def _limit(path: Path, table: dict, key: str) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InputError(f"{path}: [tool.kg] {key} must be a number >= 0, "
                         f"not {value!r}")
    return float(value)
