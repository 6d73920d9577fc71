"""The report as JSON: the document itself, keys in a fixed order (docs/report.schema.json)."""

from __future__ import annotations

import json


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
