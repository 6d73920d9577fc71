"""The load benchmark: `kg load` against the astroid floor, on real PyPI projects.

The floor is the least any astroid-based loader must do: parse every module
the way kg's loader does (src/kg/loader/parse.py), put each tree in astroid's
cache under its module name, then infer the callee of every call site once.
kg's target is a load within 1.5x of that floor, measured in the same run on
the same machine as CPU time (the least of the repeats; kg's forked extraction
workers included), with a peak RSS under 2 GB.

    python benchmarks/load.py                      # all default projects, 3 repeats each
    python benchmarks/load.py --projects rich --repeat 1
    python benchmarks/load.py --quick              # one small project, one repeat
    python benchmarks/load.py --jobs 1             # kg extracting in one process

Writes benchmarks/results/load.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import signal
import sys
import tempfile
import time
import tokenize
from pathlib import Path

if __package__ in (None, ""):   # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

DEFAULT_PROJECTS = ("rich", "docutils", "sphinx")
QUICK_PROJECT = "click"
TARGET_RATIO = 1.5
TARGET_RSS_MB = 2048


# -- the two measured workloads (each runs in its own child process) ---------------------------

def floor(root: Path, exclude: tuple[str, ...] = ()) -> dict:
    """astroid alone: parse and cache every module as kg does, then infer every callee once."""
    import astroid
    from astroid import nodes
    from astroid.builder import AstroidBuilder

    from kg.loader.discover import discover

    started, cpu_started = time.perf_counter(), cpu_time()
    manager = astroid.MANAGER
    manager.always_load_extensions = False     # the same settings as kg's parse.safe_manager
    manager.extension_package_whitelist = set()
    manager.prefer_stubs = False
    files = discover(Path(root), exclude)
    trees, parse_errors = {}, 0
    for f in files:
        try:
            text = _decode(f.path.read_bytes())
            trees[f.module] = AstroidBuilder(manager).string_build(text, f.module, str(f.path))
        except Exception:   # a file kg cannot parse is skipped by kg too
            parse_errors += 1
    for module, tree in trees.items():
        manager.astroid_cache[module] = tree
    parsed = time.perf_counter()
    calls = inferred = 0
    for tree in trees.values():
        for call in tree.nodes_of_class(nodes.Call):
            calls += 1
            try:
                values = [v for v in call.func.infer() if v is not astroid.Uninferable]
            except Exception:   # inference failing is an outcome, not an error
                values = []
            inferred += bool(values)
    finished, cpu = time.perf_counter(), cpu_time() - cpu_started
    manager.clear_cache()
    return {"files": len(files), "parse_errors": parse_errors, "calls": calls,
            "calls_inferred": inferred, "parse_seconds": round(parsed - started, 3),
            "infer_seconds": round(finished - parsed, 3), "seconds": round(finished - started, 3),
            "cpu_seconds": round(cpu, 3)}


def cpu_time() -> float:
    """CPU seconds of this process and of the children it has waited for (kg's forked
    extraction workers), all threads, user and system."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _decode(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def kg_load(root: Path, exclude: tuple[str, ...] = (), store: Path | None = None,
            jobs: int | None = None) -> dict:
    """`kg load` through its API into a fresh embedded store (jobs None: kg's default)."""
    from kg import api
    from kg.model.schema import NODES

    own_store = store is None
    store = Path(tempfile.mkdtemp(prefix="kg-bench-store-")) if own_store else Path(store)
    try:
        started, cpu_started = time.perf_counter(), cpu_time()
        options = {} if jobs is None else {"jobs": jobs}
        summary = api.load(root, store=str(store), repo=Path(root).name, exclude=exclude,
                           **options)
        seconds, cpu = time.perf_counter() - started, cpu_time() - cpu_started
    finally:
        if own_store:
            shutil.rmtree(store, ignore_errors=True)
    nodes = sum(n for key, n in summary.counts.items() if key in NODES)
    edges = sum(n for key, n in summary.counts.items() if key not in NODES)
    return {"files": summary.files, "parse_errors": len(summary.parse_errors),
            "step_errors": len(summary.step_errors), "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu, 3),
            "extract_seconds": round(summary.extract_seconds, 3),
            "write_seconds": round(summary.seconds - summary.extract_seconds, 3),
            "nodes": nodes, "edges": edges, "counts": summary.counts, "calls": summary.calls,
            "local_inferred_ratio": summary.inferred_ratio,
            "workers": getattr(summary, "workers", 1)}


WORKLOADS = {"floor": floor, "kg": kg_load}


def child_main(argv: list[str]) -> None:
    """Entry of a measured child: `load.py --child floor|kg ROOT [--exclude GLOB ...]`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=sorted(WORKLOADS), required=True)
    parser.add_argument("root")
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    # The analysed code's imports must not resolve to this repository's folders.
    here = {str(Path(__file__).resolve().parent), str(common.REPO_ROOT), ""}
    sys.path[:] = [p for p in sys.path if p not in here]
    extra = {"jobs": args.jobs} if args.child == "kg" and args.jobs is not None else {}
    common.write_child_result(WORKLOADS[args.child](Path(args.root), tuple(args.exclude),
                                                    **extra))
    common.exit_as_kg_does()


# -- the driver --------------------------------------------------------------------------------

def run_workload(workload: str, root: Path, exclude: tuple[str, ...] = (),
                 jobs: int | None = None) -> common.Measurement:
    """One measurement of a workload in a fresh child process."""
    args = [str(Path(__file__).resolve()), "--child", workload, str(root)]
    for glob in exclude:
        args.append(f"--exclude={glob}")
    if jobs is not None:
        args.append(f"--jobs={jobs}")
    return common.measure_child(args)


def bench_project(project: common.BenchProject, repeat: int, log=print,
                  jobs: int | None = None) -> dict:
    root = common.source_root(project)
    files = common.python_files(root, project.exclude)
    lines = common.count_lines(f.path for f in files)
    log(f"{project.key}: {len(files)} files, {lines:,} lines")
    runs: dict[str, list[common.Measurement]] = {"floor": [], "kg": []}
    for i in range(repeat):
        for workload in ("floor", "kg"):     # interleaved, so drift hits both alike
            m = run_workload(workload, root, project.exclude, jobs if workload == "kg" else None)
            runs[workload].append(m)
            log(f"  {workload} run {i + 1}/{repeat}: {m.result['seconds']:.1f}s, "
                f"{m.peak_rss_mb:.0f} MB")
    return summarise(project, len(files), lines, runs)


def summarise(project: common.BenchProject, files: int, lines: int,
              runs: dict[str, list[common.Measurement]]) -> dict:
    floor_runs, kg_runs = runs["floor"], runs["kg"]
    floor_s = common.median([m.result["seconds"] for m in floor_runs])
    kg_s = common.median([m.result["seconds"] for m in kg_runs])
    # Other work on the machine only ever adds CPU time (cache and core contention): the
    # least of the repeats is the closest to the work itself.
    floor_cpu = min(m.result["cpu_seconds"] for m in floor_runs)
    kg_cpu = min(m.result["cpu_seconds"] for m in kg_runs)
    last_floor, last_kg = floor_runs[-1].result, kg_runs[-1].result
    calls = last_kg["calls"]
    total = calls.get("calls_total", 0)
    return {
        "name": project.name, "version": project.version, "package": project.package,
        "size": project.size, "exclude": list(project.exclude),
        "files": files, "lines": lines, "repeat": len(kg_runs),
        "floor_seconds": floor_s, "kg_seconds": kg_s,
        "ratio": round(kg_s / floor_s, 2) if floor_s else None,
        # CPU time (all threads and worker processes, the least of the repeats) is less
        # disturbed than wall time by other work on the machine: the figure the target uses.
        "floor_cpu_seconds": floor_cpu, "kg_cpu_seconds": kg_cpu,
        "cpu_ratio": round(kg_cpu / floor_cpu, 2) if floor_cpu else None,
        "floor_cpu_seconds_all": [m.result["cpu_seconds"] for m in floor_runs],
        "kg_cpu_seconds_all": [m.result["cpu_seconds"] for m in kg_runs],
        "kg_workers": last_kg.get("workers", 1),
        "floor_lines_per_s": round(lines / floor_s) if floor_s else None,
        "kg_lines_per_s": round(lines / kg_s) if kg_s else None,
        "floor_peak_rss_mb": max(m.peak_rss_mb for m in floor_runs),
        "kg_peak_rss_mb": max(m.peak_rss_mb for m in kg_runs),
        "floor_seconds_all": [m.result["seconds"] for m in floor_runs],
        "kg_seconds_all": [m.result["seconds"] for m in kg_runs],
        "floor_parse_seconds": common.median([m.result["parse_seconds"] for m in floor_runs]),
        "floor_infer_seconds": common.median([m.result["infer_seconds"] for m in floor_runs]),
        "kg_extract_seconds": common.median([m.result["extract_seconds"] for m in kg_runs]),
        "kg_write_seconds": common.median([m.result["write_seconds"] for m in kg_runs]),
        "floor_calls": last_floor["calls"], "floor_calls_inferred": last_floor["calls_inferred"],
        "floor_inferred_ratio": _ratio(last_floor["calls_inferred"], last_floor["calls"]),
        "nodes": last_kg["nodes"], "edges": last_kg["edges"], "counts": last_kg["counts"],
        "calls": calls,
        "resolved_call_ratio": _ratio(calls.get("calls_inferred", 0), total),
        "local_inferred_ratio": last_kg["local_inferred_ratio"],
        "parse_errors": last_kg["parse_errors"], "step_errors": last_kg["step_errors"],
        "meets_time_target": bool(floor_cpu) and kg_cpu <= TARGET_RATIO * floor_cpu,
        "meets_time_target_wall": bool(floor_s) and kg_s <= TARGET_RATIO * floor_s,
        "meets_rss_target": max(m.peak_rss_mb for m in kg_runs) <= TARGET_RSS_MB,
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


TABLE_HEADERS = ["project", "lines", "files", "floor CPU s", "kg CPU s", "kg/floor CPU",
                 "floor wall s", "kg wall s", "kg/floor wall", "kg lines/s", "floor RSS MB",
                 "kg RSS MB", "nodes", "edges", "calls resolved"]


def table(results: list[dict]) -> str:
    rows = [[f"{r['name']} {r['version']}", r["lines"], r["files"], r["floor_cpu_seconds"],
             r["kg_cpu_seconds"], r["cpu_ratio"], r["floor_seconds"], r["kg_seconds"],
             r["ratio"], r["kg_lines_per_s"], round(r["floor_peak_rss_mb"]),
             round(r["kg_peak_rss_mb"]), r["nodes"], r["edges"],
             _percent(r["resolved_call_ratio"])] for r in results]
    return common.markdown_table(TABLE_HEADERS, rows)


def _percent(ratio: float | None) -> str | None:
    return None if ratio is None else f"{ratio:.0%}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--child" in argv or any(a.startswith("--child=") for a in argv):
        child_main(argv)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default=",".join(DEFAULT_PROJECTS),
                        help=f"comma-separated, from: {', '.join(common.PROJECTS)}")
    parser.add_argument("--repeat", type=int, default=3, help="measurements of each (median)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke check: {QUICK_PROJECT} only, one repeat")
    parser.add_argument("--jobs", type=int, default=None,
                        help="kg's extraction processes (default: what `kg load` picks)")
    parser.add_argument("--output", type=Path, default=None,
                        help="results folder (default benchmarks/results)")
    args = parser.parse_args(argv)
    names = [QUICK_PROJECT] if args.quick else [n for n in args.projects.split(",") if n]
    repeat = 1 if args.quick else max(1, args.repeat)
    unknown = [n for n in names if n not in common.PROJECTS]
    if unknown:
        parser.error(f"unknown project(s) {unknown}; known: {', '.join(common.PROJECTS)}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so a killed run kills its child
    machine = common.machine_info()     # before the run: the tree may move while it runs
    results, failed = [], []
    for name in names:
        try:
            results.append(bench_project(common.PROJECTS[name], repeat, log=_log,
                                         jobs=args.jobs))
        except common.ChildFailed as e:     # the other projects' figures are still worth having
            _log(f"{name}: FAILED\n{e}")
            failed.append({"name": name, "error": str(e)[-2000:]})
    data = {"benchmark": "load", "machine": machine, "repeat": repeat, "jobs": args.jobs,
            "targets": {"kg_over_floor": TARGET_RATIO, "peak_rss_mb": TARGET_RSS_MB},
            "total_lines": sum(r["lines"] for r in results), "projects": results,
            "failed": failed}
    path = common.write_results("load", data, args.output)
    print(table(results))
    _log(f"wrote {path}")
    return 1 if failed else 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
