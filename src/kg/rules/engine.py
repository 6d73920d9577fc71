"""Running rules against a loaded repository: concepts first, then constraints, read-only.

A concept's rows reach the rules that require it as a query parameter named
after it (`layer-cli` -> `$layer_cli`, the list of its first column), so every
rule stays a read-only query that runs the same on both stores.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

from kg.errors import InputError, QueryError
from kg.queries.store import Store
from kg.rules.rule import SEVERITIES, Rule

LOCATION_COLUMNS = ("file", "line")
SYMBOL_COLUMNS = ("symbol", "qualname", "module", "name")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    file: str
    line: int
    message: str
    columns: dict
    key: str

    def sort_key(self):
        return (SEVERITIES.index(self.severity), self.rule, self.file, self.line, self.message)


@dataclass
class Audit:
    repo: str
    rules: list[Rule]
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def at_or_over(self, severity: str) -> list[Finding]:
        limit = SEVERITIES.index(severity)
        return [f for f in self.findings if SEVERITIES.index(f.severity) <= limit]


def param_name(rule_id: str) -> str:
    return rule_id.replace("-", "_")


def run(store: Store, rules: list[Rule], repo: str, params: dict | None = None,
        rule_params: dict | None = None, severities: dict | None = None,
        baseline: set[str] | None = None) -> Audit:
    """Run rules on one repository. params override every rule's; rule_params per rule id."""
    audit = Audit(repo=repo, rules=rules)
    concepts: dict[str, list] = {}
    by_id = {r.id: r for r in rules}
    ordered = sorted(rules, key=lambda r: (r.kind != "concept", r.id))
    for rule in ordered:
        for needed in rule.requires:
            if needed not in concepts and needed in by_id:
                concepts[needed] = _concept_rows(store, by_id[needed], repo, params, rule_params)
    suppressions = _suppressions(store, repo)
    for rule in ordered:
        if rule.kind == "concept":
            continue
        started = time.perf_counter()
        values = _params(rule, repo, params, rule_params)
        values.update({param_name(c): concepts[c] for c in rule.requires})
        result = _query(store, rule, values)
        audit.seconds[rule.id] = time.perf_counter() - started
        severity = (severities or {}).get(rule.id, rule.severity)
        for row in result.dicts():
            finding = _finding(rule, severity, row)
            if _suppressed(finding, suppressions):
                audit.suppressed.append(finding)
            elif baseline and finding.key in baseline:
                audit.baselined.append(finding)
            else:
                audit.findings.append(finding)
    for bucket in (audit.findings, audit.suppressed, audit.baselined):
        bucket.sort(key=Finding.sort_key)
    return audit


def _params(rule: Rule, repo: str, params, rule_params) -> dict:
    values = dict(rule.params)
    for source in (params or {}, (rule_params or {}).get(rule.id, {})):
        values.update({k: v for k, v in source.items() if k in rule.params})
    values["repo"] = repo
    return values


def _query(store: Store, rule: Rule, values: dict):
    try:
        return store.query(rule.query, values, write=False)
    except QueryError as e:
        raise InputError(f"{rule.path}: the rule's query failed: {e}") from None


def _concept_rows(store, rule, repo, params, rule_params) -> list:
    result = _query(store, rule, _params(rule, repo, params, rule_params))
    return sorted({row[0] for row in result.rows if row and row[0] is not None}, key=repr)


def _finding(rule: Rule, severity: str, row: dict) -> Finding:
    if rule.severity_column and row.get(rule.severity_column) in SEVERITIES:
        severity = row[rule.severity_column]
    try:
        message = rule.message.format(**row)
    except (KeyError, IndexError, ValueError) as e:
        raise InputError(f"{rule.path}: message names a column the query does not return: "
                         f"{e}") from None
    key_columns = rule.key or tuple(
        c for c in ("file", *SYMBOL_COLUMNS[:1]) if c in row) or tuple(
        c for c in sorted(row) if c not in ("line", "end_line"))
    key_values = {c: row.get(c) for c in key_columns}
    digest = hashlib.sha1(json.dumps([rule.id, key_values], sort_keys=True,
                                     default=str).encode()).hexdigest()[:16]
    return Finding(rule=rule.id, severity=severity, file=str(row.get("file") or ""),
                   line=int(row.get("line") or 0), message=message,
                   columns=dict(sorted(row.items())), key=f"{rule.id}:{digest}")


def _suppressions(store: Store, repo: str) -> dict[tuple[str, int], set[str]]:
    """`# kg: ignore[rule-id] reason` comments, recorded by the loader on each Module."""
    result = store.query("MATCH (m:Module {repo: $repo}) WHERE m.suppressions IS NOT NULL "
                         "RETURN m.file, m.suppressions", {"repo": repo})
    out: dict[tuple[str, int], set[str]] = {}
    for file, entries in result.rows:
        for entry in entries or []:
            line, _, ids = entry.partition(":")
            out.setdefault((file, int(line)), set()).update(ids.split(","))
    return out


def _suppressed(finding: Finding, suppressions) -> bool:
    ids = suppressions.get((finding.file, finding.line), set())
    return finding.rule in ids or "*" in ids
