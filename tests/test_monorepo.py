"""A monorepo loaded from its top (`kg load .`): each sub-project (a folder below the loaded
one holding a pyproject.toml, setup.cfg or setup.py, not a package) names its modules from
its own import root, as its code imports them, so imports between the projects resolve to
the projects' own modules; its console scripts (pyproject, setup.cfg, setup.py read without
running it) are entry points. Names two projects share, or a standard library module's,
fall back to the path from the loaded folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import api
from kg.loader.discover import discover
from kg.queries import open_store
from test_incremental import REPO, assert_equal_to_full, edit

FILES = {
    "pyproject.toml": '[project]\nname = "mono"\n',
    "tools/release.py": "def bump():\n    return 1\n",
    # a src-layout project
    "packages/core/pyproject.toml": '[project]\nname = "core"\n',
    "packages/core/src/core/__init__.py": "",
    "packages/core/src/core/pricing.py": (
        "def price(amount):\n    return amount * 2\n\n\n"
        "def unused():\n    return 0\n"),
    "packages/core/tests/conftest.py": "",
    "packages/core/tests/test_pricing.py": (
        "from core.pricing import price\n\n\ndef test_price():\n    assert price(1) == 2\n"),
    # a flat-layout project, its script in setup.cfg
    "packages/cli/setup.cfg": (
        "[metadata]\nname = shop-cli\n\n[options.entry_points]\nconsole_scripts =\n"
        "    shop = shop_cli.main:main\n"),
    "packages/cli/shop_cli/__init__.py": "",
    "packages/cli/shop_cli/main.py": (
        "import core.pricing\nfrom core.pricing import price\n\n\n"
        "def main():\n    print(price(3), core.pricing.price(4))\n"),
    "packages/cli/tests/conftest.py": "",
    # a legacy project: setup.py's entry points as a dict of lists
    "legacy/setup.py": (
        "from setuptools import setup\n\nsetup(\n    name='legacy',\n"
        "    py_modules=['legacy_tool'],\n    entry_points={\n        'console_scripts': [\n"
        "            'legacy-tool = legacy_tool:run',\n        ],\n    },\n)\n"),
    "legacy/legacy_tool.py": "from core.pricing import price\n\n\ndef run():\n    return price(5)\n",
    # setup.py's entry points as INI text, for a module named like the standard library's
    "examples/json/setup.py": (
        'from setuptools import setup\n\nsetup(\n    name="json-example",\n'
        '    entry_points="""\n        [console_scripts]\n        Json-Tool=json:main\n    """,\n)\n'),
    "examples/json/json.py": "def main():\n    return 1\n",
    # a package that happens to hold a setup.py is no project of its own
    "plugins/__init__.py": "",
    "plugins/setup.py": "def configure():\n    return 1\n",
}


def _write(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def mono(tmp_path) -> Path:
    return _write(tmp_path / "mono")


def test_each_sub_project_names_its_modules_from_its_own_import_root(mono):
    named = {f.rel: (f.module, f.project) for f in discover(mono)}
    assert named == {
        "tools/release.py": ("tools.release", ""),
        "packages/core/src/core/__init__.py": ("core", "packages/core"),
        "packages/core/src/core/pricing.py": ("core.pricing", "packages/core"),
        # both projects have a top-level `tests`: all of it is named by its path from the
        # loaded folder, so relative imports within it still meet
        "packages/core/tests/conftest.py": ("packages.core.tests.conftest", "packages/core"),
        "packages/cli/tests/conftest.py": ("packages.cli.tests.conftest", "packages/cli"),
        "packages/core/tests/test_pricing.py": ("packages.core.tests.test_pricing",
                                                "packages/core"),
        "packages/cli/shop_cli/__init__.py": ("shop_cli", "packages/cli"),
        "packages/cli/shop_cli/main.py": ("shop_cli.main", "packages/cli"),
        # two projects want `setup`: both fall back
        "legacy/setup.py": ("legacy.setup", "legacy"),
        "legacy/legacy_tool.py": ("legacy_tool", "legacy"),
        "examples/json/setup.py": ("examples.json.setup", "examples/json"),
        # a standard library name would shadow the real json for the whole load
        "examples/json/json.py": ("examples.json.json", "examples/json"),
        "plugins/__init__.py": ("plugins", ""),
        "plugins/setup.py": ("plugins.setup", ""),
    }


def test_relative_imports_within_a_fallen_back_package_still_meet(mono, tmp_path):
    """conftest.py clashes with the other project's, helpers.py with nothing: both are
    named by their path, or conftest's `.helpers` would name a module that is not there."""
    (mono / "packages/core/tests/helpers.py").write_text("def make():\n    return 1\n")
    (mono / "packages/core/tests/conftest.py").write_text(
        "from .helpers import make\n\n\ndef fixture():\n    return make()\n")
    store = str(tmp_path / "store")
    api.load(mono, store=store, repo=REPO, jobs=1)
    assert ("packages.core.tests.conftest.fixture",
            "packages.core.tests.helpers.make") in _rows(
        store, "MATCH (a:Function)-[:CALLS]->(b:Function) RETURN a.qualname, b.qualname")


def test_a_loaded_package_or_project_folder_is_named_as_before(mono):
    core = {f.rel: f.module for f in discover(mono / "packages" / "core")}
    assert core["src/core/pricing.py"] == "core.pricing"
    assert core["tests/test_pricing.py"] == "tests.test_pricing"
    assert {f.module for f in discover(mono / "packages/cli/shop_cli")} == {
        "shop_cli", "shop_cli.main"}


def _rows(store: str, cypher: str) -> set[tuple]:
    with open_store(store) as graph:
        return {tuple(row) for row in graph.query(cypher).rows}


def test_imports_and_calls_between_projects_reach_their_modules(mono, tmp_path):
    store = str(tmp_path / "store")
    api.load(mono, store=store, repo=REPO, jobs=1)
    imports = _rows(store, "MATCH (a:Module)-[:IMPORTS]->(b:Module) RETURN a.name, b.name")
    assert {("shop_cli.main", "core.pricing"), ("legacy_tool", "core.pricing"),
            ("packages.core.tests.test_pricing", "core.pricing")} <= imports
    calls = _rows(store, "MATCH (a:Function)-[:CALLS]->(b:Function) RETURN a.qualname, "
                         "b.qualname")
    assert {("shop_cli.main.main", "core.pricing.price"),
            ("legacy_tool.run", "core.pricing.price")} <= calls
    externals = _rows(store, "MATCH (e:External) RETURN e.qualname")
    assert not {e for (e,) in externals if e.startswith("core.")}


def test_sub_projects_console_scripts_are_entry_points(mono, tmp_path):
    store = str(tmp_path / "store")
    api.load(mono, store=store, repo=REPO, jobs=1)
    entered = _rows(store, "MATCH (e:EntryPoint {kind: 'console_script'})-[:ENTERS]->(f) "
                           "RETURN e.name, e.file, e.line, f.qualname")
    assert entered == {
        ("shop", "packages/cli/setup.cfg", 6, "shop_cli.main.main"),
        ("legacy-tool", "legacy/setup.py", 8, "legacy_tool.run"),
        # the script names json:main in its project; the load calls the module by its path
        ("Json-Tool", "examples/json/setup.py", 7, "examples.json.json.main"),
    }
    report = api.audit(store=store, repo=REPO, select=("dead-symbol",))
    dead = {f.columns.get("symbol") for f in report.findings}
    assert "core.pricing.unused" in dead
    assert not dead & {"core.pricing.price", "shop_cli.main.main", "legacy_tool.run",
                       "examples.json.json.main"}


def test_a_reload_after_editing_one_project_equals_a_full_load(mono, tmp_path):
    store = str(tmp_path / "store")
    api.load(mono, store=store, repo=REPO, jobs=1)
    edit(mono / "packages/core/src/core/pricing.py", "def price(amount):\n    return amount * 2",
         "def price(amount):\n    return Quote(amount)\n\n\nclass Quote:\n"
         "    def __init__(self, amount):\n        self.amount = amount")
    again = api.load(mono, store=store, repo=REPO, jobs=1)
    assert again.incremental
    assert 1 < again.reextracted < again.files     # pricing and the modules importing it
    assert_equal_to_full(mono, store)


def test_a_folder_that_becomes_a_project_renames_its_modules_and_a_reload_follows(mono, tmp_path):
    store = str(tmp_path / "store")
    api.load(mono, store=store, repo=REPO, jobs=1)
    assert ("tools.release",) in _rows(store, "MATCH (m:Module) RETURN m.name")
    (mono / "tools" / "pyproject.toml").write_text('[project]\nname = "tools"\n')
    again = api.load(mono, store=store, repo=REPO, jobs=1)
    assert again.incremental
    modules = _rows(store, "MATCH (m:Module) RETURN m.name")
    assert ("release",) in modules and ("tools.release",) not in modules
    assert_equal_to_full(mono, store)


def test_a_setup_py_is_read_never_run(tmp_path):
    """Only literals count: a computed entry_points gives no script, and nothing runs."""
    root = tmp_path / "mono"
    marker = tmp_path / "ran"
    _write(root)
    shutil.rmtree(root / "examples")
    (root / "legacy" / "setup.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\nfrom setuptools import setup\n\n"
        "SCRIPTS = ['legacy-tool = legacy_tool:run']\n"
        "setup(name='legacy', entry_points={'console_scripts': SCRIPTS})\n")
    store = str(tmp_path / "store")
    api.load(root, store=store, repo=REPO, jobs=1)
    names = _rows(store, "MATCH (e:EntryPoint {kind: 'console_script'}) RETURN e.name")
    assert names == {("shop",)}
    assert not marker.exists()
