"""The per-module table: size, coupling, reachability, findings, and a keep/simplify/remove verdict.

The verdict's exact logic is documented in docs/report.md; keep the two in step.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from kg.rules.engine import Finding
from kg.rules.rule import SEVERITIES, Rule

SIMPLIFY_AT = "medium"  # findings at or over this severity make a module a candidate to simplify
# The loader's Module.reach (kg.loader.reach) in the table's words.
REACHABILITY = {"entry": "entry", "test": "tests", "none": "none"}


def is_dead_symbol_rule(rule: Rule) -> bool:
    return rule.id == "dead-symbol" or "dead-symbol" in rule.tags


def is_dead_module_rule(rule: Rule) -> bool:
    return rule.id == "dead-module" or "dead-module" in rule.tags


def is_duplication_rule(rule: Rule) -> bool:
    return rule.id.startswith("duplicate") or "duplication" in rule.tags


def module_table(modules: list[dict], imports: list[dict], judged: bool, rules: list[Rule],
                 findings: list[Finding], suppressed: list[Finding]) -> list[dict]:
    """One row per module, by name. modules, imports: rows of kg.queries.named; judged: the
    repository has an entry point outside test code; findings: the non-suppressed ones
    (baselined included)."""
    by_id = {r.id: r for r in rules}
    dead_symbols_ran = any(is_dead_symbol_rule(r) for r in rules)
    fan_in, fan_out = _fans(imports)
    in_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        in_file[f.file].append(f)
    vouched_files = {f.file for f in suppressed
                     if f.rule in by_id and is_dead_module_rule(by_id[f.rule])}
    rows = []
    for module in sorted(modules, key=lambda m: m["name"]):
        here = in_file.get(module["file"], [])
        row = {
            "module": module["name"], "file": module["file"], "loc": module["loc"],
            "fan_in": fan_in[module["id"]], "fan_out": fan_out[module["id"]],
            "reachability": _reachability(module, judged), "is_test": module["is_test"],
            "dead_symbols": (sum(1 for f in here if is_dead_symbol_rule(by_id[f.rule]))
                             if dead_symbols_ran else None),
            "findings": _by_severity(here),
        }
        row["verdict"], row["reason"] = _verdict(row, here, by_id,
                                                 module["file"] in vouched_files)
        rows.append(row)
    return rows


def _reachability(module: dict, judged: bool) -> str:
    """The loader's reach, read from the graph: a test module is `tests` whatever imports it,
    and without an entry point outside tests `none` cannot be told apart from a library's
    public code, so it is `unknown`."""
    if module["is_test"]:
        return "tests"
    if module["reach"] == "none" and not judged:
        return "unknown"
    return REACHABILITY[module["reach"]]


def _fans(imports: list[dict]) -> tuple[Counter, Counter]:
    """Distinct local modules importing each module, and imported by it (TYPE_CHECKING too)."""
    pairs = {(r["src"], r["dst"]) for r in imports if r["src"] != r["dst"]}
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
