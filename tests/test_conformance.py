"""Both stores answer alike: the same fixtures loaded into each, every query compared.

Every fixture package (tests/fixtures/*, and each rule's annotated fixture in tests/rules/*)
is loaded as its own repository into an embedded store and into the Neo4j test server.
Then each schema example, each named query, each bundled rule (findings, suppressed ones
included), every node with all its properties, every relationship with its properties, and
the counts per label and type must be identical, row for row (sorted). A difference is a
failure: fix the value normalisation in the adapters (kg.queries.store.normalise), or
report the non-portable query construct to the query's owner.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import fresh_store
from kg import api
from kg.model.schema import NODES, RELATIONSHIPS
from kg.queries import named, open_store
from kg.rules import engine
from kg.rules.config import find_config
from kg.rules.rule import load_rules

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import schema_docs  # noqa: E402

FIXTURES = sorted(p for p in (ROOT / "tests" / "fixtures").iterdir() if p.is_dir()) + \
    sorted(p for p in (ROOT / "tests" / "rules").iterdir() if p.is_dir())
REPOS = {f"{p.parent.name}-{p.name}": p for p in FIXTURES}
# Load node properties that record when, how long and at which commit of this repository
# (which moves while the tests run), not what was loaded.
VOLATILE = ("started", "finished", "seconds", "commit")

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """{kind: open store} with every fixture repository loaded into both."""
    opened = {}
    for kind in ("embedded", "neo4j"):
        uri = fresh_store(kind, tmp_path_factory.mktemp(kind))
        for repo, path in REPOS.items():
            api.load(path, store=uri, repo=repo)
        opened[kind] = open_store(uri)
    yield opened
    for store in opened.values():
        store.close()


def both(stores, cypher: str, params: dict | None = None) -> tuple[list, list]:
    results = [stores[k].query(cypher, params or {}) for k in ("embedded", "neo4j")]
    assert results[0].columns == results[1].columns
    return results[0].sorted_rows(), results[1].sorted_rows()


def assert_same(stores, cypher: str, params: dict | None = None, min_rows: int = 0) -> list:
    embedded, neo4j = both(stores, cypher, params)
    missing = [r for r in embedded if r not in neo4j][:5]
    extra = [r for r in neo4j if r not in embedded][:5]
    assert embedded == neo4j, (f"stores differ ({len(embedded)} vs {len(neo4j)} rows); "
                               f"embedded only: {missing}; neo4j only: {extra}\n{cypher}")
    assert len(embedded) >= min_rows
    return embedded


def test_every_fixture_is_loaded_in_both(stores):
    for store in stores.values():
        assert sorted(load["repo"] for load in store.loads()) == sorted(REPOS)


@pytest.mark.parametrize("label", sorted(NODES))
def test_node_counts_per_repository_are_identical(stores, label):
    rows = assert_same(stores, f"MATCH (n:{label}) RETURN n.repo AS repo, count(n) AS n")
    if label in ("Module", "Load"):
        assert {r[0] for r in rows} == set(REPOS)


@pytest.mark.parametrize("type", sorted(RELATIONSHIPS))
def test_relationship_counts_per_pair_are_identical(stores, type):
    for src, dst in RELATIONSHIPS[type][0]:
        assert_same(stores, f"MATCH (a:{src})-[r:{type}]->(b:{dst}) "
                            "RETURN a.repo AS repo, count(r) AS n")


@pytest.mark.parametrize("label", sorted(NODES))
def test_every_node_reads_back_identically(stores, label):
    """All properties of every node, as `RETURN n` gives them (absent and null alike)."""
    embedded, neo4j = both(stores, f"MATCH (n:{label}) RETURN n")
    if label == "Load":
        embedded, neo4j = ([{k: v for k, v in row[0].items() if k not in VOLATILE}
                            for row in rows] for rows in (embedded, neo4j))
    assert embedded == neo4j


@pytest.mark.parametrize("type", sorted(RELATIONSHIPS))
def test_every_relationship_reads_back_identically(stores, type):
    for src, dst in RELATIONSHIPS[type][0]:
        assert_same(stores, f"MATCH (a:{src})-[r:{type}]->(b:{dst}) RETURN a.id, b.id, r")


def portable(cypher: str) -> str:
    """The query without a final LIMIT: with ties in its ORDER BY, which rows make the cut
    is each store's choice; all the rows must agree."""
    return re.sub(r"\s+LIMIT\s+\d+\s*$", "", cypher.strip())


@pytest.mark.parametrize("name", sorted(schema_docs.EXAMPLES))
def test_every_schema_example_returns_the_same_rows(stores, name):
    cypher = portable(schema_docs.EXAMPLES[name])
    result = stores["embedded"].query(cypher)
    keep = [i for i, c in enumerate(result.columns) if not c.endswith(VOLATILE)]
    if len(keep) < len(result.columns):
        cypher = re.sub(r"RETURN .*", "RETURN " + ", ".join(
            result.columns[i] for i in keep), cypher, flags=re.S)
    assert_same(stores, cypher, min_rows=1)


NAMED = sorted(name for name, value in vars(named).items()
               if name.isupper() and not name.startswith("_") and isinstance(value, str)
               and "MATCH" in value)


@pytest.mark.parametrize("name", NAMED)
def test_every_named_query_returns_the_same_rows(stores, name):
    for repo in REPOS:
        assert_same(stores, getattr(named, name), {"repo": repo})


def test_the_named_edge_queries_return_the_same_edges(stores):
    found = 0
    for repo in REPOS:
        edges = [named.run_edges(stores[k], repo) for k in ("embedded", "neo4j")]
        spawns = [named.spawn_edges(stores[k], repo) for k in ("embedded", "neo4j")]
        assert edges[0] == edges[1], repo
        assert spawns[0] == spawns[1], repo
        found += len(edges[0]) + len(spawns[0])
    assert found > 0


RULES = load_rules()


@pytest.mark.parametrize("rule", [r.id for r in RULES])
def test_every_bundled_rule_finds_the_same(stores, rule):
    chosen = [r for r in RULES if r.id == rule]
    chosen += [r for r in RULES if r.id in chosen[0].requires]
    total = 0
    for repo, path in REPOS.items():
        config = find_config(path)
        audits = [engine.run(stores[k], chosen, repo, params=config.params,
                             rule_params=config.rule_params, severities=config.severities)
                  for k in ("embedded", "neo4j")]
        embedded, neo4j = ([(f.rule, f.severity, f.file, f.line, f.message, f.columns, f.key)
                            for f in audit.findings + audit.suppressed] for audit in audits)
        assert embedded == neo4j, f"{rule} on {repo}"
        total += len(embedded)
    if chosen[0].kind == "constraint" and (ROOT / "tests" / "rules" / rule).is_dir():
        assert total > 0, f"{rule} finds nothing on any fixture, its own included"
