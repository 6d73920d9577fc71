"""Records of the hardening tests, for docs/reliability.md.

scripts/reliability.py runs the hardening tests with KG_RELIABILITY_DIR set and turns
what they record here into the report; a plain test run records nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def record(suite: str, case: str, **fields) -> None:
    """Append one case's outcome (e.g. outcome="ok", store="neo4j", exit_code=0) to SUITE.jsonl."""
    folder = os.environ.get("KG_RELIABILITY_DIR")
    if not folder:
        return
    line = json.dumps({"suite": suite, "case": case, **fields}, sort_keys=True, default=str)
    with open(Path(folder) / f"{suite}.jsonl", "a", encoding="utf-8") as out:
        out.write(line + "\n")
