"""Rule files: validation messages that name the file and line, and concepts, on both stores."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import fresh_store
from kg import api
from kg.errors import InputError
from kg.rules.rule import load_rules, parse_rule

DOCS_APP = Path(__file__).parent / "fixtures" / "docs_app"
DOCS = """
docs:
  finds: x
  why: x
  example: x
  fix: x
  false_positives: x
"""


def rule_file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).lstrip() + DOCS)
    return path


@pytest.mark.parametrize("text, where, says", [
    ("id: bad\ntitle: Bad\nseverity: severe\nquery: MATCH (m:Module) RETURN m\nmessage: x\n",
     ":3:", "severity: 'severe' is not one of"),
    ("id: bad\ntitle: Bad\nseverity: low\nmessage: x\n", ":1:", "'query' is a required property"),
    ("id: bad\ntitle: Bad\nseverity: low\nquery: MATCH (m:Module) RETURN m\n",
     ":1:", "'message' is a required property"),
    ("id: bad\ntitle: Bad\nseverity: low\nquery: MATCH (m:Module) RETURN m\nmessage: x\n"
     "colour: red\n", ":1:", "'colour' was unexpected"),
    ("id: other\ntitle: Bad\nseverity: low\nquery: MATCH (m:Module) RETURN m\nmessage: x\n",
     ":1:", "must equal the file name"),
    ("id: bad\ntitle: [unclosed\n", ":", "not valid YAML"),
])
def test_an_invalid_rule_names_its_file_and_line(tmp_path, text, where, says):
    path = rule_file(tmp_path, "bad", text)
    with pytest.raises(InputError) as error:
        parse_rule(path)
    message = str(error.value)
    assert message.startswith(str(path) + where), message
    assert says in message


def test_a_rule_requiring_a_missing_concept_is_refused(tmp_path):
    rule_file(tmp_path, "needs", """
        id: needs
        title: Needs a concept
        severity: low
        requires: [not-there]
        query: |
          MATCH (m:Module {repo: $repo}) RETURN m.name AS symbol, m.file AS file, 1 AS line
        message: "{symbol}"
        """)
    with pytest.raises(InputError, match="requires 'not-there'"):
        load_rules((tmp_path,))


@pytest.mark.parametrize("kind", ["embedded", "neo4j"])
def test_concepts_reach_the_rules_that_require_them(tmp_path, kind):
    """A concept's first column reaches a constraint as $<concept_id>; only the constraint's
    rows are findings, and the concept runs read-only like every rule."""
    rules = tmp_path / "rules"
    rule_file(rules, "entry-modules", """
        id: entry-modules
        title: Modules holding a command's function
        kind: concept
        severity: info
        query: |
          MATCH (e:EntryPoint {repo: $repo})-[:ENTERS]->(f:Function {repo: $repo})
          RETURN DISTINCT f.module AS module
        """)
    rule_file(rules, "entry-module-writes", """
        id: entry-module-writes
        title: A command's module calls a file write directly
        severity: medium
        requires: [entry-modules]
        query: |
          MATCH (f:Function {repo: $repo})-[c:CALLS]->(x:External {repo: $repo})
          WHERE f.module IN $entry_modules AND x.io = 'write'
          RETURN DISTINCT f.qualname AS symbol, f.file AS file, f.line AS line, x.qualname AS sink
          ORDER BY symbol, sink
        message: "{symbol} writes through {sink}"
        """)
    store = fresh_store(kind, tmp_path)
    api.load(DOCS_APP, store=store, repo="shop")
    audit = api.audit(store=store, rules_dirs=(str(rules),), select=("entry-module-writes",))
    assert [(f.rule, f.columns["symbol"]) for f in audit.findings] == []
    rule_file(rules, "entry-modules", """
        id: entry-modules
        title: Modules holding a command's function, and the service they call
        kind: concept
        severity: info
        query: |
          MATCH (m:Module {repo: $repo}) WHERE m.name = 'shop.service' OR m.name = 'shop.cli'
          RETURN m.name AS module
        """)
    audit = api.audit(store=store, rules_dirs=(str(rules),), select=("entry-module-writes",))
    found = sorted({(f.columns["symbol"], f.columns["sink"]) for f in audit.findings})
    # (`path.with_suffix(".txt").write_text(...)` on a Path parameter is not resolved yet)
    assert found == [("shop.service.save", "builtins.open#write"),
                     ("shop.service.save", "json.dump")]
    assert {f.severity for f in audit.findings} == {"medium"}
