"""A load freezes the astroid heap against collections and thaws only what it froze."""

from __future__ import annotations

import gc

import pytest

from harness import write_package
from kg.loader import calls, extract, heap, incremental

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "def f():\n    return 1\n",
    "pkg/b.py": "from pkg.a import f\n\ndef g():\n    return f()\n",
}


class Cycle:
    def __init__(self):
        self.me = self


@pytest.fixture
def thawed_after():
    yield
    gc.unfreeze()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_callers_frozen_heap_stays_frozen(tmp_path, thawed_after, jobs):
    mine = [Cycle() for _ in range(100)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    out = extract(write_package(tmp_path, PACKAGE), "t", jobs=jobs)
    assert "pkg.b.g" in {r["qualname"] for r in out.facts.nodes["Function"].values()}
    # frozen objects freed meanwhile leave the count; thawed, it would be 0
    assert gc.get_freeze_count() > frozen // 2
    assert mine


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_load_thaws_what_it_froze(tmp_path, jobs):
    assert gc.get_freeze_count() == 0
    extract(write_package(tmp_path, PACKAGE), "t", jobs=jobs)
    assert gc.get_freeze_count() == 0


def test_the_outermost_freeze_owns_the_thaw(thawed_after):
    outer = heap.freeze()
    inner = heap.freeze()
    assert (outer, inner) == (True, False)
    heap.thaw(inner)
    assert gc.get_freeze_count() > 0
    heap.thaw(outer)
    assert gc.get_freeze_count() == 0


def test_nothing_is_frozen_over_a_callers_freeze(thawed_after):
    gc.freeze()
    frozen = gc.get_freeze_count()
    Cycle()
    assert heap.freeze() is False
    assert gc.get_freeze_count() == frozen


def test_the_merged_facts_are_frozen_while_the_project_wide_steps_run(tmp_path, monkeypatch):
    """Each collection the project-wide steps trigger would otherwise traverse every row the
    merge made (extract._merged)."""
    counts = {}
    own_signature, own_project_steps = incremental.signature, calls.extract_project

    def signature(*args):
        counts["after the parse"] = gc.get_freeze_count()
        return own_signature(*args)

    def project_steps(project):
        counts["project-wide"] = gc.get_freeze_count()
        return own_project_steps(project)

    monkeypatch.setattr(incremental, "signature", signature)
    monkeypatch.setattr(calls, "extract_project", project_steps)
    extract(write_package(tmp_path, PACKAGE), "t", jobs=1)
    assert counts["project-wide"] > counts["after the parse"] > 0
    assert gc.get_freeze_count() == 0
