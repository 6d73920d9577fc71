"""An incremental load writes only what changed, and the store ends up as a full write leaves it.

Each test runs on both stores (the embedded one and the Neo4j test server). The store's
whole content (every node with every property, every relationship with its properties,
as a sorted multiset) after an incremental load must equal a full load of the same tree
into a fresh store; the Load node differs only in what it says of the load itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import STORES, fresh_store
from harness import load_code, write_package
from kg import api
from kg.errors import QueryError
from kg.model.changes import Changes, Digest, between
from kg.model.facts import Facts
from kg.model.schema import NODES, RELATIONSHIPS
from kg.queries import embedded, neo4j_store, open_store
from test_incremental import EDITS, FIXTURE

REPO = "lem"
VOLATILE = ("started", "finished", "seconds", "mode", "reextracted")


def contents(uri: str, repo: str | None = None) -> dict:
    """Every node and relationship of the store (of one repository if given), sorted."""
    where = " WHERE n.repo = $repo" if repo else ""
    nodes, edges = [], []
    with open_store(uri) as store:
        for label in NODES:
            for (row,) in store.query(f"MATCH (n:{label}){where} RETURN n", {"repo": repo}).rows:
                if label == "Load":
                    row = {k: v for k, v in row.items() if k not in VOLATILE}
                nodes.append((label, sorted(row.items())))
        ends = " WHERE a.repo = $repo" if repo else ""
        for type in RELATIONSHIPS:
            result = store.query(f"MATCH (a)-[r:{type}]->(b){ends} RETURN a.id, b.id, r",
                                 {"repo": repo})
            edges += [(type, a, b, sorted(r.items())) for a, b, r in result.rows]
    return {"nodes": sorted(nodes, key=repr), "edges": sorted(edges, key=repr)}


def element_ids(uri: str) -> dict[str, str]:
    """Neo4j's own id of each node: a node the load did not write keeps it."""
    with open_store(uri) as store:
        return dict(store.query("MATCH (n) WHERE n.repo IS NOT NULL "
                                "RETURN n.id, elementId(n)").rows)


@pytest.fixture
def applied(monkeypatch) -> list[int]:
    """The sizes of the changes the stores applied (a spy: the stores' own code runs)."""
    sizes: list[int] = []

    def spy(real):
        def applying(store_or_conn, *args):
            changes = next(a for a in args if isinstance(a, Changes))
            sizes.append(changes.size())
            return real(store_or_conn, *args)
        return applying

    monkeypatch.setattr(embedded, "_apply", spy(embedded._apply))
    monkeypatch.setattr(neo4j_store.Neo4jStore, "_write_changes",
                        spy(neo4j_store.Neo4jStore._write_changes))
    return sizes


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """Neo4j's facts cache under tmp_path, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def project_copy(tmp_path: Path, name: str = "app") -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURE, root)
    return root / "src"


def full_contents(kind: str, tmp_path: Path, src: Path, repo: str = REPO) -> dict:
    """The store after a full load of src into a fresh store of the kind."""
    uri = fresh_store(kind, tmp_path / "fresh")
    api.load(src, store=uri, repo=repo, jobs=1, full=True)
    return contents(uri)


@pytest.mark.parametrize("kind", sorted(EDITS))
@pytest.mark.parametrize("store_kind", STORES)
def test_an_incremental_write_leaves_what_a_full_write_does(store_kind, kind, tmp_path,
                                                             cache_home, applied):
    uri = fresh_store(store_kind, tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    before = element_ids(uri) if store_kind == "neo4j" else {}
    EDITS[kind](src)
    summary = api.load(src, store=uri, repo=REPO, jobs=1)
    assert summary.incremental
    items = sum(summary.counts.values())        # ~770; a moved module changes all of its ids
    assert len(applied) == 1 and 0 < applied[0] < items / 5, (applied, items)
    after = contents(uri)
    if store_kind == "neo4j":       # what the load did not touch is the very same node
        kept = element_ids(uri)
        same = [id for id in before if kept.get(id) == before[id]]
        assert len(same) > 0.9 * len(before)
    assert after == full_contents(store_kind, tmp_path, src)


@pytest.mark.parametrize("store_kind", STORES)
def test_nothing_changed_writes_nothing_but_the_load_node(store_kind, tmp_path, cache_home,
                                                          applied):
    uri = fresh_store(store_kind, tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    first = contents(uri)
    again = api.load(src, store=uri, repo=REPO, jobs=1)
    assert again.incremental and again.reextracted == 0
    assert applied == [0]
    assert contents(uri) == first


@pytest.mark.parametrize("store_kind", STORES)
def test_another_repository_in_the_store_is_left_untouched(store_kind, tmp_path, cache_home,
                                                           applied):
    uri = fresh_store(store_kind, tmp_path)
    mine, other = project_copy(tmp_path, "mine"), project_copy(tmp_path, "other")
    api.load(mine, store=uri, repo=REPO, jobs=1)
    api.load(other, store=uri, repo="other", jobs=1)
    theirs = contents(uri, "other")
    assert theirs["nodes"]
    EDITS["rename"](mine)
    api.load(mine, store=uri, repo=REPO, jobs=1)
    assert len(applied) == 1
    assert contents(uri, "other") == theirs
    assert contents(uri, REPO) == full_contents(store_kind, tmp_path, mine)


@pytest.mark.parametrize("store_kind", STORES)
def test_the_full_flag_rewrites_everything(store_kind, tmp_path, cache_home, applied):
    uri = fresh_store(store_kind, tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    EDITS["body"](src)
    api.load(src, store=uri, repo=REPO, jobs=1, full=True)
    assert applied == []
    assert contents(uri) == full_contents(store_kind, tmp_path, src)


def test_a_graph_written_since_the_load_is_written_whole(tmp_path, applied):
    """The embedded store sees that its generation was written after the load (here by
    `kg query --write`): the changes were computed against a graph it no longer holds."""
    uri = str(tmp_path / "store")
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    with open_store(uri) as store:
        store.query("MATCH (n:Module) SET n.loc = 999", write=True)
    EDITS["body"](src)
    summary = api.load(src, store=uri, repo=REPO, jobs=1)
    assert summary.incremental and applied == []
    assert contents(uri) == full_contents("embedded", tmp_path, src)


# -- the store's side, on facts it is handed ---------------------------------------------

V1 = {"app/__init__.py": "",
      "app/a.py": "X = 1\n\n\nclass A:\n    def m(self):\n        return helper()\n\n\n"
                  "def helper():\n    return 1\n\n\ndef twice():\n    helper()\n    helper()\n",
      "app/b.py": "from app.a import A\n\n\ndef f():\n    return A().m()\n"}
V2 = {"app/__init__.py": "",
      "app/a.py": "class A:\n    def m(self):\n        return 2\n\n\n"
                  "def helper():\n    return 1\n\n\ndef twice():\n    helper()\n",
      "app/c.py": "def g():\n    pass\n"}


def load_node(repo: str, files: int) -> dict:
    return {"id": f"{repo}:Load", "repo": repo, "file": "", "line": 0, "end_line": 0,
            "schema_version": 1, "kg_version": "test", "source": repo, "files": files,
            "parse_errors": []}


def facts_of(tmp_path: Path, files: dict, name: str) -> Facts:
    return load_code(tmp_path / name, files, repo="one").facts


def stored_load(uri: str) -> dict:
    with open_store(uri) as store:
        return next(r for r in store.loads() if r["repo"] == "one")


@pytest.fixture(params=STORES)
def store_kind(request):
    return request.param


def test_changes_against_another_load_are_not_applied(store_kind, tmp_path, applied):
    """Changes computed against a Load node the store does not hold (another load came
    between): the store writes the new graph whole, and the result is the same."""
    uri = fresh_store(store_kind, tmp_path)
    old, new = facts_of(tmp_path, V1, "v1"), facts_of(tmp_path, V2, "v2")
    with open_store(uri) as store:
        store.replace_repository("one", old, load_node("one", 3))
    changes = between(Digest.of(old), Digest.of(new), new, {**stored_load(uri), "files": 4})
    assert changes.removed and changes.changed and changes.added and changes.unlinked
    with open_store(uri) as store:
        store.replace_repository("one", new, load_node("one", 3), changes=changes)
    assert applied == []
    whole = contents(uri)
    with open_store(uri) as store:
        store.replace_repository("one", old, load_node("one", 3))
        changes.base = stored_load(uri)
        store.replace_repository("one", new, load_node("one", 3), changes=changes)
    assert len(applied) == 1
    assert contents(uri) == whole
    with open_store(fresh_store(store_kind, tmp_path / "fresh")) as store:
        store.replace_repository("one", new, load_node("one", 3))
        assert contents(store.uri) == whole


def test_a_property_that_became_absent_is_gone(store_kind, tmp_path, applied):
    uri = fresh_store(store_kind, tmp_path)
    old = facts_of(tmp_path, V1, "v1")
    new = facts_of(tmp_path, V1, "v1b")
    function = next(iter(new.nodes["Function"]))
    new.nodes["Function"][function]["decorators"] = None
    new.nodes["Function"][function]["fingerprint"] = None
    old.nodes["Function"][function]["decorators"] = ["staticmethod"]
    with open_store(uri) as store:
        store.replace_repository("one", old, load_node("one", 3))
        changes = between(Digest.of(old), Digest.of(new), new, stored_load(uri))
        assert changes.changed == {"Function": [new.nodes["Function"][function]]}
        store.replace_repository("one", new, load_node("one", 3), changes=changes)
        rows = store.query("MATCH (f:Function {id: $id}) RETURN f.decorators, f.fingerprint",
                           {"id": function}).rows
    assert applied == [1]
    assert rows == [[None, None]]


def test_parallel_relationships_are_kept_as_many_as_there_are(store_kind, tmp_path, applied):
    """Relationships have no identity: `twice` calls helper on two lines, and a third,
    identical relationship is added; each link (type, ends) is compared as a multiset and
    written again whole."""
    uri = fresh_store(store_kind, tmp_path)
    old = facts_of(tmp_path, V1, "v1")
    new = facts_of(tmp_path, V1, "v1b")
    calls = [e for e in new.edges if e.type == "CALLS" and e.src.endswith("twice")]
    assert len(calls) == 2
    new.edges.append(calls[0])              # the very same relationship a third time
    with open_store(uri) as store:
        store.replace_repository("one", old, load_node("one", 3))
        changes = between(Digest.of(old), Digest.of(new), new, stored_load(uri))
        assert len(changes.unlinked) == 1 and len(changes.linked) == 3
        store.replace_repository("one", new, load_node("one", 3), changes=changes)
        lines = store.query("MATCH (:Function {name: 'twice'})-[r:CALLS]->() RETURN r.line").rows
    assert sorted(lines) == sorted([[calls[0].prop("line")]] * 2 + [[calls[1].prop("line")]])
    back = between(Digest.of(new), Digest.of(old), old, stored_load(uri))
    with open_store(uri) as store:
        store.replace_repository("one", old, load_node("one", 3), changes=back)
        lines = store.query("MATCH (:Function {name: 'twice'})-[r:CALLS]->() RETURN r.line").rows
    assert len(lines) == 2 and len(applied) == 2


def test_a_failed_partial_write_leaves_the_previous_graph_whole(store_kind, tmp_path, applied):
    """The changes fail part-way, at the first added node (a line number no store can hold),
    after the unlinked, removed and changed items were written: nothing of it is seen."""
    uri = fresh_store(store_kind, tmp_path)
    old, new = facts_of(tmp_path, V1, "v1"), facts_of(tmp_path, V2, "v2")
    with open_store(uri) as store:
        store.replace_repository("one", old, load_node("one", 3))
    whole = contents(uri)
    changes = between(Digest.of(old), Digest.of(new), new, stored_load(uri))
    assert changes.unlinked and changes.removed and changes.changed
    row = next(iter(changes.added.values()))[0]
    line, row["line"] = row["line"], 2 ** 64
    with pytest.raises((QueryError, OverflowError, ValueError)), open_store(uri) as store:
        store.replace_repository("one", new, load_node("one", 4), changes=changes)
    assert len(applied) == 1
    assert contents(uri) == whole
    row["line"] = line
    with open_store(uri) as store:
        store.replace_repository("one", new, load_node("one", 4), changes=changes)
    assert stored_load(uri)["files"] == 4 and contents(uri) != whole


def test_a_digest_reads_back_and_garbage_is_no_digest(tmp_path):
    facts = facts_of(tmp_path, V1, "v1")
    digest = Digest.of(facts)
    again = Digest.from_bytes(digest.to_bytes())
    assert again == digest
    assert between(again, digest, facts, {}).size() == 0
    assert Digest.from_bytes(b"not a digest") is None
    assert Digest.from_bytes(digest.to_bytes()[:-9]) is None


# A process that applies the changes from V1 to V2 and SIGKILLs itself part-way: on the
# embedded store once the changed nodes are set (after the links and nodes were deleted),
# on Neo4j before its third statement is sent. The commit never comes.
KILLED_UPDATE = """
import os, signal, sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from harness import load
from kg.model.changes import Digest, between
from kg.queries import embedded, neo4j_store, open_store

uri, old, new = sys.argv[1], load(Path(sys.argv[3]), "one").facts, load(Path(sys.argv[4]), "one").facts

def die(*args):
    os.kill(os.getpid(), signal.SIGKILL)

real_set, real_batch, sent = embedded._set_nodes, neo4j_store._write_batch, []
def set_then_die(*args):
    real_set(*args)
    die()
def batch_or_die(*args):
    if len(sent) == 2:
        die()
    sent.append(1)
    return real_batch(*args)
embedded._set_nodes, neo4j_store._write_batch = set_then_die, batch_or_die

with open_store(uri) as store:
    base = next(r for r in store.loads() if r["repo"] == "one")
    changes = between(Digest.of(old), Digest.of(new), new, base)
    store.replace_repository("one", new, {**base, "files": 4}, changes=changes)
print("not killed", flush=True)
"""


def test_a_killed_partial_write_leaves_the_previous_graph_whole(store_kind, tmp_path):
    uri = fresh_store(store_kind, tmp_path)
    old_tree = write_package(tmp_path / "v1" / "src", V1)
    new_tree = write_package(tmp_path / "v2" / "src", V2)
    old, new = facts_of(tmp_path, V1, "v1b"), facts_of(tmp_path, V2, "v2b")
    with open_store(uri) as store:
        store.replace_repository("one", old, load_node("one", 3))
    whole = contents(uri)
    run = subprocess.run([sys.executable, "-c", KILLED_UPDATE, uri, str(Path(__file__).parent),
                          str(old_tree), str(new_tree)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == -9, run.stdout + run.stderr
    assert contents(uri) == whole
    with open_store(uri) as store:      # and the next write, changes or not, goes through
        changes = between(Digest.of(old), Digest.of(new), new, stored_load(uri))
        store.replace_repository("one", new, load_node("one", 4), changes=changes)
    assert stored_load(uri)["files"] == 4
    after = contents(uri)
    with open_store(fresh_store(store_kind, tmp_path / "fresh")) as store:
        store.replace_repository("one", new, load_node("one", 4))
        assert contents(store.uri) == after
