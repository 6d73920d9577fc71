"""Store behaviour on the real stores: atomic replacement, several repositories, locking."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from harness import load_code, write_package
from kg.errors import QueryError, StoreBusy, StoreUnavailable
from kg.queries import open_store
from kg.queries.embedded import EmbeddedStore

APP_V1 = {
    "app/__init__.py": "",
    "app/a.py": "X = 1\n\nclass A:\n    def m(self):\n        return 1\n",
    "app/b.py": "def f():\n    return 2\n\ndef g():\n    return 3\n",
}
APP_V2 = {
    "app/__init__.py": "",
    "app/a.py": "class A2:\n    pass\n",
}


def load_node(repo: str) -> dict:
    return {"id": f"{repo}:Load", "repo": repo, "file": "", "line": 0, "end_line": 0,
            "schema_version": 1, "kg_version": "test", "source": repo, "files": 1,
            "parse_errors": []}


def store_load(store, tmp_path, files, repo):
    graph = load_code(tmp_path / repo / str(len(files)), files, repo=repo)
    store.replace_repository(repo, graph.facts, load_node(repo))
    return graph


def names(store, label: str, repo: str | None = None) -> list[str]:
    where = " WHERE n.repo = $repo" if repo else ""
    rows = store.query(f"MATCH (n:{label}){where} RETURN n.name AS name ORDER BY name",
                       {"repo": repo} if repo else {}).rows
    return [r[0] for r in rows]


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "store") as s:
        yield s


def test_replace_repository_replaces_only_that_repository(store, tmp_path):
    store_load(store, tmp_path, APP_V1, "one")
    store_load(store, tmp_path, APP_V1, "two")
    assert names(store, "Function", "one") == ["f", "g", "m"]
    store_load(store, tmp_path, APP_V2, "one")
    assert names(store, "Function", "one") == []
    assert names(store, "Class", "one") == ["A2"]
    assert names(store, "Function", "two") == ["f", "g", "m"]
    assert [load["repo"] for load in store.loads()] == ["one", "two"]


def test_relationships_are_stored_with_both_ends(store, tmp_path):
    store_load(store, tmp_path, APP_V1, "one")
    rows = store.query("MATCH (c:Class)-[:CONTAINS]->(f:Function) "
                       "RETURN c.qualname, f.qualname").rows
    assert rows == [["app.a.A", "app.a.A.m"]]


def test_read_only_queries_refuse_writes(store, tmp_path):
    store_load(store, tmp_path, APP_V1, "one")
    with pytest.raises(QueryError, match="--write"):
        store.query("MATCH (n:Module) DETACH DELETE n")
    assert len(names(store, "Module")) == 3
    store.query("MATCH (n:Module) WHERE n.name = 'app.b' SET n.loc = 99", write=True)
    assert store.query("MATCH (n:Module) WHERE n.name = 'app.b' RETURN n.loc").rows == [[99]]


def test_bad_cypher_is_a_query_error(store, tmp_path):
    store_load(store, tmp_path, APP_V1, "one")
    with pytest.raises(QueryError):
        store.query("MATC (n) RETURN n")


def test_querying_an_empty_folder_says_to_load_first(tmp_path):
    with pytest.raises(StoreUnavailable, match="kg load"), open_store(str(tmp_path / "none")) as s:
        s.query("MATCH (n:Module) RETURN n")


# A writer process that holds the store, then a second writer and a reader.
HOLD_WRITER = """
import sys, time
from kg.queries.embedded import EmbeddedStore
s = EmbeddedStore(sys.argv[1])
s.lock_for_writing()
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_second_writer_gets_a_clear_message_and_readers_still_read(store, tmp_path):
    store_load(store, tmp_path, APP_V1, "one")
    store.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(store.dir), "30"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusy, match="another kg process"), \
                EmbeddedStore(store.dir) as second:
            second.lock_for_writing()
        with EmbeddedStore(store.dir) as reader:
            assert names(reader, "Function", "one") == ["f", "g", "m"]
    finally:
        holder.kill()
        holder.wait()


# Reload with a COPY that kills its own process (SIGKILL) after `n` edge tables were copied.
KILLED_RELOAD = """
import os, signal, sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from harness import load
from kg.queries import embedded
from kg.queries.embedded import EmbeddedStore

copies = {"n": 0}
real_copy_edges = embedded._copy_edges
def copy_then_die(*args):
    real_copy_edges(*args)
    copies["n"] += 1
    if copies["n"] >= int(sys.argv[4]):
        os.kill(os.getpid(), signal.SIGKILL)
embedded._copy_edges = copy_then_die
real_copy_nodes = embedded._copy_nodes
def nodes_then_die(*args):
    real_copy_nodes(*args)
    if int(sys.argv[4]) == 0:
        os.kill(os.getpid(), signal.SIGKILL)
embedded._copy_nodes = nodes_then_die

graph = load(Path(sys.argv[2]), repo="one")
store = EmbeddedStore(sys.argv[1])
store.replace_repository("one", graph.facts, {"id": "one:Load", "repo": "one", "files": 9})
print("not killed", flush=True)
"""


@pytest.mark.parametrize("kill_after", [0, 1, 3])
def test_a_killed_reload_leaves_the_previous_graph_whole(store, tmp_path, kill_after):
    from pathlib import Path
    store_load(store, tmp_path, APP_V1, "one")
    before = {label: names(store, label) for label in ("Module", "Class", "Function", "Variable")}
    contains = store.query("MATCH (a)-[r:CONTAINS]->(b) RETURN a.id, b.id ORDER BY a.id, b.id").rows
    store.close()
    bigger = write_package(tmp_path / "v3", {
        "app/__init__.py": "", **{f"app/m{i}.py": textwrap.dedent(f"""
            class C{i}:
                def m(self):
                    return {i}
            def f{i}():
                return C{i}()
            """) for i in range(30)}})
    run = subprocess.run([sys.executable, "-c", KILLED_RELOAD, str(store.dir), str(bigger),
                          str(Path(__file__).parent), str(kill_after)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -9, run.stderr
    with EmbeddedStore(store.dir) as after:
        assert {label: names(after, label) for label in before} == before
        assert after.query("MATCH (a)-[r:CONTAINS]->(b) RETURN a.id, b.id "
                           "ORDER BY a.id, b.id").rows == contains
        store_load(after, tmp_path, APP_V2, "one")
        assert names(after, "Class") == ["A2"]


def test_a_store_of_another_schema_is_refused_untouched(tmp_path):
    import ladybug
    folder = tmp_path / "old"
    folder.mkdir()
    db = ladybug.Database(str(folder / "graph.lbdb"))
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE Module(id STRING, name STRING, PRIMARY KEY(id))")
    conn.execute("CREATE (:Module {id: 'old', name: 'kept'})")
    db.close()
    with pytest.raises(StoreUnavailable, match="another graph schema"), \
            EmbeddedStore(folder) as store:
        store_load(store, tmp_path, APP_V1, "one")
    db = ladybug.Database(str(folder / "graph.lbdb"), read_only=True)
    rows = ladybug.Connection(db).execute("MATCH (m:Module) RETURN m.name").get_all()
    assert rows == [["kept"]]
