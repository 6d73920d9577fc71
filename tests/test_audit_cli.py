"""`kg audit` and `kg rules` through click's runner: exit codes, baselines, fail-on, rule tools.

Exit codes: 0 ok (findings or not, without --fail-on), 1 findings at or over --fail-on
(or a failing rule test), 2 usage or input error, 3 store unavailable.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import write_package
from kg import api
from kg.cli.main import cli

TESTS = Path(__file__).parent
AUDIT_APP = TESTS / "fixtures" / "audit_app"
REPORT_RULES = TESTS / "report_rules"
SELECT = ",".join(sorted(p.stem for p in REPORT_RULES.glob("*.yaml")))


def kg(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def audit(store, *args: str):
    return kg("audit", "--store", str(store), "--rules", str(REPORT_RULES), "--select", SELECT,
              *args)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    uri = str(tmp_path_factory.mktemp("cli") / "store")
    api.load(AUDIT_APP, store=uri, repo="audit_app")
    return uri


def test_findings_alone_exit_0_with_a_markdown_report(store):
    result = audit(store)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# kg audit: audit_app\n")
    assert "app.engine.score is 10 lines long" in result.stdout


@pytest.mark.parametrize(("fail_on", "code"), [
    ("critical", 0), ("high", 0), ("medium", 1), ("low", 1), ("info", 1)])
def test_fail_on_is_a_threshold(store, fail_on, code):
    result = audit(store, "--fail-on", fail_on, "--format", "json")
    assert result.exit_code == code, result.stderr
    json.loads(result.stdout)   # the report is written whatever the exit code
    if code:
        expected = {"medium": 2, "low": 7, "info": 7}[fail_on]
        assert f"{expected} findings at or over {fail_on}" in result.stderr
    else:
        assert "at or over" not in result.stderr


def test_suppressed_findings_never_fail(tmp_path):
    body = "".join(f"    x += {i}\n" for i in range(6))
    source = write_package(tmp_path / "src", {"p/__init__.py": "", "p/a.py": (
        "def f(x):  # kg: ignore[report-long-function] a flat table\n" + body + "    return x\n")})
    store = str(tmp_path / "store")
    api.load(source, store=store, repo="p")
    result = kg("audit", "--store", store, "--rules", str(REPORT_RULES), "--select",
                "report-long-function", "--fail-on", "info", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["summary"]["total"] == 0
    assert [(f["file"], f["line"]) for f in doc["suppressed"]] == [("p/a.py", 1)]


def test_output_file_and_formats(store, tmp_path):
    for fmt, start in (("md", "# kg audit"), ("json", "{"), ("sarif", "{"),
                       ("html", "<!DOCTYPE html>")):
        out = tmp_path / f"report.{fmt}"
        result = audit(store, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0 and result.stdout == ""
        assert out.read_text().startswith(start)
        assert f"wrote the {fmt} report to {out}" in result.stderr


def test_usage_and_input_errors_exit_2(store, tmp_path):
    cases = [
        audit(store, "--format", "pdf"),
        audit(store, "--fail-on", "severe"),
        kg("audit", "--store", store, "--select", "no-such-rule"),
        audit(store, "--update-baseline"),
        audit(store, "--baseline", str(tmp_path / "missing.json")),
        audit(store, "--param", "no-equals-sign"),
        audit(store, "--repo", "other"),
        kg("audit", "--store", store, "--rules", str(tmp_path / "no-rules-here")),
    ]
    (tmp_path / "bad.json").write_text("{not json")
    cases.append(audit(store, "--baseline", str(tmp_path / "bad.json")))
    for result in cases:
        assert result.exit_code == 2, (result.stdout, result.stderr)
        assert result.stdout == "" and "Traceback" not in result.stderr
    assert "needs --baseline FILE" in cases[3].stderr
    assert "no such baseline file" in cases[4].stderr
    assert "no repository 'other'" in cases[6].stderr


def test_no_store_exits_3(tmp_path):
    result = audit(tmp_path / "nothing-loaded")
    assert result.exit_code == 3
    assert "kg load" in result.stderr


def test_baseline_round_trip_survives_a_line_shift_and_reports_new_findings(tmp_path):
    source = tmp_path / "audit_app"
    shutil.copytree(AUDIT_APP, source)
    store, baseline = str(tmp_path / "store"), tmp_path / "baseline.json"
    api.load(source, store=store, repo="audit_app")
    accepted = audit(store, "--baseline", str(baseline), "--update-baseline", "--fail-on", "low",
                     "--format", "json")
    assert accepted.exit_code == 0, accepted.stderr
    assert "7 findings accepted" in accepted.stderr
    entries = json.loads(baseline.read_text())
    assert [e["key"] for e in entries] == sorted(e["key"] for e in entries)
    assert {"key", "rule", "file", "message"} == set(entries[0])
    assert {"report-long-function", "app/engine.py", "app.engine.score is 10 lines long"} <= \
        {v for e in entries for v in e.values()}
    doc = json.loads(accepted.stdout)
    assert doc["summary"]["total"] == 0 and doc["summary"]["baselined"] == 7

    engine = source / "app" / "engine.py"
    engine.write_text('"""Scores."""\n\n\n' + engine.read_text())   # every line moves down 3
    store_py = source / "app" / "store.py"
    store_py.write_text(store_py.read_text() + "\n\ndef load(name: str) -> str:\n"
                        "    text = Path(name).read_text()\n    text = text.strip()\n"
                        "    text = text.lower()\n    text = text.upper()\n    return text\n")
    api.load(source, store=store, repo="audit_app")
    again = audit(store, "--baseline", str(baseline), "--fail-on", "low", "--format", "json")
    assert again.exit_code == 1
    doc = json.loads(again.stdout)
    new = [(f["rule"], f["file"], f["line"]) for g in doc["findings"] for f in g["findings"]]
    assert new == [("report-dead-symbol", "app/store.py", 8),     # the new function, unused
                   ("report-long-function", "app/store.py", 8)]
    kept = {f["message"]: f["line"] for f in doc["baselined"]}
    assert kept["app.engine.score is 10 lines long"] == 15    # was line 12
    assert len(doc["baselined"]) == 7
    assert "2 findings at or over low" in again.stderr


def test_rules_list_is_sorted_and_includes_rules_folders():
    bundled = kg("rules", "list", "--format", "json")
    assert bundled.exit_code == 0
    rows = json.loads(bundled.stdout)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert {"long-function", "large-module"} <= {r["id"] for r in rows}
    assert set(rows[0]) == {"id", "kind", "severity", "title"}
    assert "report-writes-file" not in {r["id"] for r in rows}
    with_ours = kg("rules", "list", "--rules", str(REPORT_RULES))
    assert with_ours.exit_code == 0
    line = next(x for x in with_ours.stdout.splitlines() if "report-writes-file" in x)
    assert "constraint" in line and "medium" in line and "Function writes a file" in line


def test_rules_show_prints_everything():
    result = kg("rules", "show", "report-writes-file", "--rules", str(REPORT_RULES))
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("report-writes-file: Function writes a file\n")
    for piece in ("severity:       medium", "key:            [\"file\", \"symbol\", \"sink\"]",
                  "finds:", "why:", "example:", "fix:", "false positives:", "query:",
                  "MATCH (f:Function {repo: $repo})-[:CALLS]->(x:External)"):
        assert piece in out, piece
    as_json = json.loads(kg("rules", "show", "long-function", "--format", "json").stdout)
    assert as_json["params"] == {"max_lines": 60} and as_json["docs"]["why"]
    unknown = kg("rules", "show", "no-such-rule")
    assert unknown.exit_code == 2 and "unknown rule" in unknown.stderr


LONG_RULE = (REPORT_RULES / "report-long-function.yaml").read_text()
MARKED = {
    "pkg/__init__.py": "",
    "pkg/code.py": """
        # ruleid: report-long-function
        def long_one(x):
            x += 1
            x += 2
            x += 3
            x += 4
            return x


        def short_one(x):  # ok: report-long-function
            return x
    """,
}


def test_rules_test_passes_a_rule_that_finds_exactly_its_marks(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "report-long-function.yaml").write_text(LONG_RULE)
    write_package(folder / "report-long-function", MARKED)
    result = kg("rules", "test", str(folder))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["PASS report-long-function", "1 of 1 rules pass"]


def test_rules_test_fails_on_a_missed_or_wrong_line_and_a_missing_fixture(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "report-long-function.yaml").write_text(LONG_RULE)
    wrong = dict(MARKED)
    wrong["pkg/code.py"] = MARKED["pkg/code.py"].replace("# ruleid: report-long-function",
                                                         "# ok: report-long-function")
    wrong["pkg/other.py"] = "def tiny():  # ruleid: report-long-function\n    return 1\n"
    write_package(folder / "report-long-function", wrong)
    (folder / "report-duplicate.yaml").write_text(
        (REPORT_RULES / "report-duplicate.yaml").read_text())
    result = kg("rules", "test", str(folder))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "FAIL report-duplicate",
        f"  no fixture folder {folder / 'report-duplicate'}",
        "FAIL report-long-function",
        "  missed pkg/other.py:1",
        "  wrongly found pkg/code.py:2",
        "0 of 2 rules pass",
    ]


def test_rules_test_on_a_folder_without_rules_is_an_input_error(tmp_path):
    result = kg("rules", "test", str(tmp_path))
    assert result.exit_code == 2 and "no rule files" in result.stderr
