"""Annotated rule fixtures: `# ruleid: <id>` marks a line the rule must report, `# ok: <id>`
a line it must not; `# todoruleid:` / `# todook:` record known gaps without failing.

A comment alone on its line marks the next code line; a trailing one its own line.
Used by `kg rules test DIR` and by kg's own rule tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ANNOTATION = re.compile(r"#\s*(ruleid|ok|todoruleid|todook):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")
KINDS = ("ruleid", "ok", "todoruleid", "todook")


def annotations(root: Path, rule_id: str) -> dict[str, set[tuple[str, int]]]:
    """(file relative to root, line) of every mark for rule_id, by kind."""
    marks: dict[str, set[tuple[str, int]]] = {kind: set() for kind in KINDS}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, text in enumerate(lines, 1):
            for kind, ids in ANNOTATION.findall(text):
                if rule_id not in [i.strip() for i in ids.split(",")]:
                    continue
                target = number
                if text.lstrip().startswith("#"):
                    target = next((n for n in range(number + 1, len(lines) + 1)
                                   if lines[n - 1].strip()
                                   and not lines[n - 1].lstrip().startswith("#")), number)
                marks[kind].add((rel, target))
    return marks


@dataclass
class RuleCheck:
    """How a rule did on its fixture: what it missed and what it wrongly found."""

    rule: str
    fixture: str
    missed: list[tuple[str, int]] = field(default_factory=list)
    wrong: list[tuple[str, int]] = field(default_factory=list)
    problem: str = ""   # the fixture itself is unusable (none, or no marks)

    @property
    def passed(self) -> bool:
        return not (self.missed or self.wrong or self.problem)


def check(rule_id: str, fixture: Path, marks: dict[str, set[tuple[str, int]]],
          found: set[tuple[str, int]]) -> RuleCheck:
    """Found must be exactly the `ruleid` lines, allowing `todook` ones, and no `ok` line."""
    result = RuleCheck(rule=rule_id, fixture=str(fixture))
    if not marks["ruleid"] and not marks["ok"]:
        result.problem = "the fixture marks no `# ruleid:` or `# ok:` line"
    result.missed = sorted(marks["ruleid"] - found)
    result.wrong = sorted((found - marks["ruleid"] - marks["todook"]) | (found & marks["ok"]))
    return result
