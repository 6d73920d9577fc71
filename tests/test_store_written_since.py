"""A graph written between two loads is written whole by the second, incremental one.

The incremental load's changes are computed against the graph the previous load wrote; a
store whose graph was changed since (by `kg query --write`, or on Neo4j by another client
that changed how many nodes or relationships of kg's labels and types it holds) must not
have them applied on top. Each test compares the store after the incremental load with a
full load of the same tree into a fresh store.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import STORES, fresh_store
from kg import api
from kg.cli.main import cli
from kg.queries import open_store
from test_incremental import EDITS
from test_store_partial import REPO, applied, cache_home, contents, full_contents, project_copy

__all__ = ["applied", "cache_home"]     # fixtures the tests below use


def kg_query_write(uri: str, cypher: str) -> str:
    result = CliRunner().invoke(cli, ["query", "--write", cypher, "--store", uri],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


WRITES = {
    "property": "MATCH (f:Function) SET f.name = f.name + '_x'",
    "node deleted": "MATCH (f:Function) WITH f ORDER BY f.id LIMIT 3 DETACH DELETE f",
    "relationship deleted": "MATCH ()-[r:CALLS]->() WITH r LIMIT 5 DELETE r",
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("store_kind", STORES)
def test_a_kg_query_write_between_loads_makes_the_next_load_whole(
        store_kind, write, tmp_path, cache_home, applied):
    uri = fresh_store(store_kind, tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    before = contents(uri)
    kg_query_write(uri, WRITES[write])
    assert contents(uri) != before
    EDITS["body"](src)
    summary = api.load(src, store=uri, repo=REPO, jobs=1)
    assert summary.incremental and applied == []
    whole = contents(uri)
    EDITS["new"](src)               # and the load after that writes only the changes again
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert len(applied) == 1
    partial = contents(uri)
    # (A fresh Neo4j store is the same server emptied: compare only after the loads above.)
    assert partial == full_contents(store_kind, tmp_path, src)
    (src / "lem/extra.py").unlink()
    assert whole == full_contents(store_kind, tmp_path / "before", src)


@pytest.mark.parametrize("store_kind", STORES)
def test_a_write_query_that_changed_nothing_leaves_the_next_load_partial(
        store_kind, tmp_path, cache_home, applied):
    uri = fresh_store(store_kind, tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    output = kg_query_write(uri, "MATCH (f:Function) WHERE f.name = 'no such name' "
                                 "SET f.loc = 1 RETURN count(f) AS n")
    assert "0" in output
    if store_kind == "neo4j":       # the rolled-back mark is nowhere
        with open_store(uri) as store:
            assert store.query("MATCH (l:Load) RETURN l._written").rows == [[None]]
    EDITS["body"](src)
    api.load(src, store=uri, repo=REPO, jobs=1)
    if store_kind == "neo4j":
        assert len(applied) == 1
    # The embedded store sees only that its file was opened for writing, and writes whole.
    assert contents(uri) == full_contents(store_kind, tmp_path, src)


@pytest.mark.parametrize("store_kind", STORES)
def test_a_schema_command_still_runs_under_write(store_kind, tmp_path):
    uri = fresh_store(store_kind, tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    command = ("CREATE INDEX kg_test_note IF NOT EXISTS FOR (n:Note) ON (n.text)"
               if store_kind == "neo4j" else
               "CREATE NODE TABLE Note(id STRING, text STRING, PRIMARY KEY(id))")
    kg_query_write(uri, command)


# -- other clients (Neo4j) -------------------------------------------------------------------

def other_client(uri: str, cypher: str) -> None:
    """A write by a client that is not kg: the driver's own session."""
    import neo4j

    from neo4j_server import auth
    with neo4j.GraphDatabase.driver(uri, auth=auth()) as driver, driver.session() as session:
        session.run(cypher).consume()


FOREIGN = {
    "node created": "CREATE (:Function {id: 'planted', repo: 'lem', name: 'planted'})",
    "node deleted": "MATCH (f:Function) WITH f ORDER BY f.id LIMIT 1 DETACH DELETE f",
    "relationship created": "MATCH (a:Function), (b:Function) WITH a, b LIMIT 1 "
                            "CREATE (a)-[:CALLS {line: 1}]->(b)",
}


@pytest.mark.parametrize("write", sorted(FOREIGN))
def test_another_client_that_changes_counts_is_noticed(write, tmp_path, cache_home, applied):
    uri = fresh_store("neo4j", tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    other_client(uri, FOREIGN[write])
    EDITS["body"](src)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert applied == []
    assert contents(uri) == full_contents("neo4j", tmp_path, src)


def test_another_client_that_only_sets_properties_is_not_noticed(tmp_path, cache_home,
                                                                 applied):
    """The documented limit (docs/stores.md): the count store cannot see a changed value."""
    uri = fresh_store("neo4j", tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    other_client(uri, "MATCH (m:Module) SET m.loc = -1")
    EDITS["body"](src)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert len(applied) == 1
    with open_store(uri) as store:
        assert [-1] in store.query("MATCH (m:Module) RETURN m.loc").rows


def test_nodes_no_repository_accounts_for_cost_one_whole_load_only(tmp_path, cache_home,
                                                                   applied):
    """A node of a kg label outside every repository stays through loads (a full one does
    not delete it either): the load after it appeared is whole, the next ones partial."""
    uri = fresh_store("neo4j", tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    other_client(uri, "CREATE (:Module {id: 'stray', name: 'stray'})")
    EDITS["body"](src)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert applied == []
    EDITS["rename"](src)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert len(applied) == 1
    other = project_copy(tmp_path, "other")         # another repository's loads between
    api.load(other, store=uri, repo="other", jobs=1)
    EDITS["deleted"](src)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert len(applied) == 2
    with open_store(uri) as store:
        assert store.query("MATCH (m:Module {id: 'stray'}) RETURN m.name").rows == [["stray"]]
    assert contents(uri, REPO) == full_contents("neo4j", tmp_path, src)
