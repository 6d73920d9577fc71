"""The layers and the lint hold: checked by tools, not by goodwill."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = run(exe)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_is_clean():
    result = run(sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_kg_loads_its_own_source_without_errors():
    from kg.loader import extract
    extraction = extract(ROOT / "src" / "kg", "kg")
    assert extraction.parse_errors == {}
    assert extraction.step_errors == {}
    counts = extraction.facts.counts()
    assert counts["Module"] >= 20 and counts["Function"] >= 100


def test_kg_audits_its_own_layers_and_cycles(tmp_path):
    """The .importlinter layers, as kg's own layer-violation rule ([tool.kg] in pyproject.toml),
    and no import cycle: kg run on itself."""
    from kg import api
    store = str(tmp_path / "self")
    api.load(ROOT / "src" / "kg", store=store, repo="kg")
    audit = api.audit(store=store, select=("layer-violation", "import-cycle"))
    assert [(f.rule, f.file, f.line, f.message) for f in audit.findings] == []
    layers = next(r for r in audit.rules if r.id == "layer-violation")
    assert layers.params["layers"] == [""]        # the contract came from pyproject.toml, not here


def test_a_planted_layer_violation_is_found(tmp_path):
    from harness import write_package
    from kg import api
    root = write_package(tmp_path / "proj", {
        "pyproject.toml": '[tool.kg.rules.layer-violation]\nlayers = ["app.cli", "app.core"]\n',
        "app/__init__.py": "", "app/cli.py": "import app.core\n",
        "app/core.py": "from app import cli\n",
    })
    store = str(tmp_path / "store")
    api.load(root, store=store, repo="proj")
    audit = api.audit(store=store, select=("layer-violation",))
    assert [(f.file, f.line) for f in audit.findings] == [("app/core.py", 1)]
