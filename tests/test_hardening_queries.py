"""Hardening, queries (issue #8 point 5): on both stores, `kg query` is read-only unless
--write, rule queries run read-only, and parameters reach the store as parameters: a rule
parameter or a [tool.kg] value holding Cypher cannot change what a query does."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from click.testing import CliRunner

from harness import write_package
from kg.cli.main import cli
from reliability_record import record

APP = {
    "app/__init__.py": "",
    "app/models.py": textwrap.dedent("""\
        from dataclasses import dataclass


        @dataclass
        class Order:
            id: int
            note: str


        def make():
            return Order(1, "x")


        def lonely():
            return 2
        """),
}
# Cypher an attacker might hide in a value, each closing whatever it could be formatted into.
PAYLOADS = (
    "x' }) DETACH DELETE n //",
    'x" }) DETACH DELETE n //',
    "x` DETACH DELETE n //",
    "0 WITH 1 AS one MATCH (n) DETACH DELETE n RETURN one //",
    "app.models'] MATCH (n) DETACH DELETE n //",
)
COUNTS = "MATCH (n:Module {repo: 'app'}) WITH count(n) AS modules " \
         "MATCH (f:Function {repo: 'app'}) RETURN modules, count(f) AS functions"


def kg(*args, store: str):
    return CliRunner().invoke(cli, [*args, "--store", store], catch_exceptions=False)


@pytest.fixture
def loaded(store_uri, tmp_path, request):
    source = write_package(tmp_path / "src", APP)
    result = kg("load", str(source / "app"), "--repo", "app", "-q", store=store_uri)
    assert result.exit_code == 0, result.output
    kind = request.node.callspec.params["store_uri"]
    return store_uri, kind, source


def counts(store: str) -> dict:
    result = kg("query", COUNTS, "--format", "json", store=store)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]


def test_kg_query_refuses_writes_unless_asked(loaded):
    store, kind, _ = loaded
    before = counts(store)
    assert before == {"modules": 2, "functions": 2}
    for cypher in ("MATCH (n) DETACH DELETE n",
                   "CREATE (:Module {id: 'x', repo: 'app', name: 'x'})",
                   "MATCH (m:Module) SET m.name = 'changed'"):
        refused = kg("query", cypher, store=store)
        assert refused.exit_code == 2, (cypher, refused.output)
        assert "--write" in refused.output, refused.output
        assert counts(store) == before
    names = kg("query", "MATCH (m:Module {repo: 'app'}) RETURN m.name ORDER BY m.name",
               "--format", "csv", store=store)
    assert names.output.splitlines() == ["m.name", "app", "app.models"]
    allowed = kg("query", "MATCH (f:Function {name: 'lonely'}) SET f.loc = 99 "
                 "RETURN count(f) AS n", "--write", "--format", "json", store=store)
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.output) == [{"n": 1}]
    record("queries", f"{kind}: kg query without --write", store=kind, outcome="refused")


def test_a_rule_that_writes_is_refused_and_changes_nothing(loaded, tmp_path):
    store, kind, _ = loaded
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "sneaky-delete.yaml").write_text(textwrap.dedent("""\
        id: sneaky-delete
        title: Deletes what it should only read
        severity: high
        message: "{name}"
        query: |
          MATCH (f:Function {repo: $repo})
          DETACH DELETE f
          RETURN 'gone' AS name, '' AS file, 0 AS line
        docs:
          why: a test of read-only audits
          how_to_fix: none
          example: none
          false_positives: none
          limits: none
        """))
    before = counts(store)
    result = kg("audit", "--rules", str(rules), "--format", "json", store=store)
    assert result.exit_code == 2, result.output
    assert "sneaky-delete" in result.output
    assert counts(store) == before
    record("queries", f"{kind}: a rule that writes", store=kind, outcome="refused")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cypher_in_a_param_is_only_a_value(loaded, payload):
    store, kind, _ = loaded
    before = counts(store)
    # a value compared with a property: it matches nothing, deletes nothing
    result = kg("query", "MATCH (m:Module {repo: 'app'}) WHERE m.name = $name RETURN m.name",
                "--param", f"name={json.dumps(payload)}", "--format", "json", store=store)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    # a rule parameter given on the command line
    audit = kg("audit", "--format", "json", "--param", f"feature={json.dumps(payload)}",
               "--param", f"domain={json.dumps([payload])}", store=store)
    assert audit.exit_code in (0, 1), audit.output
    assert counts(store) == before
    record("queries", f"{kind}: --param {payload}", store=kind, outcome="value only")


def test_cypher_in_a_tool_kg_config_value_is_only_a_value(loaded):
    store, kind, source = loaded
    payload = PAYLOADS[0]
    (source / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [tool.kg.params]
        max_lines = 0
        feature = {json.dumps(payload)}
        [tool.kg.rules.layer-violation]
        layers = [{json.dumps(payload)}, "app.models"]
        """))
    before = counts(store)
    audit = kg("audit", "--format", "json", store=store)   # [tool.kg] found from the source
    assert audit.exit_code in (0, 1), audit.output
    report = json.loads(audit.output)
    long_functions = [f["columns"].get("symbol") for group in report["findings"]
                      if group["rule"] == "long-function" for f in group["findings"]]
    # max_lines = 0 from the config reached the rule as a number: every function is "long"
    assert sorted(long_functions) == ["app.models.lonely", "app.models.make"], long_functions
    assert counts(store) == before
    record("queries", f"{kind}: [tool.kg] value {payload}", store=kind, outcome="value only")


def test_the_neo4j_password_is_in_no_report(tmp_path):
    """Issue #8 point 6, for the audit reports (output, exceptions and graph: test_neo4j_store)."""
    from conftest import fresh_store
    store = fresh_store("neo4j", tmp_path)
    password = os.environ["NEO4J_PASSWORD"]
    source = write_package(tmp_path / "src", APP)
    assert kg("load", str(source / "app"), "--repo", "app", "-q", store=store).exit_code == 0
    for fmt in ("md", "json", "sarif", "html"):
        out = tmp_path / f"report.{fmt}"
        result = kg("audit", "--format", fmt, "-o", str(out), store=store)
        assert result.exit_code in (0, 1), result.output
        text = out.read_text()
        assert "app.models" in text
        assert password not in text + result.output
    record("queries", "neo4j: password in no report", store="neo4j", outcome="absent")
