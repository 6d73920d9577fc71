"""The report as Markdown, for people and for pull-request comments."""

from __future__ import annotations

from kg.report.text import (
    REACHABILITY,
    chain,
    footprint_line,
    header_line,
    severity_counts,
    shown_columns,
    value,
    where,
)
from kg.rules.rule import SEVERITIES


def render(doc: dict) -> str:
    out = [f"# kg audit: {doc['header']['repo']}", "", f"> {header_line(doc['header'])}", ""]
    out += _summary(doc["summary"])
    out += _findings(doc)
    out += _modules(doc["modules"])
    out += _entry_points(doc["entry_points"])
    return "\n".join(out).rstrip("\n") + "\n"


def cell(text) -> str:
    return value(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _summary(s: dict) -> list[str]:
    out = ["## Summary", "", "| severity | findings |", "|---|---:|"]
    out += [f"| {sev} | {s['findings'][sev]} |" for sev in SEVERITIES]
    out += [f"| **total** | **{s['total']}** |", "",
            f"{s['rules_run']} rules run; {s['baselined']} findings baselined, "
            f"{s['suppressed']} suppressed. {s['modules']} modules "
            f"({s['verdicts']['keep']} keep, {s['verdicts']['simplify']} simplify, "
            f"{s['verdicts']['remove']} remove), {s['entry_points']} entry points.", ""]
    return out


def _findings(doc: dict) -> list[str]:
    out = ["## Findings", ""]
    if not doc["findings"]:
        out += ["No findings.", ""]
    for group in doc["findings"]:
        out += [f"### `{group['rule']}`: {group['title']} ({group['count']})", ""]
        for f in group["findings"]:
            columns = ", ".join(f"{k}=`{v}`" for k, v in shown_columns(f))
            out.append(f"- **{f['severity']}** `{where(f['file'], f['line'])}` {f['message']}"
                       + (f" — {columns}" if columns else ""))
            out += [f"  - {k}: {chain(v)}" for k, v in f["evidence"].items()]
        out.append("")
    for title, items in (("Baselined", doc["baselined"]), ("Suppressed", doc["suppressed"])):
        if items:
            out += [f"### {title} ({len(items)})", ""]
            out += [f"- `{f['rule']}` `{where(f['file'], f['line'])}` {f['message']}"
                    for f in items]
            out.append("")
    return out


def _modules(modules: list[dict]) -> list[str]:
    out = ["## Modules", "",
           "| module | lines | fan-in | fan-out | reached from | dead symbols | findings "
           "| verdict | reason |", "|---|---:|---:|---:|---|---:|---|---|---|"]
    for m in modules:
        dead = "-" if m["dead_symbols"] is None else m["dead_symbols"]
        out.append(f"| `{cell(m['module'])}` | {m['loc']} | {m['fan_in']} | {m['fan_out']} | "
                   f"{REACHABILITY[m['reachability']]} | {dead} | "
                   f"{severity_counts(m['findings'])} | **{m['verdict']}** | "
                   f"{cell(m['reason'])} |")
    return out + [""]


def _entry_points(entry_points: list[dict]) -> list[str]:
    out = ["## Entry points", ""]
    if not entry_points:
        out += ["No entry points found.", ""]
    for ep in entry_points:
        own = ep["in_process"]
        out += [f"### `{ep['name']}` ({ep['kind']}, `{where(ep['file'], ep['line'])}`)", "",
                footprint_line("In process", own), ""]
        out += _footprint(own)
        if ep["hops"]:
            children = ep["in_subprocesses"]
            out += ["Subprocess hops:", ""]
            out += [f"- `{h['from']}` (`{where(h['file'], h['line'])}`) → `{h['to']}` "
                    f"({h['to_kind']})" for h in ep["hops"]]
            out += ["", footprint_line("In subprocesses", children), ""]
            out += _footprint(children)
            out += [footprint_line("With subprocess hops", ep["with_hops"]), ""]
    return out


def _footprint(footprint: dict) -> list[str]:
    if not footprint["modules"]:
        return []
    out = ["| module | functions | lines |", "|---|---|---:|"]
    for m in footprint["modules"]:
        functions = ", ".join(f"`{cell(f)}`" for f in m["functions"])
        out.append(f"| `{cell(m['module'])}` | {functions} | {m['lines']} |")
    return out + [""]
