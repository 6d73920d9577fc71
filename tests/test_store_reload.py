"""Reloading a repository: what else the store holds survives, and a store that holds
nothing else starts the new graph from an empty database (embedded), not from a copy
it must delete the old graph from.

Runs on both stores where the behaviour is the store's contract (what a reader sees);
the generation's size is the embedded store's own business.
"""

from __future__ import annotations

import pytest

from conftest import STORES, fresh_store
from harness import load_code
from kg.queries import open_store
from kg.queries.embedded import EmbeddedStore, _only_repository

V1 = {"app/__init__.py": "", "app/a.py": "class A:\n    def m(self):\n        return 1\n",
      "app/b.py": "def f():\n    return 2\n"}
V2 = {"app/__init__.py": "", "app/a.py": "class A2:\n    pass\n"}


def load_node(repo: str) -> dict:
    return {"id": f"{repo}:Load", "repo": repo, "file": "", "line": 0, "end_line": 0,
            "schema_version": 1, "kg_version": "test", "source": repo, "files": 1,
            "parse_errors": []}


def reload(store, tmp_path, files, repo="one"):
    graph = load_code(tmp_path / repo / str(len(files)), files, repo=repo)
    store.replace_repository(repo, graph.facts, load_node(repo))


def column(store, cypher: str) -> list:
    return sorted(row[0] for row in store.query(cypher).rows)


@pytest.fixture(params=STORES)
def store(request, tmp_path):
    with open_store(fresh_store(request.param, tmp_path)) as s:
        yield s


def test_a_reload_keeps_nodes_of_no_repository_and_of_other_repositories(store, tmp_path):
    reload(store, tmp_path, V1)
    store.query("CREATE (:Module {id: 'loose', name: 'loose', is_package: false})", write=True)
    store.query("CREATE (:Module {id: 'two:Module:x', repo: 'two', name: 'x', "
                "is_package: false})", write=True)
    reload(store, tmp_path, V2)
    assert column(store, "MATCH (n:Module) RETURN n.id") == [
        "loose", "one:Module:app", "one:Module:app.a", "two:Module:x"]
    assert column(store, "MATCH (n:Class) RETURN n.name") == ["A2"]
    assert column(store, "MATCH (n:Function) RETURN n.name") == []


def test_a_reload_of_the_only_repository_replaces_it_whole(store, tmp_path):
    reload(store, tmp_path, V1)
    reload(store, tmp_path, V2)
    assert column(store, "MATCH (n:Module) RETURN n.id") == ["one:Module:app", "one:Module:app.a"]
    assert column(store, "MATCH (n:Class) RETURN n.name") == ["A2"]
    assert column(store, "MATCH (n:Load) RETURN n.repo") == ["one"]
    reload(store, tmp_path, V1)
    assert column(store, "MATCH (:Class)-[:CONTAINS]->(f:Function) RETURN f.name") == ["m"]


def test_only_repository_says_no_when_anything_else_is_there(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        reload(store, tmp_path, V1)
        current = store.current_file()
        assert _only_repository(current, "one")
        assert not _only_repository(current, "two")
        reload(store, tmp_path, V1, repo="two")
        assert not _only_repository(store.current_file(), "one")


def test_reloads_of_a_single_repository_do_not_grow_the_database(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        reload(store, tmp_path, V1)
        first = store.current_file().stat().st_size
        for _ in range(3):
            reload(store, tmp_path, V1)
        assert store.current_file().stat().st_size == first
