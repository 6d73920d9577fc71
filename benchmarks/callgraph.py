"""The call-graph benchmark: kg, PyCG 0.0.7 and pyan3 side by side on tests/callgraph/.

Every tool analyses every program of the micro-benchmark in the same run, on
the same machine, and is scored edge by edge against the program's expected
call graph (benchmarks/callgraph_score.py): precision and recall per category
and overall, the time each tool took for all programs, and each tool's
missed and wrong edges.

    pip install pycg==0.0.7 pyan3            # the other tools (0.0.8 of PyCG does not import)
    python benchmarks/callgraph.py           # kg, kg-batch, kg-cli, PyCG, PyCG's API, pyan3
    python benchmarks/callgraph.py --tools kg --category lambdas

How each tool runs (all programs, one after another, wall time for the lot):
- kg: what `kg export callgraph PROGRAM` does (the source tree analysed in memory by kg's
  loader, astroid parse and inference and every extraction step, and the graph written in
  PyCG's format; no store), called in this process (`api.export_callgraph(source=...)`).
- kg-batch: one `kg export callgraph PROGRAM... -o FOLDER` process for all programs (kg's
  console script run by the real interpreter): Python's and kg's start-up and astroid's
  builtins and stdlib trees paid once, each program's graph the same as its own process
  gives (tests/test_export_batch.py). The programs are copied to folders named
  `category.name` first, outside the time (the graphs are named after the folders).
- kg-cli: `kg export callgraph PROGRAM -o OUT`, a process per program (the console script
  again), as PyCG runs: each process pays Python's and kg's start-up and astroid's
  building of builtins.
- kg-store (only with --tools): `kg load` into one embedded store + `kg export callgraph`
  from it, per program, in this process. Same graph as kg; the extra time is the store's
  writes (about 1 s per load, whatever its size).
- PyCG: `python -m pycg --package PROGRAM PROGRAM/main.py -o OUT`, a process per program
  (its command line; main.py is the entry point, the other modules are reached by import).
- pycg-api: PyCG's own API (`CallGraphGenerator` + `formats.Simple`, what its command
  line calls) in this process: the figure to set against kg's.
- pyan3: a process per program running pyan's analyser over the program's files; its
  "uses" edges between defined functions, methods, classes and modules are mapped to
  PyCG's naming (`lambda.0` -> `<lambda1>`; edges to classes dropped, pyan lists the
  `__init__` they run; edges to names pyan could not resolve, `*.name`, dropped).

Writes benchmarks/results/callgraph.json and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):   # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import callgraph_score as scoring  # noqa: E402
from benchmarks import common  # noqa: E402

TOOLS = ("kg", "kg-batch", "kg-cli", "kg-store", "pycg", "pycg-api", "pyan3")
DEFAULT_TOOLS = ("kg", "kg-batch", "kg-cli", "pycg", "pycg-api", "pyan3")
CHILD_TIMEOUT = 120     # seconds for one tool on one program
BATCH_TIMEOUT = 600     # seconds for kg-batch's one process on every program


# -- PyCG --------------------------------------------------------------------------------------

def run_pycg(chosen: list[scoring.Program], python: str = sys.executable) -> scoring.Score:
    results = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pycg-out-") as tmp:
        for i, program in enumerate(chosen):
            out = Path(tmp) / f"{i}.json"
            command = [python, "-m", "pycg", "--package", str(program.folder),
                       str(program.folder / "main.py"), "-o", str(out)]
            results[program] = _child_graph(command, out, program.folder)
    return scoring.score("pycg", results, time.perf_counter() - started)


def run_pycg_in_process(chosen: list[scoring.Program]) -> scoring.Score:
    """PyCG's own API in this process (what its command line runs), as kg runs: neither
    pays a process start-up per program."""
    from pycg import formats
    from pycg.pycg import CallGraphGenerator

    results = {}
    started = time.perf_counter()
    cwd = os.getcwd()
    for program in chosen:
        try:
            os.chdir(program.folder)
            generator = CallGraphGenerator([str(program.folder / "main.py")],
                                           str(program.folder), -1, "call-graph")
            generator.analyze()
            results[program] = (formats.Simple(generator).generate(), None)
        except Exception as e:  # one failing program must not hide the others' scores
            results[program] = (None, f"{type(e).__name__}: {e}"[:300])
        finally:
            os.chdir(cwd)
    return scoring.score("pycg-api", results, time.perf_counter() - started)


def pycg_version(python: str = sys.executable) -> str | None:
    return _version(python, "pycg")


# -- pyan3 -------------------------------------------------------------------------------------

def run_pyan(chosen: list[scoring.Program], python: str = sys.executable) -> scoring.Score:
    results = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pyan-out-") as tmp:
        for i, program in enumerate(chosen):
            out = Path(tmp) / f"{i}.json"
            command = [python, str(Path(__file__).resolve()), "--pyan-child",
                       str(program.folder), str(out)]
            results[program] = _child_graph(command, out, program.folder)
    return scoring.score("pyan3", results, time.perf_counter() - started)


def pyan_child(folder: Path, out: Path) -> None:
    """In a child process: pyan's analyser over one program, its edges in PyCG's naming."""
    from pyan.analyzer import CallGraphVisitor

    files = [str(p) for p in sorted(folder.rglob("*.py"))]
    visitor = CallGraphVisitor(files, root=str(folder))
    graph: dict[str, set[str]] = {}
    for source, targets in visitor.uses_edges.items():
        caller = _pyan_name(source, as_caller=True)
        if caller is None:
            continue
        graph.setdefault(caller, set())
        for target in targets:
            callee = _pyan_name(target, as_caller=False)
            if callee is not None:
                graph[caller].add(callee)
    out.write_text(json.dumps({k: sorted(v) for k, v in sorted(graph.items())}))


_PYAN_CALLERS = {"MODULE", "CLASS", "FUNCTION", "METHOD", "STATICMETHOD", "CLASSMETHOD"}
_PYAN_CALLEES = {"FUNCTION", "METHOD", "STATICMETHOD", "CLASSMETHOD"}


def _pyan_name(node, as_caller: bool) -> str | None:
    if node.namespace is None:          # `*.name`: pyan could not tell what it is
        return None
    flavor = node.flavor.name
    if flavor == "SCOPE" and node.name.startswith("lambda."):   # pyan's `lambda.0`
        index = int(node.name.split(".", 1)[1]) + 1
        return f"{node.namespace}.<lambda{index}>" if node.namespace else f"<lambda{index}>"
    wanted = _PYAN_CALLERS if as_caller else _PYAN_CALLEES
    if flavor not in wanted or not node.defined:
        return None
    return node.get_name()


def pyan_version(python: str = sys.executable) -> str | None:
    return _version(python, "pyan3")


# -- kg ----------------------------------------------------------------------------------------

def run_kg(chosen: list[scoring.Program]) -> scoring.Score:
    return scoring.run_kg(chosen)


def run_kg_store(chosen: list[scoring.Program]) -> scoring.Score:
    return scoring.run_kg_store(chosen)


def kg_command(python: str = sys.executable) -> list[str]:
    """`kg` as a user runs it: the console script installed beside the interpreter, run by
    that interpreter (no shim in between), else `python -m kg` (the same entry, main())."""
    script = Path(python).parent / "kg"
    return [python, str(script)] if script.is_file() else [python, "-m", "kg"]


def run_kg_cli(chosen: list[scoring.Program], python: str = sys.executable) -> scoring.Score:
    """`kg export callgraph PROGRAM -o OUT`, a process per program, as PyCG runs."""
    results = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-cli-out-") as tmp:
        for i, program in enumerate(chosen):
            out = Path(tmp) / f"{i}.json"
            command = [*kg_command(python), "export", "callgraph", str(program.folder),
                       "--repo", f"{program.category}.{program.name}", "-o", str(out)]
            results[program] = _child_graph(command, out, program.folder)
    return scoring.score("kg-cli", results, time.perf_counter() - started)


def run_kg_batch(chosen: list[scoring.Program], python: str = sys.executable) -> scoring.Score:
    """One `kg export callgraph PROGRAM... -o FOLDER` process for all programs. Each graph
    is written as NAME.json, NAME the program folder's name, and several categories have a
    `simple`: the programs are first copied (outside the time) to folders named
    `category.name`, which changes no module name (a program's root is not a package)."""
    with tempfile.TemporaryDirectory(prefix="kg-batch-") as tmp:
        copies = {}
        for program in chosen:
            copies[program] = Path(tmp) / "programs" / f"{program.category}.{program.name}"
            shutil.copytree(program.folder, copies[program])
        out = Path(tmp) / "graphs"
        command = [*kg_command(python), "export", "callgraph", *map(str, copies.values()),
                   "-o", str(out)]
        started = time.perf_counter()
        done, problem = _run(command, Path(tmp), BATCH_TIMEOUT)
        seconds = time.perf_counter() - started
        results = {program: _graph_written(out / f"{copy.name}.json", done, problem)
                   for program, copy in copies.items()}
    return scoring.score("kg-batch", results, seconds)


# -- shared ------------------------------------------------------------------------------------

def _child_graph(command: list[str], out: Path, cwd: Path
                 ) -> tuple[scoring.Graph | None, str | None]:
    done, problem = _run(command, cwd, CHILD_TIMEOUT)
    if done is not None and done.returncode != 0:
        return None, _last_line(done)
    return _graph_written(out, done, problem)


def _run(command: list[str], cwd: Path, timeout: float
         ) -> tuple[subprocess.CompletedProcess | None, str | None]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env,
                              timeout=timeout), None
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"


def _graph_written(out: Path, done: subprocess.CompletedProcess | None, problem: str | None
                   ) -> tuple[scoring.Graph | None, str | None]:
    """The graph a child wrote to out, else why there is none."""
    if not out.exists():
        return None, problem or _last_line(done)
    try:
        return json.loads(out.read_text()), None
    except json.JSONDecodeError as e:
        return None, f"unreadable output: {e}"


def _last_line(done: subprocess.CompletedProcess) -> str:
    return (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:300]


def _version(python: str, distribution: str) -> str | None:
    done = subprocess.run([python, "-c", "import importlib.metadata as m; "
                           f"print(m.version({distribution!r}))"],
                          capture_output=True, text=True)
    return done.stdout.strip() or None if done.returncode == 0 else None


RUNNERS = {"kg": run_kg, "kg-batch": run_kg_batch, "kg-cli": run_kg_cli, "kg-store": run_kg_store, "pycg": run_pycg,
           "pycg-api": run_pycg_in_process, "pyan3": run_pyan}
VERSIONS = {"pycg": pycg_version, "pycg-api": pycg_version, "pyan3": pyan_version}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--pyan-child":
        pyan_child(Path(argv[1]), Path(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tools", default=",".join(DEFAULT_TOOLS),
                        help=f"comma-separated, from: {', '.join(TOOLS)}")
    parser.add_argument("--category", action="append", default=[],
                        help="only this category (repeatable)")
    parser.add_argument("--misses", action="store_true",
                        help="print every missed and wrong edge of every tool")
    parser.add_argument("--output", type=Path, default=None,
                        help="results folder (default benchmarks/results)")
    args = parser.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        parser.error(f"unknown tool(s) {unknown}; known: {', '.join(TOOLS)}")
    chosen = scoring.programs(categories=args.category)
    if not chosen:
        parser.error("no programs found")
    missing = [t for t in tools if t in VERSIONS and VERSIONS[t]() is None]
    if missing:
        parser.error(f"not installed: {', '.join(missing)} "
                     "(pip install pycg==0.0.7 pyan3)")
    machine = common.machine_info()
    scores = []
    for tool in tools:
        _log(f"{tool}: {len(chosen)} programs ...")
        scores.append(RUNNERS[tool](chosen))
        _log(f"{tool}: {scores[-1].seconds:.1f} s")
    scoring.report(scores, show_misses=args.misses)
    data = {"benchmark": "callgraph", "machine": machine, "programs": len(chosen),
            "categories": sorted({p.category for p in chosen}),
            "versions": {t: VERSIONS[t]() for t in tools if t in VERSIONS},
            "targets": {"precision": 0.99, "recall": 0.95,
                        "per_category": "at least PyCG's", "time": "at most PyCG's"},
            "tools": {s.tool: s.as_dict() for s in scores}}
    path = common.write_results("callgraph", data, args.output)
    _log(f"wrote {path}")
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
