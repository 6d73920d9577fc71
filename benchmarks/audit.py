"""The audit benchmark: every bundled rule on the load benchmark's projects, on both stores.

Each project is loaded once into a fresh embedded store and once into Neo4j
(in a child process each), then audited in another fresh child process:
`kg.api.audit` with all bundled rules, once cold (the first audit that process
runs: empty query-plan caches, nothing of the store in memory yet), once more
to warm up, then `--repeat` times; the warm figures are medians. Per rule it
reports the seconds its query took (engine.Audit.seconds) and its findings.
The figure to meet: all bundled rules on a ~30k-line project (rich) within
2 s on the embedded store.

    python benchmarks/audit.py --neo4j bolt://127.0.0.1:7687      # both stores
    python benchmarks/audit.py --stores embedded --projects rich --repeat 3
    python benchmarks/audit.py --quick                              # click, embedded, 1 repeat

The Neo4j database must be one the benchmark may write to: each project's
repository is loaded into it and deleted again afterwards (credentials in
NEO4J_USERNAME / NEO4J_PASSWORD). Writes benchmarks/results/audit.json and
prints a Markdown table (rule x project x store).
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
QUICK_PROJECT = "click"
STORES = ("embedded", "neo4j")
TARGET_SECONDS = 2.0            # all bundled rules, warm, on the ~30k-line project
TARGET_PROJECT = "rich"
TARGET_STORE = "embedded"


# -- the measured work (each part runs in its own child process) -------------------------------

def load_into(root: Path, store: str, repo: str, exclude: tuple[str, ...] = ()) -> dict:
    """Load the project into the store, as `kg load` does."""
    from kg import api
    started = time.perf_counter()
    summary = api.load(root, store=store, repo=repo, exclude=exclude)
    return {"seconds": round(time.perf_counter() - started, 3), "files": summary.files,
            "counts": summary.counts}


def measure_audit(store: str, repo: str, repeat: int = 5) -> dict:
    """All bundled rules on one loaded repository: the cold run, a warm-up, then `repeat` runs.

    Per rule: the seconds of its query (median of the warm runs, and the cold run's) and its
    findings; in all: the wall time of `api.audit` (store opened, rules read, suppressions,
    every query) and the sum of the rules' own seconds.
    """
    from kg import api
    cold = _timed_audit(store, repo)
    _timed_audit(store, repo)                                  # warm-up, not counted
    warm = [_timed_audit(store, repo) for _ in range(max(1, repeat))]
    rules = sorted(cold["audit"].seconds)
    counts = _finding_counts(cold["audit"], rules)
    unstable = sorted(r for r in rules for w in warm
                      if _finding_counts(w["audit"], [r]) != {r: counts[r]})
    per_rule = {r: {"seconds": common.median([w["audit"].seconds[r] for w in warm]),
                    "cold_seconds": round(cold["audit"].seconds[r], 3),
                    "findings": counts[r]["findings"],
                    "suppressed": counts[r]["suppressed"]} for r in rules}
    return {
        "repo": repo,
        "bundled_rules": sorted(r.id for r in api.rules() if r.kind == "constraint"),
        "repeat": len(warm),
        "rules": per_rule,
        "seconds": common.median([w["wall"] for w in warm]),
        "seconds_all": [round(w["wall"], 3) for w in warm],
        "rule_seconds": common.median([sum(w["audit"].seconds.values()) for w in warm]),
        "cold_seconds": round(cold["wall"], 3),
        "cold_rule_seconds": round(sum(cold["audit"].seconds.values()), 3),
        "findings": sum(c["findings"] for c in counts.values()),
        "unstable_rules": sorted(set(unstable)),   # findings that changed between runs
    }


def _timed_audit(store: str, repo: str) -> dict:
    from kg import api
    started = time.perf_counter()
    audit = api.audit(store=store, repo=repo)
    return {"wall": time.perf_counter() - started, "audit": audit}


def _finding_counts(audit, rules: list[str]) -> dict[str, dict[str, int]]:
    counts = {r: {"findings": 0, "suppressed": 0} for r in rules}
    for bucket, found in (("findings", audit.findings), ("suppressed", audit.suppressed)):
        for finding in found:
            if finding.rule in counts:
                counts[finding.rule][bucket] += 1
    return counts


def forget_repository(store: str, repo: str) -> None:
    """Delete a benchmark repository from a Neo4j database, so the next project runs alone."""
    from kg import api
    for label in ("Load", *_labels()):
        while api.query(f"MATCH (n:{label} {{repo: $repo}}) WITH n LIMIT 20000 "
                        "DETACH DELETE n RETURN count(*)", {"repo": repo}, store=store,
                        write=True).rows[0][0]:
            pass


def _labels() -> list[str]:
    from kg.model.schema import NODES
    return sorted(label for label in NODES if label != "Load")


def other_repositories(store: str, repo: str) -> list[str]:
    from kg import api
    return sorted(r["repo"] for r in api.info(store=store) if r["repo"] != repo)


def child_main(argv: list[str]) -> None:
    """Entry of a measured child: `audit.py --child load|audit|forget STORE REPO [...]`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=("load", "audit", "forget"), required=True)
    parser.add_argument("store")
    parser.add_argument("repo")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    # The analysed code's imports must not resolve to this repository's folders.
    here = {str(Path(__file__).resolve().parent), str(common.REPO_ROOT), ""}
    sys.path[:] = [p for p in sys.path if p not in here]
    if args.child == "load":
        result = load_into(args.root, args.store, args.repo, tuple(args.exclude))
    elif args.child == "audit":
        result = {**measure_audit(args.store, args.repo, args.repeat),
                  "other_repositories": other_repositories(args.store, args.repo)}
    else:
        forget_repository(args.store, args.repo)
        result = {}
    common.write_child_result(result)


# -- the driver --------------------------------------------------------------------------------

def run_child(part: str, store: str, repo: str, *extra: str) -> common.Measurement:
    return common.measure_child([str(Path(__file__).resolve()), "--child", part, store, repo,
                                 *extra])


def bench_store(project: common.BenchProject, root: Path, kind: str, neo4j_uri: str | None,
                repeat: int, log=print) -> dict:
    """Load the project into a fresh store of this kind, audit it, and clean up."""
    repo = f"bench-{project.key}"
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-audit-")) if kind == "embedded" else None
    store = str(tmp / "store") if tmp else neo4j_uri
    try:
        loaded = run_child("load", store, repo, f"--root={root}",
                           *(f"--exclude={g}" for g in project.exclude))
        log(f"  {kind}: loaded in {loaded.result['seconds']:.1f}s")
        audited = run_child("audit", store, repo, f"--repeat={repeat}")
        a = audited.result
        log(f"  {kind}: audit cold {a['cold_seconds']:.2f}s, warm {a['seconds']:.2f}s "
            f"(rules {a['rule_seconds']:.2f}s), {a['findings']} findings, "
            f"{audited.peak_rss_mb:.0f} MB")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            run_child("forget", store, repo)
    return {**a, "store": kind, "load_seconds": loaded.result["seconds"],
            "nodes_and_edges": sum(loaded.result["counts"].values()),
            "audit_peak_rss_mb": audited.peak_rss_mb}


def bench_project(project: common.BenchProject, stores: list[str], neo4j_uri: str | None,
                  repeat: int, log=print) -> dict:
    root = common.source_root(project)
    files = common.python_files(root, project.exclude)
    lines = common.count_lines(f.path for f in files)
    log(f"{project.key}: {len(files)} files, {lines:,} lines")
    by_store, failed = {}, {}
    for kind in stores:
        try:
            by_store[kind] = bench_store(project, root, kind, neo4j_uri, repeat, log)
        except common.ChildFailed as e:     # the other store's figures are still worth having
            log(f"  {kind}: FAILED\n{e}")
            failed[kind] = str(e)[-2000:]
    return {"name": project.name, "version": project.version, "package": project.package,
            "size": project.size, "exclude": list(project.exclude), "files": len(files),
            "lines": lines, "stores": by_store, "failed_stores": failed,
            "same_findings_on_both_stores": _same_findings(by_store)}


def _same_findings(by_store: dict) -> bool | None:
    if len(by_store) < 2:
        return None
    counts = [{r: (v["findings"], v["suppressed"]) for r, v in s["rules"].items()}
              for s in by_store.values()]
    return all(c == counts[0] for c in counts)


def table(results: list[dict]) -> str:
    """One row per rule: its warm seconds on each project and store, then its findings."""
    results = [r for r in results if r["stores"]]
    columns = [(r, kind) for r in results for kind in r["stores"]]
    headers = ["rule"] + [f"{r['name']} {_short(kind)} s" for r, kind in columns] \
        + [f"{r['name']} findings" for r in results]
    rules = sorted({rule for r, kind in columns for rule in r["stores"][kind]["rules"]})
    rows = [[rule] + [r["stores"][kind]["rules"].get(rule, {}).get("seconds")
                      for r, kind in columns]
            + [_findings(r, lambda s, rule=rule: s["rules"].get(rule, {}).get("findings"))
               for r in results] for rule in rules]
    rows.append(["**all rules (sum)**"] + [r["stores"][k]["rule_seconds"] for r, k in columns]
                + [_findings(r, lambda s: s["findings"]) for r in results])
    rows.append(["**api.audit wall**"] + [r["stores"][k]["seconds"] for r, k in columns]
                + [None] * len(results))
    rows.append(["**api.audit cold**"] + [r["stores"][k]["cold_seconds"] for r, k in columns]
                + [None] * len(results))
    return common.markdown_table(headers, [[_cell(v) for v in row] for row in rows])


def _short(kind: str) -> str:
    return {"embedded": "emb", "neo4j": "neo4j"}.get(kind, kind)


def _findings(result: dict, count) -> str:
    """A count of findings; both stores' when they differ."""
    values = sorted({count(s) for s in result["stores"].values()}, key=repr)
    return " / ".join(str(v) for v in values)


def _cell(value):
    return f"{value:.3f}" if isinstance(value, float) else value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--child" in argv or any(a.startswith("--child=") for a in argv):
        child_main(argv)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default=",".join(DEFAULT_PROJECTS),
                        help=f"comma-separated, from: {', '.join(common.PROJECTS)}")
    parser.add_argument("--stores", default=",".join(STORES), help="embedded,neo4j")
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI"),
                        help="Bolt URI of a Neo4j the benchmark may write to (default $NEO4J_URI)")
    parser.add_argument("--repeat", type=int, default=5, help="warm audits of each (median)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke check: {QUICK_PROJECT} only, embedded, one repeat")
    parser.add_argument("--output", type=Path, default=None,
                        help="results folder (default benchmarks/results)")
    args = parser.parse_args(argv)
    names = [QUICK_PROJECT] if args.quick else [n for n in args.projects.split(",") if n]
    stores = ["embedded"] if args.quick else [s for s in args.stores.split(",") if s]
    repeat = 1 if args.quick else max(1, args.repeat)
    unknown = [n for n in names if n not in common.PROJECTS]
    if unknown:
        parser.error(f"unknown project(s) {unknown}; known: {', '.join(common.PROJECTS)}")
    if set(stores) - set(STORES):
        parser.error(f"unknown store(s) {sorted(set(stores) - set(STORES))}; known: {STORES}")
    if "neo4j" in stores and not args.neo4j:
        parser.error("the neo4j store needs --neo4j URI (or $NEO4J_URI); "
                     "or measure --stores embedded")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so a killed run kills its child
    machine = common.machine_info()     # before the run: the tree may move while it runs
    results, failed = [], []
    for name in names:
        try:
            results.append(bench_project(common.PROJECTS[name], stores, args.neo4j, repeat,
                                         log=_log))
        except common.ChildFailed as e:     # the other projects' figures are still worth having
            _log(f"{name}: FAILED\n{e}")
            failed.append({"name": name, "error": str(e)[-2000:]})
            continue
        failed += [{"name": name, "store": kind, "error": error}
                   for kind, error in results[-1]["failed_stores"].items()]
    data = {"benchmark": "audit", "machine": machine, "repeat": repeat, "stores": stores,
            "target": {"project": TARGET_PROJECT, "store": TARGET_STORE,
                       "seconds": TARGET_SECONDS, "met": _target_met(results)},
            "projects": results, "failed": failed}
    path = common.write_results("audit", data, args.output)
    print(table(results))
    _log(f"wrote {path}")
    return 1 if failed else 0


def _target_met(results: list[dict]) -> bool | None:
    for r in results:
        if r["name"] == TARGET_PROJECT and TARGET_STORE in r["stores"]:
            return r["stores"][TARGET_STORE]["seconds"] <= TARGET_SECONDS
    return None


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
