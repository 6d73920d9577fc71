"""Small text pieces the human-readable formats share."""

from __future__ import annotations

import json

from kg.rules.rule import SEVERITIES

VERDICTS = ("remove", "simplify", "keep")
REACHABILITY = {"entry": "entry points", "tests": "tests only", "none": "not reached",
                "unknown": "unknown (no entry points)"}


def where(file: str, line: int) -> str:
    return f"{file}:{line}" if line else file


def value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | dict):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)
    return str(v)


def shown_columns(finding: dict) -> list[tuple[str, str]]:
    """The row's scalar columns besides where it is; list columns are shown as evidence."""
    return [(k, value(v)) for k, v in finding["columns"].items()
            if k not in ("file", "line") and k not in finding["evidence"]]


def chain(items: list[str]) -> str:
    return " → ".join(items)


def severity_counts(counts: dict) -> str:
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if counts.get(s)]
    return ", ".join(parts) or "none"


def header_line(header: dict) -> str:
    return (f"kg {header.get('kg_version', '')} · generated {header.get('generated', '')} · "
            f"source {header.get('source', '')} · commit {header.get('commit') or '-'} · "
            f"loaded {header.get('loaded', '')}")


def count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def footprint_line(label: str, footprint: dict) -> str:
    return (f"{label}: {count(len(footprint['modules']), 'module')}, "
            f"{count(footprint['functions'], 'function')}, {count(footprint['lines'], 'line')}.")
