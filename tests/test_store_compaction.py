"""The embedded store's file does not grow without bound under partial writes.

A partial write applies the changes to a copy of the current generation, which keeps the
pages the writes free; a load that finds the file more than COMPACT_AT times the size of
its last fresh write writes a fresh generation instead (the other repositories carried
over), and the loads after it are partial again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import api
from kg.queries import embedded, open_store
from test_incremental import edit
from test_store_partial import (
    REPO,
    applied,
    cache_home,
    contents,
    full_contents,
    project_copy,
)

__all__ = ["applied", "cache_home"]     # fixtures the tests below use


def current(store: Path) -> tuple[int, int | None]:
    """The current generation's size, and the size of the last fresh write CURRENT records."""
    lines = (store / embedded.CURRENT).read_text().split("\n")
    fresh = int(lines[2].split()[0]) if len(lines) > 2 and lines[2] else None
    return (store / lines[0]).stat().st_size, fresh


def toggle(src: Path) -> None:
    """An edit that a partial write applies; done twice, the tree is as before."""
    gpu = src / "lem/gpu.py"
    if "range(gpus)" in gpu.read_text():
        edit(gpu, "range(gpus)", "range(gpus + 1)")
    else:
        edit(gpu, "range(gpus + 1)", "range(gpus)")


def test_partial_writes_all_day_stay_within_the_bound(tmp_path, cache_home, applied):
    store = tmp_path / "store"
    src = project_copy(tmp_path)
    api.load(src, store=str(store), repo=REPO, jobs=1)
    first, fresh = current(store)
    assert fresh == first
    for _ in range(8):
        toggle(src)
        api.load(src, store=str(store), repo=REPO, jobs=1)
        size, recorded = current(store)
        assert recorded == fresh and size <= embedded.COMPACT_AT * fresh
    assert len(applied) == 8


def test_a_grown_file_is_written_fresh_and_partial_writes_resume(tmp_path, cache_home,
                                                                   applied, monkeypatch):
    """With the bound at 1.05 times the fresh size, the first partial write passes it (its
    copy keeps the freed pages): the next load compacts, the one after writes partially."""
    monkeypatch.setattr(embedded, "COMPACT_AT", 1.05)
    store = tmp_path / "store"
    src = project_copy(tmp_path)
    api.load(src, store=str(store), repo=REPO, jobs=1)
    fresh, _ = current(store)
    toggle(src)
    api.load(src, store=str(store), repo=REPO, jobs=1)
    grown, _ = current(store)
    assert len(applied) == 1 and grown > 1.05 * fresh
    toggle(src)
    api.load(src, store=str(store), repo=REPO, jobs=1)
    compacted, recorded = current(store)
    assert len(applied) == 1                        # written whole, from empty
    assert compacted == recorded < grown
    assert compacted <= 1.01 * fresh
    toggle(src)
    api.load(src, store=str(store), repo=REPO, jobs=1)
    assert len(applied) == 2
    assert contents(str(store)) == full_contents("embedded", tmp_path, src)


def test_a_compaction_carries_the_other_repositories_over(tmp_path, cache_home, applied,
                                                          monkeypatch):
    store = str(tmp_path / "store")
    mine, other = project_copy(tmp_path, "mine"), project_copy(tmp_path, "other")
    api.load(other, store=store, repo="other", jobs=1)
    api.load(mine, store=store, repo=REPO, jobs=1)
    with open_store(store) as graph:        # something of no repository, carried over too
        graph.query("CREATE (:Module {id: 'note', name: 'note'})", write=True)
    theirs = contents(store, "other")
    assert theirs["nodes"] and theirs["edges"]
    monkeypatch.setattr(embedded, "COMPACT_AT", 0.5)     # every load compacts
    toggle(mine)
    api.load(mine, store=store, repo=REPO, jobs=1)
    assert applied == []
    assert contents(store, "other") == theirs
    with open_store(store) as graph:
        assert graph.query("MATCH (m:Module {id: 'note'}) RETURN m.name").rows == [["note"]]
    assert contents(store, REPO) == full_contents("embedded", tmp_path, mine)


@pytest.mark.parametrize("own_table", [False, True])
def test_a_store_with_a_table_of_its_own_is_not_compacted(own_table, tmp_path, cache_home,
                                                          applied, monkeypatch):
    """Only kg's tables can be carried over: a store with a table a user made keeps its copy
    (and its size), and the load still writes only the changes; without one it compacts."""
    store = tmp_path / "store"
    src = project_copy(tmp_path)
    api.load(src, store=str(store), repo=REPO, jobs=1)
    if own_table:
        with open_store(str(store)) as graph:
            graph.query("CREATE NODE TABLE Note(id STRING, PRIMARY KEY(id))", write=True)
        toggle(src)
        api.load(src, store=str(store), repo=REPO, jobs=1)      # whole: written since
    toggle(src)
    api.load(src, store=str(store), repo=REPO, jobs=1)          # partial: the copy grows
    assert len(applied) == 1
    monkeypatch.setattr(embedded, "COMPACT_AT", 0.5)
    before, _ = current(store)
    toggle(src)
    api.load(src, store=str(store), repo=REPO, jobs=1)
    after, _ = current(store)
    if own_table:
        assert len(applied) == 2 and after >= before
    else:
        assert len(applied) == 1 and after < before
