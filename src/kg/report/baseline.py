"""Baseline files: the findings a team has accepted, so CI fails only on new ones.

A JSON list, one entry per finding, sorted by key:
    [{"key": "long-function:3f2a...", "rule": "long-function", "file": "app/x.py",
      "message": "app.x.run is 80 lines long"}]
Only `key` counts (rule id + the rule's stable columns, never the line, so a
finding survives edits above it); rule, file and message are for people.
A plain list of key strings is read as well.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.errors import InputError
from kg.rules.engine import Finding


def read(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such baseline file (write one with --update-baseline)") \
            from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: not a readable baseline file: {e}") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: a baseline file holds a JSON list of findings")
    keys = set()
    for item in data:
        key = item.get("key") if isinstance(item, dict) else item
        if not isinstance(key, str):
            raise InputError(f"{path}: every baseline entry needs a string `key`: {item!r}")
        keys.add(key)
    return keys


def write(path: Path, findings: list[Finding]) -> int:
    """Write the findings' keys; returns how many distinct keys were written."""
    entries = {f.key: {"key": f.key, "rule": f.rule, "file": f.file, "message": f.message}
               for f in sorted(findings, key=lambda f: (f.key, f.file, f.line, f.message))}
    text = json.dumps([entries[k] for k in sorted(entries)], indent=2, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot write the baseline: {e}") from None
    return len(entries)
