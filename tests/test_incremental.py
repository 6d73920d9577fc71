"""Incremental loads: after each kind of edit, the stored graph equals a full load's.

The fixture is copied to tmp_path and loaded into one embedded store; each edit
is followed by an incremental `api.load`, whose stored graph (every node and
edge with its properties, read back from the store) must equal the facts a
full extraction of the edited tree gives, and which must have re-extracted
only part of the project when the edit allows it.
"""

from __future__ import annotations

import hashlib
import json
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


def reloaded_after_appending(root: Path, store: str, rel: str, text: str):
    """Load root whole, append text to its file rel, load again incrementally: the summary."""
    api.load(root, store=store, repo=REPO, jobs=1)
    with open(root / rel, "a") as f:
        f.write(text)
    return api.load(root, store=store, repo=REPO, jobs=1)


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


def test_fragments_cached_from_workers_serve_the_next_load(tmp_path):
    """A worker's fragment reaches the facts cache as the bytes it sent (not pickled again
    by the parent): an incremental load of two processes reads them back whole."""
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    src, store = root / "src", str(tmp_path / "store")
    first = api.load(src, store=store, repo=REPO, jobs=2, full=True)
    assert first.workers == 2
    EDITS["base"](src)
    summary = api.load(src, store=store, repo=REPO, jobs=2)
    assert summary.incremental and 0 < summary.reextracted < summary.files
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


def names(imports=(), binds=(), through=()) -> dict:
    return {"imports": list(imports), "binds": list(binds), "through": list(through)}


def test_dependency_rule():
    modules = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.e", "pkg.f", "pkg.sub",
               "pkg.sub.deep"}
    names_of = {
        "pkg": names(["pkg.a", "pkg.a.x"], ["pkg.a.x"], ["pkg.a"]),       # from pkg.a import x
        "pkg.b": names(["pkg", "pkg.x"], ["pkg.x"], ["pkg"]),             # from pkg import x
        "pkg.c": names(["pkg", "pkg.sub"], ["pkg", "pkg.sub"]),           # import pkg.sub
        "pkg.d": names(["pkg.sub", "pkg.sub.y"], ["pkg.sub.y"], ["pkg.sub"]),  # from pkg.sub..
        "pkg.e": names(["pkg.f", "pkg.f.tools"], ["pkg.f.tools"], ["pkg.f"]),  # from pkg.f..
        "pkg.f": names(["pkg.sub"], ["pkg.sub"]),                 # import pkg.sub as tools
        "pkg.sub": names(), "pkg.a": names()}
    texts = {"pkg.c": {"deep", "x"}, "pkg.b": {"y"}, "pkg.d": {"deep", "y"},
             "pkg.e": {"tools", "deep"}}
    # pkg re-exports from pkg.a, pkg.b and pkg.c import pkg: all depend on pkg.a
    assert incremental.importers({"pkg.a"}, names_of, texts, modules) == {"pkg", "pkg.b",
                                                                          "pkg.c"}
    # pkg.c holds pkg.sub and names `deep`: astroid may reach pkg.sub.deep without an import;
    # pkg.e holds it through pkg.f's re-export; pkg.d names `deep` but holds no pkg.sub
    assert incremental.importers({"pkg.sub.deep"}, names_of, texts, modules) == {"pkg.c",
                                                                                 "pkg.e"}
    # `from pkg.sub import y` reads pkg.sub, never pkg/__init__.py: pkg.d does not depend on pkg
    assert incremental.importers({"pkg"}, names_of, texts, modules) == {"pkg.b", "pkg.c"}
    assert incremental.importers({"pkg.c"}, names_of, texts, modules) == set()
    assert incremental.changed_names({"f": "1", "g": "2"}, {"f": "1", "h": "3"}) == {"g", "h"}


PACKAGE_INIT = "from lem.gpu import visible_devices as devices\n"
THROUGH_THE_PACKAGE = {     # each must see what lem/domain/__init__.py binds
    "lem/probe_from.py": "from lem.domain import devices\n\n\ndef run():\n"
                         "    return devices(1)\n",
    "lem/probe_import.py": "import lem.domain.metrics\n\n\ndef run():\n"
                           "    return lem.domain.devices(1)\n",
}
ALSO = {
    # a submodule reached as an attribute of its package, without an import of its own
    "lem/domain/shapes.py": "class Square:\n    def area(self):\n        return 1\n\n\n"
                            "class Circle:\n    def area(self):\n        return 3\n\n\n"
                            "def make():\n    return Square()\n",
    "lem/probe_sub.py": "import lem.domain\n\n\ndef run():\n"
                        "    return lem.domain.shapes.make().area()\n",
    # a leaf, and a module that names it while importing only from a sibling
    "lem/report.py": "def report(results):\n    return len(results)\n",
    "lem/summary.py": "from lem.results import load_result\n\n\ndef summary(path):\n"
                      "    report = load_result(path)\n    return report\n",
}


@pytest.fixture
def package_project(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    src = root / "src"
    (src / "lem/domain/__init__.py").write_text(PACKAGE_INIT)
    for file, text in {**THROUGH_THE_PACKAGE, **ALSO}.items():
        (src / file).write_text(text)
    store = str(tmp_path / "store")
    api.load(src, store=store, repo=REPO, jobs=1)
    return src, store


def test_a_package_edit_reextracts_who_reads_the_package_not_who_passes_through_it(
        package_project):
    src, store = package_project
    # lem/domain/__init__.py now binds another function as `devices`; runner, matrix,
    # results, config, cli import `from lem.domain.x import ...`, which never reads it
    edit(src / "lem/domain/__init__.py", "from lem.gpu import visible_devices as devices",
         "from lem.workdir import prepare_workdir as devices")
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    assert summary.incremental
    # lem.domain, the two probes and probe_sub (`import lem.domain` reads it too)
    assert summary.reextracted == 1 + len(THROUGH_THE_PACKAGE) + 1
    assert_equal_to_full(src, store)
    assert (f"{REPO}:Function:lem.probe_from.run",
            f"{REPO}:Function:lem.workdir.prepare_workdir") in calls_of(store)


def calls_of(store: str) -> set[tuple[str, str]]:
    return {(a, b) for type, a, b, _ in stored_graph(store)[1] if type == "CALLS"}


def test_a_submodule_reached_as_an_attribute_reextracts_who_reaches_it(package_project):
    src, store = package_project
    edit(src / "lem/domain/shapes.py", "return Square()", "return Circle()")
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    assert summary.reextracted == 2             # shapes and probe_sub, which holds lem.domain
    assert_equal_to_full(src, store)
    assert (f"{REPO}:Function:lem.probe_sub.run",
            f"{REPO}:Function:lem.domain.shapes.Circle.area") in calls_of(store)


def test_a_leaf_edit_reextracts_only_the_leaf(package_project):
    src, store = package_project
    # lem.summary names `report` and imports from under lem, but holds no module object of
    # lem: it cannot reach lem.report without importing it
    edit(src / "lem/report.py", "return len(results)", "return len(results) + 1")
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    assert summary.incremental and summary.reextracted == 1
    assert_equal_to_full(src, store)


def test_another_file_size_limit_or_inference_budget_makes_a_full_load(project):
    src, store = project
    # gpu.py is 5 lines: under 100 bytes it is reported, not read; the cache holds its facts
    smaller = api.load(src, store=store, repo=REPO, jobs=1, max_file_mb=0.0001)
    assert not smaller.incremental
    assert "lem/gpu.py" in smaller.parse_errors
    again = api.load(src, store=store, repo=REPO, jobs=1, max_file_mb=0.0001)
    assert again.incremental and again.reextracted == 0
    budget = api.load(src, store=store, repo=REPO, jobs=1, max_file_mb=0.0001,
                      inference_budget=5_000)
    assert not budget.incremental
    back = api.load(src, store=store, repo=REPO, jobs=1)
    assert not back.incremental and not back.parse_errors
    assert_equal_to_full(src, store)


CLONED = "def total(values):\n" + "".join(
    f"    a{i} = values[{i}] + len(values) * 2\n" for i in range(7)) + "    return a0\n"


def clone_edges(store: str) -> list:
    return [e for e in stored_graph(store)[1] if e[0] == "HAS_CLONE" and ".clone_" in e[1]]


def test_clones_between_a_kept_and_an_extracted_module(project):
    src, store = project
    (src / "lem/clone_a.py").write_text(CLONED)
    (src / "lem/clone_b.py").write_text(CLONED)
    api.load(src, store=store, repo=REPO, jobs=1)
    assert len(clone_edges(store)) == 4                 # two runs of six, in both functions
    edit(src / "lem/clone_b.py", "* 2", "- 2")
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    assert summary.reextracted == 1           # clone_a's statements come from its fragment
    assert clone_edges(store) == []
    assert_equal_to_full(src, store)
    edit(src / "lem/clone_b.py", "- 2", "* 2")
    api.load(src, store=store, repo=REPO, jobs=1)
    assert len(clone_edges(store)) == 4
    assert_equal_to_full(src, store)


def cache_folder(store: str) -> Path:
    (folder,) = (Path(store) / "facts-cache").iterdir()
    return folder


def test_a_damaged_kept_fragment_makes_the_load_extract_every_module(project):
    """A fragment file cut short (a full disk, a killed copy) is no reason to fail, nor to
    keep anything: the load says so and extracts every module, and the graph is right."""
    src, store = project
    for fragment in (cache_folder(store) / "fragments").iterdir():
        fragment.write_bytes(fragment.read_bytes()[:40])
    EDITS["body"](src)
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    assert not summary.incremental and summary.reextracted == summary.files
    assert any("facts cache could not be reused" in w for w in summary.warnings)
    assert_equal_to_full(src, store)
    again = api.load(src, store=store, repo=REPO, jobs=1)     # the cache was made anew
    assert again.incremental and again.reextracted == 0


def test_a_kept_fragment_that_does_not_fit_its_tree_is_not_used(project):
    """The incremental rule keeping a module it should have extracted again (here: the
    manifest is told the edited module is unchanged) must not make a wrong graph, nor crash
    on astroid nodes the fragment finds at other places of the tree."""
    src, store = project
    path = src / "lem" / "campaign.py"
    text = path.read_text()
    path.write_text("pass\n" + text)     # every top-level node one place further
    manifest = cache_folder(store) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["modules"]["lem.campaign"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(data))
    summary = api.load(src, store=store, repo=REPO, jobs=1)
    assert any("facts cache could not be reused" in w for w in summary.warnings)
    assert summary.reextracted == summary.files
    assert_equal_to_full(src, store)
