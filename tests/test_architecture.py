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
