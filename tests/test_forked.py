"""A large project's extraction runs in a forked child (loader/forked.py), and what a load
leaves in astroid no longer keeps its trees alive (inference_cache.release)."""

from __future__ import annotations

import gc
import os
import signal

import astroid
import pytest

from harness import write_package
from kg import api
from kg.errors import InputError
from kg.loader import forked
from kg.loader.extract import extract
from kg.model.schema import NODES, RELATIONSHIPS, node_properties
from kg.queries import open_store

APP = {
    "app/__init__.py": "from app.models import Model\n",
    "app/models.py": """
        import os
        from app import util

        class Model:
            def save(self):
                return util.write(os.path.join("a", "b"))
        """,
    "app/util.py": """
        import json
        import missing_dependency

        def write(path):
            return json.dumps({"path": path})

        def run(model):
            model.save()
            missing_dependency.go()
        """,
}


def test_work_runs_in_another_process_and_its_value_comes_back():
    seen = []
    value = forked.run(lambda progress: (progress("extract", 1, 2), os.getpid())[1],
                       lambda *report: seen.append(report))
    assert value != os.getpid()
    assert seen == [("extract", 1, 2)]


def test_the_childs_exception_is_raised_here():
    def fails(progress):
        raise InputError("no Python files found")

    with pytest.raises(InputError, match="no Python files found"):
        forked.run(fails, None)


def test_an_exception_that_cannot_be_pickled_still_says_what_happened():
    class Local(Exception):     # a local class cannot be pickled
        pass

    def fails(progress):
        raise Local("odd failure")

    with pytest.raises(RuntimeError, match="Local: odd failure"):
        forked.run(fails, None)


def test_a_child_killed_before_its_result_is_an_error_naming_the_signal():
    def killed(progress):
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(RuntimeError, match="killed by signal 9"):
        forked.run(killed, None)


@pytest.mark.skipif(not os.sys.platform.startswith("linux"), reason="extracts in-process")
def test_only_a_large_source_is_worth_a_child(tmp_path):
    root = write_package(tmp_path / "src", {"pkg/__init__.py": "", "pkg/a.py": "x = 1\n"})
    assert not forked.worth_a_child(root, ())
    (root / "pkg" / "big.py").write_text("x = 1\n" * (forked.MIN_BYTES // 6 + 1))
    assert forked.worth_a_child(root, ())
    assert not forked.worth_a_child(root, ("*/big.py",))     # what the load would not read


def graph_of(store: str) -> dict:
    """Every node (but the Load) and relationship of the store, with all properties, sorted."""
    out = {}
    with open_store(store) as graph:
        for label in NODES:
            if label == "Load":
                continue
            columns = ", ".join(f"n.{name}" for name in node_properties(label))
            out[label] = sorted(map(repr, graph.query(f"MATCH (n:{label}) RETURN {columns}").rows))
        for type, (_, props) in RELATIONSHIPS.items():
            columns = "".join(f", r.{name}" for name in props)
            rows = graph.query(f"MATCH (a)-[r:{type}]->(b) RETURN a.id, b.id{columns}").rows
            out[type] = sorted(map(repr, rows))
    return out


def test_a_load_extracted_in_a_child_writes_the_graph_extracted_in_process(tmp_path,
                                                                           monkeypatch):
    root = write_package(tmp_path / "src", APP)
    api.load(root, store=str(tmp_path / "here"), full=True)
    expected = graph_of(str(tmp_path / "here"))
    assert expected["CALLS"] and expected["Function"]

    monkeypatch.setattr(forked, "MIN_BYTES", 0)
    assert forked.worth_a_child(root, ())
    phases = []
    first = api.load(root, store=str(tmp_path / "child"), full=True,
                     progress=lambda phase, done, total: phases.append(phase))
    assert graph_of(str(tmp_path / "child")) == expected
    assert "extract" in phases and phases[-1] == "write"    # the child's, then the write's
    assert first.reextracted == 3 and not first.incremental

    # the child wrote the facts cache: the next load keeps every module from it
    again = api.load(root, store=str(tmp_path / "child"))
    assert again.incremental and again.reextracted == 0
    assert graph_of(str(tmp_path / "child")) == expected


def test_a_child_that_finds_nothing_to_load_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "MIN_BYTES", 0)
    root = write_package(tmp_path / "src", {"README.txt": "no Python here"})
    with pytest.raises(InputError, match="no Python files found"):
        api.load(root, store=str(tmp_path / "store"))
    assert not (tmp_path / "store" / "CURRENT").exists()


def target_trees() -> list:
    return [o for o in gc.get_objects()
            if isinstance(o, astroid.nodes.Module) and o.name in ("app.models", "app.util")]


def test_an_extraction_leaves_nothing_that_keeps_its_trees_alive(tmp_path):
    root = write_package(tmp_path / "src", APP)
    first = extract(root, "t", strict=True)
    gc.collect()
    assert not target_trees(), "a load's trees outlive it"

    # a second load in the same process, after the caches were released, finds the same facts
    second = extract(root, "t", strict=True)
    assert second.facts.nodes == first.facts.nodes
    assert sorted(map(repr, second.facts.edges)) == sorted(map(repr, first.facts.edges))
