"""The load benchmark's moving parts, on a tiny local package, without network."""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import audit as audit_bench  # noqa: E402
from benchmarks import common  # noqa: E402
from benchmarks import load as load_bench  # noqa: E402

PACKAGE = {
    "__init__.py": "",
    "a.py": (
        "def helper():\n"
        "    return 1\n"
        "\n"
        "\n"
        "def caller():\n"
        "    helper()\n"            # inferred: a local function
        "    missing_name()\n"      # not inferred: defined nowhere
        "    return len([])\n"      # inferred: a builtin
    ),
    "tests/__init__.py": "",
    "tests/test_a.py": "from pkg.a import caller\n\n\ndef test_caller():\n    caller()\n",
}


def write_package(folder: Path) -> Path:
    root = folder / "pkg"
    for rel, text in PACKAGE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return write_package(tmp_path_factory.mktemp("bench"))


@pytest.fixture(scope="module")
def runs(package) -> dict[str, common.Measurement]:
    """One floor and one kg measurement, each in its own child process."""
    return {w: load_bench.run_workload(w, package, common.TEST_GLOBS) for w in ("floor", "kg")}


def test_count_lines_counts_an_unterminated_last_line(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\ny = 2\n")
    (tmp_path / "b.py").write_text("z = 3")
    (tmp_path / "c.py").write_text("")
    assert common.count_lines(sorted(tmp_path.iterdir())) == 3


def test_test_folders_are_left_out_of_the_files(package):
    kept = {f.rel for f in common.python_files(package, common.TEST_GLOBS)}
    everything = {f.rel for f in common.python_files(package)}
    assert kept == {"__init__.py", "a.py"}
    assert "tests/test_a.py" in everything


def test_floor_infers_every_call_site_once(runs):
    floor = runs["floor"].result
    assert floor["files"] == 2
    assert floor["calls"] == 3                  # the test file's call is excluded
    assert floor["calls_inferred"] == 2         # helper() and len(), not missing_name()
    assert floor["parse_errors"] == 0
    assert floor["seconds"] >= floor["parse_seconds"] > 0
    assert floor["cpu_seconds"] > 0
    assert runs["floor"].peak_rss_mb > 10


def test_kg_loads_into_a_fresh_store(runs):
    kg = runs["kg"].result
    assert kg["files"] == 2
    assert kg["counts"]["Module"] == 2
    assert kg["counts"]["Function"] == 2
    assert kg["nodes"] >= 4 and kg["edges"] > 0
    assert kg["seconds"] >= kg["extract_seconds"] > 0
    assert set(kg["calls"]) >= {"calls_total", "calls_inferred"}
    assert runs["kg"].peak_rss_mb > runs["floor"].peak_rss_mb / 2


def test_summary_and_table(runs, tmp_path):
    project = common.BenchProject("pkg", "0", "pkg", "small")
    summary = load_bench.summarise(project, files=2, lines=11,
                                   runs={w: [m] for w, m in runs.items()})
    assert summary["ratio"] == round(summary["kg_seconds"] / summary["floor_seconds"], 2)
    assert summary["cpu_ratio"] == round(summary["kg_cpu_seconds"] / summary["floor_cpu_seconds"], 2)
    assert summary["floor_calls"] == 3
    assert summary["nodes"] == runs["kg"].result["nodes"]
    path = common.write_results("load", {"projects": [summary]}, tmp_path)
    assert json.loads(path.read_text())["projects"][0]["name"] == "pkg"
    lines = load_bench.table([summary]).splitlines()
    assert lines[0].startswith("| project | lines |")
    assert lines[2].startswith("| pkg 0 | 11 | 2 |")


def test_a_failing_child_is_reported_not_swallowed(tmp_path):
    with pytest.raises(common.ChildFailed, match="no such file"):
        load_bench.run_workload("kg", tmp_path / "missing")


def test_sources_are_unpacked_from_the_cached_sdist(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_BENCH_CACHE", str(tmp_path / "cache"))
    project = common.BenchProject("demo", "1.0", "src/demo", "small")
    sdist = tmp_path / "cache" / "sdists" / project.key / "demo-1.0.tar.gz"
    sdist.parent.mkdir(parents=True)
    with tarfile.open(sdist, "w:gz") as t:
        for name, text in {"demo-1.0/src/demo/__init__.py": "", "demo-1.0/setup.py": "x\n"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(text)
            t.addfile(info, io.BytesIO(text.encode()))
    root = common.source_root(project)
    assert root == tmp_path / "cache" / "src" / "demo-1.0" / "src" / "demo"
    assert (root / "__init__.py").is_file()
    assert common.source_root(project) == root     # the second call reuses the unpacked copy


def test_the_cache_is_never_inside_the_repository(monkeypatch):
    monkeypatch.setenv("KG_BENCH_CACHE", str(common.REPO_ROOT / "cache"))
    with pytest.raises(SystemExit, match="inside the repository"):
        common.cache_dir()


# -- the audit benchmark -------------------------------------------------------------------------

DOCS_APP = Path(__file__).parent / "fixtures" / "docs_app"


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> tuple[str, dict]:
    """docs_app in a fresh embedded store, measured as the audit benchmark measures a project."""
    store = str(tmp_path_factory.mktemp("audit-bench") / "store")
    loaded = audit_bench.load_into(DOCS_APP, store, "shop")
    assert loaded["files"] > 0 and loaded["seconds"] > 0
    return store, audit_bench.measure_audit(store, "shop", repeat=2)


def test_audit_measures_every_bundled_rule(audited):
    from kg import api
    _, result = audited
    bundled = sorted(r.id for r in api.rules() if r.kind == "constraint")
    assert result["bundled_rules"] == bundled
    assert sorted(result["rules"]) == bundled
    assert result["repeat"] == 2 and len(result["seconds_all"]) == 2
    for rule in result["rules"].values():
        assert rule["cold_seconds"] > 0 and rule["seconds"] > 0
    # api.audit's wall time holds every rule's query and more (store, rule files, suppressions)
    assert result["seconds"] >= result["rule_seconds"] > 0
    assert result["cold_seconds"] >= result["cold_rule_seconds"] > 0
    assert result["unstable_rules"] == []


def test_audit_counts_each_rules_findings(audited):
    from kg import api
    store, result = audited
    found = api.audit(store=store, repo="shop")
    expected = {r: sum(f.rule == r for f in found.findings) for r in result["rules"]}
    assert {r: v["findings"] for r, v in result["rules"].items()} == expected
    assert result["findings"] == len(found.findings) > 0
    assert 0 in expected.values()          # a rule that finds nothing is counted as 0, not left out


def test_audit_table_has_a_row_per_rule_and_flags_stores_that_disagree(audited):
    _, result = audited
    embedded = {**result, "store": "embedded"}
    other = json.loads(json.dumps(embedded))
    rule = sorted(other["rules"])[0]
    other["rules"][rule]["findings"] += 1
    project = {"name": "shop", "stores": {"embedded": embedded, "neo4j": other}}
    lines = audit_bench.table([project]).splitlines()
    assert lines[0] == "| rule | shop emb s | shop neo4j s | shop findings |"
    assert len(lines) == 2 + len(result["rules"]) + 3     # header, rules, sum, wall, cold
    row = next(line for line in lines if line.startswith(f"| {rule} |"))
    n = result["rules"][rule]["findings"]
    assert row.endswith(f"| {n} / {n + 1} |")
    assert audit_bench._same_findings(project["stores"]) is False
    assert audit_bench._same_findings({"embedded": embedded, "neo4j": embedded}) is True


def test_audit_driver_loads_and_audits_in_fresh_children(package):
    project = common.BenchProject("pkg", "0", "pkg", "small")
    result = audit_bench.bench_store(project, package, "embedded", None, repeat=1,
                                     log=lambda _: None)
    assert result["store"] == "embedded" and result["repo"] == "bench-pkg-0"
    assert result["load_seconds"] > 0 and result["audit_peak_rss_mb"] > 10
    assert result["other_repositories"] == []
    assert sorted(result["rules"]) == result["bundled_rules"]


# -- the scale benchmark -------------------------------------------------------------------------

from benchmarks import scale as scale_bench  # noqa: E402


@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> tuple[Path, dict]:
    """`scale.py --quick`: every tool on the generated package, without network."""
    out = tmp_path_factory.mktemp("scale")
    readme = out / "README.md"
    readme.write_text("# Benchmarks\n\nIntro.\n\n## Load\n\nkept\n")
    assert scale_bench.main(["--quick", "--output", str(out), "--readme", str(readme)]) == 0
    return out, json.loads((out / "scale.json").read_text())


def test_scale_quick_measures_kg_and_every_tool_on_the_fixture(scaled):
    _, data = scaled
    [project] = data["projects"]
    fixture = {k: v for k, v in scale_bench.QUICK_FIXTURE.items() if not k.startswith("tests/")}
    assert project["files"] == len(fixture) == 5
    assert project["lines"] == sum(text.count("\n") for text in fixture.values())
    runs = project["runs"]
    kg = runs["kg"]
    assert kg["status"] == "ok" and kg["result"]["counts"]["Module"] == 5
    assert project["nodes"] == kg["result"]["nodes"] > 0 and project["edges"] > 0
    assert kg["wall_seconds"] > 0 and kg["cpu_seconds"] > 0 and kg["peak_rss_mb"] > 10
    assert project["kg_lines_per_s"] == round(project["lines"] / kg["wall_seconds"])
    assert runs["floor"]["status"] == "ok" and runs["floor"]["result"]["calls"] > 0
    for tool in ("vulture", "pyan3", "pycg"):
        expected = "ok" if scale_bench.installed(tool) else "not installed"
        assert runs[tool]["status"] == expected, runs[tool]["error"]
    # cli.py is the only module no other module imports: the edit reaches no other file
    assert project["edited_leaf_module"] == "cli.py"


def test_scale_quick_measures_jobs_and_incremental_loads_when_kg_has_them(scaled):
    _, data = scaled
    [project] = data["projects"]
    runs = project["runs"]
    if data["kg_supports"]["incremental"]:
        assert runs["kg incremental"]["status"] == "ok"
        assert project["incremental_function_delta"] == 1      # the appended function
        assert project["incremental_ratio"] == round(
            runs["kg incremental"]["wall_seconds"] / runs["kg"]["wall_seconds"], 3)
    else:
        assert runs["kg incremental"]["status"] == "not available"
    if data["kg_supports"]["jobs"]:
        assert runs["kg --jobs 1"]["result"]["options"]["jobs"] == 1
        assert runs["kg"]["result"]["options"]["jobs"] == 2
        assert runs["kg --jobs 1"]["result"]["nodes"] == project["nodes"]
    else:
        assert runs["kg --jobs 1"]["status"] == "not available"
    phases = [row[0] for row in runs["kg incremental"]["result"]["timings"]]
    assert phases[:3] == ["prepare", "discover", "parse"] and "kept fragments" in phases


def test_scale_writes_its_readme_section_between_markers_and_a_plot(scaled):
    out, data = scaled
    text = (out / "README.md").read_text()
    assert text.startswith("# Benchmarks\n\nIntro.\n\n## Load\n\nkept\n\n## Scale\n")
    assert text.count(scale_bench.BEGIN) == text.count(scale_bench.END) == 1
    assert "| quickpkg 0 | 27 | 5 |" in text
    phase_rows = text.split("Where quickpkg's loads spent their time", 1)[1].split("\n\n")[1]
    assert phase_rows.splitlines()[0].startswith("| phase | kg --jobs 1 wall s | kg --jobs 1 CPU s")
    assert "| parse |" in phase_rows and "| kept fragments | – | – | – | – |" in phase_rows
    assert phase_rows.index("| choose |") < phase_rows.index("| extract |")
    assert phase_rows.index("| digest |") < phase_rows.index("| write |")
    assert (out / "scale.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    scale_bench.update_readme(out / "README.md", "regenerated")    # rerun: replaced, not added
    again = (out / "README.md").read_text()
    assert again.count(scale_bench.BEGIN) == 1 and "regenerated" in again
    assert "| quickpkg 0 |" not in again and again.startswith(text.split(scale_bench.BEGIN)[0])


@pytest.mark.parametrize("code, status", [
    ("raise SystemExit(4)", "failed"),
    ("import time; time.sleep(30)", "timeout"),
    ("import time; x = b'x' * 300_000_000; time.sleep(30)", "memory cap"),
    # a grandchild's memory counts: the cap is on the whole process tree
    ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
     "\"import time; x = b'x' * 300_000_000; time.sleep(30)\"])", "memory cap"),
    ("print('fine')", "ok"),
])
def test_a_tool_that_fails_or_overruns_is_recorded_not_raised(code, status):
    run = scale_bench.run_tool([sys.executable, "-c", code], lambda _tmp, out: {"out": out},
                               timeout=3, memory_cap_mb=150)
    assert run.status == status, run.error
    assert run.wall_seconds < 20
    if status == "failed":
        assert run.exit_code == 4 and run.error.startswith("exit 4")
    if status == "ok":
        assert run.result == {"out": "fine\n"} and run.error is None


def test_scale_targets_are_judged_on_the_largest_project():
    small = {"name": "s", "version": "1", "lines": 10, "kg_seconds": 1, "kg_lines_per_s": 10,
             "kg_peak_rss_mb": 9000, "incremental_ratio": 0.9, "jobs_speedup": 1.0}
    large = {"name": "l", "version": "2", "lines": 400_000, "kg_seconds": 20,
             "kg_lines_per_s": 20_000, "kg_peak_rss_mb": 2100, "incremental_ratio": 0.05,
             "jobs_speedup": None}
    checks = scale_bench.targets([large, small])
    assert checks["project"] == "l 2"
    assert checks["lines_per_s"]["met"] is True
    assert checks["peak_rss_mb"]["met"] is False
    assert checks["incremental_ratio"]["met"] is True
    assert checks["jobs_speedup"]["met"] is None
    assert "**NOT met**" in scale_bench.targets_text(checks)


def test_a_cached_sdist_with_the_wrong_sha256_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_BENCH_CACHE", str(tmp_path / "cache"))
    spec = scale_bench.PROJECTS["small"]
    archive = tmp_path / "cache" / "sdists" / spec.project.key / spec.filename
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"not the pinned archive")
    with pytest.raises(SystemExit, match="sha256"):
        scale_bench.source_root(spec, log=lambda _: None)


def test_scale_merge_replaces_only_the_runs_measured_again(scaled, tmp_path):
    out, first = scaled
    assert scale_bench.main(["--quick", "--tools", "vulture", "--merge", str(out / "scale.json"),
                             "--output", str(tmp_path)]) == 0
    again = json.loads((tmp_path / "scale.json").read_text())
    [before], [after] = first["projects"], again["projects"]
    assert list(after["runs"]) == list(before["runs"])
    assert after["runs"]["kg"] == before["runs"]["kg"]
    assert after["nodes"] == before["nodes"] and after["edited_leaf_module"] == "cli.py"
    assert again["machine"] == first["machine"]
    [remeasured] = again["remeasured"]
    assert remeasured["tools"] == ["vulture"] and remeasured["projects"] == ["quickpkg"]
    assert remeasured["machine"]["date"] >= first["machine"]["date"]
