"""The per-module table: size, coupling, reachability, findings, and a keep/simplify/remove verdict.

The verdict's exact logic is documented in docs/report.md; keep the two in step.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from kg.report.reach import CodeGraph
from kg.rules.engine import Finding
from kg.rules.rule import SEVERITIES, Rule

SIMPLIFY_AT = "medium"  # findings at or over this severity make a module a candidate to simplify


def is_dead_symbol_rule(rule: Rule) -> bool:
    return rule.id == "dead-symbol" or "dead-symbol" in rule.tags


def is_dead_module_rule(rule: Rule) -> bool:
    return rule.id == "dead-module" or "dead-module" in rule.tags


def is_duplication_rule(rule: Rule) -> bool:
    return rule.id.startswith("duplicate") or "duplication" in rule.tags


def module_table(graph: CodeGraph, rules: list[Rule], findings: list[Finding],
                 suppressed: list[Finding]) -> list[dict]:
    """One row per module, by name. findings: the non-suppressed ones (baselined included)."""
    by_id = {r.id: r for r in rules}
    dead_symbols_ran = any(is_dead_symbol_rule(r) for r in rules)
    reachability = _reachability(graph)
    fan_in, fan_out = _fans(graph)
    in_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        in_file[f.file].append(f)
    vouched_files = {f.file for f in suppressed
                     if f.rule in by_id and is_dead_module_rule(by_id[f.rule])}
    rows = []
    for module_id, module in sorted(graph.modules.items(), key=lambda kv: kv[1]["name"]):
        here = in_file.get(module["file"], [])
        row = {
            "module": module["name"], "file": module["file"], "loc": module["loc"],
            "fan_in": fan_in[module_id], "fan_out": fan_out[module_id],
            "reachability": reachability[module_id], "is_test": module["is_test"],
            "dead_symbols": (sum(1 for f in here if is_dead_symbol_rule(by_id[f.rule]))
                             if dead_symbols_ran else None),
            "findings": _by_severity(here),
        }
        row["verdict"], row["reason"] = _verdict(row, here, by_id,
                                                 module["file"] in vouched_files)
        rows.append(row)
    return rows


def _reachability(graph: CodeGraph) -> dict[str, str]:
    """entry: run from an entry point (in-process or in a subprocess it spawns);
    tests: run only from test code; none: neither; unknown: the repository has no entry points."""
    from_entries = graph.reach([e["id"] for e in graph.entry_points], follow_spawns=True)
    from_tests = graph.reach(graph.test_roots, follow_spawns=True)
    out = {}
    for module_id, module in graph.modules.items():
        if module_id in from_entries and not module["is_test"]:
            out[module_id] = "entry"
        elif module_id in from_tests or module["is_test"]:
            out[module_id] = "tests"
        elif not graph.entry_points:
            out[module_id] = "unknown"
        else:
            out[module_id] = "none"
    return out


def _fans(graph: CodeGraph) -> tuple[Counter, Counter]:
    """Distinct local modules importing each module, and imported by it (TYPE_CHECKING too)."""
    pairs = {(r["src"], r["dst"]) for r in graph.imports if r["src"] != r["dst"]}
    return Counter(dst for _, dst in pairs), Counter(src for src, _ in pairs)


def _by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {s: counts[s] for s in SEVERITIES}


def _verdict(row: dict, findings: list[Finding], rules: dict[str, Rule],
             vouched: bool) -> tuple[str, str]:
    if row["is_test"]:
        return "keep", "test code"
    dead = [f for f in findings if is_dead_module_rule(rules[f.rule])]
    if dead:
        return "remove", f"{dead[0].rule}: {dead[0].message}"
    if row["reachability"] == "none" and not vouched:
        return "remove", "not reached from any entry point or test"
    limit = SEVERITIES.index(SIMPLIFY_AT)
    serious = sorted({f.rule for f in findings if SEVERITIES.index(f.severity) <= limit})
    duplicated = sorted({f.rule for f in findings if is_duplication_rule(rules[f.rule])})
    reasons = []
    if serious:
        reasons.append(f"{SIMPLIFY_AT}+ findings: {', '.join(serious)}")
    if duplicated:
        reasons.append(f"duplication: {', '.join(duplicated)}")
    if reasons:
        return "simplify", "; ".join(reasons)
    return "keep", {
        "entry": "reached from entry points",
        "tests": "reached only from tests",
        "unknown": "no entry points to judge reachability from",
        "none": "not reached, but a dead-module finding there is suppressed",
    }[row["reachability"]] + f"; no {SIMPLIFY_AT}+ findings"
