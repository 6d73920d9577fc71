"""Ad-hoc unlabeled queries count the same nodes on both stores.

Neo4j keeps a `_KgLoadState` node per repository for its switch-over protocol; the
embedded store keeps one too (holding only `repo`), so `MATCH (n)` agrees across stores.
"""

from __future__ import annotations

from conftest import fresh_store
from kg import api
from kg.queries import open_store
from test_store_partial import cache_home, project_copy

__all__ = ["cache_home"]        # a fixture the tests below use

UNLABELED = {
    "count": "MATCH (n) RETURN count(n)",
    "by repository": "MATCH (n) RETURN n.repo, count(n) ORDER BY n.repo",
    "state": "MATCH (s:`_KgLoadState`) RETURN s.repo ORDER BY s.repo",
    "kg nodes": "MATCH (n) WHERE n.id IS NOT NULL RETURN count(n)",
}


def answers(uri: str) -> dict:
    with open_store(uri) as store:
        return {name: store.query(cypher).rows for name, cypher in UNLABELED.items()}


def test_unlabeled_queries_agree_across_stores(tmp_path, cache_home):
    one, two = project_copy(tmp_path, "one"), project_copy(tmp_path, "two")
    seen = {}
    for kind in ("embedded", "neo4j"):
        uri = fresh_store(kind, tmp_path / kind)
        api.load(one, store=uri, repo="one", jobs=1)
        api.load(two, store=uri, repo="two", jobs=1)
        api.load(one, store=uri, repo="one", jobs=1)     # again: still one node a repository
        seen[kind] = answers(uri)
    assert seen["embedded"]["state"] == [["one"], ["two"]]
    count = seen["embedded"]["count"][0][0]
    assert count == seen["embedded"]["kg nodes"][0][0] + 2
    assert seen["embedded"] == seen["neo4j"]


def test_a_store_written_before_the_state_node_gains_it(tmp_path, cache_home):
    """A store whose generation has no state table (written by an earlier kg) gets one at
    the next load, and a partial write keeps it."""
    uri = str(tmp_path / "store")
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo="one", jobs=1)
    with open_store(uri) as store:
        store.query("DROP TABLE `_KgLoadState`", write=True)
        assert "_KgLoadState" not in str(store.query("CALL show_tables() RETURN name").rows)
    api.load(src, store=uri, repo="one", jobs=1)
    api.load(src, store=uri, repo="one", jobs=1)
    assert answers(uri)["state"] == [["one"]]
