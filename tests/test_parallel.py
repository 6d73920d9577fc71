"""Parallel extraction: the facts of `--jobs 2` equal those of `--jobs 1`, node for node,
edge for edge, properties included."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kg.loader import parallel
from kg.loader.fragments import CACHES, CONTRIBUTIONS

FIXTURES = Path(__file__).parent / "fixtures"
KG_SOURCE = Path(__file__).parent.parent / "src" / "kg"


# astroid builds `sys` by looking at the live module, whose streams pytest's capture replaces
# (and has replaced in whichever test built it first): each load runs in a fresh interpreter
# with the real streams, as the CLI does.
GRAPH_OF = """
import json, sys
from pathlib import Path
from kg.loader import extract
extraction = extract(Path(sys.argv[1]), "repo", jobs=int(sys.argv[2]))
json.dump({"workers": extraction.workers, "warnings": extraction.warnings,
           "nodes": extraction.facts.nodes,
           "edges": sorted(repr(e) for e in extraction.facts.edges)},
          sys.stdout, default=repr, sort_keys=True)
"""


def graph(root: Path, jobs: int) -> tuple[dict, Counter]:
    done = subprocess.run([sys.executable, "-c", GRAPH_OF, str(root), str(jobs)],
                          capture_output=True, text=True, timeout=600, check=True)
    extraction = json.loads(done.stdout)
    assert extraction["workers"] == jobs
    assert not extraction["warnings"], extraction["warnings"]
    return extraction["nodes"], Counter(extraction["edges"])


def assert_same(root: Path) -> None:
    one_nodes, one_edges = graph(root, 1)
    two_nodes, two_edges = graph(root, 2)
    for label in one_nodes:
        assert one_nodes[label].keys() == two_nodes[label].keys(), label
        different = {i: {k: (v, two_nodes[label][i].get(k)) for k, v in row.items()
                         if two_nodes[label][i].get(k) != v}
                     for i, row in one_nodes[label].items() if row != two_nodes[label][i]}
        assert not different, (label, different)
    assert one_edges - two_edges == Counter()
    assert two_edges - one_edges == Counter()


@pytest.mark.parametrize("fixture", ["click_app", "e2e_app", "models_app", "typer_app"])
def test_two_processes_give_the_graph_one_gives(fixture):
    assert_same(FIXTURES / fixture)


def test_two_processes_on_kg_itself(tmp_path):
    # a copy, so that nobody's edit lands between the two loads
    shutil.copytree(KG_SOURCE, tmp_path / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    assert_same(tmp_path / "kg")


def test_workers_follow_jobs_and_project_size(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    (small / "a.py").write_text("def f():\n    return 1\n")
    contexts_small = _contexts(small)
    assert parallel.workers_for(contexts_small, None) == 1       # too small to fork for
    assert parallel.workers_for(contexts_small, 3) == 3          # asked for: as asked
    big = tmp_path / "big"
    big.mkdir()
    (big / "a.py").write_text("x = 1\n" * parallel.AUTO_MIN_LINES)
    assert parallel.workers_for(_contexts(big), None) == parallel.cores()


def test_the_parent_and_its_workers_take_every_module_once(tmp_path):
    # in a fresh interpreter, as the graph comparisons run (see GRAPH_OF); which process takes
    # which module is a race (the parent may take all of a small project before a worker starts)
    for i in range(6):
        (tmp_path / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n" * (i + 1))
    done = subprocess.run([sys.executable, "-c", SHARES, str(tmp_path)], capture_output=True,
                          text=True, timeout=600, check=True)
    shares = json.loads(done.stdout)
    assert shares["order"] == [f"m{i}" for i in range(6)]          # the contexts' order
    assert shares["parent"]                                       # the parent extracts too
    assert sorted(shares["parent"] + shares["worker"]) == shares["order"]   # each once
    assert shares["functions"] == [i + 1 for i in range(6)]       # unpacked, whole


SHARES = """
import json, sys
from pathlib import Path
from kg.loader import parallel, parse, structure
from kg.loader.context import ModuleContext, Project
from kg.loader.discover import discover
from kg.loader.extract import STEPS

parsed = parse.parse(discover(Path(sys.argv[1])))
project = Project(repo="r", modules={p.source.module: p for p in parsed})
contexts = [ModuleContext(project, p) for p in project.trees()]
for ctx in contexts:
    structure.register_definitions(ctx)
made = parallel.extract_modules(contexts, STEPS, True, 2)
fragments = [parallel.unpacked(f) for f in made]
json.dump({"order": [f.module for f in fragments],
           "parent": [f.module for f in made if not isinstance(f, parallel.Packed)],
           "worker": [f.module for f in made if isinstance(f, parallel.Packed)],
           "functions": [len(f.facts.nodes["Function"]) for f in fragments]}, sys.stdout)
"""


def test_pending_keys_are_classified():
    assert not set(CONTRIBUTIONS) & CACHES


def _contexts(root: Path):
    from kg.loader import parse
    from kg.loader.context import ModuleContext, Project
    from kg.loader.discover import discover

    parsed = parse.parse(discover(root))
    try:
        project = Project(repo="r", modules={p.source.module: p for p in parsed})
        return [ModuleContext(project, p) for p in project.trees()]
    finally:
        parse.forget(parsed)
