"""What every benchmark shares: the pinned projects, their cached sources, measured children.

Benchmarks measure real projects, so their sources come from PyPI as source
distributions, pinned to exact versions, downloaded once with pip and kept in
a cache outside the repository ($KG_BENCH_CACHE, default ~/.cache/kg-bench).
Each measurement runs in a fresh child process: its peak RSS is that
process's own (wait4's rusage), not the benchmark driver's, and no astroid
cache survives from one measurement to the next.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"

# Test folders shipped inside a package are left out of both the line count and the load.
TEST_GLOBS = ("tests", "*/tests/*", "test", "*/test/*")


@dataclass(frozen=True)
class BenchProject:
    """A pinned PyPI project and the folder of its sdist that is loaded."""

    name: str           # PyPI name
    version: str        # exact version
    package: str        # the importable package folder inside the unpacked sdist
    size: str           # small (~30k lines), medium (~150k), large (>= 400k)
    exclude: tuple[str, ...] = TEST_GLOBS

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


# Pure-Python projects, sized by the lines of the .py files that are loaded (tests excluded).
PROJECTS: dict[str, BenchProject] = {p.name: p for p in (
    BenchProject("click", "8.1.7", "src/click", "small"),
    BenchProject("rich", "13.9.4", "rich", "small"),
    BenchProject("docutils", "0.21.2", "docutils", "medium"),
    BenchProject("sphinx", "7.4.7", "sphinx", "medium"),
    BenchProject("networkx", "3.4.2", "networkx", "medium"),
)}


# -- sources -----------------------------------------------------------------------------------

def cache_dir() -> Path:
    """Where sdists and their unpacked sources live: never inside the repository."""
    folder = Path(os.environ.get("KG_BENCH_CACHE") or Path.home() / ".cache" / "kg-bench")
    folder = folder.expanduser().resolve()
    if folder == REPO_ROOT or REPO_ROOT in folder.parents:
        raise SystemExit(f"KG_BENCH_CACHE={folder} is inside the repository: choose another")
    return folder


def fetch_sdist(project: BenchProject) -> Path:
    """The project's source distribution, downloaded by pip on first use."""
    folder = cache_dir() / "sdists" / project.key
    archives = _archives(folder)
    if not archives:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--no-binary", ":all:", "--dest", str(folder), f"{project.name}=={project.version}"],
            check=True)
        archives = _archives(folder)
    if len(archives) != 1:
        raise SystemExit(f"{folder}: expected one sdist, found {[a.name for a in archives]}")
    return archives[0]


def _archives(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith((".tar.gz", ".zip")))


def source_root(project: BenchProject) -> Path:
    """The project's package folder, unpacked from its sdist on first use."""
    target = cache_dir() / "src" / project.key
    if not target.is_dir():
        archive = fetch_sdist(project)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{project.key}-", dir=target.parent))
        _unpack(archive, partial)
        tops = list(partial.iterdir())
        top = tops[0] if len(tops) == 1 and tops[0].is_dir() else partial
        top.rename(target)      # complete or absent: an interrupted unpack is never reused
        shutil.rmtree(partial, ignore_errors=True)
    root = target / project.package
    if not (root / "__init__.py").is_file():
        raise SystemExit(f"{root}: not a package folder; fix BenchProject.package")
    return root


def _unpack(archive: Path, dest: Path) -> None:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)
        return
    with tarfile.open(archive) as t:
        t.extractall(dest, filter="data")


# -- sizes -------------------------------------------------------------------------------------

def python_files(root: Path, exclude: tuple[str, ...] = ()) -> list:
    """The files kg loads from root (kg's own discovery, so counts and loads agree)."""
    from kg.loader.discover import discover
    return discover(root, exclude)


def count_lines(paths) -> int:
    """Physical lines, blank and comment lines included (as `wc -l`, plus an unterminated last)."""
    total = 0
    for path in paths:
        data = Path(path).read_bytes()
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


# -- measuring ---------------------------------------------------------------------------------

@dataclass
class Measurement:
    """One child process: what it printed as JSON, its wall time and its peak RSS."""

    result: dict
    wall_seconds: float
    peak_rss_mb: float


class ChildFailed(RuntimeError):
    pass


def measure_child(args: list[str], timeout: float = 3600.0, cwd: Path | None = None) -> Measurement:
    """Run `python ARGS` in a fresh process that writes its result as JSON to the file in $KG_BENCH_OUT."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        out = Path(tmp) / "result.json"
        log = Path(tmp) / "stderr.txt"
        env = {**os.environ, "KG_BENCH_OUT": str(out)}
        started = time.perf_counter()
        with open(log, "wb") as err:
            proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL,
                                    stderr=err, cwd=cwd or tmp, env=env)
            try:
                status, rusage = _wait(proc, timeout)
            finally:
                if proc.returncode is None:     # interrupted: leave no orphan behind
                    proc.kill()
                    proc.wait()
        wall = time.perf_counter() - started
        if status != 0 or not out.is_file():
            tail = log.read_text(errors="replace")[-3000:]
            raise ChildFailed(f"{' '.join(args)} exited {status}:\n{tail}")
        return Measurement(json.loads(out.read_text()), wall, _rss_mb(rusage.ru_maxrss))


def _wait(proc: subprocess.Popen, timeout: float):
    """Reap the child with wait4, whose rusage is that child's alone."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, rusage
        if time.monotonic() > deadline:
            proc.kill()
            _, status, rusage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            raise ChildFailed(f"timed out after {timeout:.0f}s")
        time.sleep(0.05)


def _rss_mb(maxrss: int) -> float:
    # ru_maxrss is kilobytes on Linux, bytes on macOS.
    return round(maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def write_child_result(result: dict) -> None:
    """What a measured child calls last: hand its result to measure_child."""
    Path(os.environ["KG_BENCH_OUT"]).write_text(json.dumps(result, sort_keys=True))


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


# -- reporting ---------------------------------------------------------------------------------

def machine_info() -> dict:
    import astroid

    import kg
    source = Path(kg.__file__).resolve().parent
    in_repo = REPO_ROOT in source.parents
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "system": platform.system(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],   # other work on the machine
        "kg_version": kg.__version__,
        "kg_source": str(source),
        "kg_commit": _git(["rev-parse", "--short", "HEAD"]),
        # Only known when kg runs from this repository's src/ (not from an exported tree).
        "kg_uncommitted_changes": (bool(_git(["status", "--porcelain", "--", "src"]))
                                   if in_repo else None),
        "astroid_version": astroid.__version__,
    }


def _git(args: list[str]) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), *args],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def write_results(name: str, data: dict, folder: Path | None = None) -> Path:
    """benchmarks/results/NAME.json, sorted keys so reruns diff cleanly."""
    folder = folder or RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def markdown_table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def exit_as_kg_does() -> None:
    """A measured child ends as the `kg` console script does (kg.cli.main.main): the heap is
    frozen, so Python's finalisation does not traverse it only for the process to end. The
    floor's and kg's children alike, so neither's wall time carries that collection."""
    import gc
    gc.freeze()
