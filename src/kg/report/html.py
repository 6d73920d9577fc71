"""The report as one self-contained HTML file: inline CSS, no scripts, no external assets.

Every value from the graph or a rule is escaped; nothing is trusted as markup.
"""

from __future__ import annotations

from html import escape

from kg.report.text import (
    REACHABILITY,
    chain,
    footprint_line,
    header_line,
    severity_counts,
    shown_columns,
    where,
)
from kg.rules.rule import SEVERITIES

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d232a; }
h1, h2, h3 { line-height: 1.2; }
header p { color: #57606a; font-size: 12px; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.n { text-align: right; }
code { font: 12px ui-monospace, monospace; background: #f6f8fa; padding: 0 .2rem; }
ul { padding-left: 1.2rem; }
.sev { font-weight: 600; }
.critical, .high { color: #a40e26; } .medium { color: #9a6700; }
.low, .info { color: #57606a; }
.remove { color: #a40e26; font-weight: 600; } .simplify { color: #9a6700; font-weight: 600; }
.keep { color: #1a7f37; }
"""


def render(doc: dict) -> str:
    repo = escape(doc["header"]["repo"])
    body = [f"<header><h1>kg audit: {repo}</h1><p>{escape(header_line(doc['header']))}</p>"
            "</header>"]
    body += _summary(doc["summary"]) + _findings(doc) + _modules(doc["modules"])
    body += _entry_points(doc["entry_points"])
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>kg audit: {repo}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _code(text) -> str:
    return f"<code>{escape(str(text))}</code>"


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    out = ["<table>", "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td class=\"n\">{c}</td>" if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>")
    return "\n".join(out + ["</table>"])


def _summary(s: dict) -> list[str]:
    rows = [[f"<span class=\"sev {sev}\">{sev}</span>", str(s["findings"][sev])]
            for sev in SEVERITIES] + [["<b>total</b>", f"<b>{s['total']}</b>"]]
    v = s["verdicts"]
    return ["<h2>Summary</h2>", _table(["severity", "findings"], rows, {1}),
            f"<p>{s['rules_run']} rules run; {s['baselined']} findings baselined, "
            f"{s['suppressed']} suppressed. {s['modules']} modules ({v['keep']} keep, "
            f"{v['simplify']} simplify, {v['remove']} remove), {s['entry_points']} entry "
            "points.</p>"]


def _finding(f: dict) -> str:
    columns = ", ".join(f"{escape(k)}={_code(v)}" for k, v in shown_columns(f))
    evidence = "".join(f"<li>{escape(k)}: {escape(chain(v))}</li>"
                       for k, v in f["evidence"].items())
    return (f"<li><span class=\"sev {escape(f['severity'])}\">{escape(f['severity'])}</span> "
            f"{_code(where(f['file'], f['line']))} {escape(f['message'])}"
            + (f" — {columns}" if columns else "")
            + (f"<ul>{evidence}</ul>" if evidence else "") + "</li>")


def _findings(doc: dict) -> list[str]:
    out = ["<h2>Findings</h2>"]
    if not doc["findings"]:
        out.append("<p>No findings.</p>")
    for group in doc["findings"]:
        out.append(f"<h3>{_code(group['rule'])}: {escape(group['title'])} "
                   f"({group['count']})</h3>")
        out.append("<ul>\n" + "\n".join(_finding(f) for f in group["findings"]) + "\n</ul>")
    for title, items in (("Baselined", doc["baselined"]), ("Suppressed", doc["suppressed"])):
        if items:
            out.append(f"<h3>{title} ({len(items)})</h3>")
            out.append("<ul>\n" + "\n".join(
                f"<li>{_code(f['rule'])} {_code(where(f['file'], f['line']))} "
                f"{escape(f['message'])}</li>" for f in items) + "\n</ul>")
    return out


def _modules(modules: list[dict]) -> list[str]:
    rows = [[_code(m["module"]), str(m["loc"]), str(m["fan_in"]), str(m["fan_out"]),
             escape(REACHABILITY[m["reachability"]]),
             "-" if m["dead_symbols"] is None else str(m["dead_symbols"]),
             escape(severity_counts(m["findings"])),
             f"<span class=\"{m['verdict']}\">{m['verdict']}</span>", escape(m["reason"])]
            for m in modules]
    return ["<h2>Modules</h2>", _table(
        ["module", "lines", "fan-in", "fan-out", "reached from", "dead symbols", "findings",
         "verdict", "reason"], rows, {1, 2, 3, 5})]


def _entry_points(entry_points: list[dict]) -> list[str]:
    out = ["<h2>Entry points</h2>"]
    if not entry_points:
        out.append("<p>No entry points found.</p>")
    for ep in entry_points:
        own = ep["in_process"]
        out += [f"<h3>{_code(ep['name'])} ({escape(ep['kind'])}, "
                f"{_code(where(ep['file'], ep['line']))})</h3>",
                f"<p>{footprint_line('In process', own)}</p>", _footprint(own)]
        if ep["hops"]:
            children = ep["in_subprocesses"]
            out.append("<p>Subprocess hops:</p><ul>" + "".join(
                f"<li>{_code(h['from'])} ({_code(where(h['file'], h['line']))}) → "
                f"{_code(h['to'])} ({escape(h['to_kind'])})</li>" for h in ep["hops"]) + "</ul>")
            out += [f"<p>{footprint_line('In subprocesses', children)}</p>",
                    _footprint(children),
                    f"<p>{footprint_line('With subprocess hops', ep['with_hops'])}</p>"]
    return out


def _footprint(footprint: dict) -> str:
    if not footprint["modules"]:
        return ""
    rows = [[_code(m["module"]),
             ", ".join(_code(f) for f in m["functions"]), str(m["lines"])]
            for m in footprint["modules"]]
    return _table(["module", "functions", "lines"], rows, {2})
