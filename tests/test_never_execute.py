"""kg never runs a line of the code it analyses.

A canary project is generated whose every way of being run would create a marker file:
module top-level code, `__init__.py`, `__main__.py`, `setup.py`, `conftest.py` and a test
module (test collection), a `.pth` file and `sitecustomize.py` (interpreter start-up),
a compiled extension (a real one, built here with the C compiler, that creates its marker
when loaded; a shell script under an extension's name without one), a build backend named
by pyproject.toml, modules named like kg's own dependencies (`click.py`, `yaml.py`) in the
working directory, and a git fsmonitor hook (run by any `git status`). Each canary is first
shown to fire when its project is run the ordinary way, on a copy; then `kg load`, `kg
audit`, `kg diagram path`, `kg diagram imports`, `kg info` and `kg export callgraph` run as
real subprocesses in the canary's own folder, and no marker exists afterwards, nor any new
file in the tree (`__pycache__` would betray an import).
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import astroid
import pytest

from kg import api
from kg.loader.parse import safe_manager
from reliability_record import record

EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"


def _mark(marks: Path, kind: str) -> str:
    return str(marks / f"{kind}.created")


def _touch(marks: Path, kind: str) -> str:
    return f"open({_mark(marks, kind)!r}, 'w').close()\n"


def build_canary(root: Path, marks: Path) -> dict[str, str]:
    """The canary project at root; returns kind -> how its extension canary was made."""
    files = {
        "canary/__init__.py": _touch(marks, "init") + "from canary import fast  # noqa\n",
        "canary/mod.py": _touch(marks, "module-top-level") + textwrap.dedent("""
            import subprocess

            def main():
                helper()
                subprocess.run(["echo", "hi"])

            def helper():
                return open("out.txt", "w")
        """),
        "canary/__main__.py": _touch(marks, "main") + "from canary.mod import main\nmain()\n",
        "setup.py": _touch(marks, "setup-py") + "from setuptools import setup\nsetup()\n",
        "conftest.py": _touch(marks, "conftest") + "def pytest_configure(config):\n    pass\n",
        "tests/test_canary.py": _touch(marks, "test-module") + "def test_x():\n    pass\n",
        "canary.pth": "import os; " + _touch(marks, "pth-file"),
        "sitecustomize.py": _touch(marks, "sitecustomize"),
        "click.py": _touch(marks, "shadows-a-kg-dependency"),
        "yaml.py": _touch(marks, "shadows-a-kg-dependency"),
        "canary_backend.py": _touch(marks, "build-backend") + textwrap.dedent("""
            def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
                raise SystemExit("canary")
        """),
        "pyproject.toml": textwrap.dedent("""
            [build-system]
            requires = []
            build-backend = "canary_backend"
            backend-path = ["."]

            [project]
            name = "canary"
            version = "0"
        """),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    how = {"compiled-extension": _extension(root / "canary" / f"fast{EXT_SUFFIX}", marks)}
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        hook = root.parent / "fsmonitor.sh"
        hook.write_text(f"#!/bin/sh\ntouch {_mark(marks, 'git-fsmonitor')}\nexit 1\n")
        hook.chmod(0o755)
        subprocess.run(["git", "-C", str(root), "config", "core.fsmonitor", str(hook)],
                       check=True)
        how["git-fsmonitor"] = "core.fsmonitor hook in .git/config"
    return how


EXTENSION_C = """
#include <Python.h>
#include <stdio.h>
static void touch(void) { FILE *f = fopen("%s", "w"); if (f) fclose(f); }
__attribute__((constructor)) static void on_load(void) { touch(); }
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "fast", NULL, -1, NULL};
PyMODINIT_FUNC PyInit_fast(void) { touch(); return PyModule_Create(&def); }
"""


def _extension(path: Path, marks: Path) -> str:
    """A real extension module that creates its marker when loaded, if a C compiler is here;
    else a shell script under the extension's name (fires only if executed)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    include = sysconfig.get_paths()["include"]
    if compiler and (Path(include) / "Python.h").exists():
        source = path.parent.parent / "fast.c"
        source.write_text(EXTENSION_C % _mark(marks, "compiled-extension"))
        built = subprocess.run([compiler, "-shared", "-fPIC", f"-I{include}", str(source),
                                "-o", str(path)], capture_output=True)
        source.unlink()
        if built.returncode == 0:
            return "built"
    path.write_text(f"#!/bin/sh\ntouch {_mark(marks, 'compiled-extension')}\n")
    path.chmod(0o755)
    return "script"


def _python(*args: str, cwd: Path, env: dict | None = None) -> None:
    subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, timeout=120,
                   env={**_clean_env(), **(env or {})})


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE",
                         "KG_RELIABILITY_DIR")}


def run_the_ordinary_way(root: Path, how: dict[str, str]) -> None:
    """What a user, a build or a test run would do to the project (on a copy)."""
    _python("-c", "import canary.mod", cwd=root)                 # init, module, extension
    _python("-m", "canary", cwd=root)                            # __main__
    _python("setup.py", "--version", cwd=root)
    _python("-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests",
            cwd=root)
    _python("-c", f"import site; site.addsitedir({str(root)!r})", cwd=root.parent)
    _python("-c", "pass", cwd=root.parent, env={"PYTHONPATH": str(root)})   # sitecustomize
    _python("-c", "import click", cwd=root)
    _python("-c", "import sys; sys.path.insert(0, '.'); import canary_backend", cwd=root)
    if how["compiled-extension"] == "script":
        subprocess.run([str(root / "canary" / f"fast{EXT_SUFFIX}")], timeout=60)
    if shutil.which("git"):
        subprocess.run(["git", "-C", str(root), "status"], capture_output=True, timeout=60)


KINDS = ["init", "module-top-level", "main", "setup-py", "conftest", "test-module", "pth-file",
         "sitecustomize", "shadows-a-kg-dependency", "build-backend", "compiled-extension",
         "git-fsmonitor"]


def _kinds() -> list[str]:
    return [k for k in KINDS if k != "git-fsmonitor" or shutil.which("git")]


def test_each_canary_fires_when_its_project_is_run(tmp_path):
    """The control: without it, a canary that can never fire would prove nothing."""
    marks = tmp_path / "marks"
    marks.mkdir()
    root = tmp_path / "project" / "canary-project"
    how = build_canary(root, marks)
    run_the_ordinary_way(root, how)
    fired = {p.name.removesuffix(".created") for p in marks.iterdir()}
    assert fired == set(_kinds())


def _kg() -> list[str]:
    """The installed command as users run it (python -m kg would put the working directory,
    the target, first on sys.path; `-P` keeps it off)."""
    script = shutil.which("kg")
    return [script] if script else [sys.executable, "-P", "-m", "kg"]


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if ".git" not in p.relative_to(root).parts}


def test_kg_never_runs_the_canary(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    root = tmp_path / "project" / "canary-project"
    how = build_canary(root, marks)
    before = _tree(root)
    store = str(tmp_path / "store")
    commands = [
        ["load", str(root), "--repo", "canary", "-q"],
        ["audit"],
        ["diagram", "path", "--from", "canary.mod.main"],
        ["diagram", "imports"],
        ["info"],
        ["export", "callgraph"],
    ]
    for command in commands:
        done = subprocess.run([*_kg(), *command, "--store", store], cwd=root,
                              capture_output=True, text=True, timeout=300, env=_clean_env())
        assert done.returncode in (0, 1), (command, done.stdout, done.stderr)
        if command[0] == "load":
            assert "loaded canary" in done.stdout
        if command[:2] == ["diagram", "path"]:
            assert "canary.mod.helper" in done.stdout        # the path was really drawn
    created = {p.name.removesuffix(".created") for p in marks.iterdir()}
    for kind in _kinds():
        record("never-execute", kind, created=kind in created,
               how=how.get(kind, "file in the project"))
    assert created == set()
    assert _tree(root) == before              # no __pycache__, no output of the target


def test_astroid_never_loads_extension_modules_of_the_target(tmp_path):
    manager = safe_manager()
    assert manager is astroid.MANAGER
    assert manager.always_load_extensions is False
    assert manager.extension_package_whitelist == set()
    marks = tmp_path / "marks"
    marks.mkdir()
    root = tmp_path / "project" / "canary-project"
    build_canary(root, marks)
    summary = api.load(root, store=str(tmp_path / "store"), repo="canary", jobs=1)
    assert summary.files > 0
    assert astroid.MANAGER.always_load_extensions is False
    assert not any(name == "canary" or name.startswith("canary.") for name in sys.modules)
    assert str(root) not in sys.path
    assert list(marks.iterdir()) == []


@pytest.mark.parametrize("name", ["click", "yaml"])
def test_a_target_module_named_like_a_kg_dependency_is_only_parsed(tmp_path, name):
    """In-process too: the target's click.py is a tree in astroid's cache, not an import."""
    marks = tmp_path / "marks"
    marks.mkdir()
    root = tmp_path / "shadow"
    root.mkdir()
    (root / f"{name}.py").write_text(_touch(marks, name))
    (root / "user.py").write_text(f"import {name}\n")
    real = importlib.import_module(name)
    api.load(root, store=str(tmp_path / "store"), jobs=1)
    assert list(marks.iterdir()) == []
    assert sys.modules[name] is real and real.__file__ != str(root / f"{name}.py")
