"""Every bundled rule on its annotated fixture, on both stores; and the rules' own contract.

tests/rules/<id>/ holds a small package. `# ruleid: <id>` marks a line the rule must report,
`# ok: <id>` a line it must not; `# todoruleid:` / `# todook:` record known gaps without
failing. A comment alone on its line marks the next code line; a trailing one its own line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import STORES, fresh_store
from kg import api
from kg.rules.fixtures import annotations
from kg.rules.rule import BUNDLED, load_rules

RULES_FIXTURES = Path(__file__).parent / "rules"
BUNDLED_RULES = load_rules()
CONSTRAINTS = [r.id for r in BUNDLED_RULES if r.kind == "constraint"]


@pytest.fixture(scope="module", params=STORES)
def kind(request):
    return request.param


@pytest.mark.parametrize("rule_id", CONSTRAINTS)
def test_rule_finds_exactly_the_marked_lines(rule_id, kind, tmp_path):
    root = RULES_FIXTURES / rule_id
    store = fresh_store(kind, tmp_path)
    api.load(root, store=store, repo=rule_id)
    audit = api.audit(store=store, repo=rule_id, select=(rule_id,))
    found = {(f.file, f.line) for f in audit.findings}
    marks = annotations(root, rule_id)
    missed = marks["ruleid"] - found
    wrong = found - marks["ruleid"] - marks["todook"]
    assert not missed and not wrong, f"missed {sorted(missed)}, wrongly found {sorted(wrong)}"
    assert not (found & marks["ok"])


def test_every_bundled_rule_has_docs_and_an_annotated_fixture():
    assert BUNDLED_RULES, "no bundled rules"
    for rule in BUNDLED_RULES:
        assert rule.path.parent == BUNDLED
        for section in ("finds", "why", "example", "fix", "false_positives"):
            assert rule.docs.get(section, "").strip(), f"{rule.id}: docs.{section} is empty"
        if rule.kind == "concept":
            continue
        root = RULES_FIXTURES / rule.id
        assert root.is_dir(), f"{rule.id} has no fixture in tests/rules/{rule.id}/"
        marks = annotations(root, rule.id)
        assert marks["ruleid"], f"{rule.id}: its fixture marks no `# ruleid:` line"
        assert marks["ok"], f"{rule.id}: its fixture marks no `# ok:` line"
        assert "$repo" in rule.query, f"{rule.id}: the query must select the repository ($repo)"


def test_suppressed_findings_are_kept_apart(tmp_path):
    store = fresh_store("embedded", tmp_path)
    api.load(RULES_FIXTURES / "long-function", store=store, repo="lf")
    audit = api.audit(store=store, select=("long-function",))
    assert [f.columns["symbol"] for f in audit.suppressed] == ["pkg.code.suppressed"]
