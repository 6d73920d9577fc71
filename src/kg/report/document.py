"""The report as one plain document every format renders: deterministic, sorted.

Its shape is documented in docs/report.md and fixed by docs/report.schema.json.
Everything that changes from run to run without the code changing (kg's
version, times, the absolute source path, the commit) sits in `header`.
"""

from __future__ import annotations

from collections import Counter

from kg.queries import named
from kg.queries.entry import EntryPoints
from kg.queries.store import Store
from kg.report.modules import module_table
from kg.report.paths import entry_point_paths
from kg.rules.engine import Audit, Finding
from kg.rules.rule import SEVERITIES, Rule

FORMAT_VERSION = 2
DOC_SECTIONS = ("finds", "why", "example", "fix", "false_positives")


def build(store: Store, audit: Audit, header: dict) -> dict:
    """header: kg_version, generated, source, commit, loaded (the caller knows them)."""
    entry_points = EntryPoints(store, audit.repo)
    module_rows = named.rows(store, named.MODULES, audit.repo)
    tests = {m["file"] for m in module_rows if m["is_test"]}
    judged = any(ep["file"] not in tests for ep in entry_points.all)
    titles = {r.id: r.title for r in audit.rules}
    modules = module_table(module_rows, named.rows(store, named.IMPORTS, audit.repo), judged,
                           audit.rules, audit.findings + audit.baselined, audit.suppressed)
    return {
        "format": "kg-audit-report",
        "format_version": FORMAT_VERSION,
        "header": {"repo": audit.repo, **header},
        "summary": _summary(audit, modules, len(entry_points.all)),
        "rules": [_rule(r) for r in sorted(audit.rules, key=lambda r: r.id)],
        "findings": _grouped(audit.findings, titles),
        "baselined": [finding_dict(f) for f in audit.baselined],
        "suppressed": [finding_dict(f) for f in audit.suppressed],
        "modules": modules,
        "entry_points": entry_point_paths(store, audit.repo, entry_points),
    }


def _summary(audit: Audit, modules: list[dict], entry_points: int) -> dict:
    counts = Counter(f.severity for f in audit.findings)
    verdicts = Counter(m["verdict"] for m in modules)
    return {
        "findings": {s: counts[s] for s in SEVERITIES},
        "total": len(audit.findings),
        "baselined": len(audit.baselined),
        "suppressed": len(audit.suppressed),
        "rules_run": sum(1 for r in audit.rules if r.kind == "constraint"),
        "modules": len(modules),
        "entry_points": entry_points,
        "verdicts": {v: verdicts[v] for v in ("keep", "simplify", "remove")},
    }


def _rule(rule: Rule) -> dict:
    return {"id": rule.id, "title": rule.title, "kind": rule.kind, "severity": rule.severity,
            "tags": sorted(rule.tags), "docs": {s: rule.docs.get(s, "") for s in DOC_SECTIONS}}


def _grouped(findings: list[Finding], titles: dict[str, str]) -> list[dict]:
    """Findings by rule, the most severe rule first; within a rule by file and line."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.rule, []).append(f)
    ordered = sorted(groups.items(), key=lambda kv: (
        min(SEVERITIES.index(f.severity) for f in kv[1]), kv[0]))
    return [{"rule": rule, "title": titles.get(rule, rule), "count": len(items),
             "findings": [finding_dict(f) for f in sorted(
                 items, key=lambda f: (f.file, f.line, f.message))]}
            for rule, items in ordered]


def finding_dict(f: Finding) -> dict:
    """A finding with its row; list-valued columns (paths a rule returns) are its evidence."""
    return {"rule": f.rule, "severity": f.severity, "file": f.file, "line": f.line,
            "message": f.message, "key": f.key, "columns": f.columns,
            "evidence": {k: [str(x) for x in v] for k, v in f.columns.items()
                         if isinstance(v, list)}}
