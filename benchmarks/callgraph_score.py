"""Scoring call graphs against the micro-benchmark in tests/callgraph/.

Each program is a folder `tests/callgraph/<category>/<name>/` with a `main.py`
(and other modules) and `callgraph.json`, the expected call graph in PyCG's
format: `{caller: [callee, ...]}` (conventions in tests/callgraph/README.md).
A tool's output in the same format is compared edge by edge: an edge is a
(caller, callee) pair; precision is found-and-expected over found, recall
found-and-expected over expected, both summed over the programs of a category
(and over all programs for the overall figure).

    python benchmarks/callgraph_score.py              # kg on every program, with the misses
    python benchmarks/callgraph_score.py --category lambdas --quiet

kg is scored as `kg export callgraph PROGRAM` makes the graph (the source analysed in
memory, no store), or with --store through its embedded store: each program loaded with
`api.load` into one throwaway store and read back with `api.export_callgraph`. Both give
the same graph (tests/test_callgraph.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PROGRAMS_DIR = REPO_ROOT / "tests" / "callgraph"
EXPECTED_FILE = "callgraph.json"

Edge = tuple[str, str]
Graph = dict[str, list[str]]


@dataclass(frozen=True, order=True)
class Program:
    category: str
    name: str
    folder: Path

    @property
    def key(self) -> str:
        return f"{self.category}/{self.name}"

    def expected(self) -> set[Edge]:
        return edges_of(json.loads((self.folder / EXPECTED_FILE).read_text()))

    def files(self) -> list[Path]:
        return sorted(self.folder.rglob("*.py"))


def programs(root: Path = PROGRAMS_DIR, categories: Iterable[str] = ()) -> list[Program]:
    """Every program folder under root (one holding callgraph.json), sorted."""
    chosen = set(categories)
    found = []
    for expected in root.glob(f"*/*/{EXPECTED_FILE}"):
        folder = expected.parent
        if not chosen or folder.parent.name in chosen:
            found.append(Program(folder.parent.name, folder.name, folder))
    return sorted(found)


def edges_of(graph: Graph) -> set[Edge]:
    return {(caller, callee) for caller, callees in graph.items() for callee in callees}


@dataclass
class Tally:
    """Edge counts of one program, category or the whole benchmark."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, other: Tally) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives

    @property
    def precision(self) -> float | None:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else None

    @property
    def recall(self) -> float | None:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else None

    def as_dict(self) -> dict:
        return {"true_positives": self.true_positives, "false_positives": self.false_positives,
                "false_negatives": self.false_negatives,
                "precision": _round(self.precision), "recall": _round(self.recall)}


@dataclass
class ProgramScore:
    program: Program
    missed: list[Edge]          # expected, not found
    wrong: list[Edge]           # found, not expected
    tally: Tally
    error: str | None = None    # the tool failed on this program


@dataclass
class Score:
    tool: str
    programs: list[ProgramScore] = field(default_factory=list)
    seconds: float | None = None

    def overall(self) -> Tally:
        total = Tally()
        for p in self.programs:
            total.add(p.tally)
        return total

    def by_category(self) -> dict[str, Tally]:
        tallies: dict[str, Tally] = {}
        for p in self.programs:
            tallies.setdefault(p.program.category, Tally()).add(p.tally)
        return dict(sorted(tallies.items()))

    def as_dict(self) -> dict:
        return {
            "tool": self.tool, "seconds": _round(self.seconds),
            "overall": self.overall().as_dict(),
            "categories": {c: t.as_dict() for c, t in self.by_category().items()},
            "errors": {p.program.key: p.error for p in self.programs if p.error},
            "misses": {p.program.key: {"missed": [list(e) for e in p.missed],
                                       "wrong": [list(e) for e in p.wrong]}
                       for p in self.programs if p.missed or p.wrong},
        }


def score_program(program: Program, found: Graph | None, error: str | None = None
                  ) -> ProgramScore:
    expected = program.expected()
    got = edges_of(found or {})
    tally = Tally(len(expected & got), len(got - expected), len(expected - got))
    return ProgramScore(program, sorted(expected - got), sorted(got - expected), tally, error)


def score(tool: str, results: dict[Program, tuple[Graph | None, str | None]],
          seconds: float | None = None) -> Score:
    return Score(tool, [score_program(p, graph, error)
                        for p, (graph, error) in sorted(results.items())], seconds)


# -- kg ----------------------------------------------------------------------------------------

def kg_callgraphs(chosen: list[Program], store: str | Path | None = None
                  ) -> dict[Program, tuple[Graph | None, str | None]]:
    """kg's call graph of each program: loaded into an embedded store, exported as PyCG JSON."""
    from kg import api

    with tempfile.TemporaryDirectory(prefix="kg-callgraph-") as tmp:
        store = str(store or Path(tmp) / "store")
        results = {}
        for program in chosen:
            repo = f"{program.category}.{program.name}"
            try:
                api.load(program.folder, store=store, repo=repo)
                text = api.export_callgraph(store=store, repo=repo, fmt="pycg")
                results[program] = (json.loads(text), None)
            except Exception as e:  # one failing program must not hide the others' scores
                results[program] = (None, f"{type(e).__name__}: {e}")
        return results


def kg_callgraphs_in_process(chosen: list[Program]
                             ) -> dict[Program, tuple[Graph | None, str | None]]:
    """kg's call graph of each program as `kg export callgraph PROGRAM` makes it: the source
    tree analysed in memory, no store (`api.export_callgraph(source=...)`), in this process.
    The same edges as through the store (tests/test_callgraph.py checks both ways agree)."""
    from kg import api

    results = {}
    for program in chosen:
        try:
            text = api.export_callgraph(source=program.folder, fmt="pycg",
                                        repo=f"{program.category}.{program.name}")
            results[program] = (json.loads(text), None)
        except Exception as e:  # one failing program must not hide the others' scores
            results[program] = (None, f"{type(e).__name__}: {e}")
    return results


def run_kg(chosen: list[Program]) -> Score:
    """kg as the benchmark times it: `kg export callgraph PROGRAM`'s work, in this process."""
    started = time.perf_counter()
    results = kg_callgraphs_in_process(chosen)
    return score("kg", results, time.perf_counter() - started)


def run_kg_store(chosen: list[Program]) -> Score:
    """kg through its embedded store: `kg load` then `kg export callgraph`, in this process."""
    started = time.perf_counter()
    results = kg_callgraphs(chosen)
    return score("kg-store", results, time.perf_counter() - started)


# -- reporting ---------------------------------------------------------------------------------

def report(scores: list[Score], show_misses: bool = True, out: Callable = print) -> None:
    categories = sorted({c for s in scores for c in s.by_category()})
    header = ["category"] + [f"{s.tool} {m}" for s in scores for m in ("P", "R")]
    rows = []
    for category in categories:
        row = [category]
        for s in scores:
            tally = s.by_category().get(category, Tally())
            row += [_percent(tally.precision), _percent(tally.recall)]
        rows.append(row)
    overall = ["overall"]
    for s in scores:
        overall += [_percent(s.overall().precision), _percent(s.overall().recall)]
    rows.append(overall)
    out(_table(header, rows))
    for s in scores:
        seconds = f"{s.seconds:.2f} s" if s.seconds is not None else "-"
        tally = s.overall()
        out(f"{s.tool}: {len(s.programs)} programs, {seconds}, "
            f"{tally.true_positives} right, {tally.false_positives} wrong, "
            f"{tally.false_negatives} missed")
    if not show_misses:
        return
    for s in scores:
        for p in s.programs:
            if p.error:
                out(f"{s.tool} {p.program.key}: ERROR {p.error}")
            for caller, callee in p.missed:
                out(f"{s.tool} {p.program.key}: missed {caller} -> {callee}")
            for caller, callee in p.wrong:
                out(f"{s.tool} {p.program.key}: wrong  {caller} -> {callee}")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))
             for r in [header, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--category", action="append", default=[],
                        help="score only this category (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="no list of missed/wrong edges")
    parser.add_argument("--json", type=Path, default=None, help="also write the score here")
    parser.add_argument("--store", action="store_true",
                        help="through the embedded store (kg load + export), not the facts")
    args = parser.parse_args(argv)
    chosen = programs(categories=args.category)
    if not chosen:
        parser.error("no programs found")
    result = run_kg_store(chosen) if args.store else run_kg(chosen)
    report([result], show_misses=not args.quiet)
    if args.json:
        args.json.write_text(json.dumps(result.as_dict(), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
