"""benchmarks/callgraph.py's kg runners: kg-batch (one process for every program) and kg-cli
(a process per program) score as kg in this process does, same-named programs of two
categories included, and a program kg cannot export is recorded, not fatal."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import callgraph as bench  # noqa: E402
from benchmarks import callgraph_score as scoring  # noqa: E402

KEYS = {"direct_calls/simple", "generators/simple", "builtins/in_function",
        "lambdas/in_function", "external/stdlib_class"}


def chosen() -> list[scoring.Program]:
    found = [p for p in scoring.programs() if p.key in KEYS]
    assert {p.key for p in found} == KEYS
    return found


def scored(score: scoring.Score) -> dict:
    return {k: v for k, v in score.as_dict().items() if k not in ("tool", "seconds")}


def test_batch_and_a_process_per_program_score_as_kg_in_process():
    programs = chosen()
    in_process = scoring.run_kg(programs)
    batch = bench.run_kg_batch(programs)
    per_process = bench.run_kg_cli(programs)
    assert in_process.overall().true_positives > 10
    assert not scored(in_process)["errors"]
    assert scored(batch) == scored(in_process)
    assert scored(per_process) == scored(in_process)
    assert batch.seconds > 0 and per_process.seconds > 0


def test_a_program_kg_cannot_export_is_an_error_of_its_own(tmp_path):
    empty = tmp_path / "broken" / "no_python"
    empty.mkdir(parents=True)
    (empty / "callgraph.json").write_text('{"main": ["main.f"]}')
    programs = [*chosen()[:2], scoring.Program("broken", "no_python", empty)]
    batch = bench.run_kg_batch(programs)
    errors = scored(batch)["errors"]
    assert list(errors) == ["broken/no_python"]
    assert "not exported" in errors["broken/no_python"]
    assert batch.overall().false_negatives >= 1
    assert all(p.tally.true_positives > 0 for p in batch.programs if p.program.key in KEYS)
