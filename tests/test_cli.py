"""The command line through click's runner, and once as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from harness import write_package
from kg.cli.main import cli

APP = {
    "app/__init__.py": "",
    "app/models.py": """
        from dataclasses import dataclass

        @dataclass
        class Point:
            x: int
            y: int = 0

        def origin():
            return Point(0, 0)
    """,
    "app/broken.py": "def oops(:\n",
}


@pytest.fixture
def app(tmp_path):
    return write_package(tmp_path / "src", APP)


def kg(*args, store):
    result = CliRunner().invoke(cli, [*args, "--store", str(store)], catch_exceptions=False)
    return result


def test_load_prints_a_summary_with_parse_errors(app, tmp_path):
    result = kg("load", str(app), "--repo", "demo", store=tmp_path / "g")
    assert result.exit_code == 0, result.output
    assert "loaded demo from" in result.output
    assert "Module 3" in result.output and "Function 1" in result.output
    assert "parse errors (1):" in result.output
    assert "app/broken.py: line 1:" in result.output


def test_query_formats(app, tmp_path):
    kg("load", str(app), store=tmp_path / "g")
    cypher = "MATCH (m:Module) RETURN m.name AS name, m.is_package AS pkg ORDER BY name"
    table = kg("query", cypher, store=tmp_path / "g")
    assert table.exit_code == 0
    assert "app.models" in table.output and "(3 rows)" in table.output
    as_json = kg("query", cypher, "--format", "json", store=tmp_path / "g")
    assert json.loads(as_json.output) == [
        {"name": "app", "pkg": True}, {"name": "app.broken", "pkg": False},
        {"name": "app.models", "pkg": False}]
    as_csv = kg("query", cypher, "--format", "csv", store=tmp_path / "g")
    assert as_csv.output.splitlines() == ["name,pkg", "app,true", "app.broken,false",
                                          "app.models,false"]


def test_query_parameters(app, tmp_path):
    kg("load", str(app), store=tmp_path / "g")
    result = kg("query", "MATCH (m:Module) WHERE m.name IN $names RETURN m.name ORDER BY m.name",
                "--param", 'names=["app", "app.models"]', "--format", "csv", store=tmp_path / "g")
    assert result.output.splitlines() == ["m.name", "app", "app.models"]


def test_query_is_read_only_unless_write(app, tmp_path):
    kg("load", str(app), store=tmp_path / "g")
    refused = kg("query", "MATCH (m:Module) DETACH DELETE m", store=tmp_path / "g")
    assert refused.exit_code == 2
    assert "--write" in refused.output
    allowed = kg("query", "MATCH (m:Module) WHERE m.name = 'app' SET m.loc = 7 RETURN m.loc",
                 "--write", store=tmp_path / "g")
    assert allowed.exit_code == 0


def test_info_lists_the_load(app, tmp_path):
    kg("load", str(app), "--repo", "demo", store=tmp_path / "g")
    result = kg("info", "--format", "json", store=tmp_path / "g")
    [load] = json.loads(result.output)
    record = load["repository"]
    assert record["repo"] == "demo" and record["files"] == 3
    assert record["schema_version"] == 2
    assert record["parse_errors"] == ["app/broken.py: line 1: invalid syntax"]
    assert record["counts"]["Module"] == 3


def test_exit_codes_for_bad_input(tmp_path):
    missing = kg("load", str(tmp_path / "nope"), store=tmp_path / "g")
    assert missing.exit_code == 2 and "no such file" in missing.output
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.txt").write_text("no python here")
    empty = kg("load", str(tmp_path / "empty"), store=tmp_path / "g")
    assert empty.exit_code == 2 and "no Python files" in empty.output
    no_store = kg("query", "MATCH (n:Module) RETURN n", store=tmp_path / "none")
    assert no_store.exit_code == 3 and "kg load" in no_store.output
    bad_cypher = kg("query", "MATC (n)", store=tmp_path / "none")
    assert bad_cypher.exit_code == 3
    bad_param = kg("query", "RETURN 1", "--param", "novalue", store=tmp_path / "g")
    assert bad_param.exit_code == 2


def test_a_failed_load_keeps_what_was_stored(app, tmp_path):
    kg("load", str(app), "--repo", "demo", store=tmp_path / "g")
    (tmp_path / "empty").mkdir()
    kg("load", str(tmp_path / "empty"), "--repo", "demo", store=tmp_path / "g")
    result = kg("query", "MATCH (m:Module) RETURN count(m) AS n", "--format", "csv",
                store=tmp_path / "g")
    assert result.output.splitlines() == ["n", "3"]


def test_the_installed_kg_command_runs_as_a_subprocess(app, tmp_path):
    env = {**os.environ, "KG_STORE": str(tmp_path / "g")}
    load = subprocess.run([sys.executable, "-m", "kg", "load", str(app), "-q"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert load.returncode == 0, load.stderr
    assert f"loaded {tmp_path.name} from" in load.stdout  # `src` is named after its parent
    query = subprocess.run([sys.executable, "-m", "kg", "query",
                            "MATCH (c:Class) RETURN c.qualname", "--format", "csv"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert query.stdout.splitlines() == ["c.qualname", "app.models.Point"]
