"""The scale benchmark: kg on three sizes of real project, beside its floor and its peers.

One command measures, on pinned PyPI source distributions of about 30k, 150k and
400k+ lines (rich, django, sympy; tests folders left out as the load benchmark
does), one tool at a time, each in a fresh child process:

- kg: a full load into a fresh embedded store with `--jobs 1` and with `--jobs 2`
  (the headline full load is the `--jobs 2` one: the issue's "on 2 cores"), then an
  incremental load into that store after appending a function to one leaf module;
- the astroid floor (benchmarks/load.py's: parse every module, infer every callee once);
- vulture, pyan3 and PyCG 0.0.7 on the same files.

Each run records wall and CPU seconds (the child's own and its reaped children's,
from wait4), peak RSS, and what the tool produced. Every tool has a timeout and a
memory cap; one that fails, times out or is not installed is recorded as such and the
suite goes on. `--jobs` and incremental loads are used when kg.api.load takes `jobs`
and `full`; before that they are recorded as "not available".

    python benchmarks/scale.py                           # everything, then README + plot
    python benchmarks/scale.py --projects small --tools kg,floor
    python benchmarks/scale.py --quick                   # a tiny generated package, no network

Writes benchmarks/results/scale.json, benchmarks/results/scale.png and the section
between the scale markers of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):   # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

HERE = Path(__file__).resolve()
LOAD_BENCH = HERE.parent / "load.py"
README = HERE.parent / "README.md"
BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"

TOOLS = ("floor", "kg", "vulture", "pyan3", "pycg")
PEER_DISTRIBUTIONS = {"vulture": ("vulture", "vulture"), "pyan3": ("pyan", "pyan3"),
                      "pycg": ("pycg", "pycg")}      # tool: (module, distribution)
TARGETS = {"lines_per_s": 15_000, "peak_rss_mb": 2048, "incremental_ratio": 0.10,
           "jobs_speedup": 1.6}
ADDED_FUNCTION = "\n\ndef kg_bench_added_function(value=1):\n    return value + 1\n"


@dataclass(frozen=True)
class ScaleProject:
    """A pinned sdist: PyPI's file name and sha256 for it, checked after every download."""

    project: common.BenchProject
    filename: str
    sha256: str


PROJECTS: dict[str, ScaleProject] = {
    "small": ScaleProject(common.BenchProject("rich", "13.9.4", "rich", "small"),
                          "rich-13.9.4.tar.gz",
                          "439594978a49a09530cff7ebc4b5c7103ef57baf48d5ea3184f21d9a2befa098"),
    "medium": ScaleProject(common.BenchProject("django", "5.1.4", "django", "medium"),
                           "Django-5.1.4.tar.gz",
                           "de450c09e91879fa5a307f696e57c851955c910a438a35e6b4c895e86bedc82a"),
    "large": ScaleProject(common.BenchProject("sympy", "1.13.3", "sympy", "large"),
                          "sympy-1.13.3.tar.gz",
                          "b27fd2c6530e0ab39e275fc9b683895367e51d5da91baa8d3d64db2565fec4d9"),
}


# -- sources -----------------------------------------------------------------------------------

def source_root(spec: ScaleProject, log=print) -> Path:
    """The project's package folder: the sdist downloaded from PyPI once, checked, unpacked."""
    folder = common.cache_dir() / "sdists" / spec.project.key
    archive = folder / spec.filename
    if not archive.is_file():
        log(f"downloading {spec.filename} ...")
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{spec.filename}.partial"
        with urllib.request.urlopen(_sdist_url(spec), timeout=120) as response:
            partial.write_bytes(response.read())
        partial.rename(archive)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != spec.sha256:
        raise SystemExit(f"{archive}: sha256 {digest}, expected {spec.sha256}; delete it")
    return common.source_root(spec.project)


def _sdist_url(spec: ScaleProject) -> str:
    """The sdist's address from PyPI's JSON API, which must agree with the pinned sha256."""
    name, version = spec.project.name, spec.project.version
    index = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(index, timeout=60) as response:
        release = json.load(response)["releases"][version]
    for upload in release:
        if upload["filename"] == spec.filename:
            if upload["digests"]["sha256"] != spec.sha256:
                raise SystemExit(f"PyPI's sha256 for {spec.filename} is not the pinned one")
            return urllib.parse.urljoin(index, upload["url"])    # a mirror may answer relative
    raise SystemExit(f"{spec.filename} is not among PyPI's files for {name} {version}")


QUICK_FIXTURE = {
    "__init__.py": "",
    "core.py": ("UNIT = '\\N{GREEK SMALL LETTER MU}s'    # stopped PyCG before PYCG_MAIN\n\n\n"
                "class Base:\n    def save(self):\n        return helper(self)\n\n\n"
                "def helper(obj):\n    return repr(obj)\n"),
    "models.py": ("from .core import Base\n\n\nclass Model(Base):\n"
                  "    def __init__(self, name):\n        self.name = name\n"),
    "service.py": ("from .models import Model\n\n\ndef run(name):\n"
                   "    model = Model(name)\n    return model.save()\n"),
    "cli.py": "from .service import run\n\n\ndef main():\n    print(run('x'))\n",
    "tests/__init__.py": "",
    "tests/test_service.py": "from quickpkg.service import run\n\n\ndef test_run():\n    run('y')\n",
}


def write_quick_fixture(folder: Path) -> Path:
    """A five-module package with imports, a class hierarchy and calls: --quick's project."""
    root = folder / "quickpkg"
    for rel, text in QUICK_FIXTURE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# -- running one tool --------------------------------------------------------------------------

@dataclass
class Run:
    """One tool on one project: how it ended and what it cost."""

    status: str                     # ok, failed, timeout, memory cap, not installed, not available
    wall_seconds: float | None = None
    cpu_seconds: float | None = None     # user + system of the child and its reaped children
    peak_rss_mb: float | None = None     # sampled: PSS summed over the child's process tree
    largest_process_maxrss_mb: float | None = None   # wait4: the child's or a reaped child's
    exit_code: int | None = None
    load_average: float | None = None    # 1-minute load average when the run started
    error: str | None = None
    result: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_tool(command: list[str], parse, timeout: float, memory_cap_mb: float,
             cwd: Path | None = None, ok_codes: tuple[int, ...] = (0,)) -> Run:
    """Run command in its own session; parse(tmp, stdout_text) reads its result.

    Every child gets $KG_BENCH_OUT (a file for its JSON result) and {tmp} in its
    arguments replaced by a private folder; it is killed, with everything it started,
    when it passes the timeout or its process tree passes the memory cap.
    """
    with tempfile.TemporaryDirectory(prefix="kg-scale-run-") as tmp:
        args = [a.replace("{tmp}", tmp) for a in command]
        env = {**os.environ, "KG_BENCH_OUT": str(Path(tmp) / "result.json"),
               "PYTHONHASHSEED": "0"}
        load_average = round(os.getloadavg()[0], 2)
        out_path, err_path = Path(tmp) / "stdout.txt", Path(tmp) / "stderr.txt"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=cwd or tmp, env=env,
                                    start_new_session=True)
            try:
                killed, exit_code, rusage, tree_peak = _watch(proc, timeout, memory_cap_mb)
            finally:
                _kill_group(proc.pid)       # workers it left behind, or all of it if interrupted
            wall = time.perf_counter() - started
        run = Run(status="ok", wall_seconds=round(wall, 3),
                  cpu_seconds=round(rusage.ru_utime + rusage.ru_stime, 3),
                  peak_rss_mb=tree_peak, largest_process_maxrss_mb=common._rss_mb(rusage.ru_maxrss),
                  exit_code=exit_code, load_average=load_average)
        if killed:
            limit = f"{timeout:.0f} s" if killed == "timeout" else f"{memory_cap_mb:.0f} MB"
            run.status, run.error = killed, f"{killed}: stopped at {limit}"
            return run
        stderr = err_path.read_text(errors="replace")
        if exit_code not in ok_codes:
            run.status, run.error = "failed", f"exit {exit_code}: {stderr[-1500:]}"
            return run
        try:
            run.result = parse(Path(tmp), out_path.read_text(errors="replace"))
        except Exception as e:      # an unreadable result is the tool's failure, not the suite's
            run.status, run.error = "failed", f"unreadable result: {e!r}: {stderr[-1000:]}"
        return run


# The child's memory is sampled, not read from wait4: a child's ru_maxrss starts from its
# parent's high-water mark (Linux records the old mm's at exec, vfork included), so it is
# never below this driver's own peak; and wait4 gives the largest single process of a tree
# whose workers run side by side, where the sum is what the machine must hold. Reading
# smaps_rollup walks the process's page tables under its memory lock, which slows the
# process measured: every 0.2 s it added about 10% to a full sympy load's wall (75.2 s
# alone, 82.9 s sampled; session 7), every second about 3% (77.7 s). The peaks are held
# for seconds (the extraction's workers, the store write), so a sample a second finds them;
# a run of a few seconds, whose process is still small, is sampled every 0.1 s.
SAMPLE_SECONDS = 1.0
FIRST_SECONDS, FIRST_SAMPLE_SECONDS = 5.0, 0.1


def _watch(proc: subprocess.Popen, timeout: float, memory_cap_mb: float):
    """Wait for the child, sampling its process tree's memory; kill it past either limit."""
    started = time.monotonic()
    deadline = started + timeout
    tree_peak, next_sample, killed = 0.0, 0.0, None
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return killed, proc.returncode, rusage, round(tree_peak, 1)
        now = time.monotonic()
        if killed is None and now >= next_sample:
            tree_peak = max(tree_peak, tree_memory_mb(proc.pid))
            next_sample = now + (FIRST_SAMPLE_SECONDS if now - started < FIRST_SECONDS
                                 else SAMPLE_SECONDS)
            if now > deadline:
                killed = "timeout"
            elif tree_peak > memory_cap_mb:
                killed = "memory cap"
            if killed:
                _kill_group(proc.pid)
        time.sleep(0.05)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def tree_memory_mb(pid: int) -> float:
    """PSS (shared pages split between sharers) summed over pid and its descendants."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _pss_kb(p)
        for children in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                stack += [int(c) for c in children.read_text().split()]
            except OSError:
                pass
    return total / 1024


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:    # no smaps_rollup: resident pages, shared ones counted in full
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def _child_json(tmp: Path, _stdout: str) -> dict:
    return json.loads((tmp / "result.json").read_text())


# -- the tools ---------------------------------------------------------------------------------

def kg_supports(option: str) -> bool:
    """Whether kg.api.load takes this keyword (`jobs`, `full`): parallel and incremental loads."""
    from kg import api
    return option in inspect.signature(api.load).parameters


def kg_command(root: Path, store: Path, repo: str, exclude, jobs: int | None,
               full: bool) -> list[str]:
    args = [sys.executable, str(HERE), "--child", "kg", str(root), "--store", str(store),
            "--repo", repo, *[f"--exclude={g}" for g in exclude]]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    return args + (["--full"] if full else [])


def kg_child(root: Path, store: str, repo: str, exclude: tuple[str, ...], jobs: int | None,
             full: bool) -> dict:
    """In a child: kg.api.load (what `kg load` runs), with --jobs and --full where supported."""
    from kg import api
    from kg.model.schema import NODES

    options = {}
    if jobs is not None:
        options["jobs"] = jobs
    if full and kg_supports("full"):
        options["full"] = True
    started = time.perf_counter()
    summary = api.load(root, store=store, repo=repo, exclude=exclude, **options)
    seconds = time.perf_counter() - started
    counts = summary.counts
    extra = {k: v for k, v in vars(summary).items()
             if k not in {"counts", "calls", "parse_errors", "step_errors", "warnings"}
             and isinstance(v, (int, float, str, bool, type(None)))}
    return {"seconds": round(seconds, 3), "options": options, "summary": extra,
            "files": summary.files, "extract_seconds": round(summary.extract_seconds, 3),
            "nodes": sum(n for k, n in counts.items() if k in NODES),
            "edges": sum(n for k, n in counts.items() if k not in NODES),
            "counts": counts, "parse_errors": len(summary.parse_errors),
            "step_errors": len(summary.step_errors),
            "timings": [[p.name, p.wall, p.cpu] for p in getattr(summary, "timings", ())]}


def floor_command(root: Path, exclude) -> list[str]:
    return [sys.executable, str(LOAD_BENCH), "--child", "floor", str(root),
            *[f"--exclude={g}" for g in exclude]]


def vulture_command(files: list[Path]) -> list[str]:
    return [sys.executable, "-m", "vulture", *map(str, files)]


def _vulture_result(_tmp: Path, stdout: str) -> dict:
    return {"findings": sum(1 for line in stdout.splitlines() if line.strip())}


def pyan_command(root: Path, exclude) -> list[str]:
    return [sys.executable, str(HERE), "--child", "pyan", str(root),
            *[f"--exclude={g}" for g in exclude]]


def pyan_child(root: Path, exclude: tuple[str, ...]) -> dict:
    """In a child: pyan's analyser over the files kg loads, named from the package's parent."""
    from pyan.analyzer import CallGraphVisitor

    files = [str(f.path) for f in common.python_files(root, exclude)]
    visitor = CallGraphVisitor(files, root=str(root.parent))
    return {"files": len(files),
            "nodes": sum(len(v) for v in visitor.nodes.values()),
            "uses_edges": sum(len(v) for v in visitor.uses_edges.values()),
            "defines_edges": sum(len(v) for v in visitor.defines_edges.values())}


# `python -m pycg`, with unicodedata imported first: PyCG's import hook otherwise keeps
# compile() from loading it, and a string with a \N{...} escape stops the whole run.
PYCG_MAIN = ("import runpy, sys, unicodedata; sys.argv[0] = 'pycg'; "
             "runpy.run_module('pycg', run_name='__main__', alter_sys=True)")


def pycg_command(root: Path, files: list[Path]) -> list[str]:
    """PyCG with every loaded file as an entry point, so it analyses the whole package."""
    return [sys.executable, "-c", PYCG_MAIN, "--package", str(root.parent), *map(str, files),
            "-o", "{tmp}/pycg.json"]


def _pycg_result(tmp: Path, _stdout: str) -> dict:
    graph = json.loads((tmp / "pycg.json").read_text())
    return {"nodes": len(graph), "edges": sum(len(v) for v in graph.values())}


def tool_version(tool: str) -> str | None:
    distribution = {"kg": "kg", "floor": "astroid", **{k: v[1] for k, v in
                                                      PEER_DISTRIBUTIONS.items()}}[tool]
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed(tool: str) -> bool:
    module = PEER_DISTRIBUTIONS.get(tool, (None,))[0]
    return module is None or importlib.util.find_spec(module) is not None


# -- one project -------------------------------------------------------------------------------

@dataclass
class Limits:
    kg_timeout: float = 3600.0      # kg and the floor
    timeout: float = 900.0          # each peer tool
    memory_cap_mb: float = 12_000.0


def bench_project(project: common.BenchProject, root: Path, tools: list[str], limits: Limits,
                  log=print) -> dict:
    """Every chosen tool on one project, one after another, on a private copy of its package."""
    files = [f.path for f in common.python_files(root, project.exclude)]
    lines = common.count_lines(files)
    log(f"{project.key}: {len(files)} files, {lines:,} lines")
    runs: dict[str, Run] = {}
    leaf = None
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as work:
        tree = Path(work) / "src" / root.name
        shutil.copytree(root, tree)      # the incremental run edits this copy, never the cache
        files = [tree / f.relative_to(root) for f in files]

        def record(name: str, run: Run) -> None:
            runs[name] = run
            took = f"{run.wall_seconds:.1f} s wall, {run.cpu_seconds:.1f} s CPU, " \
                   f"{run.peak_rss_mb:.0f} MB" if run.wall_seconds is not None else ""
            log(f"  {name}: {run.status} {took} {run.error or ''}".rstrip()[:300])

        if "floor" in tools:
            record("floor", run_tool(floor_command(tree, project.exclude), _child_json,
                                     limits.kg_timeout, limits.memory_cap_mb))
        if "kg" in tools:
            leaf = _kg_runs(project, tree, Path(work), limits, record, runs)
        # vulture exits 3 when it finds dead code; 1 is input it could not read, or a crash
        peers = {"vulture": (vulture_command(files), _vulture_result, (0, 3)),
                 "pyan3": (pyan_command(tree, project.exclude), _child_json, (0,)),
                 "pycg": (pycg_command(tree, files), _pycg_result, (0,))}
        for tool, (command, parse, ok_codes) in peers.items():
            if tool not in tools:
                continue
            if not installed(tool):
                record(tool, Run(status="not installed"))
                continue
            record(tool, run_tool(command, parse, limits.timeout, limits.memory_cap_mb,
                                  cwd=tree.parent, ok_codes=ok_codes))
    return summarise(project, len(files), lines, runs, leaf)


def _kg_runs(project: common.BenchProject, tree: Path, work: Path, limits: Limits,
             record, runs: dict[str, Run]) -> str | None:
    """--jobs 1, then --jobs 2 (kept), then one leaf module edited and loaded again."""
    repo, exclude = project.name, project.exclude
    parallel, incremental = kg_supports("jobs"), kg_supports("full")

    def load(store: Path, jobs: int | None, full: bool) -> Run:
        return run_tool(kg_command(tree, store, repo, exclude, jobs, full), _child_json,
                        limits.kg_timeout, limits.memory_cap_mb)

    if parallel:
        record("kg --jobs 1", load(work / "store-jobs1", 1, True))
        shutil.rmtree(work / "store-jobs1", ignore_errors=True)
    else:
        record("kg --jobs 1", Run(status="not available", error="kg.api.load has no jobs"))
    store = work / "store"
    record("kg", load(store, 2 if parallel else None, True))
    if not runs["kg"].ok:
        return None
    picked = run_tool([sys.executable, str(HERE), "--child", "leaf", str(tree), "--store",
                       str(store), "--repo", repo], _child_json, limits.kg_timeout,
                      limits.memory_cap_mb)
    if not picked.ok:
        record("kg incremental", Run(status="failed", error=f"no leaf module: {picked.error}"))
        return None
    leaf = picked.result["leaf"]
    if not incremental:
        record("kg incremental", Run(status="not available", error="kg.api.load has no full"))
        return leaf
    with open(tree / leaf, "a") as f:
        f.write(ADDED_FUNCTION)
    record("kg incremental", load(store, 2 if parallel else None, False))
    return leaf


def pick_leaf(store: Path, repo: str, tree: Path) -> str:
    """In a child: a module no other module imports, of median size, whose edit reaches no
    other file (a child, so that opening the store does not grow this driver)."""
    from kg import api
    try:
        rows = api.query(
            "MATCH (m:Module {repo: $repo}) WHERE m.is_package = false "
            "OPTIONAL MATCH (i:Module)-[:IMPORTS]->(m) "
            "WITH m, count(i) AS importers WHERE importers = 0 "
            "RETURN m.file AS file, m.loc AS loc ORDER BY loc, file",
            {"repo": repo}, store=str(store)).rows
        leaves = [r[0] for r in rows if not r[0].endswith("__main__.py")]
    except Exception:       # the query is a convenience: any module will do
        leaves = []
    if not leaves:
        leaves = sorted(str(p.relative_to(tree)) for p in tree.rglob("*.py")
                        if p.name != "__init__.py")
    return leaves[len(leaves) // 2]


# -- results -----------------------------------------------------------------------------------

def summarise(project: common.BenchProject, files: int, lines: int, runs: dict[str, Run],
              leaf: str | None) -> dict:
    kg, jobs1, incr = runs.get("kg"), runs.get("kg --jobs 1"), runs.get("kg incremental")
    derived = {}
    if kg and kg.ok:
        derived.update(
            kg_seconds=kg.wall_seconds, kg_cpu_seconds=kg.cpu_seconds,
            kg_lines_per_s=round(lines / kg.wall_seconds),
            kg_lines_per_cpu_s=round(lines / kg.cpu_seconds) if kg.cpu_seconds else None,
            kg_peak_rss_mb=kg.peak_rss_mb, nodes=kg.result["nodes"], edges=kg.result["edges"],
            kg_jobs=kg.result["options"].get("jobs"))
        if incr and incr.ok:
            derived.update(
                incremental_seconds=incr.wall_seconds,
                incremental_cpu_seconds=incr.cpu_seconds,
                incremental_ratio=_ratio(incr.wall_seconds, kg.wall_seconds),
                incremental_cpu_ratio=_ratio(incr.cpu_seconds, kg.cpu_seconds),
                incremental_function_delta=(incr.result["counts"].get("Function", 0)
                                            - kg.result["counts"].get("Function", 0)))
        if jobs1 and jobs1.ok:
            derived.update(jobs1_seconds=jobs1.wall_seconds, jobs1_cpu_seconds=jobs1.cpu_seconds,
                           jobs_speedup=_ratio(jobs1.wall_seconds, kg.wall_seconds))
    for run in runs.values():
        if run.ok and run.wall_seconds:
            run.result["lines_per_s"] = round(lines / run.wall_seconds)
    return {"name": project.name, "version": project.version, "package": project.package,
            "size": project.size, "exclude": list(project.exclude), "files": files,
            "lines": lines, "edited_leaf_module": leaf, **derived,
            "runs": {tool: asdict(run) for tool, run in runs.items()}}


def _ratio(part: float | None, whole: float | None) -> float | None:
    return round(part / whole, 3) if part is not None and whole else None


def targets(results: list[dict]) -> dict:
    """The issue's figures, on the largest project kg loaded: each with its value and verdict."""
    loaded = [r for r in results if "kg_seconds" in r]
    if not loaded:
        return {}
    largest = max(loaded, key=lambda r: r["lines"])
    checks = {
        "lines_per_s": (largest.get("kg_lines_per_s"), lambda v: v >= TARGETS["lines_per_s"]),
        "peak_rss_mb": (largest.get("kg_peak_rss_mb"), lambda v: v <= TARGETS["peak_rss_mb"]),
        "incremental_ratio": (largest.get("incremental_ratio"),
                              lambda v: v <= TARGETS["incremental_ratio"]),
        "jobs_speedup": (largest.get("jobs_speedup"), lambda v: v >= TARGETS["jobs_speedup"]),
    }
    return {"project": f"{largest['name']} {largest['version']}", **{
        name: {"value": value, "target": TARGETS[name],
               "met": None if value is None else bool(meets(value))}
        for name, (value, meets) in checks.items()}}


KG_HEADERS = ["project", "lines", "files", "full s", "full CPU s", "lines/s", "peak RSS MB",
              "nodes", "edges", "incremental s", "incr/full", "incr. files re-extracted",
              "--jobs 1 s", "--jobs 2 s", "jobs speedup"]
TOOL_HEADERS = ["project", "tool", "status", "wall s", "CPU s", "lines/s", "peak RSS MB",
                "wall / kg", "CPU / kg", "output"]


def kg_table(results: list[dict]) -> str:
    rows = []
    for r in results:
        runs = r["runs"]
        rows.append([f"{r['name']} {r['version']}", r["lines"], r["files"], r.get("kg_seconds"),
                     r.get("kg_cpu_seconds"), r.get("kg_lines_per_s"),
                     _round(r.get("kg_peak_rss_mb")), r.get("nodes"), r.get("edges"),
                     _seconds_or_status(runs.get("kg incremental")),
                     _percent(r.get("incremental_ratio")),
                     runs.get("kg incremental", {}).get("result", {}).get("summary", {})
                     .get("reextracted"),
                     _seconds_or_status(runs.get("kg --jobs 1")),
                     r.get("kg_seconds") if r.get("jobs1_seconds") else None,
                     _times(r.get("jobs_speedup"))])
    return common.markdown_table(KG_HEADERS, rows)


def tools_table(results: list[dict]) -> str:
    rows = []
    for r in results:
        kg = r["runs"].get("kg", {})
        for tool, run in r["runs"].items():
            if tool in ("kg --jobs 1", "kg incremental"):
                continue
            done = run["status"] == "ok"
            rows.append([f"{r['name']} {r['version']}", tool, run["status"],
                         run["wall_seconds"], run["cpu_seconds"],
                         run["result"].get("lines_per_s") if done else None,
                         _round(run["peak_rss_mb"]),
                         _times(_ratio(run["wall_seconds"], kg.get("wall_seconds")) if done
                                and kg.get("status") == "ok" else None),
                         _times(_ratio(run["cpu_seconds"], kg.get("cpu_seconds")) if done
                                and kg.get("status") == "ok" else None),
                         _output(tool, run) if done else None])
    return common.markdown_table(TOOL_HEADERS, rows)


def _output(tool: str, run: dict) -> str:
    res = run["result"]
    if tool == "kg":
        return f"{res['nodes']:,} nodes, {res['edges']:,} edges"
    if tool == "floor":
        return f"{res['calls_inferred']:,} of {res['calls']:,} callees inferred"
    if tool == "vulture":
        return f"{res['findings']:,} findings"
    if tool == "pyan3":
        return f"{res['nodes']:,} nodes, {res['uses_edges']:,} uses edges"
    return f"{res['nodes']:,} functions, {res['edges']:,} call edges"


def _seconds_or_status(run: dict | None):
    if run is None:
        return None
    return run["wall_seconds"] if run["status"] == "ok" else run["status"]


def _round(value):
    return None if value is None else round(value)


def _percent(ratio):
    return None if ratio is None else f"{ratio:.1%}"


def _times(ratio):
    return None if ratio is None else f"{ratio:.2f}x"


def targets_text(checks: dict) -> str:
    if not checks:
        return "No kg load finished: no figure to compare with the targets."
    names = {"lines_per_s": ("lines/s, full load, --jobs 2, embedded store", ">="),
             "peak_rss_mb": ("peak RSS MB of that load", "<="),
             "incremental_ratio": ("incremental load after a one-file edit / full load", "<="),
             "jobs_speedup": ("--jobs 1 wall / --jobs 2 wall", ">=")}
    lines = [f"Targets, on the largest project ({checks['project']}):", ""]
    for key, (label, op) in names.items():
        c = checks[key]
        verdict = "not measured" if c["met"] is None else "met" if c["met"] else "NOT met"
        value = "–" if c["value"] is None else f"{c['value']:,}"
        lines.append(f"- {label}: {value} (target {op} {c['target']:,}): **{verdict}**")
    return "\n".join(lines)


def report(data: dict) -> str:
    m = data["machine"]
    head = (f"`results/scale.json`, kg {m['kg_version']} at {m['kg_commit']}"
            f"{' with uncommitted changes in src/' if m.get('kg_uncommitted_changes') else ''}, "
            f"astroid {m['astroid_version']}, Python {m['python']}, {m['cpu_count']} cores, "
            f"load average {m['load_average'][0]} at the start, {m['date'][:10]}. "
            + ", ".join(f"{t} {v}" for t, v in sorted(data["versions"].items()) if v) + ".")
    for again in data.get("remeasured", []):
        m2 = again["machine"]
        head += (f" Measured again later ({m2['date'][:16]}Z, kg at {m2['kg_commit']}, load "
                 f"average {m2['load_average'][0]}): {', '.join(again['tools'])} on "
                 f"{', '.join(again['projects'])}.")
    projects = sorted(data["projects"], key=lambda r: r["lines"])
    return "\n\n".join(part for part in [
        head, kg_table(projects), tools_table(projects), unfinished_text(projects),
        targets_text(data["targets"]), phases_text(projects[-1] if projects else None),
        "![time against lines](results/scale.png)"] if part)


PHASE_RUNS = ("kg --jobs 1", "kg", "kg incremental")


def phases_text(largest: dict | None) -> str:
    """Where the largest project's loads spent their time, phase by phase (`kg load
    --timings`): wall and CPU seconds for --jobs 1, --jobs 2 and the reload."""
    runs = {name: (largest or {}).get("runs", {}).get(name) or {} for name in PHASE_RUNS}
    timed = {name: {row[0]: row[1:] for row in (run.get("result") or {}).get("timings", [])}
             for name, run in runs.items() if run.get("status") == "ok"}
    if not any(timed.values()):
        return ""
    names: list[str] = []
    for phases in sorted(timed.values(), key=len, reverse=True):
        for index, name in enumerate(phases):
            if name not in names:       # before the first of its run's later phases listed
                later = [n for n in list(phases)[index + 1:] if n in names]
                names.insert(names.index(later[0]) if later else len(names), name)
    headers = ["phase", *(f"{run} {unit}" for run in timed for unit in ("wall s", "CPU s"))]
    rows = [[name, *(value for phases in timed.values()
                     for value in phases.get(name, (None, None)))] for name in names]
    return (f"Where {largest['name']}'s loads spent their time (`kg load --timings`; CPU of the "
            f"process the phase ran in, the extraction's workers included):\n\n"
            + common.markdown_table(headers, rows))


def unfinished_text(results: list[dict]) -> str:
    """Each run that did not finish, with the last line of what it said."""
    lines = []
    for r in results:
        for tool, run in r["runs"].items():
            if run["status"] != "ok":
                said = [x.strip() for x in (run["error"] or "").splitlines() if x.strip()]
                used = (f" after {run['cpu_seconds']:,.0f} CPU s" if run["status"] in
                        ("timeout", "memory cap") and run["cpu_seconds"] else "")
                lines.append(f"- {r['name']} {r['version']}, {tool}: {run['status']}{used}"
                             + (f": `{said[-1][:200]}`" if said else ""))
    return "Runs that did not finish:\n\n" + "\n".join(lines) if lines else \
        "Every run finished."


def update_readme(path: Path, block: str) -> None:
    """Replace what is between the scale markers (a section of its own is added if absent)."""
    text = path.read_text() if path.exists() else ""
    generated = f"{BEGIN}\n<!-- written by benchmarks/scale.py: rerun it, do not edit -->\n\n" \
                f"{block}\n\n{END}"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + generated + after
    else:
        text = text.rstrip("\n") + "\n\n## Scale\n\n" + generated + "\n"
    path.write_text(text)


PLOTTED = ("kg", "kg --jobs 1", "kg incremental", "floor", "vulture", "pyan3", "pycg")


def plot(results: list[dict], path: Path) -> Path | None:
    """Wall and CPU seconds against lines, log-log, a line per tool; hollow marks: stopped."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, key, title in ((axes[0], "wall_seconds", "wall seconds"),
                           (axes[1], "cpu_seconds", "CPU seconds")):
        for tool in PLOTTED:
            done = sorted((r["lines"], r["runs"][tool][key]) for r in results
                          if r["runs"].get(tool, {}).get("status") == "ok")
            stopped = sorted((r["lines"], r["runs"][tool][key]) for r in results
                             if r["runs"].get(tool, {}).get("status") in ("timeout", "memory cap"))
            if not done and not stopped:
                continue
            line, = ax.plot([x for x, _ in done], [y for _, y in done], marker="o", label=tool)
            if stopped:
                ax.plot([x for x, _ in stopped], [y for _, y in stopped], marker="^",
                        linestyle="none", markerfacecolor="none", color=line.get_color(),
                        markersize=10)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("lines of Python")
        ax.set_ylabel(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("kg and peers: time against project size (hollow ^: stopped at its limit)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# -- entry points ------------------------------------------------------------------------------

def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=("kg", "pyan", "leaf"), required=True)
    parser.add_argument("root", type=Path)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--store")
    parser.add_argument("--repo")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    # The analysed code's imports must not resolve to this repository's folders.
    here = {str(HERE.parent), str(common.REPO_ROOT), ""}
    sys.path[:] = [p for p in sys.path if p not in here]
    exclude = tuple(args.exclude)
    if args.child == "kg":
        result = kg_child(args.root, args.store, args.repo, exclude, args.jobs, args.full)
    elif args.child == "leaf":
        result = {"leaf": pick_leaf(Path(args.store), args.repo, args.root)}
    else:
        result = pyan_child(args.root, exclude)
    common.write_child_result(result)
    common.exit_as_kg_does()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--child" in argv:
        child_main(argv)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default=",".join(PROJECTS),
                        help=f"comma-separated, from: {', '.join(PROJECTS)}")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help=f"comma-separated, from: {', '.join(TOOLS)}")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny generated package, no network; results to a temporary "
                             "folder unless --output, README untouched unless --readme")
    parser.add_argument("--timeout", type=float, default=Limits.timeout,
                        help="seconds for each peer tool on one project")
    parser.add_argument("--kg-timeout", type=float, default=Limits.kg_timeout,
                        help="seconds for each kg load and each floor run")
    parser.add_argument("--memory-cap-mb", type=float, default=Limits.memory_cap_mb,
                        help="a tool whose processes pass this is stopped")
    parser.add_argument("--output", type=Path, help="results folder (default benchmarks/results)")
    parser.add_argument("--readme", type=Path, help="the README whose scale section is rewritten")
    parser.add_argument("--snapshot", action="store_true",
                        help="measure kg as committed at HEAD (a git archive of src/ and "
                             "benchmarks/), not the working tree others may be editing")
    parser.add_argument("--merge", type=Path, metavar="SCALE_JSON",
                        help="measure the chosen tools and projects again and replace only "
                             "those runs in this earlier result (recorded under 'remeasured')")
    parser.add_argument("--report", type=Path, metavar="SCALE_JSON",
                        help="measure nothing: rewrite the plot and README section from this file")
    args = parser.parse_args(argv)
    if args.snapshot:
        return run_from_snapshot([a for a in argv if a != "--snapshot"], args)
    if args.report:
        data = json.loads(args.report.read_text())
        _publish(data, args.output or common.RESULTS_DIR, args.readme or README)
        return 0
    tools = [t for t in args.tools.split(",") if t]
    names = [n for n in args.projects.split(",") if n]
    unknown = [t for t in tools if t not in TOOLS] + [n for n in names if n not in PROJECTS]
    if unknown:
        parser.error(f"unknown {unknown}; projects: {', '.join(PROJECTS)}; tools: {', '.join(TOOLS)}")
    limits = Limits(args.kg_timeout, args.timeout, args.memory_cap_mb)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so a killed run kills its child
    machine = common.machine_info()     # before the run: the tree may move while it runs
    if os.environ.get("KG_SCALE_SNAPSHOT"):
        machine["kg_commit"], machine["snapshot"] = os.environ["KG_SCALE_SNAPSHOT"], True
    output = args.output or (Path(tempfile.mkdtemp(prefix="kg-scale-quick-")) if args.quick
                             else common.RESULTS_DIR)
    readme = args.readme or (None if args.quick else README)
    previous = json.loads(args.merge.read_text()) if args.merge else None
    results, failed = [], []
    with tempfile.TemporaryDirectory(prefix="kg-scale-fixture-") as fixture:
        if args.quick:
            project = common.BenchProject("quickpkg", "0", "quickpkg", "quick")
            results.append(bench_project(project, write_quick_fixture(Path(fixture)), tools,
                                         limits, log=_log))
        for name in [] if args.quick else names:
            spec = PROJECTS[name]
            try:
                root = source_root(spec, log=_log)
            except (OSError, ValueError, KeyError, SystemExit) as e:  # the others still run
                _log(f"{spec.project.key}: no sources: {e!r}")
                failed.append({"name": spec.project.name, "error": f"no sources: {e!r}"})
                continue
            results.append(bench_project(spec.project, root, tools, limits, log=_log))
            _write(machine, tools, limits, results, failed, output, readme, previous)
    data = _write(machine, tools, limits, results, failed, output, readme, previous)
    print(report(data))
    _log(f"wrote {output / 'scale.json'}")
    return 1 if failed else 0


def run_from_snapshot(argv: list[str], args) -> int:
    """Run this script again from `git archive HEAD src benchmarks`, results in this tree."""
    commit = common._git(["rev-parse", "--short", "HEAD"])
    snapshot = Path(tempfile.mkdtemp(prefix=f"kg-scale-{commit}-"))
    try:
        archive = subprocess.run(["git", "-C", str(common.REPO_ROOT), "archive", "HEAD", "src",
                                  "benchmarks"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive, check=True)
        output = (args.output or (None if args.quick else common.RESULTS_DIR))
        readme = args.readme or (None if args.quick else README)
        extra = [f"--output={output.resolve()}"] if output else []
        extra += [f"--readme={readme.resolve()}"] if readme else []
        env = {**os.environ, "KG_SCALE_SNAPSHOT": commit or "unknown",
               "PYTHONPATH": os.pathsep.join([str(snapshot / "src"),
                                              os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        script = snapshot / "benchmarks" / "scale.py"
        return subprocess.run([sys.executable, str(script), *argv, *extra], env=env).returncode
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)


def _write(machine: dict, tools: list[str], limits: Limits, results: list[dict],
           failed: list[dict], output: Path, readme: Path | None,
           previous: dict | None = None) -> dict:
    data = {"benchmark": "scale", "machine": machine,
            "kg_supports": {"jobs": kg_supports("jobs"), "incremental": kg_supports("full")},
            "versions": {t: tool_version(t) for t in tools},
            "limits": asdict(limits), "targets": targets(results), "projects": results,
            "failed_projects": failed}
    if previous is not None:
        data = merged(previous, data, tools)
    _publish(data, output, readme)
    return data


def merged(previous: dict, data: dict, tools: list[str]) -> dict:
    """The earlier result with this run's runs in place of the same project's and tool's."""
    by_name = {r["name"]: r for r in previous["projects"]}
    projects = []
    for new in data["projects"]:
        old = by_name.pop(new["name"], None)
        if old is None:
            projects.append(new)
            continue
        runs = {tool: Run(**run) for tool, run in old["runs"].items()}
        runs.update({tool: Run(**run) for tool, run in new["runs"].items()})
        project = common.BenchProject(new["name"], new["version"], new["package"], new["size"],
                                      tuple(new["exclude"]))
        projects.append(summarise(project, new["files"], new["lines"], runs,
                                  new["edited_leaf_module"] or old["edited_leaf_module"]))
    order = {r["name"]: i for i, r in enumerate(previous["projects"])}
    projects = sorted(projects + list(by_name.values()), key=lambda r: order.get(r["name"], 99))
    remeasured = {"machine": data["machine"], "tools": tools,
                  "projects": [r["name"] for r in data["projects"]], "limits": data["limits"]}
    return {**previous, "projects": projects, "targets": targets(projects),
            "versions": {**previous["versions"], **data["versions"]},
            "remeasured": previous.get("remeasured", []) + [remeasured]}


def _publish(data: dict, output: Path, readme: Path | None) -> None:
    common.write_results("scale", data, output)
    plot(data["projects"], output / "scale.png")
    if readme is not None:
        update_readme(readme, report(data))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
