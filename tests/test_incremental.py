"""Incremental loads: after each kind of edit, the stored graph equals a full load's.

The fixture is copied to tmp_path and loaded into one embedded store; each edit
is followed by an incremental `api.load`, whose stored graph (every node and
edge with its properties, read back from the store) must equal the facts a
full extraction of the edited tree gives, and which must have re-extracted
only part of the project when the edit allows it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import api
from kg.loader import extract, incremental
from kg.model.schema import NODES, RELATIONSHIPS
from kg.queries import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "e2e_app"
REPO = "lem"


def stored_graph(store: str) -> tuple[dict, list]:
    """Every node (but the Load node) and edge of the store, properties included."""
    nodes, edges = {}, []
    with open_store(store) as graph:
        for label in NODES:
            if label == "Load":
                continue
            for (row,) in graph.query(f"MATCH (n:{label}) RETURN n").rows:
                nodes[(label, row["id"])] = row
        for type in RELATIONSHIPS:
            result = graph.query(f"MATCH (a)-[r:{type}]->(b) RETURN a.id, b.id, r")
            edges += [(type, a, b, _props(r)) for a, b, r in result.rows]
    return nodes, sorted(edges, key=repr)


def extracted_graph(root: Path) -> tuple[dict, list]:
    """The facts of a full extraction, shaped as the store gives them back (no nulls)."""
    facts = extract(root, REPO, jobs=1).facts
    nodes = {(label, id): {k: v for k, v in row.items() if v is not None}
             for label, rows in facts.nodes.items() for id, row in rows.items()}
    edges = [(e.type, e.src, e.dst, {k: v for k, v in e.props if v is not None})
             for e in facts.edges]
    return nodes, sorted(edges, key=repr)


def _props(rel: dict) -> dict:
    return {k: v for k, v in rel.items() if k not in ("id",) and v is not None}


def load_record(store: str) -> dict:
    with open_store(store) as graph:
        return next(r for r in graph.loads() if r["repo"] == REPO)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    store = str(tmp_path / "store")
    first = api.load(root / "src", store=store, repo=REPO, jobs=1)
    assert not first.incremental and first.reextracted == first.files
    return root / "src", store


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def assert_equal_to_full(src: Path, store: str) -> None:
    stored_nodes, stored_edges = stored_graph(store)
    full_nodes, full_edges = extracted_graph(src)
    assert stored_nodes.keys() == full_nodes.keys()
    different = [k for k in full_nodes if stored_nodes[k] != full_nodes[k]]
    assert not different, different[:5]
    assert stored_edges == full_edges


EDITS = {
    "body": lambda src: edit(src / "lem/gpu.py", 'range(gpus)', 'range(gpus + 1)'),
    "rename": lambda src: (edit(src / "lem/results.py", "def load_result(", "def read_result("),
                           edit(src / "lem/runner.py", "load_result", "read_result")),
    "deleted": lambda src: (src / "lem/plotting.py").unlink(),
    "new": lambda src: (src / "lem/extra.py").write_text(
        "from lem.gpu import visible_devices\n\n\ndef all_devices():\n"
        "    return visible_devices(8)\n"),
    "moved": lambda src: ((src / "lem/tools").mkdir(),
                          (src / "lem/workdir.py").rename(src / "lem/tools/workdir.py"),
                          edit(src / "lem/runner.py", "from lem.workdir",
                               "from lem.tools.workdir"),
                          edit(src / "lem/campaign.py", "from lem.workdir",
                               "from lem.tools.workdir")),
    "base": lambda src: edit(src / "lem/domain/experiment.py", "class ExperimentSpec(BaseModel)",
                             "class ExperimentSpec(dict)"),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_incremental_load_equals_full_load(project, kind):
    src, store = project
    EDITS[kind](src)
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    assert summary.incremental
    assert load_record(store)["mode"] == "incremental"
    assert load_record(store)["reextracted"] == summary.reextracted
    assert_equal_to_full(src, store)


def test_body_edit_of_a_leaf_reextracts_it_and_its_importers_only(project):
    src, store = project
    EDITS["body"](src)
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    # gpu is imported by runner, which cli and campaign import (cli imports campaign)
    assert summary.reextracted < summary.files
    assert summary.reextracted >= 1
    unchanged = api.load(src, store=store, repo=REPO, jobs=1)
    assert unchanged.incremental and unchanged.reextracted == 0
    assert_equal_to_full(src, store)


def test_full_flag_and_a_changed_loader_make_a_full_load(project, monkeypatch):
    src, store = project
    full = api.load(src, store=store, repo=REPO, full=True, jobs=1)
    assert not full.incremental and full.reextracted == full.files
    assert load_record(store)["mode"] == "full"
    monkeypatch.setattr("kg.loader.facts_cache.code_digest", lambda: "other loader code")
    again = api.load(src, store=store, repo=REPO, jobs=1)
    assert not again.incremental


def test_another_load_in_the_store_makes_the_cache_stale(project, tmp_path):
    src, store = project
    other = tmp_path / "other"
    shutil.copytree(src, other)
    edit(other / "lem/gpu.py", "range(gpus)", "range(2)")
    # the same repository name loaded from elsewhere replaces the graph the cache went with
    api.load(other, store=store, repo=REPO, full=True, jobs=1)
    back = api.load(src, store=store, repo=REPO, jobs=1)
    assert not back.incremental
    assert_equal_to_full(src, store)


def test_dependency_rule():
    modules = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.deep"}
    imports = {"pkg": ["pkg", "pkg.a"], "pkg.b": ["pkg"], "pkg.c": ["pkg.sub"],
               "pkg.sub": [], "pkg.a": []}
    texts = {"pkg.c": {"deep", "x"}, "pkg.b": {"y"}}
    # pkg re-exports from pkg.a, pkg.b imports pkg: both depend on pkg.a
    assert incremental.importers({"pkg.a"}, imports, texts, modules) == {"pkg", "pkg.b"}
    # pkg.c imports pkg.sub and names `deep`: astroid may reach pkg.sub.deep without an import
    assert incremental.importers({"pkg.sub.deep"}, imports, texts, modules) == {"pkg.c"}
    assert incremental.importers({"pkg.c"}, imports, texts, modules) == set()
    assert incremental.changed_names({"f": "1", "g": "2"}, {"f": "1", "h": "3"}) == {"g", "h"}
