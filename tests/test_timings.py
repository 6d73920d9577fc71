"""Where a load's time goes (loader/phases.py, `kg load --timings`): each phase of a real
load on the embedded store, in the order it ran, with the workers' CPU counted in the
extraction and the hand-over kept out of the store write."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from kg import api
from kg.cli.main import cli
from kg.loader import forked
from kg.loader.phases import Timings

FULL = ["prepare", "discover", "parse", "register", "extract", "merge", "calls", "clones",
        "reach", "digest", "write", "cache"]
INCREMENTAL = ["prepare", "discover", "parse", "register", "choose", "extract",
               "kept fragments", "merge", "calls", "clones", "reach", "digest", "write",
               "cache"]


def _package(root, modules: int = 12):
    """Modules with enough calls to infer that each takes CPU time worth measuring."""
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    body = "".join(f"    total += helper_{i}(value) + len(str(value))\n" for i in range(60))
    for m in range(modules):
        helpers = "".join(f"def helper_{i}(v):\n    return v * {i}\n\n\n" for i in range(60))
        (root / "pkg" / f"m{m}.py").write_text(
            f"{helpers}def run(value):\n    total = 0\n{body}    return total\n")
    return root


def test_a_full_then_an_incremental_load_report_their_phases_in_order(tmp_path):
    root = _package(tmp_path / "src")
    store = str(tmp_path / "store")
    full = api.load(root, store=store, repo="pkg", jobs=1)
    assert [p.name for p in full.timings] == FULL
    assert all(p.wall >= 0 and p.cpu >= 0 for p in full.timings)
    assert sum(p.wall for p in full.timings) <= full.seconds
    (root / "pkg" / "m3.py").write_text((root / "pkg" / "m3.py").read_text() + "\nX = 1\n")
    again = api.load(root, store=store, repo="pkg", jobs=1)
    assert again.incremental and again.reextracted == 1
    assert [p.name for p in again.timings] == INCREMENTAL


def test_a_forked_extraction_reports_the_hand_over_apart_from_the_write(tmp_path, monkeypatch):
    """A large project's extraction runs in a child (forked.py): its phases come back with
    the facts, and the writing process's reading of them is the hand-over, not the write.
    An incremental load whose store takes the changes hands no facts over."""
    monkeypatch.setattr(forked, "MIN_BYTES", 0)
    root = _package(tmp_path / "src", modules=3)
    store = str(tmp_path / "store")
    full = api.load(root, store=store, repo="pkg", jobs=1)
    names = [p.name for p in full.timings]
    assert names == [*FULL[:FULL.index("digest")], "hand over", "write", "cache"]
    (root / "pkg" / "m1.py").write_text((root / "pkg" / "m1.py").read_text() + "\nX = 1\n")
    again = api.load(root, store=store, repo="pkg", jobs=1)
    assert [p.name for p in again.timings] == INCREMENTAL


def test_the_extraction_counts_its_workers_cpu(tmp_path):
    """With two processes the extraction's CPU is the parent's share plus the worker's:
    at least the CPU every module's fragment took, wherever it was extracted."""
    root = _package(tmp_path / "src", modules=16)
    summary = api.load(root, store=str(tmp_path / "store"), repo="pkg", jobs=2)
    assert summary.workers == 2
    extract = next(p for p in summary.timings if p.name == "extract")
    modules = _module_seconds(tmp_path / "store")
    assert extract.cpu >= 0.9 * sum(modules)


def _module_seconds(store) -> list[float]:
    """Each module's extraction CPU seconds, as the facts cache's manifest records them."""
    (manifest,) = store.glob("facts-cache/*/manifest.json")
    return [row["seconds"] for row in json.loads(manifest.read_text())["modules"].values()]


def test_a_phase_excluding_another_leaves_the_inner_ones_time_out():
    timings = Timings()
    with timings.timed("write", excluding=("hand over",)):
        time.sleep(0.02)
        with timings.timed("hand over"):
            time.sleep(0.2)
    with timings.timed("hand over"):
        time.sleep(0.05)
    phases = {p.name: p for p in timings.phases()}
    assert phases["hand over"].wall >= 0.25
    assert 0.02 <= phases["write"].wall < 0.15
    assert [p.name for p in timings.phases()] == ["hand over", "write"]


def test_kg_load_timings_prints_a_row_a_phase(tmp_path):
    root = _package(tmp_path / "src", modules=2)
    done = CliRunner().invoke(cli, ["load", str(root), "-q", "--timings", "--store",
                                    str(tmp_path / "store")])
    assert done.exit_code == 0, done.output
    table = done.output.split("  phase", 1)[1].splitlines()
    assert table[0].split() == ["wall", "s", "CPU", "s"]
    assert [row.split()[0] for row in table[1:-1]] == [
        name.split()[0] for name in FULL if name != "kept fragments"]
    assert table[-1].split()[0] == "other"
    plain = CliRunner().invoke(cli, ["load", str(root), "-q", "--store",
                                     str(tmp_path / "store")])
    assert "wall s" not in plain.output
