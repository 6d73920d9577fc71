"""Rule files: one YAML file per rule, validated against rule.schema.json.

An invalid rule is reported with its file, the line of the offending key and
how to fix it; the audit stops (exit 2) rather than run a rule set it cannot trust.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from kg.errors import InputError

SEVERITIES = ("critical", "high", "medium", "low", "info")
BUNDLED = Path(str(resources.files("kg.rules") / "bundled"))


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    query: str
    path: Path
    kind: str = "constraint"
    message: str = ""
    tags: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    severity_column: str | None = None
    docs: dict = field(default_factory=dict)

    @property
    def bundled(self) -> bool:
        return self.path.parent == BUNDLED


@cache
def _schema() -> dict:
    return json.loads((resources.files("kg.rules") / "rule.schema.json").read_text())


def parse_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InputError(f"{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: a rule file holds one mapping (id:, title:, query: ...)")
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data),
                    key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        line = _line_of(node, list(e.absolute_path))
        where = "/".join(str(p) for p in e.absolute_path) or "the rule"
        raise InputError(f"{path}:{line}: {where}: {e.message} — see `kg rules show "
                         f"unset-domain-field` for a complete rule, or docs/rules.md")
    if data["id"] != path.stem:
        raise InputError(f"{path}:{_line_of(node, ['id'])}: id {data['id']!r} must equal the "
                         f"file name {path.stem!r}")
    return Rule(
        id=data["id"], title=data["title"], severity=data["severity"], query=data["query"],
        path=path, kind=data.get("kind", "constraint"), message=data.get("message", ""),
        tags=tuple(data.get("tags", ())), params=dict(data.get("params") or {}),
        requires=tuple(data.get("requires", ())), key=tuple(data.get("key", ())),
        severity_column=data.get("severity_column"), docs=dict(data["docs"]))


def _line_of(node, path: list) -> int:
    """The line of the deepest YAML node along path (1-based)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            if not match:
                break
            key = next(k for k, v in node.value if k.value == part)
            node, line = match[0], key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_rules(folders: tuple[Path, ...] = (), bundled: bool = True) -> list[Rule]:
    """Bundled rules and those in folders, by id; a user rule with a bundled id replaces it."""
    rules: dict[str, Rule] = {}
    sources = ([BUNDLED] if bundled else []) + [Path(f) for f in folders]
    for folder in sources:
        if not folder.is_dir():
            raise InputError(f"{folder}: no such rules folder")
        for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
            rule = parse_rule(path)
            rules[rule.id] = rule
    for rule in rules.values():
        for needed in rule.requires:
            if needed not in rules or rules[needed].kind != "concept":
                raise InputError(f"{rule.path}: requires {needed!r}, which is not a concept "
                                 "among the loaded rules")
    return [rules[k] for k in sorted(rules)]
