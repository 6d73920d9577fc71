"""`kg load` takes exclude, inference_budget and max_file_size from the project's
`[tool.kg]` settings; the command line's values win, and settings kg
cannot use stop the load before anything is written (exit 2, the file named)."""

from __future__ import annotations

from click.testing import CliRunner

from harness import write_package
from kg import api
from kg.cli.main import cli
from kg.loader.limits import Limits
from kg.rules.config import ProjectConfig

APP = {
    "app/__init__.py": "",
    "app/core.py": "def f():\n    return 1\n",
    "app/gen/__init__.py": "",
    "app/gen/table.py": "ROWS = [\n" + "    1,\n" * 400 + "]\n",     # ~2.8 kB
}


def _project(tmp_path, settings: str):
    root = write_package(tmp_path / "proj", APP)
    (tmp_path / "proj" / "pyproject.toml").write_text(settings)
    return root / "app"


def _modules(store) -> list[str]:
    rows = api.query("MATCH (m:Module) RETURN m.name ORDER BY m.name", store=str(store)).rows
    return [r[0] for r in rows]


def test_exclude_from_the_settings_skips_files_and_adds_to_the_option(tmp_path):
    path = _project(tmp_path, '[tool.kg]\nexclude = ["gen/*"]\n')
    api.load(path, store=str(tmp_path / "s1"))
    assert _modules(tmp_path / "s1") == ["app", "app.core"]
    api.load(path, store=str(tmp_path / "s2"), exclude=("core.py",))
    assert _modules(tmp_path / "s2") == ["app"]


def test_without_settings_nothing_is_excluded(tmp_path):
    path = _project(tmp_path, '[tool.other]\nx = 1\n')
    api.load(path, store=str(tmp_path / "s"))
    assert _modules(tmp_path / "s") == ["app", "app.core", "app.gen", "app.gen.table"]


def test_max_file_size_from_the_settings_and_the_option_overriding_it(tmp_path):
    path = _project(tmp_path, "[tool.kg]\nmax_file_size = 0.001\n")     # 1 kB
    summary = api.load(path, store=str(tmp_path / "s1"))
    assert list(summary.parse_errors) == ["gen/table.py"]
    assert "larger than the 0.001 MB limit" in summary.parse_errors["gen/table.py"]
    summary = api.load(path, store=str(tmp_path / "s2"), max_file_mb=1)
    assert summary.parse_errors == {}


def test_limits_precedence():
    none = ProjectConfig()
    assert api.load_limits(None, None, none) == Limits.of(1_500_000, 5.0)
    configured = ProjectConfig(inference_budget=60_000, max_file_size=0.5)
    assert api.load_limits(None, None, configured) == Limits.of(60_000, 0.5)
    assert api.load_limits(7_000, 2, configured) == Limits.of(7_000, 2)
    assert api.load_limits(0, None, configured) == Limits.of(0, 0.5)


def test_unusable_settings_exit_2_naming_the_file_and_keep_the_graph(tmp_path):
    path = _project(tmp_path, '[tool.kg]\nexclude = ["gen/*"]\n')
    store = str(tmp_path / "s")
    api.load(path, store=store)
    before = _modules(tmp_path / "s")
    for bad in ('[tool.kg]\ninference_budget = "lots"\n', "[tool.kg]\nmax_file_size = -1\n",
                '[tool.kg]\nexclude = "gen/*"\n', "[tool.kg\n"):
        (tmp_path / "proj" / "pyproject.toml").write_text(bad)
        result = CliRunner().invoke(cli, ["load", str(path), "--store", store, "-q"])
        assert result.exit_code == 2, (bad, result.output)
        assert "pyproject.toml" in result.output
    assert _modules(tmp_path / "s") == before
