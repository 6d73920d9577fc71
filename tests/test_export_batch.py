"""`kg export callgraph SOURCE...`: several source trees in one process, each graph the same
as that tree's alone (astroid's stdlib trees are kept between them, the trees analysed are
not), written side by side as NAME.json in the folder -o names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import write_package
from kg.cli.main import cli

PROGRAMS = Path(__file__).resolve().parent / "callgraph"
# Different categories, stdlib- and builtins-heavy ones among them; `in_function` and
# `sorted_key` are names other categories use too.
CHOSEN = ["builtins/in_function", "lambdas/sorted_key", "external/stdlib_chain",
          "external/stdlib_class", "classes/property_getter", "mro/diamond",
          "generators/next_call", "decorators/functools_wraps"]


def alone(source: Path, *options: str) -> str:
    """What `kg export callgraph SOURCE` prints in a fresh process of its own."""
    done = subprocess.run([sys.executable, "-m", "kg", "export", "callgraph", str(source),
                           *options], capture_output=True, text=True, check=True)
    return done.stdout


def batch(*args: str):
    return CliRunner().invoke(cli, ["export", "callgraph", *args])


def chosen() -> list[Path]:
    folders = [PROGRAMS / key for key in CHOSEN]
    missing = [str(f) for f in folders if not (f / "main.py").is_file()]
    assert not missing, f"benchmark programs moved: {missing}"
    return folders


def test_each_graph_is_the_one_its_source_gives_alone(tmp_path):
    folders = chosen()
    result = batch(*map(str, folders), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(f"{f.name}.json" for f in folders)
    for folder in folders:
        text = (tmp_path / "out" / f"{folder.name}.json").read_text(encoding="utf-8")
        assert text == alone(folder), folder
    # Not vacuous: the programs' graphs differ from one another and have edges.
    graphs = [json.loads((tmp_path / "out" / name).read_text()) for name in written]
    assert all(any(callees for callees in g.values()) for g in graphs)
    assert len({json.dumps(g, sort_keys=True) for g in graphs}) == len(graphs)


def test_kg_json_and_dot_formats_too(tmp_path):
    folders = chosen()[:2]
    for fmt, suffix in (("json", ".json"), ("dot", ".dot")):
        out = tmp_path / fmt
        result = batch(*map(str, folders), "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        for folder in folders:
            assert (out / f"{folder.name}{suffix}").read_text() == alone(folder, "--format", fmt)


def test_a_src_layout_is_named_after_its_project(tmp_path):
    write_package(tmp_path / "proj" / "src", {"m.py": "def f():\n    pass\n\nf()\n"})
    write_package(tmp_path / "other", {"n.py": "def g():\n    pass\n\ng()\n"})
    result = batch(str(tmp_path / "proj" / "src"), str(tmp_path / "other"), "--format", "json",
                   "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["other.json", "proj.json"]
    assert json.loads((tmp_path / "out" / "proj.json").read_text())["repo"] == "proj"
    assert (tmp_path / "out" / "proj.json").read_text() == alone(tmp_path / "proj" / "src",
                                                                  "--format", "json")


def test_two_sources_of_the_same_name_are_refused_before_anything_runs(tmp_path):
    first, second = PROGRAMS / "builtins" / "in_function", PROGRAMS / "lambdas" / "in_function"
    out = tmp_path / "out"
    result = batch(str(first), str(PROGRAMS / "mro" / "diamond"), str(second), "-o", str(out))
    assert result.exit_code == 2
    assert "are both named 'in_function'" in result.output
    assert str(first) in result.output and str(second) in result.output
    assert not out.exists()


@pytest.mark.parametrize("extra, message", [
    ([], "several SOURCEs need -o FOLDER"),
    (["-o", "{tmp}/out", "--repo", "x"], "--repo names a single graph"),
    (["-o", "{tmp}/file.json"], "is a file"),
])
def test_usage_errors_with_several_sources(tmp_path, extra, message):
    (tmp_path / "file.json").write_text("{}")
    folders = [str(f) for f in chosen()[:2]]
    result = batch(*folders, *(e.format(tmp=tmp_path) for e in extra))
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "out").exists()
    assert (tmp_path / "file.json").read_text() == "{}"


def test_one_source_into_an_existing_folder(tmp_path):
    folder = chosen()[0]
    (tmp_path / "out").mkdir()
    result = batch(str(folder), "--format", "dot", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"{folder.name}.dot"]
    assert (tmp_path / "out" / f"{folder.name}.dot").read_text() == alone(folder, "--format",
                                                                           "dot")


def test_one_source_to_a_file_as_before(tmp_path):
    folder = chosen()[0]
    result = batch(str(folder), "-o", str(tmp_path / "cg.json"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cg.json").read_text() == alone(folder)


def test_a_store_export_into_a_folder_is_refused(tmp_path):
    result = batch("--store", str(tmp_path / "store"), "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "is a folder" in result.output
    assert not (tmp_path / "store").exists()


def test_a_source_without_python_is_reported_and_the_others_written(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no python here")
    good = chosen()[0]
    result = batch(str(tmp_path / "empty"), str(good), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "no Python files found" in result.output
    assert f"1 of 2 SOURCEs not exported: {tmp_path / 'empty'}" in result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"{good.name}.json"]
    assert (tmp_path / "out" / f"{good.name}.json").read_text() == alone(good)
