"""The report's findings as SARIF 2.1.0, for code-scanning tools.

One run; the driver's rules come from the rule files' docs. Locations are
relative to the loaded source, through the `SRCROOT` base id. Suppressed
findings carry an `inSource` suppression and baselined ones an `external` one
(the baseline file), so a viewer can show them as dismissed. The finding's
key (rule id + stable columns) is its partial fingerprint, so results match
across line shifts.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
FINGERPRINT = "kgFindingKey/v1"


def render(doc: dict) -> str:
    rules = [r for r in doc["rules"] if r["kind"] == "constraint"]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = [_result(f, index, None) for group in doc["findings"] for f in group["findings"]]
    results += [_result(f, index, {"kind": "external",
                                   "justification": "accepted in the baseline file"})
                for f in doc["baselined"]]
    results += [_result(f, index, {"kind": "inSource"}) for f in doc["suppressed"]]
    run = {
        "tool": {"driver": {"name": "kg", "version": str(doc["header"].get("kg_version", "")),
                            "rules": [_rule(r) for r in rules]}},
        "automationDetails": {"id": f"kg-audit/{doc['header']['repo']}/"},
        "invocations": [{"executionSuccessful": True,
                         "endTimeUtc": _utc(doc["header"].get("generated"))}],
        "results": results,
    }
    source = doc["header"].get("source")
    if source:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": _root_uri(source)}}
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, indent=2, ensure_ascii=False, default=str) + "\n"


def _utc(timestamp: str | None) -> str:
    """SARIF wants UTC times with a Z."""
    return (timestamp or "1970-01-01T00:00:00Z").replace("+00:00", "Z")


def _root_uri(source: str) -> str:
    path = Path(source)
    if not path.is_absolute():
        return quote(path.as_posix().rstrip("/") + "/")
    return path.as_uri().rstrip("/") + "/"


def _rule(rule: dict) -> dict:
    docs = rule["docs"]
    sections = (("What it finds", "finds"), ("Why it matters", "why"), ("Example", "example"),
                ("How to fix", "fix"), ("False positives", "false_positives"))
    text = "\n\n".join(f"{title}: {docs[k].strip()}" for title, k in sections if docs.get(k))
    markdown = "\n\n".join(f"**{title}**\n\n{docs[k].strip()}" for title, k in sections
                           if docs.get(k))
    return {
        "id": rule["id"],
        "name": "".join(part.capitalize() for part in rule["id"].split("-")),
        "shortDescription": {"text": rule["title"]},
        "fullDescription": {"text": docs.get("finds", "").strip() or rule["title"]},
        "help": {"text": text or rule["title"], "markdown": markdown or rule["title"]},
        "defaultConfiguration": {"level": LEVELS[rule["severity"]]},
        "properties": {"tags": rule["tags"], "severity": rule["severity"]},
    }


def _result(f: dict, index: dict[str, int], suppression: dict | None) -> dict:
    result = {"ruleId": f["rule"], "level": LEVELS[f["severity"]],
              "message": {"text": f["message"] or f["rule"]}}
    if f["rule"] in index:
        result["ruleIndex"] = index[f["rule"]]
    if f["file"]:
        location = {"artifactLocation": {"uri": quote(f["file"]), "uriBaseId": "SRCROOT"}}
        if f["line"] > 0:
            location["region"] = {"startLine": f["line"]}
        result["locations"] = [{"physicalLocation": location}]
    result["partialFingerprints"] = {FINGERPRINT: f["key"]}
    if suppression:
        result["suppressions"] = [suppression]
    result["properties"] = {"severity": f["severity"], "columns": f["columns"]}
    return result
