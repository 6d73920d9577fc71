"""The Neo4j write benchmark: rows/s per UNWIND batch size, and full loads against embedded.

Two measurements, in one run, on the load benchmark's pinned projects:

- **batch sizes**: one project's facts are extracted once, then written to Neo4j as
  repository `bench-batch` with each batch size in turn (interleaved over `--repeat`
  rounds, median kept); each write is a real reload (the previous generation is deleted
  in the same transaction). rows = nodes + relationships written.
- **full loads**: `kg.api.load` of each project (parse, extract, write) into a fresh
  embedded store and into Neo4j (repository `bench-NAME`), each in a fresh child
  process, interleaved. Target: Neo4j within **2x** the embedded load of the same project.

    python benchmarks/neo4j_write.py --uri bolt://127.0.0.1:7687     # NEO4J_USERNAME/PASSWORD
    python benchmarks/neo4j_write.py --projects rich --repeat 1 --batch-project click

The URI defaults to $KG_TEST_NEO4J_URI, else the test server in .neo4j-test/. Only the
benchmark's own repositories (bench-*) are written; they are deleted at the end.
Writes benchmarks/results/neo4j.json and prints two Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):   # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

DEFAULT_PROJECTS = ("rich", "docutils", "sphinx")
BATCH_PROJECT = "rich"
BATCH_SIZES = (500, 1000, 2000, 5000, 10000, 20000)
TARGET_RATIO = 2.0


# -- measured children -------------------------------------------------------------------------

def full_load(store: str, root: Path, exclude: tuple[str, ...], repo: str) -> dict:
    """`kg load` through its API: parse, extract and write into the given store."""
    from kg import api
    own = store == "embedded"
    target = tempfile.mkdtemp(prefix="kg-bench-store-") if own else store
    try:
        started = time.perf_counter()
        summary = api.load(root, store=target, repo=repo, exclude=exclude)
        seconds = time.perf_counter() - started
    finally:
        if own:
            shutil.rmtree(target, ignore_errors=True)
    return {"seconds": round(seconds, 3), "extract_seconds": round(summary.extract_seconds, 3),
            "write_seconds": round(summary.seconds - summary.extract_seconds, 3),
            "rows": sum(summary.counts.values())}


def batch_sizes(uri: str, root: Path, exclude: tuple[str, ...], sizes: list[int],
                repeat: int) -> dict:
    """Seconds to reload one project's facts with each batch size, interleaved rounds."""
    from kg.loader import extract
    from kg.queries.neo4j_store import Neo4jStore
    facts = extract(root, "bench-batch", exclude=exclude).facts
    rows = sum(len(r) for r in facts.nodes.values()) + len(facts.edges)
    load = {"id": "bench-batch:Load", "repo": "bench-batch", "files": 0}
    seconds: dict[int, list[float]] = {size: [] for size in sizes}
    with Neo4jStore(uri) as store:
        store.replace_repository("bench-batch", facts, load)     # warm-up: plans, schema
        for _ in range(repeat):
            for size in sizes:
                store.batch = size
                started = time.perf_counter()
                store.replace_repository("bench-batch", facts, load)
                seconds[size].append(time.perf_counter() - started)
    return {"rows": rows, "seconds": {str(k): [round(s, 3) for s in v]
                                      for k, v in seconds.items()}}


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["load", "batches"], required=True)
    parser.add_argument("root")
    parser.add_argument("--store", required=True)
    parser.add_argument("--repo", default="bench")
    parser.add_argument("--sizes", default="")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--exclude", action="append", default=[])
    args = parser.parse_args(argv)
    here = {str(Path(__file__).resolve().parent), str(common.REPO_ROOT), ""}
    sys.path[:] = [p for p in sys.path if p not in here]
    exclude = tuple(args.exclude)
    if args.child == "load":
        result = full_load(args.store, Path(args.root), exclude, args.repo)
    else:
        sizes = [int(s) for s in args.sizes.split(",")]
        result = batch_sizes(args.store, Path(args.root), exclude, sizes, args.repeat)
    common.write_child_result(result)


# -- the driver --------------------------------------------------------------------------------

def child(kind: str, project: common.BenchProject, store: str, *extra: str) -> common.Measurement:
    args = [str(Path(__file__).resolve()), "--child", kind, str(common.source_root(project)),
            "--store", store, *extra]
    args += [f"--exclude={glob}" for glob in project.exclude]
    return common.measure_child(args)


def bench_batches(uri: str, project: common.BenchProject, sizes: list[int], repeat: int) -> dict:
    m = child("batches", project, uri, "--sizes", ",".join(map(str, sizes)),
              "--repeat", str(repeat))
    rows = m.result["rows"]
    by_size = []
    for size in sizes:
        runs = m.result["seconds"][str(size)]
        median = common.median(runs)
        by_size.append({"batch": size, "seconds": median, "seconds_all": runs,
                        "rows_per_s": round(rows / median) if median else None})
    best = max(by_size, key=lambda r: r["rows_per_s"] or 0)
    return {"project": project.key, "rows": rows, "repeat": repeat, "sizes": by_size,
            "best_batch": best["batch"]}


def bench_load(uri: str, project: common.BenchProject, repeat: int, log) -> dict:
    runs: dict[str, list[common.Measurement]] = {"embedded": [], "neo4j": []}
    for i in range(repeat):
        for kind, store in (("embedded", "embedded"), ("neo4j", uri)):
            if kind == "neo4j":     # a first load, as into the fresh embedded store
                drop_bench_repositories(uri)
            m = child("load", project, store, "--repo", f"bench-{project.name}")
            runs[kind].append(m)
            log(f"  {project.key} {kind} {i + 1}/{repeat}: {m.result['seconds']:.1f} s "
                f"(write {m.result['write_seconds']:.1f} s), {m.peak_rss_mb:.0f} MB")
    out = {"name": project.name, "version": project.version, "repeat": repeat,
           "rows": runs["neo4j"][-1].result["rows"]}
    for kind, measured in runs.items():
        out[f"{kind}_seconds"] = common.median([m.result["seconds"] for m in measured])
        out[f"{kind}_write_seconds"] = common.median([m.result["write_seconds"]
                                                      for m in measured])
        out[f"{kind}_seconds_all"] = [m.result["seconds"] for m in measured]
        out[f"{kind}_peak_rss_mb"] = max(m.peak_rss_mb for m in measured)
    out["ratio"] = round(out["neo4j_seconds"] / out["embedded_seconds"], 2)
    out["neo4j_write_rows_per_s"] = round(out["rows"] / out["neo4j_write_seconds"]) \
        if out["neo4j_write_seconds"] else None
    out["meets_target"] = out["ratio"] <= TARGET_RATIO
    return out


def drop_bench_repositories(uri: str) -> None:
    """Delete the benchmark's repositories, a slice at a time (one transaction each)."""
    from kg.model.schema import NODES
    from kg.queries.neo4j_store import Neo4jStore
    with Neo4jStore(uri) as store:
        for label in NODES:
            while store.query(f"MATCH (n:{label}) WHERE n.repo STARTS WITH 'bench-' "
                              "WITH n LIMIT 20000 DETACH DELETE n RETURN count(*)",
                              write=True).rows[0][0]:
                pass


def default_uri() -> str | None:
    sys.path.insert(0, str(common.REPO_ROOT / "tests"))
    from neo4j_server import TEST_PASSWORD, TEST_USER, neo4j_uri
    uri = neo4j_uri()
    if uri:
        os.environ.setdefault("NEO4J_USERNAME", TEST_USER)
        os.environ.setdefault("NEO4J_PASSWORD", TEST_PASSWORD)
    return uri


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if any(a == "--child" or a.startswith("--child=") for a in argv):
        child_main(argv)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", default=None, help="Neo4j URI (default: the test server)")
    parser.add_argument("--projects", default=",".join(DEFAULT_PROJECTS))
    parser.add_argument("--batch-project", default=BATCH_PROJECT)
    parser.add_argument("--batches", default=",".join(map(str, BATCH_SIZES)))
    parser.add_argument("--repeat", type=int, default=2, help="rounds of each (median)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    uri = args.uri or default_uri()
    if not uri:
        parser.error("no Neo4j: pass --uri or start docker/neo4j-test-server.sh")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    machine = common.machine_info()
    sizes = [int(s) for s in args.batches.split(",") if s]
    drop_bench_repositories(uri)
    _log(f"batch sizes on {args.batch_project}: {sizes}")
    batches = bench_batches(uri, common.PROJECTS[args.batch_project], sizes, args.repeat)
    loads, failed = [], []
    for name in [n for n in args.projects.split(",") if n]:
        try:
            loads.append(bench_load(uri, common.PROJECTS[name], args.repeat, _log))
        except common.ChildFailed as e:
            _log(f"{name}: FAILED\n{e}")
            failed.append({"name": name, "error": str(e)[-2000:]})
    drop_bench_repositories(uri)
    data = {"benchmark": "neo4j_write", "machine": machine, "repeat": args.repeat,
            "neo4j_uri": uri.split("@")[-1], "targets": {"neo4j_over_embedded": TARGET_RATIO},
            "batches": batches, "loads": loads, "failed": failed}
    path = common.write_results("neo4j", data, args.output)
    print(common.markdown_table(["batch", "seconds", "rows/s"],
                                [[r["batch"], r["seconds"], r["rows_per_s"]]
                                 for r in batches["sizes"]]))
    print(f"\nbest batch: {batches['best_batch']} ({batches['project']}, {batches['rows']} rows)\n")
    print(common.markdown_table(
        ["project", "rows", "embedded s", "neo4j s", "neo4j/embedded", "embedded write s",
         "neo4j write s", "neo4j write rows/s"],
        [[f"{r['name']} {r['version']}", r["rows"], r["embedded_seconds"], r["neo4j_seconds"],
          r["ratio"], r["embedded_write_seconds"], r["neo4j_write_seconds"],
          r["neo4j_write_rows_per_s"]] for r in loads]))
    _log(f"wrote {path}")
    return 1 if failed else 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
